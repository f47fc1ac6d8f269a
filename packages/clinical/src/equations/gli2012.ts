/**
 * GLI-2012 spirometry: Quanjer PH et al. ERJ 2012;40:1324-43, lookup workbook revised 2013-04-19
 * (clinical.md §5.1, V). Tables: src/data/gli2012.ts.
 */
import { gli2012Coefficients, gli2012Splines } from '../data/gli2012.ts';
import { interpolateSpline } from '../lms.ts';
import type { ParamId, Subject } from '../types.ts';
import { requireRow, type EquationDefinition, type EquationOutput } from './common.ts';

const coefficients = requireRow(gli2012Coefficients);
const PARAMS: readonly ParamId[] = ['FEV1', 'FVC', 'FEV1FVC', 'FEF2575', 'FEF75'];

export const gli2012: EquationDefinition = {
  id: 'gli2012',
  name: 'GLI-2012',
  version: 'GLI-2012 (Quanjer 2012; lookup tables 2013-04-19)',
  citation: 'Quanjer PH et al. Eur Respir J 2012;40:1324-43',
  params: PARAMS,
  unit: (param) => (param === 'FEV1FVC' ? 'ratio' : param === 'FEF2575' || param === 'FEF75' ? 'L/s' : 'L'),
  ageRange: (param) => {
    const row = coefficients.get(`${param}|male`);
    return { min: row?.age_min ?? 3, max: row?.age_max ?? 95 };
  },
  compute(param, subject): EquationOutput {
    const row = coefficients.get(`${param}|${subject.sex}`);
    const splines = gli2012Splines[`${param}|${subject.sex}`];
    if (!row || !splines) return { kind: 'error', reason: `GLI-2012 has no equation for ${param}` };
    const group = subject.ethnicity;
    if (group !== 1 && group !== 2 && group !== 3 && group !== 4 && group !== 5) {
      return { kind: 'error', reason: 'GLI-2012 needs an ethnic group 1-5 (1 Caucasian, 2 African American, 3 North East Asian, 4 South East Asian, 5 Other/mixed)' };
    }
    // Indicator variables; Caucasian (1) is the reference group with all indicators 0.
    const africanAmerican = group === 2 ? 1 : 0;
    const northEastAsian = group === 3 ? 1 : 0;
    const southEastAsian = group === 4 ? 1 : 0;
    const otherMixed = group === 5 ? 1 : 0;
    const lnAge = Math.log(subject.ageYears);
    const lnHeight = Math.log(subject.heightCm);
    const { lSpline, mSpline, sSpline } = interpolateSpline(splines, subject.ageYears);
    const m = Math.exp(
      row.a0 + row.a1 * lnHeight + row.a2 * lnAge + row.a3 * africanAmerican + row.a4 * northEastAsian +
        row.a5 * southEastAsian + row.a6 * otherMixed + mSpline,
    );
    const s = Math.exp(
      row.p0 + row.p1 * lnAge + row.p2 * africanAmerican + row.p3 * northEastAsian + row.p4 * southEastAsian +
        row.p5 * otherMixed + sSpline,
    );
    const l = row.q0 + row.q1 * lnAge + lSpline;
    return { kind: 'lms', lms: { l, m, s }, notes: [] };
  },
};
