import { describe, expect, it } from 'vitest';
import { assessSession, assessTrial, gradeParameter, type SessionTrial } from './ats2019.ts';

const goodTrial = (id: string, fev1L: number, fvcL: number): SessionTrial => ({
  id, fev1L, fvcL, bevL: 0.08, fetS: 8, endOfTestVolumeL: 0.015, fivcL: fvcL,
});

describe('grades (Table 10; clinical.md §7.3 examples, adult)', () => {
  const cases: Array<[number[], string]> = [
    [[3.2, 3.12, 3.1], 'A'], [[3.2, 3.12], 'B'], [[3.2, 3.02], 'C'], [[3.2, 2.97], 'D'], [[3.2, 2.8], 'E'], [[3.2], 'E'],
    [[3.2, 3.05, 3.0], 'A'], // exactly 150 mL counts as repeatable (≤)
  ];
  for (const [values, grade] of cases) it(`{${values.join(', ')}} → ${grade}`, () => expect(gradeParameter(values, values.length, 40).grade).toBe(grade));
  it('{} → F, or U with a usable one', () => {
    expect(gradeParameter([], 0, 40).grade).toBe('F');
    expect(gradeParameter([], 1, 40).grade).toBe('U');
  });
  it('≤ 6 y: 0.100 L or 10 % of the highest value, whichever is greater', () => {
    expect(gradeParameter([1.5, 1.37, 1.36], 3, 5).grade).toBe('A'); // 130 mL ≤ 150 mL (10 %)
    expect(gradeParameter([0.8, 0.69, 0.68], 3, 5).grade).toBe('C'); // 110 mL > 100 mL, ≤ 150 mL
  });
});

describe('acceptability and usability (Table 7)', () => {
  it('BEV over max(0.100 L, 5 % FVC) makes a trial neither acceptable nor usable', () => {
    const q = assessTrial({ ...goodTrial('1', 3, 4), bevL: 0.21 }, { ageYears: 40 });
    expect([q.fev1Acceptable, q.fvcAcceptable, q.fev1Usable, q.fvcUsable]).toEqual([false, false, false, false]);
    expect(assessTrial({ ...goodTrial('1', 3, 4), bevL: 0.2 }, { ageYears: 40 }).fev1Acceptable).toBe(true);
  });

  it('no end of forced expiration: FEV1 acceptable, FVC not (unless repeatable with an earlier larger FVC)', () => {
    const early = { ...goodTrial('1', 3, 4), endOfTestVolumeL: 0.1, fetS: 4 };
    const q = assessTrial(early, { ageYears: 40 });
    expect([q.fev1Acceptable, q.fvcAcceptable, q.fvcUsable, q.endOfForcedExpiration]).toEqual([true, false, true, null]);
    expect(assessTrial(early, { ageYears: 40, largestEarlierFvcL: 4.1 }).endOfForcedExpiration).toBe('repeatable_fvc');
    expect(assessTrial({ ...early, fetS: 15 }, { ageYears: 40 }).endOfForcedExpiration).toBe('fet_15s');
  });

  it('cough in the first second: FEV1 neither acceptable nor usable; FVC still usable', () => {
    const q = assessTrial({ ...goodTrial('1', 3, 4), coughFirstSecond: true }, { ageYears: 40 });
    expect([q.fev1Acceptable, q.fev1Usable, q.fvcAcceptable, q.fvcUsable]).toEqual([false, false, false, true]);
  });

  it('FIVC larger than FVC by more than max(0.100 L, 5 %) is not acceptable', () => {
    expect(assessTrial({ ...goodTrial('1', 3, 4), fivcL: 4.25 }, { ageYears: 40 }).fvcAcceptable).toBe(false);
    expect(assessTrial({ ...goodTrial('1', 3, 4), fivcL: 4.2 }, { ageYears: 40 }).fvcAcceptable).toBe(true);
  });
});

describe('session: repeatability and selection', () => {
  it('reports the largest acceptable FEV1 and FVC, possibly from different blows, and the best test', () => {
    const session = assessSession([goodTrial('t1', 3.1, 4.3), goodTrial('t2', 3.2, 4.2), goodTrial('t3', 3.15, 4.25)], 40);
    expect(session.fev1).toMatchObject({ grade: 'A', acceptableCount: 3, repeatable: true });
    expect(session.selected).toMatchObject({ fev1L: 3.2, fev1From: 't2', fvcL: 4.3, fvcFrom: 't1', bestTestId: 't1' });
  });

  it('falls back to a usable FEV1 with grade U', () => {
    const session = assessSession([{ ...goodTrial('t1', 3.1, 4.3), obstructedMouthpiece: true }], 40);
    expect(session.fev1.grade).toBe('U');
    expect(session.selected.fev1L).toBe(3.1);
  });
});
