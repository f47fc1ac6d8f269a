import { describe, expect, it } from 'vitest';
import { BIOLOGICAL_CONTROL_DEFAULTS, judgeBiologicalControl, verifyVolumeCheck } from './calibration.ts';

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

describe('biological control (a staff member against their own baseline)', () => {
  const baseline = [{ fev1L: 3.5, fvcL: 4.5 }, { fev1L: 3.52, fvcL: 4.48 }, { fev1L: 3.48, fvcL: 4.52 }];

  it('records the first sessions without judging them', () => {
    const first = judgeBiologicalControl({ fev1L: 2.0, fvcL: 2.5 }, baseline.slice(0, 2));
    expect(first).toMatchObject({ pass: true, baseline: null, problems: [{ code: 'baseline', detail: '2 earlier session(s); judged from session 4 on' }] });
  });

  it('passes within 5 % and 0.15 L of the mean of the earlier sessions, exactly at the limit included', () => {
    const result = judgeBiologicalControl({ fev1L: 3.65, fvcL: 4.4 }, baseline);
    expect(result.pass).toBe(true);
    expect(result.baseline).toEqual({ fev1L: 3.5, fvcL: 4.5, sessions: 3 });
    expect(result.deviations.map((d) => [d.param, d.deltaL.toFixed(3), d.deltaPct.toFixed(2), d.withinLimit])).toEqual([
      ['FEV1', '0.150', '4.29', true],
      ['FVC', '-0.100', '-2.22', true],
    ]);
  });

  it('fails when either limit is passed by default: 0.16 L is only 3.6 % of 4.5 L but still too far', () => {
    const result = judgeBiologicalControl({ fev1L: 3.5, fvcL: 4.66 }, baseline);
    expect(result.pass).toBe(false);
    expect(result.problems).toEqual([{ code: 'out-of-limit', detail: "FVC 4.66 L is +0.160 L (3.6 %) from the subject's baseline 4.500 L" }]);
    const drop = judgeBiologicalControl({ fev1L: 3.2, fvcL: 4.5 }, baseline);
    expect(drop.problems[0]!.detail).toBe("FEV1 3.2 L is -0.300 L (-8.6 %) from the subject's baseline 3.500 L");
  });

  it("with 'both', only a deviation beyond the larger of the two limits fails", () => {
    const rules = { ...BIOLOGICAL_CONTROL_DEFAULTS, combine: 'both' as const };
    expect(judgeBiologicalControl({ fev1L: 3.5, fvcL: 4.66 }, baseline, rules).pass).toBe(true);
    expect(judgeBiologicalControl({ fev1L: 3.5, fvcL: 4.73 }, baseline, rules).pass).toBe(false);
    // A small subject: 5 % of 1.2 L is 0.06 L, so the 0.15 L limit is the larger one.
    const small = [{ fev1L: 1.2, fvcL: 1.6 }, { fev1L: 1.2, fvcL: 1.6 }, { fev1L: 1.2, fvcL: 1.6 }];
    expect(judgeBiologicalControl({ fev1L: 1.3, fvcL: 1.6 }, small, rules).pass).toBe(true);
    expect(judgeBiologicalControl({ fev1L: 1.3, fvcL: 1.6 }, small).pass).toBe(false);
  });

  it('refuses impossible values', () => {
    expect(judgeBiologicalControl({ fev1L: 0, fvcL: 4 }, baseline)).toMatchObject({ pass: false, problems: [{ code: 'invalid-value' }] });
  });
});
