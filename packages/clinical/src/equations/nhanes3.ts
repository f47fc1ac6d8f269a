/**
 * NHANES III: Hankinson JL et al. AJRCCM 1999;159:179-87, Tables 4–6 (clinical.md §5.6, U). Not an LMS equation:
 * predicted and LLN only, no z-score, no ULN. Ratios are tabulated in percent and returned as ratios.
 * Children: males 8–19 y, females 8–17 y; adults from 20 / 18 y; upper limit 80 y.
 */
import { nhanes3Table45, nhanes3Table6 } from '../data/nhanes3.ts';
import type { ParamId } from '../types.ts';
import type { EquationDefinition, EquationOutput } from './common.ts';

const table45 = new Map(nhanes3Table45.map((row) => [`${row.param}|${row.sex}|${row.ethnicity}|${row.age_group}`, row]));
const table6 = new Map(nhanes3Table6.map((row) => [`${row.param}|${row.sex}|${row.ethnicity}`, row]));

/** First adult year: males 20, females 18 (Hankinson 1999; rspiro's < 20 for both sexes is wrong, clinical.md §10). */
export const nhanes3AdultFromYears = (sex: 'male' | 'female') => (sex === 'male' ? 20 : 18);

export const nhanes3: EquationDefinition = {
  id: 'nhanes3',
  name: 'NHANES III',
  version: 'NHANES III (Hankinson 1999)',
  citation: 'Hankinson JL et al. Am J Respir Crit Care Med 1999;159:179-87',
  params: ['FEV1', 'FVC', 'FEV6', 'PEF', 'FEF2575', 'FEV1FVC', 'FEV1FEV6'] satisfies ParamId[],
  unit: (param) => (param === 'FEV1FVC' || param === 'FEV1FEV6' ? 'ratio' : param === 'PEF' || param === 'FEF2575' ? 'L/s' : 'L'),
  ageRange: () => ({ min: 8, max: 80 }),
  compute(param, subject): EquationOutput {
    const ethnicity = subject.ethnicity;
    if (ethnicity !== 'caucasian' && ethnicity !== 'african_american' && ethnicity !== 'mexican_american') {
      return { kind: 'error', reason: 'NHANES III needs an ethnicity: caucasian, african_american or mexican_american' };
    }
    const age = subject.ageYears;
    if (param === 'FEV1FVC' || param === 'FEV1FEV6') {
      const row = table6.get(`${param}|${subject.sex}|${ethnicity}`);
      if (!row) return { kind: 'error', reason: `NHANES III has no equation for ${param}` };
      return {
        kind: 'predicted-lln',
        predicted: (row.pred_b0 + row.b1_age * age) / 100,
        lln: (row.lln_b0 + row.b1_age * age) / 100,
        notes: [],
      };
    }
    const ageGroup = age >= nhanes3AdultFromYears(subject.sex) ? 'adult' : 'child';
    const row = table45.get(`${param}|${subject.sex}|${ethnicity}|${ageGroup}`);
    if (!row) return { kind: 'error', reason: `NHANES III has no equation for ${param}` };
    const base = row.b0 + row.b1_age * age + row.b2_age2 * age * age;
    const heightSquared = subject.heightCm * subject.heightCm;
    return {
      kind: 'predicted-lln',
      predicted: base + row.b3_ht2_pred * heightSquared,
      lln: base + row.b3_ht2_lln * heightSquared,
      notes: [],
    };
  },
};
