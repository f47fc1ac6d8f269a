/** Bronchodilator responsiveness. */
import type { Finding } from './types.ts';

export type BdrRule = 'ats2022' | 'china2014' | 'ats2005';

export interface PrePost {
  pre: number;
  post: number;
  /** Predicted (M) from the same equation for the same patient; needed by the 2022 rule. */
  predicted: number | null;
}

export interface BdrResult {
  rule: BdrRule;
  result: 'positive' | 'negative';
  findings: Finding[];
}

export interface BdrOptions {
  /**
   * Comparison for the baseline-relative rules (12 % and 200 mL). The 2005 text uses ">"; older devices and, as
   * recalled, the Chinese 2014 guideline use "≥" (clinical.md §9.8, U). Default: '>' for ats2005, '>=' for china2014.
   */
  operator?: '>' | '>=';
}

/**
 * ERS/ATS 2022 Box 1 (clinical.md §9.4, V): (post − pre) / predicted × 100 > 10 % for FEV1 or FVC is positive.
 * Legacy/Chinese rules: change from baseline ≥/> 12 % and ≥/> 200 mL in FEV1 or FVC (§9.8, glossary; U).
 */
export function bronchodilatorResponse(
  rule: BdrRule,
  values: { fev1?: PrePost | null; fvc?: PrePost | null },
  options: BdrOptions = {},
): BdrResult | null {
  const findings: Finding[] = [];
  let positive = false;
  let evaluated = false;
  for (const [param, v] of [['FEV1', values.fev1], ['FVC', values.fvc]] as const) {
    if (!v || !Number.isFinite(v.pre) || !Number.isFinite(v.post) || v.pre <= 0) continue;
    // Changes in whole mL: devices report to 10 mL, and 3.2 − 3.0 must be exactly 200 mL.
    const changeMl = Math.round((v.post - v.pre) * 1000);
    if (rule === 'ats2022') {
      if (v.predicted === null || !(v.predicted > 0)) continue;
      evaluated = true;
      const changePctPred = (changeMl / 1000 / v.predicted) * 100;
      const met = changePctPred > 10 + 1e-9;
      if (met) positive = true;
      findings.push({ code: met ? 'bdr_met' : 'bdr_not_met', values: { param, pre: v.pre, post: v.post, predicted: v.predicted, changeMl, changePctPred, thresholdPctPred: 10 } });
    } else {
      evaluated = true;
      const operator = options.operator ?? (rule === 'ats2005' ? '>' : '>=');
      const changePctBaseline = (changeMl / 1000 / v.pre) * 100;
      const pctRounded = Math.round(changePctBaseline * 1e6) / 1e6;
      const met =
        operator === '>' ? pctRounded > 12 && changeMl > 200 : pctRounded >= 12 && changeMl >= 200;
      if (met) positive = true;
      findings.push({ code: met ? 'bdr_met' : 'bdr_not_met', values: { param, pre: v.pre, post: v.post, changeMl, changePctBaseline, operator, thresholdPct: 12, thresholdMl: 200 } });
    }
  }
  if (!evaluated) return null;
  return { rule, result: positive ? 'positive' : 'negative', findings };
}
