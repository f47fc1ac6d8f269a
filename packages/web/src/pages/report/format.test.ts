import { describe, expect, it } from 'vitest';
import { belowLln, bestTrialKeys, curvePoints, displayUnit, formatChange, formatValue, formatZ, insertAt, waitParts, zPosition } from './format.ts';

const curve = (stage: string, number: number, volumes: number[]) => ({ stage, number, accepted: true, sampleIntervalS: 0.01, flowLps: volumes.map(() => 1), volumeL: volumes });

describe('report formatting', () => {
  it('shows FEV1/FVC, kept as a fraction, in % and other values in their unit', () => {
    expect(formatValue({ param: 'FEV1FVC' }, 0.7234)).toBe('72.3');
    expect(displayUnit({ param: 'FEV1FVC', unit: '' })).toBe('%');
    expect(formatValue({ param: 'FEV1' }, 2.4349)).toBe('2.43');
    expect(displayUnit({ param: 'FEV1', unit: 'L' })).toBe('L');
    expect(formatValue({ param: 'FEV1' }, null)).toBe('');
    expect(formatZ(-0.001)).toBe('0.00');
    expect(formatChange(12.34)).toBe('+12.3');
    expect(formatChange(-3)).toBe('-3.0');
  });

  it('finds values below the LLN by z-score, else by the LLN value', () => {
    expect(belowLln(2.1, -1.7, 2.5)).toBe(true);
    expect(belowLln(2.1, -1.6, 2.5)).toBe(false);
    expect(belowLln(2.1, null, 2.5)).toBe(true);
    expect(belowLln(null, -3, 2.5)).toBe(false);
  });

  it('places z-scores on the −5…+3 bar, pinning values outside to the ends', () => {
    expect(zPosition(-5)).toBe(0);
    expect(zPosition(3)).toBe(1);
    expect(zPosition(-1)).toBe(0.5);
    expect(zPosition(-9)).toBe(0);
    expect(zPosition(7)).toBe(1);
  });

  it('splits waiting minutes into days, hours and minutes', () => {
    expect(waitParts(45)).toEqual({ days: 0, hours: 0, minutes: 45 });
    expect(waitParts(125)).toEqual({ days: 0, hours: 2, minutes: 5 });
    expect(waitParts(3 * 1440 + 130)).toEqual({ days: 3, hours: 2, minutes: 10 });
  });

  it('picks the trial with the largest FVC of each stage as the bold one', () => {
    const best = bestTrialKeys([curve('pre', 1, [0, 3.1]), curve('pre', 2, [0, 3.4]), curve('post', 1, [0, 3.0]), curve('post', 2, [0, 2.9])]);
    expect([...best].sort()).toEqual(['post-1', 'pre-2']);
  });

  it('draws volume from the start of the blow, time from the sample interval, thinned', () => {
    const points = curvePoints({ stage: 'pre', number: 1, accepted: true, sampleIntervalS: 0.01, flowLps: [0, 5, 4, 2], volumeL: [0.2, 1.2, 2.2, 3.2] }, 2);
    expect(points.flowVolume).toEqual([[0, 0], [2, 4]]);
    expect(points.volumeTime).toEqual([[0, 0], [0.02, 2]]);
  });

  it('inserts a phrase at the cursor, replacing a selection', () => {
    expect(insertAt('肺通气功能正常。', '弥散功能正常。', 8, 8)).toEqual({ value: '肺通气功能正常。弥散功能正常。', cursor: 15 });
    expect(insertAt('ABCD', 'x', 1, 3)).toEqual({ value: 'AxD', cursor: 2 });
    expect(insertAt('AB', 'x', null, null)).toEqual({ value: 'ABx', cursor: 3 });
  });
});
