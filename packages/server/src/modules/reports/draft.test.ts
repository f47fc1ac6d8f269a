import { DEFAULT_LAB_SETTINGS, type LabSettings } from '@pftis/clinical';
import { nddTestResult } from '@pftis/his-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { recognise } from '../device-import/recognise.js';
import { qualityLine } from './document.js';
import { draftContent, type DraftInput } from './draft.js';
import type { LabPatientGroup } from '../lab-settings/patient-group.js';

// GLI web calculator output (packages/clinical/src/test-data/gli_calculator_oracle_1000.csv, row 202):
// male, North East Asian (3), 51.8 years, 170 cm.
const oracle = { FEV1: { predicted: 3.387, lln: 2.882 }, FVC: { predicted: 4.251, lln: 3.655 }, FEV1FVC: { predicted: 0.798, lln: 0.71 }, FEF2575: { predicted: 3.117, lln: 1.821 } };
const examDate = '2026-11-25';
const birthDate = new Date(Date.UTC(2026, 10, 25) - Math.round(51.8 * 365.25) * 86_400_000).toISOString().slice(0, 10);
const gli2012NorthEastAsian: LabSettings = {
  ...DEFAULT_LAB_SETTINGS,
  reference: { ...DEFAULT_LAB_SETTINGS.reference, defaults: { ...DEFAULT_LAB_SETTINGS.reference.defaults, spirometry: { equation: 'gli2012', ethnicity: 3 } } },
};
const m = (param: string, value: number, stage: 'pre' | 'post' = 'pre', unit = 'L') => ({ param, stage, value, unit, devicePredicted: null, deviceLln: null });

const input: DraftInput = {
  sex: 'male', birthDate, examDate, heightCm: 170, weightKg: 70,
  measurements: [m('FEV1', 2.4), m('FVC', 3.9), m('FEV1FVC', 2.4 / 3.9, 'pre', ''), m('FEF2575', 1.5, 'pre', 'L/s'), m('PEF', 7.1, 'pre', 'L/s'), m('FEV1', 2.75, 'post'), m('FVC', 4.0, 'post')],
  trials: [], deviceQualityGrade: 'B', lab: gli2012NorthEastAsian,
};

describe('report draft content', () => {
  const content = draftContent(input);
  const row = (param: string) => content.rows.find((r) => r.param === param)!;

  it('gives the GLI calculator’s predicted values and LLN with the lab’s equation choice', () => {
    for (const [param, expected] of Object.entries(oracle)) {
      expect(row(param).predicted, param).toBeCloseTo(expected.predicted, 2);
      expect(row(param).lln, param).toBeCloseTo(expected.lln, 2);
      expect(row(param).reference).toBe('equation');
    }
    expect(content.equations.find((e) => e.group === 'spirometry')).toMatchObject({ equation: 'gli2012', ethnicity: 3 });
  });

  it('takes the equations of the lab\'s patient group whose rule the patient meets, and records why', () => {
    const group: LabPatientGroup = { id: 'adults-50-60', label: '50–60 岁', match: { minAge: 50, maxAge: 60 }, choices: { spirometry: { equation: 'gli2012', ethnicity: 3 } } };
    const lab: LabSettings = { ...DEFAULT_LAB_SETTINGS, reference: { ...DEFAULT_LAB_SETTINGS.reference, patientGroups: [group] } };
    const grouped = draftContent({ ...input, lab });
    expect(grouped.equations.find((e) => e.group === 'spirometry')).toMatchObject({ equation: 'gli2012', ethnicity: 3, source: 'patient_group', patientGroupId: 'adults-50-60' });
    // PEF is not part of the interpretation; its row uses the group's equation too (GLI-2012 has no PEF: no reference)
    expect(grouped.rows.find((r) => r.param === 'FEF2575')!.predicted).toBeCloseTo(oracle.FEF2575.predicted, 2);
    const older = draftContent({ ...input, lab, birthDate: new Date(Date.UTC(2026, 10, 25) - Math.round(65 * 365.25) * 86_400_000).toISOString().slice(0, 10) });
    expect(older.equations.find((e) => e.group === 'spirometry')).toMatchObject({ equation: 'gli2022', source: 'lab_default', patientGroupId: null });
  });

  it('orders rows as the ATS 2017 standard report and computes the bronchodilator change', () => {
    expect(content.rows.map((r) => r.param)).toEqual(['FVC', 'FEV1', 'FEV1FVC', 'PEF', 'FEF2575']);
    expect(row('FEV1').changePct).toBeCloseTo(14.6, 1);
    expect(row('FEV1').post).toBe(2.75);
    expect(row('FEV1FVC').changePct).toBeNull();
    // GLI-2012 has no PEF equation; the device sent none either.
    expect(row('PEF')).toMatchObject({ predicted: null, reference: 'none', measured: 7.1 });
  });

  it('interprets: obstruction (FEV1/FVC below LLN) with a positive bronchodilator response', () => {
    expect(content.interpretation).toMatchObject({ pattern: 'obstruction', bdr: 'positive' });
    expect(content.interpretation!.narrative.zh).toContain('阻塞性通气功能障碍');
    expect(content.quality).toMatchObject({ source: 'device', fev1: 'B' });
  });

  it('says why there is no reference when height is missing, and keeps the values', () => {
    const noHeight = draftContent({ ...input, heightCm: null });
    expect(noHeight.warnings).toContain('sex, age or height missing: no reference values');
    expect(noHeight.interpretation).toBeNull();
    expect(noHeight.rows.find((r) => r.param === 'FEV1')).toMatchObject({ measured: 2.4, predicted: null, reference: 'none' });
  });

  it('falls back to the device’s predicted values only where it has no equation of its own', () => {
    const withDevice = draftContent({ ...input, measurements: [...input.measurements, { param: 'PEF', stage: 'pre' as const, value: 7.1, unit: 'L/s', devicePredicted: 8.2, deviceLln: 6.1 }].filter((x, i, all) => !(x.param === 'PEF' && all.indexOf(x) !== all.length - 1)) });
    expect(withDevice.rows.find((r) => r.param === 'PEF')).toMatchObject({ predicted: 8.2, lln: 6.1, reference: 'device', pctPredicted: 86.6 });
  });
});

describe('ATS/ERS 2019 grades of the curves', () => {
  /** A simulated ndd EasyOne bronchodilator test, read as the import reads it: three blows before and three after. */
  let bd: DraftInput;
  beforeAll(async () => {
    const read = await recognise(nddTestResult({ sex: 'male', ageYears: 51, heightCm: 170, accessionNo: 'A1', patientId: 'P1', bronchodilator: true }, new Date('2026-11-25T02:00:00Z'), 11));
    if (!read.ok) throw new Error(read.reason);
    const x = read.value;
    bd = {
      ...input,
      measurements: x.measurements.map((m) => ({ param: m.param, stage: m.stage, value: m.value, unit: m.unit, devicePredicted: m.predicted, deviceLln: m.lln })),
      trials: x.trials.map((t) => ({ stage: t.stage, number: t.number, sampleIntervalS: t.sampleIntervalS, flowLps: t.flowLps, volumeL: t.volumeL })),
      deviceQualityGrade: x.test.qualityGrade,
    };
    expect(bd.trials.filter((t) => t.stage === 'pre')).toHaveLength(3);
    expect(bd.trials.filter((t) => t.stage === 'post')).toHaveLength(3);
  });

  it('grades the post-bronchodilator blows on their own, not only the baseline ones', () => {
    const all = draftContent(bd).quality!;
    expect(all).toMatchObject({ source: 'ats2019', acceptableFev1: 3, acceptableFvc: 3, post: { acceptableFev1: 3, acceptableFvc: 3 } });
    expect(all.post!.fev1).toMatch(/^[A-D]$/);

    // One post blow left: the post stage is graded E (exactly one acceptable), the baseline keeps its grade.
    const onePost = draftContent({ ...bd, trials: bd.trials.filter((t) => t.stage === 'pre' || t.number === bd.trials.find((x) => x.stage === 'post')!.number) }).quality!;
    expect(onePost.post).toEqual({ fev1: 'E', fvc: 'E', acceptableFev1: 1, acceptableFvc: 1 });
    expect(onePost).toMatchObject({ fev1: all.fev1, fvc: all.fvc, acceptableFev1: 3 });
    // And the other way round: a single baseline blow does not touch the post grades.
    const onePre = draftContent({ ...bd, trials: bd.trials.filter((t) => t.stage === 'post' || t.number === bd.trials[0]!.number) }).quality!;
    expect(onePre).toMatchObject({ fev1: 'E', acceptableFev1: 1, post: all.post });
    // A baseline-only test has no post grade.
    expect(draftContent({ ...bd, trials: bd.trials.filter((t) => t.stage === 'pre') }).quality!.post).toBeNull();

    expect(qualityLine('zh', all)).toBe(`舒张前 FEV1 ${all.fev1}、FVC ${all.fvc}；舒张后 FEV1 ${all.post!.fev1}、FVC ${all.post!.fvc}（ATS/ERS 2019）`);
    expect(qualityLine('en', onePost)).toBe(`Pre FEV1 ${all.fev1}, FVC ${all.fvc}; Post FEV1 E, FVC E (ATS/ERS 2019)`);
  });

  it('keeps the device’s own grade beside ours and prints both only when they differ (clinical.md §7.3)', () => {
    const ours = draftContent(bd).quality!;
    expect(ours.device).toBe('A'); // what the simulated EasyOne file says
    const differing = draftContent({ ...bd, deviceQualityGrade: 'C' }).quality!;
    expect(differing).toMatchObject({ source: 'ats2019', fev1: ours.fev1, fvc: ours.fvc, device: 'C' });
    expect(qualityLine('zh', differing)).toMatch(/（ATS\/ERS 2019）；设备判定 C$/);
    expect(qualityLine('en', differing)).toMatch(/ \(ATS\/ERS 2019\); device grade C$/);
    const same = { ...ours, fev1: 'A', fvc: 'A', post: null, device: 'A' };
    expect(qualityLine('zh', same)).toBe('FEV1 A、FVC A（ATS/ERS 2019）');
    // Without curves the device's grade is the only one, and says so.
    const deviceOnly = draftContent({ ...bd, trials: [], deviceQualityGrade: 'C' }).quality!;
    expect(deviceOnly).toMatchObject({ source: 'device', fev1: 'C', fvc: 'C', post: null, device: 'C' });
    expect(qualityLine('zh', deviceOnly)).toBe('FEV1 C、FVC C（设备判定）');
  });
});
