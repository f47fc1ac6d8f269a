/**
 * 中华医学会呼吸病学分会 肺功能专业组. 肺功能检查指南（第二部分）——肺量计检查. 中华结核和呼吸杂志 2014;37(7):481-6.
 * Thresholds and words from ../shared/docs/glossary.md ("Grading schemes a lab may choose", "Conclusions"), not yet
 * checked against the guideline itself (U; clinical.md §11 item 9): keep selectable per lab.
 */
import type { Finding, Pattern, Severity } from './types.ts';

/**
 * FEV1 % predicted, once a defect is present (glossary, U): ≥ 70 % 轻度; 60–69 % 中度; 50–59 % 中重度; 35–49 % 重度;
 * < 35 % 极重度. Boundaries: 69.9 % is 中度, 70 % 轻度 (the bands are written in whole percent).
 */
export function china2014SeverityFromFev1PctPred(fev1PctPred: number): Severity {
  // Round away floating-point noise (100 · 0.7·M / M can be 69.99999999999999), not clinical digits.
  const pct = Math.round(fev1PctPred * 1e6) / 1e6;
  if (pct >= 70) return 'mild';
  if (pct >= 60) return 'moderate';
  if (pct >= 50) return 'moderately_severe';
  if (pct >= 35) return 'severe';
  return 'very_severe';
}

/** Small-airway dysfunction in Chinese practice: at least two of MMEF, FEF50, FEF75 below 65 % predicted (glossary, U). */
export function china2014SmallAirwayDysfunction(pctPred: {
  mmef?: number | null;
  fef50?: number | null;
  fef75?: number | null;
}): boolean | null {
  const values = [pctPred.mmef, pctPred.fef50, pctPred.fef75].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const low = values.filter((v) => v < 65).length;
  if (low >= 2) return true;
  if (values.length - low >= 2) return false;
  return null; // not enough values to decide
}

/** The patterns the Chinese 2014 scheme reports (glossary "Conclusions"). */
export const CHINA2014_PATTERNS = ['normal', 'obstruction', 'restriction', 'mixed', 'non_specific', 'small_airway_dysfunction'] as const satisfies readonly Pattern[];
export type China2014Pattern = (typeof CHINA2014_PATTERNS)[number];

export interface China2014PatternInputs {
  fev1FvcLow: boolean;
  fvcLow: boolean;
  fev1Low: boolean;
  tlcLow: boolean | null;
  /** china2014SmallAirwayDysfunction(); null when MMEF/FEF50/FEF75 were not given. */
  smallAirwayDysfunction: boolean | null;
}

export interface China2014PatternOptions {
  /**
   * FEV1/FVC and FVC both low, TLC not measured. Chinese reports call this 混合性通气功能障碍 from spirometry
   * (default 'mixed', U); 'obstruction' follows ERS/ATS 2022, where low FVC may be gas trapping until TLC is measured.
   */
  lowFvcWithObstructionWithoutTlc: 'mixed' | 'obstruction';
}

export const DEFAULT_CHINA2014_PATTERN_OPTIONS: China2014PatternOptions = { lowFvcWithObstructionWithoutTlc: 'mixed' };

/**
 * Pattern words of the Chinese scheme (glossary "Conclusions", U): 阻塞性 (FEV1/FVC < LLN), 限制性 (FVC < LLN with a
 * normal FEV1/FVC, or TLC < LLN; Chinese reports state it from spirometry, TLC confirms it), 混合性 (both), 小气道功能障碍
 * (otherwise normal, two of MMEF/FEF50/FEF75 < 65 % predicted), 肺通气功能正常. No PRISm and no "possible restriction".
 * Low FVC or FEV1 with a normal ratio and a measured normal TLC fits none of the three defects: 'non_specific', worded
 * by the scheme's templates without the ERS/ATS term.
 */
export function classifyChina2014Pattern(
  inputs: China2014PatternInputs,
  options: China2014PatternOptions = DEFAULT_CHINA2014_PATTERN_OPTIONS,
): { pattern: China2014Pattern; findings: Finding[] } {
  const { fev1FvcLow, fvcLow, fev1Low, tlcLow, smallAirwayDysfunction } = inputs;
  const values = { fev1FvcLow, fvcLow, fev1Low, tlcLow, smallAirwayDysfunction };
  const findings: Finding[] = [];
  if (fev1FvcLow) {
    if (tlcLow === true) return { pattern: 'mixed', findings };
    if (tlcLow === false) return { pattern: 'obstruction', findings };
    if (fvcLow) {
      findings.push({ code: 'tlc_not_measured', values });
      return { pattern: options.lowFvcWithObstructionWithoutTlc, findings };
    }
    return { pattern: 'obstruction', findings };
  }
  if (tlcLow === true) return { pattern: 'restriction', findings };
  if (fvcLow) {
    if (tlcLow === null) {
      findings.push({ code: 'tlc_not_measured', values });
      return { pattern: 'restriction', findings };
    }
    findings.push({ code: 'low_fvc_with_normal_tlc', values });
    return { pattern: 'non_specific', findings };
  }
  if (fev1Low) {
    findings.push({ code: 'isolated_low_fev1', values });
    return { pattern: 'non_specific', findings };
  }
  if (smallAirwayDysfunction === true) return { pattern: 'small_airway_dysfunction', findings };
  return { pattern: 'normal', findings };
}
