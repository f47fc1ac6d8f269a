export type { Sex } from './data/types.ts';

export type EquationId = 'gli2012' | 'gli2022' | 'gli2017' | 'gli2021' | 'jian2017' | 'nhanes3';

export const EQUATION_IDS: readonly EquationId[] = ['gli2012', 'gli2022', 'gli2017', 'gli2021', 'jian2017', 'nhanes3'];

/**
 * Parameter codes. FEV1FVC and FEV1FEV6 are ratios 0–1 everywhere in this library (Jian 2017 and NHANES III
 * tabulate percent; converted at the boundary, clinical.md §2). RVTLC is in percent (GLI-2021).
 */
export type ParamId =
  | 'FEV1' | 'FVC' | 'FEV1FVC' | 'FEF2575' | 'FEF75' | 'PEF' | 'FEV6' | 'FEV1FEV6'
  | 'TLCO_SI' | 'DLCO_trad' | 'KCO_SI' | 'KCO_trad' | 'VA'
  | 'FRC' | 'TLC' | 'RV' | 'RVTLC' | 'ERV' | 'IC' | 'VC';

export const PARAM_IDS: readonly ParamId[] = [
  'FEV1', 'FVC', 'FEV1FVC', 'FEF2575', 'FEF75', 'PEF', 'FEV6', 'FEV1FEV6',
  'TLCO_SI', 'DLCO_trad', 'KCO_SI', 'KCO_trad', 'VA', 'FRC', 'TLC', 'RV', 'RVTLC', 'ERV', 'IC', 'VC',
];

/** GLI-2012 groups: 1 Caucasian, 2 African American, 3 North-East Asian, 4 South-East Asian, 5 Other/mixed. */
export type Gli2012Ethnicity = 1 | 2 | 3 | 4 | 5;
export type Nhanes3Ethnicity = 'caucasian' | 'african_american' | 'mexican_american';
export type Ethnicity = Gli2012Ethnicity | Nhanes3Ethnicity;

export interface Subject {
  sex: 'male' | 'female';
  /** Decimal years at the test date, never rounded (see age.ts). */
  ageYears: number;
  heightCm: number;
  /** GLI-2012: 1–5; NHANES III: its three groups; ignored by the other sets. */
  ethnicity?: Ethnicity | null;
}
