import { DEFAULT_LAB_SETTINGS, type LabSettings } from '@pftis/clinical';
import { describe, expect, it } from 'vitest';
import { draftContent, type DraftInput } from './draft.js';

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
