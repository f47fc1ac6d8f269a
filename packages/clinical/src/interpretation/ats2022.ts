/**
 * ERS/ATS 2022 interpretive strategies: Stanojevic S et al. Eur Respir J 2022;60:2101499.
 * Patterns (clinical.md §9.2, U) and z-score severity bands (§9.3, U): both configurable where a product decision
 * was needed.
 */
import { LIMIT_Z } from '../lms.ts';
import type { Finding, Pattern, Severity } from './types.ts';

/** Low = below LLN (z < −1.645); null = not measured or no reference value. */
export interface PatternInputs {
  fev1FvcLow: boolean;
  fvcLow: boolean;
  fev1Low: boolean;
  tlcLow: boolean | null;
}

export interface PatternOptions {
  /**
   * Isolated low FEV1 with normal FVC and ratio (clinical.md §9.2, §11 item 5: product decision). Default 'prism',
   * following the standard's wording "FEV1 and/or FVC"; overdodactyl/pft calls it normal.
   */
  isolatedLowFev1: 'prism' | 'normal' | 'non_specific';
  /** Low FVC with preserved ratio and no TLC: 'possible_restriction' (default) or 'prism' (U, §9.2). */
  lowFvcWithoutTlc: 'possible_restriction' | 'prism';
}

export const DEFAULT_PATTERN_OPTIONS: PatternOptions = {
  isolatedLowFev1: 'prism',
  lowFvcWithoutTlc: 'possible_restriction',
};

export function classifyPattern(
  inputs: PatternInputs,
  options: PatternOptions = DEFAULT_PATTERN_OPTIONS,
): { pattern: Pattern; findings: Finding[] } {
  const { fev1FvcLow, fvcLow, fev1Low, tlcLow } = inputs;
  const values = { fev1FvcLow, fvcLow, fev1Low, tlcLow };
  const findings: Finding[] = [];
  if (fev1FvcLow) {
    if (tlcLow === true) return { pattern: 'mixed', findings };
    if (tlcLow === null && fvcLow) {
      // Obstruction with low FVC: gas trapping or a mixed defect; TLC needed (§9.2).
      findings.push({ code: 'low_fvc_with_obstruction_measure_tlc', values });
    }
    return { pattern: 'obstruction', findings };
  }
  if (tlcLow === true) return { pattern: 'restriction', findings };
  if (tlcLow === false) {
    if (fvcLow) return { pattern: 'non_specific', findings };
    if (fev1Low && options.isolatedLowFev1 !== 'normal') {
      findings.push({ code: 'isolated_low_fev1', values });
      return { pattern: options.isolatedLowFev1, findings };
    }
    return { pattern: 'normal', findings };
  }
  if (fvcLow) {
    findings.push({ code: 'tlc_not_measured', values });
    return { pattern: options.lowFvcWithoutTlc, findings };
  }
  if (fev1Low && options.isolatedLowFev1 !== 'normal') {
    findings.push({ code: 'isolated_low_fev1', values });
    return { pattern: options.isolatedLowFev1, findings };
  }
  return { pattern: 'normal', findings };
}

/**
 * z-score severity bands (clinical.md §9.3, U; the printed bands −1.65/−2.51/−4.1 leave gaps, these are
 * contiguous): z ≥ −1.645 none; −2.5 ≤ z < −1.645 mild; −4 ≤ z < −2.5 moderate; z < −4 severe.
 */
export function severityFromZScore(zScore: number): Severity {
  if (zScore >= -LIMIT_Z) return 'none';
  if (zScore >= -2.5) return 'mild';
  if (zScore >= -4) return 'moderate';
  return 'severe';
}

/**
 * Which parameter grades the pattern (§9.3, U): restriction by TLC; everything else by FEV1.
 */
export function severityParameter(pattern: Pattern): 'FEV1' | 'TLC' | null {
  if (pattern === 'normal') return null;
  return pattern === 'restriction' ? 'TLC' : 'FEV1';
}
