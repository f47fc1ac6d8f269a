/**
 * GLI-2021 static lung volumes: Hall GL et al. ERJ 2021;57:2000289, Table 3 (clinical.md §5.4, V). The covariate
 * forms (ln or linear) differ per parameter and are carried in the coefficient rows. RVTLC is in percent.
 */
import { gli2021Coefficients, gli2021Splines } from '../data/gli2021.ts';
import { interpolateSpline } from '../lms.ts';
import type { ParamId } from '../types.ts';
import { requireRow, type EquationDefinition, type EquationOutput } from './common.ts';

const coefficients = requireRow(gli2021Coefficients);
const covariate = (form: string, value: number) => (form === 'ln' ? Math.log(value) : value);

export const gli2021: EquationDefinition = {
  id: 'gli2021',
  name: 'GLI-2021 volumes',
  version: 'GLI-2021 static lung volumes (Hall 2021)',
  citation: 'Hall GL et al. Eur Respir J 2021;57:2000289',
  params: ['FRC', 'TLC', 'RV', 'RVTLC', 'ERV', 'IC', 'VC'] satisfies ParamId[],
  unit: (param) => (param === 'RVTLC' ? '%' : 'L'),
  ageRange: () => ({ min: 5, max: 80 }),
  compute(param, subject): EquationOutput {
    const row = coefficients.get(`${param}|${subject.sex}`);
    const splines = gli2021Splines[`${param}|${subject.sex}`];
    if (!row || !splines) return { kind: 'error', reason: `GLI-2021 has no equation for ${param}` };
    const { mSpline, sSpline } = interpolateSpline(splines, subject.ageYears);
    const m = Math.exp(
      row.a0 + row.a1_age * covariate(row.m_age_form, subject.ageYears) +
        row.a2_height * covariate(row.m_height_form, subject.heightCm) + mSpline,
    );
    const s = Math.exp(
      row.p0 + row.p1_age * covariate(row.s_age_form, subject.ageYears) + (row.s_has_spline ? sSpline : 0),
    );
    return { kind: 'lms', lms: { l: row.q0, m, s }, notes: [] };
  },
};
