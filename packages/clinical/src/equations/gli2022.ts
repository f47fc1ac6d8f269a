/**
 * GLI Global 2022, race-neutral spirometry: Bowerman C et al. AJRCCM 2023;207:768-74 (clinical.md §5.2, V).
 */
import { gli2022Coefficients, gli2022Splines } from '../data/gli2022.ts';
import { interpolateSpline } from '../lms.ts';
import type { ParamId } from '../types.ts';
import { requireRow, type EquationDefinition, type EquationOutput } from './common.ts';

const coefficients = requireRow(gli2022Coefficients);

export const gli2022: EquationDefinition = {
  id: 'gli2022',
  name: 'GLI Global 2022',
  version: 'GLI Global 2022 (Bowerman 2023; lookup tables dec6)',
  citation: 'Bowerman C et al. Am J Respir Crit Care Med 2023;207:768-74',
  params: ['FEV1', 'FVC', 'FEV1FVC'] satisfies ParamId[],
  unit: (param) => (param === 'FEV1FVC' ? 'ratio' : 'L'),
  ageRange: () => ({ min: 3, max: 95 }),
  compute(param, subject): EquationOutput {
    const row = coefficients.get(`${param}|${subject.sex}`);
    const splines = gli2022Splines[`${param}|${subject.sex}`];
    if (!row || !splines) return { kind: 'error', reason: `GLI Global 2022 has no equation for ${param}` };
    const lnAge = Math.log(subject.ageYears);
    const { lSpline, mSpline, sSpline } = interpolateSpline(splines, subject.ageYears);
    const m = Math.exp(row.a0 + row.a1_ln_height * Math.log(subject.heightCm) + row.a2_ln_age * lnAge + mSpline);
    const s = Math.exp(row.p0 + row.p1_ln_age * lnAge + sSpline);
    const l = row.q0 + row.q1_ln_age * lnAge + lSpline;
    return { kind: 'lms', lms: { l, m, s }, notes: [] };
  },
};
