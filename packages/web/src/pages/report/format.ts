import type { ReportCurve, ReportRow } from './api.ts';

/** LLN is the 5th centile: z = −1.645. */
export const Z_LLN = -1.645;
/** The range the z-score bar draws, as printed reports do. */
export const Z_MIN = -5;
export const Z_MAX = 3;

/** Names and decimals of the values a report shows; FEV1/FVC is kept as a fraction and shown in %. */
export const PARAMS: Record<string, { code: string; zh: string; en: string; decimals: number; fraction?: boolean }> = {
  FVC: { code: 'FVC', zh: '用力肺活量', en: 'Forced vital capacity', decimals: 2 },
  FEV1: { code: 'FEV1', zh: '第一秒用力呼气容积', en: 'Forced expiratory volume in 1 s', decimals: 2 },
  FEV1FVC: { code: 'FEV1/FVC', zh: '一秒率', en: 'FEV1/FVC ratio', decimals: 1, fraction: true },
  FEV6: { code: 'FEV6', zh: '六秒用力呼气容积', en: 'Forced expiratory volume in 6 s', decimals: 2 },
  PEF: { code: 'PEF', zh: '呼气峰流量', en: 'Peak expiratory flow', decimals: 2 },
  FEF2575: { code: 'FEF25-75', zh: '用力呼气中期流量', en: 'Mid-expiratory flow', decimals: 2 },
  FEF75: { code: 'FEF75', zh: '呼出 75% 肺活量时流量', en: 'Flow at 75% of FVC exhaled', decimals: 2 },
  VC: { code: 'VC', zh: '肺活量', en: 'Vital capacity', decimals: 2 },
  TLC: { code: 'TLC', zh: '肺总量', en: 'Total lung capacity', decimals: 2 },
  RV: { code: 'RV', zh: '残气量', en: 'Residual volume', decimals: 2 },
  RVTLC: { code: 'RV/TLC', zh: '残总比', en: 'RV/TLC', decimals: 1 },
  FRC: { code: 'FRC', zh: '功能残气量', en: 'Functional residual capacity', decimals: 2 },
  ERV: { code: 'ERV', zh: '补呼气量', en: 'Expiratory reserve volume', decimals: 2 },
  IC: { code: 'IC', zh: '深吸气量', en: 'Inspiratory capacity', decimals: 2 },
  TLCO_SI: { code: 'DLCO', zh: '一氧化碳弥散量', en: 'Transfer factor for CO', decimals: 2 },
  KCO_SI: { code: 'KCO', zh: '比弥散量', en: 'Transfer coefficient', decimals: 2 },
  VA: { code: 'VA', zh: '肺泡容积', en: 'Alveolar volume', decimals: 2 },
};

export function paramInfo(param: string) {
  return PARAMS[param] ?? { code: param, zh: '', en: '', decimals: 2 };
}

function fixed(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  const s = value.toFixed(decimals);
  // "-0.00" reads as a finding; show it as zero.
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}

/** A value of the row in the unit it is shown in: fractions (FEV1/FVC) as %. */
export function formatValue(row: Pick<ReportRow, 'param'>, value: number | null | undefined): string {
  const info = paramInfo(row.param);
  return fixed(value === null || value === undefined ? value : info.fraction ? value * 100 : value, info.decimals);
}

export function displayUnit(row: Pick<ReportRow, 'param' | 'unit'>): string {
  return paramInfo(row.param).fraction ? '%' : row.unit;
}

export const formatZ = (z: number | null | undefined) => fixed(z, 2);
export const formatPct = (pct: number | null | undefined) => fixed(pct, 0);

export function formatChange(pct: number | null | undefined): string {
  const s = fixed(pct, 1);
  return s !== '' && pct && pct > 0 && !/^0(\.0)?$/.test(s) ? `+${s}` : s;
}

/** Below the lower limit of normal: by z-score when there is one, else against the LLN value. */
export function belowLln(value: number | null, z: number | null, lln: number | null): boolean {
  if (value === null) return false;
  if (z !== null) return z < Z_LLN;
  return lln !== null && value < lln;
}

/** Where a z-score sits on the bar, 0 (left, z −5) to 1 (right, z +3); values outside are pinned to the ends. */
export function zPosition(z: number): number {
  const clamped = Math.min(Z_MAX, Math.max(Z_MIN, z));
  return (clamped - Z_MIN) / (Z_MAX - Z_MIN);
}

/** Waiting time split for display: days only when over a day. */
export function waitParts(minutes: number): { days: number; hours: number; minutes: number } {
  const total = Math.max(0, Math.round(minutes));
  return { days: Math.floor(total / 1440), hours: Math.floor((total % 1440) / 60), minutes: total % 60 };
}

/** The trial with the largest FVC of each stage is the one drawn bold (ATS/ERS: the best test). */
export function bestTrialKeys(curves: readonly ReportCurve[]): Set<string> {
  const best = new Map<string, { key: string; fvc: number }>();
  for (const c of curves) {
    const fvc = c.volumeL.length ? Math.max(...c.volumeL) - Math.min(...c.volumeL) : 0;
    const current = best.get(c.stage);
    if (!current || fvc > current.fvc) best.set(c.stage, { key: curveKey(c), fvc });
  }
  return new Set([...best.values()].map((b) => b.key));
}

export const curveKey = (c: Pick<ReportCurve, 'stage' | 'number'>) => `${c.stage}-${c.number}`;

/** Points of a trial for the two charts, volume from the start of the blow, thinned to about `maxPoints`. */
export function curvePoints(c: ReportCurve, maxPoints = 400): { flowVolume: Array<[number, number]>; volumeTime: Array<[number, number]> } {
  const start = c.volumeL[0] ?? 0;
  const n = Math.min(c.flowLps.length, c.volumeL.length);
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const flowVolume: Array<[number, number]> = [];
  const volumeTime: Array<[number, number]> = [];
  for (let i = 0; i < n; i += step) {
    const volume = round3((c.volumeL[i] ?? 0) - start);
    flowVolume.push([volume, round3(c.flowLps[i] ?? 0)]);
    volumeTime.push([round3(i * c.sampleIntervalS), volume]);
  }
  return { flowVolume, volumeTime };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Inserts text into a textarea's value at the selection, and where the cursor goes after it. */
export function insertAt(value: string, text: string, start: number | null, end: number | null): { value: string; cursor: number } {
  const from = start === null ? value.length : Math.min(Math.max(0, start), value.length);
  const to = end === null ? from : Math.min(Math.max(from, end), value.length);
  return { value: value.slice(0, from) + text + value.slice(to), cursor: from + text.length };
}
