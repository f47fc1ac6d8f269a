/** Change over time: ERS/ATS 2022 Boxes 2 and 3 (clinical.md §9.7). */

export interface ConditionalChangeScore {
  computable: boolean;
  reason: string | null;
  r: number | null;
  ccs: number | null;
  /** |CCS| > 1.96 */
  significant: boolean | null;
}

/** Age at which the score stops applying (project rule, clinical.md §9.7: children and adolescents only). */
export const CCS_ADULT_FROM_YEARS = 18;

/**
 * Conditional change score for FEV1 in children (Box 2, V):
 * r = 0.642 − 0.04·Δt + 0.020·age at first test; CCS = (z2 − r·z1)/√(1 − r²); |CCS| ≤ 1.96 is within normal limits.
 * Guard (project rule): not computable for adults at the first test or when r ≥ 1.
 */
export function conditionalChangeScore(input: {
  zFirst: number;
  zSecond: number;
  ageAtFirstYears: number;
  intervalYears: number;
}): ConditionalChangeScore {
  const { zFirst, zSecond, ageAtFirstYears, intervalYears } = input;
  const notComputable = (reason: string): ConditionalChangeScore => ({ computable: false, reason, r: null, ccs: null, significant: null });
  if (![zFirst, zSecond, ageAtFirstYears, intervalYears].every(Number.isFinite) || intervalYears <= 0) {
    return notComputable('inputs must be finite and the interval positive');
  }
  if (ageAtFirstYears >= CCS_ADULT_FROM_YEARS) return notComputable('conditional change score is for children and adolescents; use FEV1Q for adults');
  const r = 0.642 - 0.04 * intervalYears + 0.02 * ageAtFirstYears;
  if (!(r < 1) || r <= -1) return notComputable(`correlation r = ${r.toFixed(3)} is outside (−1, 1)`);
  const ccs = (zSecond - r * zFirst) / Math.sqrt(1 - r * r);
  return { computable: true, reason: null, r, ccs, significant: Math.abs(ccs) > 1.96 };
}

/**
 * FEV1Q for adults (Box 3): FEV1 (L) / 0.5 for males, / 0.4 for females — the sex-specific first centiles of FEV1 in
 * adults with lung disease (divisors V). Values nearer 1 mean a higher risk of death.
 */
export function fev1Q(fev1L: number, sex: 'male' | 'female'): number | null {
  if (!(fev1L > 0) || !Number.isFinite(fev1L)) return null;
  return fev1L / (sex === 'male' ? 0.5 : 0.4);
}
