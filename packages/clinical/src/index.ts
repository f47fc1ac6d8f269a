export * from './types.ts';
export { decimalAgeYears } from './age.ts';
export { LIMIT_Z, lmsCentile, lmsZScore, interpolateSpline, type Lms } from './lms.ts';
export {
  DEFAULT_HEIGHT_RANGE_CM, EQUATIONS, evaluate, isAboveUln, isBelowLln,
  type EvaluateOptions, type OutOfRangePolicy, type ReferenceResult, type ReferenceStatus,
} from './reference.ts';
export { GLI2017_CALCULATOR_AGE_MAX } from './equations/gli2017.ts';
export { JIAN2017_UNVERIFIED_L } from './equations/jian2017.ts';
export * from './equation-choice.ts';
export * from './interpretation/types.ts';
export * from './interpretation/ats2022.ts';
export * from './interpretation/china2014.ts';
export * from './interpretation/bdr.ts';
export * from './interpretation/gas-transfer.ts';
export * from './interpretation/change.ts';
export * from './interpretation/narrative.ts';
export * from './interpretation/interpret.ts';
export * from './quality/curve.ts';
export * from './quality/ats2019.ts';
export { refCsv, interpretCsv, INTERPRET_OUTPUT_COLUMNS, REF_OUTPUT_COLUMNS } from './csv.ts';
export { parseCsv, parseCsvRecords, formatCsv } from './csv-text.ts';
export * from './quality/calibration.ts';
