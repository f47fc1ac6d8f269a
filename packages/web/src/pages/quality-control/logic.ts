import type { CalibrationCheck, QcDay, QcOverviewRow, QcPolicy } from './api.ts';
import type { QcMessageKey } from './messages.ts';

// The 质控 page's logic, free of React and the browser: the month calendar, the control-chart series and scales,
// the alerts, and a preview of the volume-check judgement (the server's judgement is the record).

/** ATS/ERS 2019 volume check: every stroke within ±3 % of the syringe volume (2.5 % device + 0.5 % syringe). */
export const VOLUME_LIMIT_PCT = 3;
export const MINIMUM_FLOWS = 3;

export type CellStatus = 'passed' | 'failed' | 'missing' | 'future' | 'none';

export interface CalendarCell {
  date: string;
  dayOfMonth: number;
  status: CellStatus;
  biological: 'passed' | 'failed' | null;
  exams: number;
  /** Exams done that day without a passed check. */
  uncovered: boolean;
  today: boolean;
}

const DAY_MS = 86_400_000;
const utc = (date: string) => Date.parse(`${date}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** 'YYYY-MM' of a 'YYYY-MM-DD' date. */
export const monthOf = (date: string) => date.slice(0, 7);

/** The month `delta` months from `month` ('YYYY-MM'). */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** First and last day of a month. */
export function monthRange(month: string): { from: string; to: string } {
  const from = `${month}-01`;
  return { from, to: iso(utc(`${shiftMonth(month, 1)}-01`) - DAY_MS) };
}

/**
 * The month as weeks from Monday to Sunday (null outside the month). A day the server listed has its state; a day
 * after today is 'future'; a day before the device's records begin is 'none'.
 */
export function monthGrid(month: string, days: QcDay[], today: string): Array<Array<CalendarCell | null>> {
  const byDate = new Map(days.map((d) => [d.date, d]));
  const { from, to } = monthRange(month);
  const cells: Array<CalendarCell | null> = [];
  const lead = (new Date(utc(from)).getUTCDay() + 6) % 7; // Monday = 0
  for (let i = 0; i < lead; i++) cells.push(null);
  for (let t = utc(from); t <= utc(to); t += DAY_MS) {
    const date = iso(t);
    const day = byDate.get(date);
    const status: CellStatus = date > today ? 'future' : day ? day.volume : 'none';
    cells.push({
      date,
      dayOfMonth: Number(date.slice(8)),
      status,
      biological: day?.biological ?? null,
      exams: day?.exams ?? 0,
      uncovered: !!day && day.exams > 0 && day.volume !== 'passed',
      today: date === today,
    });
  }
  while (cells.length % 7) cells.push(null);
  const weeks: Array<Array<CalendarCell | null>> = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

export function monthSummary(weeks: Array<Array<CalendarCell | null>>) {
  const cells = weeks.flat().filter((c): c is CalendarCell => c !== null);
  const count = (s: CellStatus) => cells.filter((c) => c.status === s).length;
  return { passed: count('passed'), failed: count('failed'), missing: count('missing'), uncovered: cells.filter((c) => c.uncovered).length };
}

/** Error of one stroke, judged as the clinical core does: in 0.01 % steps, so exactly ±3 % is inside. */
export function strokeError(syringeVolumeL: number, measuredL: number, limitPct = VOLUME_LIMIT_PCT) {
  const errorPct = (100 * (measuredL - syringeVolumeL)) / syringeVolumeL;
  return { errorPct, withinLimit: Math.round(Math.abs(errorPct) * 100) <= limitPct * 100 };
}

export type PreviewProblem = 'out-of-limit' | 'too-few-injections' | 'invalid-syringe';

/** What the server will say of a volume check being typed, shown before saving. */
export function previewVolumeCheck(syringeVolumeL: number | null | undefined, measured: Array<number | null | undefined>) {
  if (!syringeVolumeL || syringeVolumeL <= 0) return { pass: false, strokes: [], maxAbsErrorPct: null, problems: ['invalid-syringe'] as PreviewProblem[] };
  const strokes = measured.filter((m): m is number => typeof m === 'number' && m > 0).map((m) => ({ measuredL: m, ...strokeError(syringeVolumeL, m) }));
  const problems: PreviewProblem[] = [];
  if (strokes.some((s) => !s.withinLimit)) problems.push('out-of-limit');
  if (strokes.length < MINIMUM_FLOWS) problems.push('too-few-injections');
  const maxAbsErrorPct = strokes.length ? Math.max(...strokes.map((s) => Math.abs(s.errorPct))) : null;
  return { pass: problems.length === 0, strokes, maxAbsErrorPct, problems };
}

export interface ChartPoint {
  /** Milliseconds since the epoch. */
  t: number;
  /** Percent. */
  y: number;
  out: boolean;
  /** The record it belongs to. */
  id: string;
  label: string;
}

export interface ChartSeries {
  key: string;
  color: string;
  points: ChartPoint[];
  /** Drawn as a line through the points, or as dots only. */
  line: boolean;
}

const signedExtreme = (values: number[]) => values.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);

/** The volume-check chart: every stroke as a dot, and the largest error of each check as a line. */
export function volumeSeries(checks: CalibrationCheck[], limitPct = VOLUME_LIMIT_PCT): ChartSeries[] {
  const volume = checks.filter((c) => c.kind !== 'biological_control' && c.injections.length).sort((a, b) => a.performedAt.localeCompare(b.performedAt));
  const strokes: ChartPoint[] = [];
  const extremes: ChartPoint[] = [];
  for (const c of volume) {
    const t = Date.parse(c.performedAt);
    for (const i of c.injections) {
      strokes.push({ t, y: i.errorPct, out: Math.round(Math.abs(i.errorPct) * 100) > limitPct * 100, id: c.id, label: `${i.measuredL} L${i.flowLps != null ? ` @ ${i.flowLps} L/s` : ''}: ${formatPct(i.errorPct)}` });
    }
    const y = signedExtreme(c.injections.map((i) => i.errorPct));
    extremes.push({ t, y, out: !c.passed, id: c.id, label: formatPct(y) });
  }
  return [
    { key: 'strokes', color: '#8aa4b0', points: strokes, line: false },
    { key: 'extreme', color: '#0e6e8c', points: extremes, line: true },
  ];
}

/** Deviation of a biological-control session from the baseline it was judged against, percent (null while building it). */
export function biologicalDeviation(c: CalibrationCheck) {
  if (c.fev1L == null || c.fvcL == null || !c.baselineFev1L || !c.baselineFvcL) return null;
  return { fev1Pct: (100 * (c.fev1L - c.baselineFev1L)) / c.baselineFev1L, fvcPct: (100 * (c.fvcL - c.baselineFvcL)) / c.baselineFvcL };
}

/** The biological-control chart: FEV1 and FVC deviations from the subject's own baseline, one series each per subject. */
export function biologicalSeries(checks: CalibrationCheck[]): ChartSeries[] {
  const sessions = checks.filter((c) => c.kind === 'biological_control').sort((a, b) => a.performedAt.localeCompare(b.performedAt));
  const out = (c: CalibrationCheck, param: 'FEV1' | 'FVC') => c.problems.some((p) => p.code === 'out-of-limit' && p.detail.startsWith(`${param} `));
  const fev1: ChartPoint[] = [];
  const fvc: ChartPoint[] = [];
  for (const c of sessions) {
    const d = biologicalDeviation(c);
    if (!d) continue;
    const t = Date.parse(c.performedAt);
    fev1.push({ t, y: d.fev1Pct, out: out(c, 'FEV1'), id: c.id, label: `${c.subject ?? ''} FEV1 ${c.fev1L} L (${formatPct(d.fev1Pct)})` });
    fvc.push({ t, y: d.fvcPct, out: out(c, 'FVC'), id: c.id, label: `${c.subject ?? ''} FVC ${c.fvcL} L (${formatPct(d.fvcPct)})` });
  }
  return [
    { key: 'FEV1', color: '#0e6e8c', points: fev1, line: true },
    { key: 'FVC', color: '#b06f00', points: fvc, line: true },
  ];
}

/** Y range symmetric about zero: the limits with room, or the largest value if beyond; in whole percent. */
export function yRange(series: ChartSeries[], limitPct: number): number {
  const largest = Math.max(0, ...series.flatMap((s) => s.points.map((p) => Math.abs(p.y))));
  return Math.ceil(Math.max(limitPct * 1.5, largest * 1.1));
}

export function formatPct(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value).toFixed(2)}%`;
}

export interface QcAlert {
  type: 'error' | 'warning' | 'success' | 'info';
  key: QcMessageKey;
  values?: Record<string, number>;
}

/** The alerts at the top of a device's 质控 page: today's check missing or failed, exams it did not cover, biological control. */
export function deviceAlerts(row: QcOverviewRow | undefined, policy: QcPolicy | null): QcAlert[] {
  if (!row) return [];
  const alerts: QcAlert[] = [];
  if (row.today === 'failed') alerts.push({ type: 'error', key: 'alert.todayFailed' });
  if (row.today === 'missing') alerts.push({ type: 'warning', key: 'alert.todayMissing' });
  if (row.today !== 'passed' && row.examsToday > 0) alerts.push({ type: 'error', key: 'alert.examsUncovered', values: { count: row.examsToday } });
  if (row.lastBiologicalPassed === false) alerts.push({ type: 'warning', key: 'alert.biologicalFailed' });
  if (row.today !== 'passed' && policy?.blockWithoutPassedCheck) alerts.push({ type: 'info', key: 'alert.blocking' });
  if (row.today === 'passed' && alerts.length === 0) alerts.push({ type: 'success', key: 'alert.todayPassed' });
  return alerts;
}

/** The day `days` days before `date`. */
export const daysBefore = (date: string, days: number) => iso(utc(date) - days * DAY_MS);
