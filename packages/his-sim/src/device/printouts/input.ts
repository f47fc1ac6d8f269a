/**
 * What a simulated device prints: one plain object, the same for every layout. Values are in the clinical core's
 * units (volumes L, flows L/s, FEV1/FVC and FEV1/FEV6 as fractions 0–1, RV/TLC in percent, TLCO mmol/min/kPa,
 * DLCO mL/min/mmHg); each layout converts to what its device prints (FEV1/FVC in percent, PEF in L/min, mL…) and
 * rounds to its own precision.
 */

export type PrintoutLayout = 'sentrysuite' | 'easyone' | 'chinese' | 'chinese-nonembedded';

export interface PrintoutRow {
  /** Clinical core code: FVC, FEV1, FEV1FVC, FEV6, PEF, FEF2575, FEF75, VC, IC, ERV, TLC, RV, FRC, RVTLC, TLCO_SI, DLCO_trad, KCO_SI, VA. */
  param: string;
  predicted: number | null;
  lln: number | null;
  pre: number | null;
  preZ: number | null;
  prePctPred: number | null;
  post?: number | null;
  postZ?: number | null;
  postPctPred?: number | null;
  /** Post vs pre, percent. */
  changePct?: number | null;
}

export interface PrintoutInput {
  institution: string;
  patient: {
    name: string;
    id: string;
    sex: 'M' | 'F';
    /** YYYY-MM-DD. */
    birthDate: string;
    age: number;
    heightCm: number;
    weightKg: number;
  };
  identifiers: {
    accessionNo: string | null;
    /** 申请单号. */
    requestNo: string | null;
    /** 门诊流水号. */
    outpatientSerial: string | null;
    /** 住院流水号. */
    inpatientSerial: string | null;
  };
  test: {
    /** Local time, YYYY-MM-DDTHH:MM:SS. */
    measuredAt: string;
    operator: string;
    device: string;
    deviceSerial: string;
    qualityGrade?: string | null;
  };
  results: PrintoutRow[];
  /** The device's conclusion; lines separated by \n. */
  conclusion: string;
}

export interface PrintoutOptions {
  /** Chinese layouts: print volumes in mL instead of L. */
  volumeUnit?: 'L' | 'mL';
}

/** Parameter kinds, for units and precision. */
export function kindOf(param: string): 'volume' | 'flow' | 'ratio' | 'percent' | 'tlco' | 'dlco' | 'kco' {
  if (param === 'FEV1FVC' || param === 'FEV1FEV6') return 'ratio';
  if (param === 'RVTLC') return 'percent';
  if (param === 'PEF' || param.startsWith('FEF')) return 'flow';
  if (param === 'TLCO_SI') return 'tlco';
  if (param === 'DLCO_trad') return 'dlco';
  if (param === 'KCO_SI') return 'kco';
  return 'volume';
}

export const fixed = (x: number | null | undefined, digits: number): string => (x === null || x === undefined ? '' : x.toFixed(digits));

/** A z-score or change as devices print it: a minus sign when negative, no plus sign. */
export const signed = (x: number | null | undefined, digits: number): string => (x === null || x === undefined ? '' : (Object.is(x, -0) ? 0 : x).toFixed(digits));

export const dateParts = (iso: string) => {
  const [y, m, d] = iso.slice(0, 10).split('-');
  const [hh = '00', mi = '00', ss = '00'] = (iso.slice(11) || '00:00:00').split(':');
  return { y: y!, m: m!, d: d!, hh, mi, ss };
};
