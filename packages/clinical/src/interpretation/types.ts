/** Vocabulary of the structured interpretation (codes are stable; wording lives in narrative templates). */

/**
 * ERS/ATS 2022 patterns: normal, obstruction, possible_restriction, restriction (TLC-confirmed), mixed, non_specific,
 * prism. The Chinese 2014 scheme uses its own subset (china2014.ts): normal, obstruction, restriction, mixed,
 * non_specific (worded without the ERS/ATS term) and small_airway_dysfunction, which only that scheme reports.
 */
export type Pattern =
  | 'normal' | 'obstruction' | 'possible_restriction' | 'restriction' | 'mixed' | 'non_specific' | 'prism'
  | 'small_airway_dysfunction';

/** ERS/ATS 2022 uses none…severe; the Chinese 2014 scheme adds moderately_severe (中重度) and very_severe (极重度). */
export type Severity = 'none' | 'mild' | 'moderate' | 'moderately_severe' | 'severe' | 'very_severe';

export type InterpretationScheme = 'ats2022' | 'china2014';

/** A statement with the numbers that triggered it. */
export interface Finding {
  code: string;
  values: Record<string, number | string | boolean | null>;
}
