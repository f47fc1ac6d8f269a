import { describe, expect, it } from 'vitest';
import type { CalibrationCheck, QcDay, QcOverviewRow, QcPolicy } from './api.ts';
import { deviceNotice } from './DeviceCheckNotice.tsx';
import { biologicalSeries, daysBefore, deviceAlerts, formatPct, monthGrid, monthRange, monthSummary, previewVolumeCheck, shiftMonth, strokeError, volumeSeries, yRange } from './logic.ts';
import { qcEn, qcTranslator, qcZh } from './messages.ts';

const day = (date: string, volume: QcDay['volume'], extra: Partial<QcDay> = {}): QcDay => ({ date, volume, checks: volume === 'missing' ? 0 : 1, biological: null, exams: 0, ...extra });

const check = (values: Partial<CalibrationCheck>): CalibrationCheck => ({
  id: 'c', deviceId: 'd', campusId: 'k', kind: 'volume_check', source: 'manual', performedAt: '2026-12-01T02:00:00.000Z', checkDate: '2026-12-01', operatorName: '王技师',
  syringeVolumeL: 3, syringeSerial: null, temperatureC: null, pressureHpa: null, humidityPct: null, injections: [], subject: null, fev1L: null, fvcL: null,
  baselineFev1L: null, baselineFvcL: null, baselineSessions: null, passed: true, problems: [], attachmentSha256: null, attachmentName: null, notes: '', documents: [], actions: [], ...values,
});

const policy: QcPolicy = { blockWithoutPassedCheck: false, biologicalControlLimitPct: 5, biologicalControlLimitL: 0.15, biologicalControlCombine: 'either' };
const row = (values: Partial<QcOverviewRow>): QcOverviewRow => ({ deviceId: 'd', name: '肺功能仪', room: '', today: 'passed', lastCheckAt: null, lastPassed: null, examsToday: 0, lastBiologicalAt: null, lastBiologicalPassed: null, ...values });

describe('the month calendar', () => {
  it('lays December 2026 out from Monday, with each day in its state, future days blank, and days before the records as none', () => {
    const days = [day('2026-12-02', 'passed'), day('2026-12-03', 'failed', { exams: 4 }), day('2026-12-04', 'missing', { exams: 2, biological: 'passed' }), day('2026-12-07', 'passed', { exams: 9 })];
    const weeks = monthGrid('2026-12', days, '2026-12-07');
    // 1 December 2026 is a Tuesday.
    expect(weeks[0]!.map((c) => c?.dayOfMonth ?? null)).toEqual([null, 1, 2, 3, 4, 5, 6]);
    expect(weeks).toHaveLength(5);
    expect(weeks.at(-1)!.map((c) => c?.dayOfMonth ?? null)).toEqual([28, 29, 30, 31, null, null, null]);
    const cell = (d: number) => weeks.flat().find((c) => c?.dayOfMonth === d)!;
    expect([1, 2, 3, 4, 5, 7, 8].map((d) => cell(d).status)).toEqual(['none', 'passed', 'failed', 'missing', 'none', 'passed', 'future']);
    expect(cell(3)).toMatchObject({ uncovered: true, exams: 4 });
    expect(cell(4)).toMatchObject({ uncovered: true, biological: 'passed' });
    expect(cell(7)).toMatchObject({ uncovered: false, today: true });
    expect(monthSummary(weeks)).toEqual({ passed: 2, failed: 1, missing: 1, uncovered: 2 });
  });

  it('moves between months and knows their lengths', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2027-01', -1)).toBe('2026-12');
    expect(shiftMonth('2026-03', -14)).toBe('2025-01');
    expect(monthRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(monthRange('2026-02').to).toBe('2026-02-28');
    expect(daysBefore('2026-03-01', 1)).toBe('2026-02-28');
  });
});

describe('the volume-check preview (the rule of the clinical core)', () => {
  it('takes ±3 % as inside and anything beyond as out, and needs three strokes', () => {
    expect(strokeError(3, 3.09)).toMatchObject({ withinLimit: true });
    expect(strokeError(3, 2.91).withinLimit).toBe(true);
    expect(strokeError(3, 3.091).withinLimit).toBe(false);
    expect(previewVolumeCheck(3, [2.95, 3.02, 3.05])).toMatchObject({ pass: true, problems: [] });
    expect(previewVolumeCheck(3, [2.95, 3.12, null])).toMatchObject({ pass: false, problems: ['out-of-limit', 'too-few-injections'] });
    expect(previewVolumeCheck(3, [2.95, 3.12, 3])!.maxAbsErrorPct).toBeCloseTo(4, 10);
    expect(previewVolumeCheck(null, [3]).problems).toEqual(['invalid-syringe']);
  });
});

describe('the control-chart series', () => {
  it('plots every stroke and the signed largest error of each check, in time order, with failed ones marked', () => {
    const checks = [
      check({ id: 'b', performedAt: '2026-12-03T01:00:00.000Z', passed: false, injections: [{ measuredL: 2.95, errorPct: -1.67, withinLimit: true, flowLps: 6 }, { measuredL: 3.12, errorPct: 4, withinLimit: false, flowLps: 2 }] }),
      check({ id: 'a', performedAt: '2026-12-02T01:00:00.000Z', injections: [{ measuredL: 2.94, errorPct: -2, withinLimit: true }, { measuredL: 3.03, errorPct: 1, withinLimit: true }] }),
      check({ id: 'bio', kind: 'biological_control', injections: [] }),
    ];
    const [strokes, extremes] = volumeSeries(checks);
    expect(strokes!.points.map((p) => [p.id, p.y, p.out])).toEqual([['a', -2, false], ['a', 1, false], ['b', -1.67, false], ['b', 4, true]]);
    expect(extremes!.points.map((p) => [p.id, p.y, p.out])).toEqual([['a', -2, false], ['b', 4, true]]);
    expect(strokes!.points[3]!.label).toBe('3.12 L @ 2 L/s: +4.00%');
    expect(yRange([strokes!, extremes!], 3)).toBe(5);
    expect(yRange([], 3)).toBe(5);
  });

  it('plots biological control as deviation from the baseline it was judged against, skipping sessions that built it', () => {
    const sessions = [
      check({ id: 'x', kind: 'biological_control', subject: '李', fev1L: 3.5, fvcL: 4.5, problems: [{ code: 'baseline', detail: '' }] }),
      check({ id: 'y', kind: 'biological_control', subject: '李', performedAt: '2026-12-05T01:00:00.000Z', fev1L: 3.2, fvcL: 4.5, baselineFev1L: 3.5, baselineFvcL: 4.5, baselineSessions: 3, passed: false, problems: [{ code: 'out-of-limit', detail: 'FEV1 3.2 L is -0.300 L (-8.6 %)' }] }),
    ];
    const [fev1, fvc] = biologicalSeries(sessions);
    expect(fev1!.points.map((p) => [p.id, p.y.toFixed(2), p.out])).toEqual([['y', '-8.57', true]]);
    expect(fvc!.points.map((p) => [p.y, p.out])).toEqual([[0, false]]);
    expect(formatPct(-8.571)).toBe('−8.57%');
  });
});

describe('alerts', () => {
  it('raises missing and failed checks, exams done without one, a failed biological control, and a block in force', () => {
    const keys = (r: QcOverviewRow, p: QcPolicy | null = policy) => deviceAlerts(r, p).map((a) => [a.type, a.key, a.values?.count ?? null]);
    expect(keys(row({ today: 'missing' }))).toEqual([['warning', 'alert.todayMissing', null]]);
    expect(keys(row({ today: 'failed', examsToday: 3 }), { ...policy, blockWithoutPassedCheck: true })).toEqual([
      ['error', 'alert.todayFailed', null],
      ['error', 'alert.examsUncovered', 3],
      ['info', 'alert.blocking', null],
    ]);
    expect(keys(row({ today: 'passed', examsToday: 5 }))).toEqual([['success', 'alert.todayPassed', null]]);
    expect(keys(row({ today: 'passed', lastBiologicalPassed: false }))).toEqual([['warning', 'alert.biologicalFailed', null]]);
    expect(deviceAlerts(undefined, policy)).toEqual([]);
  });

  it('tells registration what the server will say of the chosen device', () => {
    expect(deviceNotice({ status: 'passed', blockWithoutPassedCheck: true })).toBeNull();
    expect(deviceNotice({ status: 'missing', blockWithoutPassedCheck: false })).toEqual({ type: 'warning', key: 'alert.todayMissing', blocking: false });
    expect(deviceNotice({ status: 'failed', blockWithoutPassedCheck: true })).toEqual({ type: 'error', key: 'alert.todayFailed', blocking: true });
  });
});

describe('messages', () => {
  it('has every string in Chinese and English, with the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(qcZh) as Array<keyof typeof qcZh>) expect(placeholders(qcEn[key]), key).toEqual(placeholders(qcZh[key]));
    expect(qcTranslator('zh-CN')('alert.examsUncovered', { count: 2 })).toBe('今日已在未通过定标的设备上登记 2 例检查');
    expect(qcTranslator('en')('calendar.exams', { count: 2 })).toBe('2 exam(s)');
  });
});
