import { DEFAULT_LAB_SETTINGS, interpretExam, type LabSettings } from '@pftis/clinical';
import { describe, expect, it } from 'vitest';
import { type LabPatientGroup, matchesGroup, patientGroupFor } from './patient-group.js';

const lab = (patientGroups: LabPatientGroup[]): LabSettings => ({ ...DEFAULT_LAB_SETTINGS, reference: { ...DEFAULT_LAB_SETTINGS.reference, patientGroups } });

const children: LabPatientGroup = { id: 'children', label: '儿童', match: { maxAge: 18 }, choices: { spirometry: { equation: 'jian2017' } } };
const elderlyWomen: LabPatientGroup = { id: 'elderly_women', label: '老年女性', match: { minAge: 65, sex: 'female' }, choices: { spirometry: { equation: 'gli2012', ethnicity: 3 } } };
const teens: LabPatientGroup = { id: 'teens', label: '青少年', match: { minAge: 12, maxAge: 18 }, choices: { spirometry: { equation: 'nhanes3', ethnicity: 'caucasian' } } };
const manual: LabPatientGroup = { id: 'manual', label: '仅手工选择', choices: { spirometry: { equation: 'gli2012', ethnicity: 1 } } };

describe('patientGroupFor', () => {
  it('gives null when the lab has no patient groups', () => {
    expect(patientGroupFor(DEFAULT_LAB_SETTINGS, { ageYears: 8, sex: 'male' })).toBeNull();
  });

  it('treats the age range as [minAge, maxAge): 17.99 years is a child, 18.0 is not', () => {
    const settings = lab([children]);
    expect(patientGroupFor(settings, { ageYears: 17.99, sex: 'male' })).toBe('children');
    expect(patientGroupFor(settings, { ageYears: 18, sex: 'male' })).toBeNull();
    expect(patientGroupFor(settings, { ageYears: 0.5, sex: 'female' })).toBe('children');
  });

  it('includes the lower bound and checks sex', () => {
    const settings = lab([elderlyWomen]);
    expect(patientGroupFor(settings, { ageYears: 65, sex: 'female' })).toBe('elderly_women');
    expect(patientGroupFor(settings, { ageYears: 64.999, sex: 'female' })).toBeNull();
    expect(patientGroupFor(settings, { ageYears: 80, sex: 'male' })).toBeNull();
    expect(patientGroupFor(settings, { ageYears: 80, sex: 'unknown' })).toBeNull();
  });

  it('takes the first matching group in the lab order', () => {
    expect(patientGroupFor(lab([teens, children]), { ageYears: 14, sex: 'male' })).toBe('teens');
    expect(patientGroupFor(lab([children, teens]), { ageYears: 14, sex: 'male' })).toBe('children');
    expect(patientGroupFor(lab([teens, children]), { ageYears: 9, sex: 'male' })).toBe('children');
  });

  it('never picks a group without a match rule, nor an age group for a patient of unknown age', () => {
    expect(patientGroupFor(lab([manual]), { ageYears: 40, sex: 'male' })).toBeNull();
    expect(patientGroupFor(lab([children]), { ageYears: null, sex: 'male' })).toBeNull();
    expect(matchesGroup({}, { ageYears: 40, sex: 'male' })).toBe(false);
    expect(matchesGroup({ sex: 'male' }, { ageYears: null, sex: 'male' })).toBe(true);
  });

  it('gives the id interpretExam uses to record the group and its equation', () => {
    const settings = lab([elderlyWomen, children]);
    const subject = { sex: 'female' as const, ageYears: 70.2, heightCm: 155 };
    const patientGroupId = patientGroupFor(settings, subject);
    const result = interpretExam({ subject, patientGroupId, fev1: 1.8, fvc: 2.4 }, settings);
    expect(result.equationChoices.find((c) => c.group === 'spirometry')).toMatchObject({ equation: 'gli2012', ethnicity: 3, source: 'patient_group', patientGroupId: 'elderly_women' });
    expect(result.results.FEV1?.inputs.ethnicity).toBe(3);
  });
});
