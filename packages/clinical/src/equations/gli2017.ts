/**
 * GLI-2017 transfer factor with the 2020 author correction: Stanojevic S et al. ERJ 2017;50:1700010 and
 * ERJ 2020;56:1750010 (clinical.md §5.3, V). Not haemoglobin-adjusted: correct the measured value (§9.6).
 */
import { gli2017Coefficients, gli2017Splines } from '../data/gli2017.ts';
import { interpolateSpline } from '../lms.ts';
import type { ParamId } from '../types.ts';
import { requireRow, type EquationDefinition, type EquationOutput } from './common.ts';

const coefficients = requireRow(gli2017Coefficients);

/**
 * The tables reach 90 y but the GLI web calculator refuses ages above 85 (clinical.md §5.3, §11 item 6). Project
 * decision: 85 is the validated upper limit; 85–90 y is computed only in 'extrapolate' mode and flagged.
 */
export const GLI2017_CALCULATOR_AGE_MAX = 85;

export const gli2017: EquationDefinition = {
  id: 'gli2017',
  name: 'GLI-2017 TLCO',
  version: 'GLI-2017 transfer factor (Stanojevic 2017, 2020 correction)',
  citation: 'Stanojevic S et al. Eur Respir J 2017;50:1700010; correction Eur Respir J 2020;56:1750010',
  params: ['TLCO_SI', 'DLCO_trad', 'KCO_SI', 'KCO_trad', 'VA'] satisfies ParamId[],
  unit: (param) =>
    ({ TLCO_SI: 'mmol/min/kPa', DLCO_trad: 'mL/min/mmHg', KCO_SI: 'mmol/min/kPa/L', KCO_trad: 'mL/min/mmHg/L', VA: 'L' })[
      param as 'VA'
    ] ?? '',
  ageRange: () => ({ min: 5, max: GLI2017_CALCULATOR_AGE_MAX }),
  compute(param, subject): EquationOutput {
    const row = coefficients.get(`${param}|${subject.sex}`);
    const splines = gli2017Splines[`${param}|${subject.sex}`];
    if (!row || !splines) return { kind: 'error', reason: `GLI-2017 has no equation for ${param}` };
    const lnAge = Math.log(subject.ageYears);
    // Each parameter uses its own spline rows (SI and traditional sheets differ by ~1e-8; clinical.md §5.3).
    const { mSpline, sSpline } = interpolateSpline(splines, subject.ageYears);
    const m = Math.exp(row.a0 + row.a1_ln_height * Math.log(subject.heightCm) + row.a2_ln_age * lnAge + mSpline);
    const s = Math.exp(row.p0 + row.p1_ln_age * lnAge + sSpline);
    return { kind: 'lms', lms: { l: row.q0, m, s }, notes: [] };
  },
};
