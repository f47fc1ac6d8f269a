/** Gas transfer (TLCO/DLCO, VA, KCO) interpretation and haemoglobin correction. */
import { LIMIT_Z } from '../lms.ts';
import type { ReferenceResult } from '../reference.ts';
import { isAboveUln, isBelowLln } from '../reference.ts';
import { severityFromZScore } from './ats2022.ts';
import type { Finding, Severity } from './types.ts';

/**
 * Vocabulary (clinical.md §9.5, U; Hughes & Pride AJRCCM 2012 as adopted by ERS/ATS 2022):
 * - normal: TLCO within limits
 * - reduced: TLCO < LLN, VA or KCO not available
 * - reduced_parenchymal_vascular: TLCO low, VA normal, KCO low — parenchymal or pulmonary-vascular disease
 * - reduced_low_va: TLCO low, VA low, KCO normal or high — extraparenchymal cause or incomplete expansion
 * - reduced_mixed: TLCO, VA and KCO all low
 * - reduced_unexplained: TLCO low, VA normal, KCO normal or high — no pattern confirmed in a primary source
 *   (product decision: report reduced TLCO with no cause)
 * - elevated: TLCO > ULN
 */
export type GasTransferCategory =
  | 'normal' | 'reduced' | 'reduced_parenchymal_vascular' | 'reduced_low_va' | 'reduced_mixed'
  | 'reduced_unexplained' | 'elevated';

export interface GasTransferResult {
  category: GasTransferCategory;
  /** Graded by the TLCO z-score with the §9.3 bands; 'none' when not reduced. */
  severity: Severity;
  findings: Finding[];
}

/**
 * Hb correction factor for the measured DLCO (ATS/ERS 2017 transfer-factor standard; clinical.md §9.6, U):
 * (10.22 + Hb)/(1.7·Hb) for males ≥ 15 y, (9.38 + Hb)/(1.7·Hb) for females and children < 15 y; Hb in g/dL.
 * Not the overdodactyl/pft form 1.7·Hbref/(Hb + 0.7·Hbref) (clinical.md §10).
 */
export function hbCorrectionFactor(sex: 'male' | 'female', ageYears: number, hbGdl: number): number | null {
  if (!(hbGdl > 0) || !Number.isFinite(hbGdl)) return null;
  const constant = sex === 'male' && ageYears >= 15 ? 10.22 : 9.38;
  return (constant + hbGdl) / (1.7 * hbGdl);
}

export function classifyGasTransfer(
  tlco: ReferenceResult,
  va: ReferenceResult | null,
  kco: ReferenceResult | null,
): GasTransferResult | null {
  const tlcoLow = isBelowLln(tlco);
  if (tlcoLow === null) return null;
  const values = {
    tlcoZ: tlco.zScore, tlcoLln: tlco.lln, tlcoMeasured: tlco.measured,
    vaZ: va?.zScore ?? null, kcoZ: kco?.zScore ?? null,
  };
  if (!tlcoLow) {
    const high = isAboveUln(tlco) === true;
    return { category: high ? 'elevated' : 'normal', severity: 'none', findings: [{ code: high ? 'tlco_above_uln' : 'tlco_within_limits', values }] };
  }
  const severity = tlco.zScore !== null ? severityFromZScore(tlco.zScore) : 'mild';
  const vaLow = va ? isBelowLln(va) : null;
  const kcoLow = kco ? isBelowLln(kco) : null;
  let category: GasTransferCategory;
  if (vaLow === null || kcoLow === null) category = 'reduced';
  else if (vaLow && kcoLow) category = 'reduced_mixed';
  else if (vaLow) category = 'reduced_low_va';
  else if (kcoLow) category = 'reduced_parenchymal_vascular';
  else category = 'reduced_unexplained';
  return { category, severity, findings: [{ code: 'tlco_below_lln', values: { ...values, limitZ: -LIMIT_Z } }] };
}
