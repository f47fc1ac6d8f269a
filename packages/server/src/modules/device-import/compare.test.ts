import { measurement } from '@pftis/formats/device-report/extraction';
import { describe, expect, it } from 'vitest';
import type { ContentRow, ReportContent } from '../reports/draft.js';
import { compareWithDevice } from './compare.js';

const row = (over: Partial<ContentRow>): ContentRow => ({
  param: 'FEV1', unit: 'L', predicted: null, lln: null, uln: null, measured: null, zScore: null, pctPredicted: null, post: null, postZScore: null, postPctPredicted: null, changePct: null, reference: 'equation', ...over,
});
const content = (rows: ContentRow[]): ReportContent => ({ subject: { sex: 'male', ageYears: 50, heightCm: 170, weightKg: null }, rows, equations: [], quality: null, interpretation: null, warnings: [] });

describe('our reference values beside the device\'s', () => {
  it('accepts a difference within the rounding of the printed number and flags one beyond it', () => {
    const ours = content([row({ param: 'FEV1', predicted: 3.1049, lln: 2.4, zScore: -1.23, pctPredicted: 81.4 })]);
    const within = compareWithDevice(ours, [measurement({ param: 'FEV1', deviceParam: 'FEV1', predicted: 3.1, lln: 2.4, zscore: -1.23, pctPred: 81 })]);
    expect(within.rows[0]!.differs).toEqual([]);
    const beyond = compareWithDevice(ours, [measurement({ param: 'FEV1', deviceParam: 'FEV1', predicted: 3.12, lln: 2.5, zscore: -1.1, pctPred: 80 })]);
    expect(beyond.rows[0]!.differs).toEqual(['predicted', 'lln', 'zscore', 'pctPred']);
    expect(beyond.flagged).toBe(1);
  });

  it('reads a predicted FEV1/FVC printed in percent as a fraction, compares post values with our post z-score, and skips values without an equation of ours', () => {
    const ours = content([row({ param: 'FEV1FVC', predicted: 0.78, postZScore: -0.5 }), row({ param: 'PEF', predicted: 8, reference: 'device' })]);
    const result = compareWithDevice(ours, [
      measurement({ param: 'FEV1FVC', deviceParam: 'FEV1/FVC%', predicted: 78 }),
      measurement({ param: 'FEV1FVC', deviceParam: 'FEV1/FVC%', stage: 'post', zscore: -0.5 }),
      measurement({ param: 'PEF', deviceParam: 'PEF', predicted: 9 }),
    ]);
    expect(result.rows.map((r) => [r.param, r.stage, r.device, r.differs])).toEqual([
      ['FEV1FVC', 'pre', { predicted: 0.78 }, []],
      ['FEV1FVC', 'post', { zscore: -0.5 }, []],
    ]);
  });
});
