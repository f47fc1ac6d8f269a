import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readNddEasyOneXml } from '@pftis/formats';
import { describe, expect, it } from 'vitest';
import { assessSession, assessTrial, type SessionTrial } from './ats2019.ts';
import { analyseForcedExpiration } from './curve.ts';
import { syntheticBlow } from '../test-data/synthetic-blow.ts';

/** An acceptable trial with a plateau; `noEofe` removes the plateau (0.1 L in the last second, FET 6 s). */
const trial = (id: string, fev1L: number, fvcL: number, noEofe = false): SessionTrial => ({
  id, fev1L, fvcL, bevL: 0.08, fetS: noEofe ? 6 : 9, endOfTestVolumeL: noEofe ? 0.1 : 0.015, fivcL: fvcL,
});

describe('session grades, FEV1 and FVC separately (clinical.md §7.2–7.3)', () => {
  it('asserts the FVC grade as well as the FEV1 grade', () => {
    const session = assessSession([trial('1', 3.1, 4.3), trial('2', 3.2, 4.2), trial('3', 3.15, 4.25)], 40);
    expect(session.fvc).toEqual({ grade: 'A', differenceL: 0.05, acceptableCount: 3, repeatable: true });
    expect(session.fev1).toEqual({ grade: 'A', differenceL: 0.05, acceptableCount: 3, repeatable: true });
  });

  it('FEV1 and FVC grades differ when FVC values spread more than FEV1 values', () => {
    // FEV1 3.20/3.15/3.12 (50 mL: A); FVC 4.60/4.38/4.35 (220 mL: D).
    const session = assessSession([trial('1', 3.2, 4.6), trial('2', 3.15, 4.38), trial('3', 3.12, 4.35)], 40);
    expect([session.fev1.grade, session.fvc.grade]).toEqual(['A', 'D']);
    expect(session.fvc).toMatchObject({ differenceL: 0.22, repeatable: false });
    expect(session.fev1.repeatable).toBe(true);
  });

  it('repeatable is false above 150 mL (> 6 y) even with three acceptable values', () => {
    const session = assessSession([trial('1', 3.4, 4.6), trial('2', 3.24, 4.55), trial('3', 3.2, 4.5)], 40);
    expect(session.fev1).toEqual({ grade: 'C', differenceL: 0.16, acceptableCount: 3, repeatable: false });
  });

  it('FEV1 acceptable, FVC not: a trial without end of forced expiration and no earlier FVC', () => {
    const session = assessSession([trial('1', 3.2, 4.5, true), trial('2', 3.15, 4.3), trial('3', 3.1, 4.25)], 40);
    expect(session.trials[0]?.quality).toMatchObject({ fev1Acceptable: true, fvcAcceptable: false, fvcUsable: true, endOfForcedExpiration: null });
    expect([session.fev1.grade, session.fvc.grade]).toEqual(['A', 'B']);
    // The largest FVC is from an unacceptable blow: the reported FVC is the largest acceptable one.
    expect(session.selected).toMatchObject({ fev1From: '1', fvcL: 4.3, fvcFrom: '2' });
  });
});

describe('end of forced expiration by a repeatable FVC: only earlier trials, in session order (Table 7)', () => {
  it('a later trial is repeatable with an earlier larger FVC; the same trial first in the session is not', () => {
    const big = trial('big', 3.2, 4.5);
    const short = trial('short', 3.1, 4.4, true); // within 150 mL of 4.5, no plateau, FET 6 s
    const after = assessSession([big, short], 40);
    expect(after.trials[1]?.quality.endOfForcedExpiration).toBe('repeatable_fvc');
    expect(after.trials[1]?.quality.fvcAcceptable).toBe(true);
    const before = assessSession([short, big], 40);
    expect(before.trials[0]?.quality.endOfForcedExpiration).toBeNull();
    expect(before.trials[0]?.quality.fvcAcceptable).toBe(false);
  });

  it('compares with the largest earlier FVC, not with the previous one', () => {
    const session = assessSession([trial('1', 3.2, 4.6), trial('2', 3.0, 4.2), trial('3', 3.1, 4.4, true)], 40);
    // 4.40 is 200 mL below 4.60 (the largest earlier), though above 4.20 (the previous): no EOFE.
    expect(session.trials[2]?.quality.endOfForcedExpiration).toBeNull();
    const larger = assessSession([trial('1', 3.2, 4.6), trial('2', 3.0, 4.2), trial('3', 3.1, 4.65, true)], 40);
    expect(larger.trials[2]?.quality.endOfForcedExpiration).toBe('repeatable_fvc'); // greater than the largest earlier
  });
});

describe('hesitation time (clinical.md §7.1): a quality flag, not an acceptability criterion', () => {
  it('is measured from maximal inspiration to time zero', () => {
    const blow = syntheticBlow();
    const r = analyseForcedExpiration(blow);
    if (!r.ok) throw new Error(r.reason);
    // Maximal inspiration is the end of the 1-s inspiration (sample 100); time zero lies within the 60-ms rise.
    expect(r.value.hesitationTimeS).toBeGreaterThan(0);
    expect(r.value.hesitationTimeS).toBeLessThan(0.06);
    // A 3-s breath-hold at TLC before the blow.
    const flow = [...blow.flowLps.slice(0, 101), ...new Array(300).fill(0), ...blow.flowLps.slice(101)];
    const volume = [...blow.volumeL.slice(0, 101), ...new Array(300).fill(blow.volumeL[100]), ...blow.volumeL.slice(101)];
    const held = analyseForcedExpiration({ flowLps: flow, volumeL: volume, sampleIntervalS: blow.sampleIntervalS });
    if (!held.ok) throw new Error(held.reason);
    expect(held.value.hesitationTimeS).toBeGreaterThan(3);
    expect(held.value.hesitationTimeS).toBeLessThan(3.06);
  });

  it('over 2 s flags the trial but keeps it acceptable', () => {
    const q = assessTrial({ ...trial('1', 3.2, 4.5), hesitationTimeS: 2.4 }, { ageYears: 40 });
    expect(q.flags).toEqual(['hesitation_time_over_2s']);
    expect([q.fev1Acceptable, q.fvcAcceptable]).toEqual([true, true]);
    expect(assessTrial({ ...trial('1', 3.2, 4.5), hesitationTimeS: 2 }, { ageYears: 40 }).flags).toEqual([]);
  });
});

const samplePath = path.resolve(import.meta.dirname, '../../../../../shared/samples/ndd-easyone-xml/CypressOut.xml');
const haveSample = existsSync(samplePath);
if (!haveSample) console.warn(`skipping the CypressOut.xml session grade: ${samplePath} is missing (../shared is not checked out beside the repository)`);

describe.skipIf(!haveSample)('CypressOut.xml: from the raw curves through analysis to the ATS/ERS 2019 grades', () => {
  it('grades the three real trials and compares with the device\'s own QualityGrade', () => {
    const parsed = readNddEasyOneXml(new Uint8Array(readFileSync(samplePath)));
    if (!parsed.ok) throw new Error(parsed.reason);
    const test = parsed.value.tests[0];
    if (!test) throw new Error('no test');
    const ageYears = 10046 / 365.25; // 1994-09-25 to 2022-03-28
    const trials: SessionTrial[] = test.trials.map((t) => {
      const r = analyseForcedExpiration({ flowLps: t.flow?.samples ?? [], volumeL: t.volume?.samples ?? [], sampleIntervalS: t.flow?.samplingIntervalS ?? 0 });
      if (!r.ok) throw new Error(r.reason);
      return { id: String(t.number), fev1L: r.value.fev1L, fvcL: r.value.fvcL, bevL: r.value.bevL, fetS: r.value.fetS, endOfTestVolumeL: r.value.endOfTestVolumeL, fivcL: r.value.fivcL, hesitationTimeS: r.value.hesitationTimeS };
    });
    const session = assessSession(trials, ageYears);
    const summary = session.trials.map((t, i) => ({
      trial: t.id, fev1: trials[i]?.fev1L.toFixed(3), fvc: trials[i]?.fvcL.toFixed(3), eotvL: trials[i]?.endOfTestVolumeL.toFixed(3), fetS: trials[i]?.fetS.toFixed(2),
      hesitationS: trials[i]?.hesitationTimeS?.toFixed(2), eofe: t.quality.endOfForcedExpiration, fev1Acceptable: t.quality.fev1Acceptable, fvcAcceptable: t.quality.fvcAcceptable,
    }));
    console.info('CypressOut.xml session', JSON.stringify(summary), 'device grade', test.qualityGrade, 'ours FEV1', session.fev1.grade, 'FVC', session.fvc.grade);
    expect(test.qualityGrade).toBe('A');
    expect(session.trials.map((t) => t.quality.fev1Acceptable)).toEqual([true, true, true]);
    expect(session.fev1).toMatchObject({ grade: 'A', acceptableCount: 3, repeatable: true });
    for (const t of trials) expect(t.hesitationTimeS).not.toBeNull();
    // FVC: trial 1 has no end of forced expiration by our reading of its curve (0.036 L exhaled in its last second,
    // above the 0.025 L plateau limit; FET 7.1 s; no earlier trial to be repeatable with). Trials 2 and 3 reach it by
    // a repeatable FVC (within 150 mL of trial 1's 4.974 L). Two acceptable FVC within 10 mL: grade B.
    expect(session.trials.map((t) => t.quality.endOfForcedExpiration)).toEqual([null, 'repeatable_fvc', 'repeatable_fvc']);
    expect(trials[0]?.endOfTestVolumeL).toBeGreaterThan(0.025);
    expect(session.fvc).toMatchObject({ grade: 'B', acceptableCount: 2, repeatable: true });
    expect(session.selected).toMatchObject({ fvcFrom: '2', fev1From: '2', bestTestId: '2' });
    // The device grades A because its own end-of-test volume for trial 1 is 0.018 L (a plateau): it ends the test
    // earlier than the last sample of maximal volume that we measure from. With the device's EOTV, the same rules give
    // A, so that definition is the whole difference.
    const deviceEotv = test.trials.map((t) => t.values.find((v) => v.id === 'EOTV')?.value as number);
    expect(deviceEotv[0]).toBeLessThan(0.025);
    const withDeviceEotv = assessSession(trials.map((t, i) => ({ ...t, endOfTestVolumeL: deviceEotv[i] as number })), ageYears);
    expect([withDeviceEotv.fev1.grade, withDeviceEotv.fvc.grade]).toEqual(['A', 'A']);
  });
});
