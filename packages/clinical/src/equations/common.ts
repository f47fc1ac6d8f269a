import type { Lms } from '../lms.ts';
import type { ParamId, Subject } from '../types.ts';

/** What one equation set computes for one parameter; the caller (reference.ts) applies ranges and limits. */
export type EquationOutput =
  | { kind: 'lms'; lms: Lms; notes: string[]; suppressLimits?: string }
  | { kind: 'predicted-lln'; predicted: number; lln: number; notes: string[] }
  | { kind: 'error'; reason: string };

export interface EquationDefinition {
  id: string;
  name: string;
  version: string;
  citation: string;
  params: readonly ParamId[];
  unit(param: ParamId): string;
  /** Validated age range (y) per parameter; `tableAgeMax` where the tables reach further than the validated range. */
  ageRange(param: ParamId): { min: number; max: number };
  compute(param: ParamId, subject: Subject): EquationOutput;
}

export function requireRow<T extends { param: string; sex: string }>(
  rows: ReadonlyArray<T>,
): Map<string, T> {
  return new Map(rows.map((row) => [`${row.param}|${row.sex}`, row]));
}
