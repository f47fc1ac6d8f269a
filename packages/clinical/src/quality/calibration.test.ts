import { describe, expect, it } from 'vitest';
import { verifyVolumeCheck } from './calibration.ts';

describe('daily volume verification (3-L syringe, ±3 %)', () => {
  it('passes readings from 2.91 to 3.09 L at three flows', () => {
    const result = verifyVolumeCheck(3, [{ flowLps: 0.5, measuredL: 2.91 }, { flowLps: 3, measuredL: 3.0 }, { flowLps: 10, measuredL: 3.09 }]);
    expect(result.pass).toBe(true);
    expect(result.maxAbsErrorPct).toBeCloseTo(3, 10);
    expect(result.injections.map((i) => i.errorPct.toFixed(2))).toEqual(['-3.00', '0.00', '3.00']);
  });

  it('fails a reading just outside, and names it', () => {
    const result = verifyVolumeCheck(3, [{ measuredL: 2.909 }, { measuredL: 3.0 }, { measuredL: 3.0 }]);
    expect(result.pass).toBe(false);
    expect(result.problems).toEqual([{ code: 'out-of-limit', detail: '2.909 L is -3.03 % from 3 L' }]);
    expect(verifyVolumeCheck(3, [{ measuredL: 3.0 }, { measuredL: 3.0 }, { measuredL: 3.1 }]).pass).toBe(false);
  });

  it('needs three strokes at different flows, and a real syringe', () => {
    expect(verifyVolumeCheck(3, [{ measuredL: 3 }, { measuredL: 3 }]).problems).toEqual([{ code: 'too-few-injections', detail: '2 stroke(s), 3 needed' }]);
    expect(verifyVolumeCheck(0, [{ measuredL: 3 }]).problems[0]!.code).toBe('invalid-syringe');
    expect(verifyVolumeCheck(1, [{ measuredL: 1.03 }, { measuredL: 0.97 }, { measuredL: 1 }]).pass).toBe(true);
  });
});
