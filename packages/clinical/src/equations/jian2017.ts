/**
 * Jian 2017 Chinese spirometry, 4–80 y: Jian W et al. J Thorac Dis 2017;9(11):4538-49, PMC5720964
 * (clinical.md §5.5: coefficients V except MMEF U; splines U, from PySpiro's extraction of Tables S1–S2).
 * FEV1/FVC is tabulated in percent; this module returns it as a ratio (M / 100; L and S are scale-free).
 * Splines are interpolated linearly at the exact age (PySpiro floors to the 0.2-y grid; linear is the consistent
 * choice, U).
 */
import { jian2017Coefficients, jian2017Splines } from '../data/jian2017.ts';
import { interpolateSpline } from '../lms.ts';
import type { ParamId } from '../types.ts';
import { requireRow, type EquationDefinition, type EquationOutput } from './common.ts';

const coefficients = requireRow(jian2017Coefficients);
const SOURCE_PARAM: Partial<Record<ParamId, string>> = {
  FEV1: 'FEV1', FVC: 'FVC', FEV1FVC: 'FEV1FVC', PEF: 'PEF', FEF2575: 'MMEF',
};

/**
 * Open issue (clinical.md §5.5, §11 item 1): Table S3 puts an Lspline in PEF male and FEV1/FVC female, but the
 * extracted spline file has it under FVC male and none under PEF male. M and % predicted are fine; L (hence LLN,
 * ULN and z) is unreliable for these two, so they are suppressed.
 */
export const JIAN2017_UNVERIFIED_L = new Set(['FVC|male', 'PEF|male']);

export const jian2017: EquationDefinition = {
  id: 'jian2017',
  name: 'Jian 2017 (China)',
  version: 'Jian 2017 Chinese 4-80 y (splines from PySpiro extraction, unverified)',
  citation: 'Jian W et al. J Thorac Dis 2017;9(11):4538-49',
  params: ['FEV1', 'FVC', 'FEV1FVC', 'PEF', 'FEF2575'] satisfies ParamId[],
  unit: (param) => (param === 'FEV1FVC' ? 'ratio' : param === 'PEF' || param === 'FEF2575' ? 'L/s' : 'L'),
  ageRange: () => ({ min: 4, max: 80 }),
  compute(param, subject): EquationOutput {
    const sourceParam = SOURCE_PARAM[param];
    const key = `${sourceParam}|${subject.sex}`;
    const row = sourceParam ? coefficients.get(key) : undefined;
    const splines = jian2017Splines[key];
    if (!row || !splines) return { kind: 'error', reason: `Jian 2017 has no equation for ${param}` };
    const lnAge = Math.log(subject.ageYears);
    const lnHeight = Math.log(subject.heightCm);
    const { lSpline, mSpline, sSpline } = interpolateSpline(splines, subject.ageYears);
    const scale = param === 'FEV1FVC' ? 0.01 : 1; // percent → ratio
    const m = scale * Math.exp(row.m0 + row.m_ln_height * lnHeight + row.m_ln_age * lnAge + mSpline);
    const s = Math.exp(row.s0 + row.s_ln_height * lnHeight + row.s_ln_age * lnAge + sSpline);
    const l = row.l0 + row.l_ln_age * lnAge + lSpline;
    const notes = ['Jian 2017 splines come from a third-party extraction and are not verified against the paper'];
    if (param === 'FEF2575') notes.push('Jian 2017 MMEF coefficients are not verified against the paper');
    const output: EquationOutput = { kind: 'lms', lms: { l, m, s }, notes };
    if (JIAN2017_UNVERIFIED_L.has(key)) {
      output.suppressLimits =
        'Jian 2017 L (skewness) for this parameter and sex is unverified (Lspline assignment open); LLN, ULN and z-score withheld';
    }
    return output;
  },
};
