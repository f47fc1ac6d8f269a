/** Row shapes of the generated data modules; column names are those of the reference CSVs. */

export type Sex = 'male' | 'female';

/** Spline terms tabulated at increasing age knots (parallel arrays). */
export interface SplineTable {
  readonly age: readonly number[];
  readonly lSpline: readonly number[];
  readonly mSpline: readonly number[];
  readonly sSpline: readonly number[];
}

export interface Gli2012CoefficientRow {
  param: string; sex: string; unit: string;
  a0: number; a1: number; a2: number; a3: number; a4: number; a5: number; a6: number;
  p0: number; p1: number; p2: number; p3: number; p4: number; p5: number;
  q0: number; q1: number; age_min: number; age_max: number;
}

export interface Gli2022CoefficientRow {
  param: string; sex: string; unit: string;
  a0: number; a1_ln_height: number; a2_ln_age: number; p0: number; p1_ln_age: number;
  q0: number; q1_ln_age: number; age_min: number; age_max: number;
}

export interface Gli2017CoefficientRow {
  param: string; sex: string; unit: string;
  a0: number; a1_ln_height: number; a2_ln_age: number; p0: number; p1_ln_age: number; q0: number;
  age_min: number; age_max: number;
}

export interface Gli2021CoefficientRow {
  param: string; sex: string; unit: string;
  a0: number; a1_age: number; a2_height: number; m_age_form: string; m_height_form: string;
  p0: number; p1_age: number; s_age_form: string; s_has_spline: number; q0: number;
  age_min: number; age_max: number;
}

export interface Jian2017CoefficientRow {
  param: string; sex: string; unit: string;
  m0: number; m_ln_height: number; m_ln_age: number; s0: number; s_ln_height: number; s_ln_age: number;
  l0: number; l_ln_age: number;
}

export interface Nhanes3Table45Row {
  param: string; sex: string; ethnicity: string; age_group: string; age_range: string; unit: string;
  b0: number; b1_age: number; b2_age2: number; b3_ht2_pred: number; b3_ht2_lln: number; R2: number;
}

export interface Nhanes3Table6Row {
  param: string; sex: string; ethnicity: string; unit: string;
  pred_b0: number; b1_age: number; lln_b0: number; R2: number;
}
