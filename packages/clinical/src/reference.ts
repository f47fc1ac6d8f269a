/**
 * One entry point for every reference equation: predicted (M), LLN, ULN, z-score and % predicted, with the
 * equation, its table version and the inputs used recorded in the result (clinical.md §1: results must be
 * recomputable and auditable).
 */
import type { EquationDefinition } from './equations/common.ts';
import { gli2012 } from './equations/gli2012.ts';
import { gli2017 } from './equations/gli2017.ts';
import { gli2021 } from './equations/gli2021.ts';
import { gli2022 } from './equations/gli2022.ts';
import { jian2017 } from './equations/jian2017.ts';
import { nhanes3 } from './equations/nhanes3.ts';
import { LIMIT_Z, lmsCentile, lmsZScore } from './lms.ts';
import type { EquationId, Ethnicity, ParamId, Subject } from './types.ts';

export const EQUATIONS: Readonly<Record<EquationId, EquationDefinition>> = {
  gli2012, gli2022, gli2017, gli2021, jian2017, nhanes3,
};

/**
 * What to do with an age or height outside an equation's range: 'refuse' gives no reference value (project default,
 * clinical.md §1); 'extrapolate' computes (splines held at the end knot) and marks the result 'extrapolated'.
 */
export type OutOfRangePolicy = 'refuse' | 'extrapolate';

/**
 * No height limits are published with these tables. Project rule (U): accept 50–230 cm, the span over which the
 * GLI web calculator returned values in ../shared/reference/gli/gli_calculator_oracle_1000.csv. Configurable.
 */
export const DEFAULT_HEIGHT_RANGE_CM = { min: 50, max: 230 } as const;

export interface EvaluateOptions {
  outOfRange?: OutOfRangePolicy;
  heightRangeCm?: { min: number; max: number };
}

export type ReferenceStatus = 'ok' | 'extrapolated' | 'refused';

export interface ReferenceResult {
  equation: EquationId;
  equationVersion: string;
  param: ParamId;
  unit: string;
  inputs: { sex: 'male' | 'female'; ageYears: number; heightCm: number; ethnicity: Ethnicity | null };
  status: ReferenceStatus;
  /** Why the result was refused or extrapolated, or why some numbers are withheld (English). */
  reasons: string[];
  /** Caveats about the equation's source (e.g. unverified tables). */
  notes: string[];
  l: number | null;
  m: number | null;
  s: number | null;
  predicted: number | null;
  lln: number | null;
  uln: number | null;
  measured: number | null;
  zScore: number | null;
  pctPred: number | null;
}

export function evaluate(
  equation: EquationId,
  param: ParamId,
  subject: Subject,
  measured?: number | null,
  options: EvaluateOptions = {},
): ReferenceResult {
  const definition = EQUATIONS[equation];
  const result: ReferenceResult = {
    equation,
    equationVersion: definition?.version ?? '',
    param,
    unit: definition?.params.includes(param) ? definition.unit(param) : '',
    inputs: {
      sex: subject.sex,
      ageYears: subject.ageYears,
      heightCm: subject.heightCm,
      ethnicity: subject.ethnicity ?? null,
    },
    status: 'ok',
    reasons: [],
    notes: [],
    l: null, m: null, s: null, predicted: null, lln: null, uln: null,
    measured: measured ?? null,
    zScore: null,
    pctPred: null,
  };
  const refuse = (reason: string) => {
    result.status = 'refused';
    result.reasons.push(reason);
    return result;
  };
  if (!definition) return refuse(`unknown equation "${String(equation)}"`);
  if (!definition.params.includes(param)) return refuse(`${definition.name} has no equation for ${param}`);
  if (subject.sex !== 'male' && subject.sex !== 'female') return refuse('sex must be male or female');
  if (!Number.isFinite(subject.ageYears) || subject.ageYears <= 0) return refuse('age must be a positive number of years');
  if (!Number.isFinite(subject.heightCm) || subject.heightCm <= 0) return refuse('height must be a positive number of cm');
  if (measured !== undefined && measured !== null && !Number.isFinite(measured)) return refuse('measured value is not a number');

  const policy = options.outOfRange ?? 'refuse';
  const ageRange = definition.ageRange(param);
  const heightRange = options.heightRangeCm ?? DEFAULT_HEIGHT_RANGE_CM;
  const outside: string[] = [];
  if (subject.ageYears < ageRange.min || subject.ageYears > ageRange.max) {
    outside.push(`age ${subject.ageYears} y is outside the ${definition.name} range ${ageRange.min}-${ageRange.max} y`);
  }
  if (subject.heightCm < heightRange.min || subject.heightCm > heightRange.max) {
    outside.push(`height ${subject.heightCm} cm is outside the accepted range ${heightRange.min}-${heightRange.max} cm`);
  }
  if (outside.length > 0) {
    if (policy === 'refuse') {
      result.status = 'refused';
      result.reasons.push(...outside);
      return result;
    }
    result.status = 'extrapolated';
    result.reasons.push(...outside.map((text) => `${text}; extrapolated`));
  }

  const output = definition.compute(param, subject);
  if (output.kind === 'error') return refuse(output.reason);
  result.notes.push(...output.notes);

  const limitsWithheld = output.kind === 'lms' && output.suppressLimits !== undefined;
  if (output.kind === 'predicted-lln') {
    result.predicted = output.predicted;
    result.lln = output.lln;
    result.reasons.push(`${definition.name} defines no z-score or ULN`);
  } else {
    const { lms } = output;
    if (!(lms.m > 0) || !(lms.s > 0) || !Number.isFinite(lms.l)) return refuse('equation gave no valid L, M, S');
    result.l = lms.l;
    result.m = lms.m;
    result.s = lms.s;
    result.predicted = lms.m;
    if (output.suppressLimits) {
      result.reasons.push(output.suppressLimits);
    } else {
      result.lln = lmsCentile(-LIMIT_Z, lms);
      result.uln = lmsCentile(LIMIT_Z, lms);
      if (result.lln === null || result.uln === null) result.reasons.push('no LLN/ULN: 1 ± 1.645·L·S ≤ 0');
    }
  }

  if (measured !== undefined && measured !== null && result.predicted !== null) {
    // A ratio above 1 is impossible (FEV1 ≤ FVC) and usually a percentage: no z-score or % predicted for it.
    if ((param === 'FEV1FVC' || param === 'FEV1FEV6') && measured > 1) {
      result.reasons.push(`${param} must be a ratio between 0 and 1, got ${measured}${measured > 1.5 ? ' (a percentage? divide by 100)' : ''}`);
      return result;
    }
    result.pctPred = (100 * measured) / result.predicted;
    if (measured <= 0) {
      result.reasons.push('no z-score: measured value must be positive');
    } else if (result.l !== null && result.m !== null && result.s !== null && !limitsWithheld) {
      result.zScore = lmsZScore(measured, { l: result.l, m: result.m, s: result.s });
    }
  }
  return result;
}

/** Below the lower limit of normal: z < −1.645, or measured < LLN where the equation has no z (NHANES III). */
export function isBelowLln(result: ReferenceResult): boolean | null {
  if (result.zScore !== null) return result.zScore < -LIMIT_Z;
  if (result.measured !== null && result.lln !== null) return result.measured < result.lln;
  return null;
}

/** Above the upper limit of normal: z > +1.645. */
export function isAboveUln(result: ReferenceResult): boolean | null {
  if (result.zScore !== null) return result.zScore > LIMIT_Z;
  if (result.measured !== null && result.uln !== null) return result.measured > result.uln;
  return null;
}
