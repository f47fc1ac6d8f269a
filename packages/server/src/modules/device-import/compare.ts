/**
 * Our reference values and interpretation next to the device's own: on import, every value the device printed a
 * predicted, LLN, ULN, z-score or % predicted for is compared with ours, and a difference larger than the rounding of
 * both numbers is flagged. Devices often use another equation (the real ndd export uses NHANES III with the age
 * truncated), so a flag is information for the physician, not an error. Pure.
 */
import type { ExtractedMeasurement } from '@pftis/formats/device-report/extraction';
import type { ReportContent } from '../reports/draft.js';

type Field = 'predicted' | 'lln' | 'uln' | 'zscore' | 'pctPred';
const FIELDS: Field[] = ['predicted', 'lln', 'uln', 'zscore', 'pctPred'];

export interface ValueComparison {
  param: string;
  stage: 'pre' | 'post';
  device: Partial<Record<Field, number>>;
  ours: Partial<Record<Field, number>>;
  /** The fields whose difference is beyond rounding. */
  differs: Field[];
}

export interface DeviceComparison {
  /** The equations we used, as recorded with the result. */
  equations: string[];
  ours: { pattern: string | null; severity: string | null; bdr: 'positive' | 'negative' | null; narrative: string | null } | null;
  rows: ValueComparison[];
  flagged: number;
  /** Why some of ours could not be computed (English). */
  warnings: string[];
}

/** Half a unit of the last printed digit (at most 4 decimals: float32 values print with 17 digits). */
function rounding(value: number): number {
  const decimals = Math.min((String(value).split('.')[1] ?? '').length, 4);
  return 0.5 * 10 ** -decimals;
}

export function compareWithDevice(content: ReportContent, measurements: readonly ExtractedMeasurement[]): DeviceComparison {
  const rows: ValueComparison[] = [];
  for (const m of measurements) {
    if (!m.param) continue;
    const row = content.rows.find((r) => r.param === m.param && r.reference === 'equation');
    if (!row) continue;
    const ours: ValueComparison['ours'] = m.stage === 'pre'
      ? { predicted: row.predicted ?? undefined, lln: row.lln ?? undefined, uln: row.uln ?? undefined, zscore: row.zScore ?? undefined, pctPred: row.pctPredicted ?? undefined }
      : { predicted: row.predicted ?? undefined, lln: row.lln ?? undefined, uln: row.uln ?? undefined, zscore: row.postZScore ?? undefined, pctPred: row.postPctPredicted ?? undefined };
    const device: ValueComparison['device'] = {};
    const differs: Field[] = [];
    for (const field of FIELDS) {
      const theirs = deviceValue(m, field);
      if (theirs === null) continue;
      device[field] = theirs;
      const mine = ours[field];
      // Ours are stored to 4 decimals (z-score and % predicted to 2 and 1).
      const ownRounding = field === 'zscore' ? 0.005 : field === 'pctPred' ? 0.05 : 0.00005;
      if (mine !== undefined && Math.abs(mine - theirs) > rounding(theirs) + ownRounding + 1e-9) differs.push(field);
    }
    if (Object.keys(device).length) rows.push({ param: m.param, stage: m.stage, device, ours: Object.fromEntries(Object.entries(ours).filter(([, v]) => v !== undefined)), differs });
  }
  const i = content.interpretation;
  return {
    equations: content.equations.map((e) => `${e.group}: ${e.equation}${e.ethnicity ? ` (${e.ethnicity})` : ''}`),
    ours: i ? { pattern: i.pattern, severity: i.severity, bdr: i.bdr, narrative: i.narrative.zh } : null,
    rows,
    flagged: rows.filter((r) => r.differs.length).length,
    warnings: content.warnings,
  };
}

function deviceValue(m: ExtractedMeasurement, field: Field): number | null {
  const value = field === 'zscore' ? m.zscore : field === 'pctPred' ? m.pctPred : m[field];
  // Ratios: the device may print the predicted FEV1/FVC in %; ours is a fraction.
  if (value !== null && m.param === 'FEV1FVC' && (field === 'predicted' || field === 'lln' || field === 'uln') && value > 1.5) return value / 100;
  return value;
}
