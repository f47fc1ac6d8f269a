/** Vocabulary of the structured interpretation (codes are stable; wording lives in narrative templates). */

export type Pattern =
  | 'normal' | 'obstruction' | 'possible_restriction' | 'restriction' | 'mixed' | 'non_specific' | 'prism';

/** ERS/ATS 2022 uses none…severe; the Chinese 2014 scheme adds moderately_severe (中重度) and very_severe (极重度). */
export type Severity = 'none' | 'mild' | 'moderate' | 'moderately_severe' | 'severe' | 'very_severe';

export type InterpretationScheme = 'ats2022' | 'china2014';

/** A statement with the numbers that triggered it. */
export interface Finding {
  code: string;
  values: Record<string, number | string | boolean | null>;
}
