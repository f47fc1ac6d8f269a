import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readNddEasyOneXml } from '@pftis/formats';
import { describe, expect, it } from 'vitest';
import { syntheticBlow } from '../test-data/synthetic-blow.ts';
import { analyseForcedExpiration } from './curve.ts';

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

type Trial = { flow: number[]; volume: number[]; dt: number; timeZeroOffsetS: number; device: (id: string) => number };
function readTrials(): Trial[] {
  const parsed = readNddEasyOneXml(new Uint8Array(readFileSync(samplePath)));
  if (!parsed.ok) throw new Error(parsed.reason);
  return (parsed.value.tests[0]?.trials ?? []).map((trial) => ({
    flow: trial.flow?.samples ?? [],
    volume: trial.volume?.samples ?? [],
    dt: trial.flow?.samplingIntervalS ?? 0,
    timeZeroOffsetS: trial.flow?.timeZeroOffsetS as number,
    device: (id: string) => trial.values.find((p) => p.id === id)?.value as number,
  }));
}

/**
 * The device works at 200 Hz and exports 100 Hz: the flow channel holds every second 200 Hz flow sample, and the
 * volume channel is the running sum of all 200 Hz flow samples × 5 ms (rectangle rule). So each skipped flow sample
 * is (V[i+1] − V[i]) / 5 ms − F[i+1]. Checked below: the recovered samples are whole multiples of the device's flow
 * step (0.0102 L/s expiratory = 0.01 × BTPSex), and their maximum is the device's PEF where the 100 Hz export misses
 * it. Used only to show that our definition of time zero is the device's; the clinical code sees the export as is.
 */
function device200Hz(trial: Trial): { flowLps: number[]; volumeL: number[]; sampleIntervalS: number } {
  const h = trial.dt / 2;
  const flowLps: number[] = [];
  const volumeL: number[] = [];
  for (let i = 0; i < trial.flow.length; i++) {
    flowLps.push(trial.flow[i] as number);
    volumeL.push(trial.volume[i] as number);
    if (i + 1 === trial.flow.length) break;
    const skipped = ((trial.volume[i + 1] as number) - (trial.volume[i] as number)) / h - (trial.flow[i + 1] as number);
    flowLps.push(skipped);
    volumeL.push((trial.volume[i] as number) + skipped * h);
  }
  return { flowLps, volumeL, sampleIntervalS: h };
}

const IDS = ['FVC', 'FEV1', 'FEV6', 'PEF', 'FEF2575', 'FET', 'BEV'] as const;
function compare(trial: Trial, samples: { flowLps: number[]; volumeL: number[]; sampleIntervalS: number }) {
  const result = analyseForcedExpiration(samples);
  if (!result.ok) throw new Error(result.reason);
  const r = result.value;
  const ours: Record<(typeof IDS)[number], number> = {
    FVC: r.fvcL, FEV1: r.fev1L, FEV6: r.fev6L, PEF: r.pefLps, FEF2575: r.fef2575Lps as number, FET: r.fetS, BEV: r.bevL,
  };
  const relative = Object.fromEntries(IDS.map((id) => [id, Math.abs(ours[id] - trial.device(id)) / trial.device(id)]));
  return {
    relative,
    bevAbsoluteL: Math.abs(r.bevL - trial.device('BEV')),
    bevOfFvc: Math.abs(r.bevL - trial.device('BEV')) / trial.device('FVC'),
    // TimeZeroOffset: seconds from time zero to the first sample, so time zero is −offset from the first sample.
    timeZeroDifferenceS: Math.abs(r.timeZeroS + trial.timeZeroOffsetS),
  };
}
const worstOf = (rows: ReturnType<typeof compare>[]): Record<(typeof IDS)[number] | 'bevAbsoluteL' | 'bevOfFvc' | 'timeZeroDifferenceS', number> => ({
  ...(Object.fromEntries(IDS.map((id) => [id, Math.max(...rows.map((row) => row.relative[id] as number))])) as Record<(typeof IDS)[number], number>),
  bevAbsoluteL: Math.max(...rows.map((row) => row.bevAbsoluteL)),
  bevOfFvc: Math.max(...rows.map((row) => row.bevOfFvc)),
  timeZeroDifferenceS: Math.max(...rows.map((row) => row.timeZeroDifferenceS)),
});
const show = (worst: Record<string, number>) =>
  Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, k.endsWith('S') ? `${(v * 1000).toFixed(4)} ms` : k.endsWith('L') ? `${(v * 1000).toFixed(3)} mL` : `${(v * 100).toFixed(4)} %`]));

/**
 * Agreement with the device's own values on the 3 real trials of CypressOut.xml (ndd SPIROSON_AS, SW 1.4.1.2).
 * Agreement = |ours − device| / device per trial (stricter for BEV than the ATS/ERS scale, 5 % of FVC); the worst of
 * the 3 trials, measured when this test was written:
 *
 *   from the exported 100 Hz curves (what analyseForcedExpiration gets in use):
 *     FVC 0.0000 %, FEV1 0.0098 %, FEV6 0.0004 %, PEF 0.2237 %, FEF25-75 0.0011 %, FET 0.0851 %, BEV 0.3451 %
 *     (0.47 mL, 0.0096 % of FVC), time zero within 0.34 ms.
 *   from the device's 200 Hz signal recovered from the export (device200Hz):
 *     FVC, FEV1, FEV6, FEF25-75 < 0.00002 %, PEF 0.0002 %, BEV 0.0001 % (< 0.001 mL), time zero within 0.0003 ms:
 *     the device back-extrapolates exactly as we do. FET 0.16 % (the end of expiration one 5 ms sample apart).
 *
 * Before, with the tangent through the midpoint of the steepest 80 ms chord, BEV was off by up to 1.73 % (2.2 mL). What
 * is left of the 100 Hz BEV difference is the export's halved sampling rate (the fitted line and the linear
 * interpolation between 10 ms samples on the curved start of the blow), not the definition. PEF: the 100 Hz export
 * drops the 200 Hz sample on which the device found the peak in 2 of the 3 trials.
 */
describe.skipIf(!haveSample)('curve analysis against the ndd device (CypressOut.xml)', () => {
  it('FEV1, FVC, FEV6, PEF, FEF25-75, FET and BEV from the exported curves within 1 % of the device on every trial', () => {
    const trials = readTrials();
    expect(trials).toHaveLength(3);
    const rows = trials.map((trial) => compare(trial, { flowLps: trial.flow, volumeL: trial.volume, sampleIntervalS: trial.dt }));
    for (const [index, row] of rows.entries())
      for (const id of IDS) expect(row.relative[id], `trial ${index + 1} ${id}`).toBeLessThan(0.01);
    const worst = worstOf(rows);
    expect(worst.timeZeroDifferenceS).toBeLessThan(0.0005);
    expect(worst.bevOfFvc).toBeLessThan(0.001);
    console.info('100 Hz export: max difference from the ndd device', show(worst));
  });

  it('on the recovered 200 Hz signal our back-extrapolation is the device\'s: time zero within 0.01 ms, BEV within 0.01 %', () => {
    const trials = readTrials();
    const rows = trials.map((trial) => {
      const signal = device200Hz(trial);
      // The recovered expiratory samples lie on the device's flow step; their maximum is the device's PEF.
      const step = 0.01 * trial.device('BTPSex');
      for (let i = 1; i < signal.flowLps.length; i += 2) {
        const flow = signal.flowLps[i] as number;
        if (flow > 0) expect(Math.abs(flow / step - Math.round(flow / step)), `sample ${i}`).toBeLessThan(0.05);
      }
      expect(Math.max(...signal.flowLps)).toBeCloseTo(trial.device('PEF'), 4);
      return compare(trial, signal);
    });
    const worst = worstOf(rows);
    expect(worst.timeZeroDifferenceS).toBeLessThan(0.00001);
    // FET differs by one 5 ms sample at the end of expiration (how the device picks the end is not ours to copy here).
    for (const id of IDS) expect(worst[id], id).toBeLessThan(id === 'FET' ? 0.01 : 0.0001);
    console.info('200 Hz recovered: max difference from the ndd device', show(worst));
  });
});
