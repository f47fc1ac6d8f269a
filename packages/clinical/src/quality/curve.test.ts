import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readNddEasyOneXml } from '@pftis/formats';
import { describe, expect, it } from 'vitest';
import { analyseForcedExpiration } from './curve.ts';

/** A synthetic blow: tidal inspiration, a 60 ms rise to peak flow, then exponential emptying, then inspiration. */
export function syntheticBlow(fvcL = 4.5, tauS = 0.6, dt = 0.01) {
  const flow: number[] = [];
  for (let i = 0; i < 100; i++) flow.push(-1.5 * Math.sin((Math.PI * i) / 100)); // inspiration
  const peak = fvcL / tauS;
  for (let i = 0; i < 6; i++) flow.push((peak * i) / 6);
  for (let t = 0; t < 12; t += dt) flow.push(peak * Math.exp(-t / tauS));
  for (let i = 0; i < 150; i++) flow.push(-4 * Math.sin((Math.PI * i) / 150));
  const volume = [2.0];
  for (let i = 1; i < flow.length; i++) volume.push((volume[i - 1] as number) + ((flow[i - 1] as number) + (flow[i] as number)) / 2 * dt);
  return { flowLps: flow, volumeL: volume, sampleIntervalS: dt, peakLps: peak };
}

describe('curve analysis on a synthetic blow', () => {
  it('recovers FVC, PEF, FEV1, FET and a small BEV', () => {
    const blow = syntheticBlow();
    const result = analyseForcedExpiration(blow);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const r = result.value;
    expect(r.pefLps).toBeCloseTo(blow.peakLps, 10);
    const expectedFvc = Math.max(...blow.volumeL.slice(100)) - (blow.volumeL[100] as number); // start: last flow ≤ 0
    expect(r.fvcL).toBeCloseTo(expectedFvc, 10);
    // Time zero falls near the start of the decay: FEV1 ≈ ramp volume (≈ 0.225 L) + 4.5·(1 − e^(−1/τ)).
    const expectedFev1 = 0.225 + 4.5 * (1 - Math.exp(-1 / 0.6));
    expect(r.fev1L / expectedFev1).toBeGreaterThan(0.98);
    expect(r.fev1L / expectedFev1).toBeLessThan(1.02);
    expect(r.bevL).toBeGreaterThan(0);
    expect(r.bevL).toBeLessThan(0.1);
    expect(r.fetS).toBeGreaterThan(11);
    expect(r.endOfTestVolumeL).toBeLessThan(0.025);
    expect(r.fivcL).toBeGreaterThan(3);
    // FEF25-75 of an exponential: 0.5·FVC / (τ·ln 3)
    expect(r.fef2575Lps as number).toBeCloseTo((0.5 * r.fvcL) / (0.6 * Math.log(3)), 1);
  });

  it('refuses curves without expiration', () => {
    expect(analyseForcedExpiration({ flowLps: new Array(50).fill(-1), volumeL: new Array(50).fill(0), sampleIntervalS: 0.01 }).ok).toBe(false);
    expect(analyseForcedExpiration({ flowLps: [1], volumeL: [1], sampleIntervalS: 0.01 }).ok).toBe(false);
  });
});

const samplePath = path.resolve(import.meta.dirname, '../../../../../shared/samples/ndd-easyone-xml/CypressOut.xml');
const haveSample = existsSync(samplePath);
if (!haveSample) console.warn(`skipping curve agreement with the ndd device: ${samplePath} is missing`);

/**
 * Agreement with the device's own values on the 3 real trials of CypressOut.xml (ndd SPIROSON_AS, SW 1.4.1.2),
 * measured when this test was written (max |ours − device| / device over the 3 trials):
 *   FVC < 0.0001 %, FEV1 0.022 %, FEV6 0.001 %, PEF 0.22 % (the device's PEF is not a raw sample maximum),
 *   FEF25-75 0.0011 %, FET 0.089 % (half a sample), time zero within 0.6 ms.
 * BEV depends on the window over which the steepest slope is averaged, which ATS/ERS 2019 does not fix and ndd does
 * not publish: with the conventional 80 ms window (our default) BEV is within 1.73 % (≤ 0.0022 L) of the device; with a
 * 70 ms window within 0.97 %. BEV is a small difference of large numbers; its limit is 0.100 L or 5 % of FVC.
 */
describe.skipIf(!haveSample)('curve analysis against the ndd device (CypressOut.xml)', () => {
  it('FEV1, FVC, FEV6, PEF and FEF25-75 within 1 % of the device on every trial; BEV within 0.0025 L', () => {
    const parsed = readNddEasyOneXml(new Uint8Array(readFileSync(samplePath)));
    if (!parsed.ok) throw new Error(parsed.reason);
    const trials = parsed.value.tests[0]?.trials ?? [];
    expect(trials).toHaveLength(3);
    const worst: Record<string, number> = {};
    for (const trial of trials) {
      const result = analyseForcedExpiration({
        flowLps: trial.flow?.samples ?? [],
        volumeL: trial.volume?.samples ?? [],
        sampleIntervalS: trial.flow?.samplingIntervalS ?? 0,
      });
      if (!result.ok) throw new Error(result.reason);
      const device = (id: string) => trial.values.find((p) => p.id === id)?.value as number;
      const ours: Record<string, number | null> = {
        FVC: result.value.fvcL, FEV1: result.value.fev1L, FEV6: result.value.fev6L, PEF: result.value.pefLps,
        FEF2575: result.value.fef2575Lps, FET: result.value.fetS, BEV: result.value.bevL,
      };
      for (const [id, value] of Object.entries(ours)) {
        const relative = Math.abs((value as number) - device(id)) / device(id);
        worst[id] = Math.max(worst[id] ?? 0, relative);
      }
      expect(Math.abs(result.value.bevL - device('BEV'))).toBeLessThan(0.0025);
      const with70ms = analyseForcedExpiration(
        { flowLps: trial.flow?.samples ?? [], volumeL: trial.volume?.samples ?? [], sampleIntervalS: 0.01 },
        { backExtrapolationWindowS: 0.07 },
      );
      if (with70ms.ok) worst.BEV_70ms = Math.max(worst.BEV_70ms ?? 0, Math.abs(with70ms.value.bevL - device('BEV')) / device('BEV'));
      // Time zero agrees with the device's TimeZeroOffset within 1 ms.
      expect(Math.abs(result.value.timeZeroS + (trial.flow?.timeZeroOffsetS as number))).toBeLessThan(0.001);
    }
    for (const id of ['FVC', 'FEV1', 'FEV6', 'PEF', 'FEF2575', 'FET']) expect(worst[id], id).toBeLessThan(0.01);
    expect(worst.BEV).toBeLessThan(0.025);
    expect(worst.BEV_70ms).toBeLessThan(0.01);
    console.info('max relative difference from the ndd device per parameter:', Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, `${(v * 100).toFixed(4)} %`])));
  });
});
