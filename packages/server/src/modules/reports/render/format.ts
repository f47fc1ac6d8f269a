import type { ReportRow } from './report-document.js';

/** LLN is the 5th centile: z = −1.645. */
export const Z_LLN = -1.645;

function fixed(value: number | null, decimals: number): string {
  if (value === null || !Number.isFinite(value)) return '';
  const s = value.toFixed(decimals);
  // "-0.00" reads as a finding; print it as zero.
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}

export const formatValue = (value: number | null, row: ReportRow) => fixed(value, row.decimals);
export const formatZ = (z: number | null) => fixed(z, 2);
export const formatPct = (pct: number | null) => fixed(pct, 0);
export function formatChange(pct: number | null): string {
  const s = fixed(pct, 1);
  return s !== '' && pct !== null && pct > 0 && !/^0(\.0)?$/.test(s) ? `+${s}` : s;
}

export function belowLln(value: number | null, z: number | null, row: ReportRow): boolean {
  if (value === null) return false;
  if (z !== null) return z < Z_LLN;
  return row.lln !== null && value < row.lln;
}

/**
 * Row order of the ATS 2017 standardized report (Culver et al.): per test section, the primary values first
 * (FVC, FEV1, FEV1/FVC), then the other spirometry values, slow VC, lung volumes and transfer factor.
 * Parameters the list does not know keep their order after the known ones.
 */
const ATS_ORDER: Array<{ section: string; params: string[] }> = [
  { section: 'spirometry-primary', params: ['FVC', 'FEV1', 'FEV1FVC'] },
  {
    section: 'spirometry',
    params: ['FEV1VC', 'FEV6', 'FEV1FEV6', 'FEV3', 'FEV05', 'PEF', 'FEF2575', 'FEF25', 'FEF50', 'FEF75', 'FET', 'FIVC', 'PIF', 'FIF50'],
  },
  { section: 'svc', params: ['VC', 'SVC', 'IVC', 'IC', 'ERV', 'IRV', 'VT'] },
  { section: 'volumes', params: ['TLC', 'FRC', 'RV', 'RVTLC'] },
  { section: 'transfer', params: ['TLCO_SI', 'DLCO_trad', 'VA', 'KCO_SI', 'KCO_trad'] },
];

const RANK = new Map<string, { rank: number; section: string }>();
ATS_ORDER.forEach(({ section, params }, s) => params.forEach((p, i) => RANK.set(p, { rank: s * 100 + i, section })));

export function rowSection(param: string): string {
  return RANK.get(param)?.section ?? 'other';
}

export function atsOrder<T extends { param: string }>(rows: readonly T[]): T[] {
  return rows
    .map((row, index) => ({ row, index, rank: RANK.get(row.param)?.rank ?? 10_000 }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ row }) => row);
}
