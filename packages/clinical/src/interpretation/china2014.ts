/**
 * 中华医学会呼吸病学分会 肺功能专业组. 肺功能检查指南（第二部分）——肺量计检查. 中华结核和呼吸杂志 2014;37(7):481-6.
 * Thresholds from ../shared/docs/glossary.md, not yet checked against the guideline (U): keep selectable per lab.
 */
import type { Severity } from './types.ts';

/** FEV1 % predicted, once a defect is present: ≥70 轻度; 60–69 中度; 50–59 中重度; 35–49 重度; <35 极重度 (U). */
export function china2014SeverityFromFev1PctPred(fev1PctPred: number): Severity {
  if (fev1PctPred >= 70) return 'mild';
  if (fev1PctPred >= 60) return 'moderate';
  if (fev1PctPred >= 50) return 'moderately_severe';
  if (fev1PctPred >= 35) return 'severe';
  return 'very_severe';
}

/** Small-airway dysfunction in Chinese practice: at least two of MMEF, FEF50, FEF75 below 65 % predicted (U). */
export function china2014SmallAirwayDysfunction(pctPred: {
  mmef?: number | null;
  fef50?: number | null;
  fef75?: number | null;
}): boolean | null {
  const values = [pctPred.mmef, pctPred.fef50, pctPred.fef75].filter((v): v is number => typeof v === 'number');
  const low = values.filter((v) => v < 65).length;
  if (low >= 2) return true;
  if (values.length - low >= 2) return false;
  return null; // not enough values to decide
}
