/**
 * Parameter names as devices print them, in English, French and Chinese, mapped to the clinical core's codes
 * (packages/clinical/src/types.ts ParamId), and the unit conversions into the core's units (clinical.md §2):
 * volumes in L, flows in L/s, FEV1/FVC and FEV1/FEV6 as fractions 0–1, RV/TLC in percent.
 * Names follow interfaces.md §8.2. Note the European flow naming: MEF25 / DEM25 (flow when 25 % of the FVC remains)
 * is the ATS FEF75; MEF75 / DEM75 is FEF25.
 */
import { compact } from './text.ts';
import { normaliseUnit } from './values.ts';

export type ParamKind = 'volume' | 'flow' | 'ratio' | 'percent' | 'tlco' | 'kco' | 'other';

export interface ParamInfo {
  /** The clinical core's code, or null for a known parameter the core has no code for (FEV1/VC, FEF50, FIV1…). */
  param: string | null;
  /** A stable English name, also for parameters without a core code. */
  name: string;
  kind: ParamKind;
}

const P = (param: string | null, name: string, kind: ParamKind, aliases: string[]) => ({ info: { param, name, kind }, aliases });

const TABLE = [
  P('FEV1', 'FEV1', 'volume', ['FEV1', 'FEV 1', 'FEV1.0', 'FEV1(BTPS)', 'VEMS', '一秒量', '第一秒用力呼气容积', '第1秒用力呼气容积', '一秒用力呼气容积', '用力呼气一秒量', '第一秒用力呼气量', '1秒量']),
  P('FVC', 'FVC', 'volume', ['FVC', 'FVC ex', 'FVCex', 'CVF', 'CV Forcée Expi', 'CV forcée', '用力肺活量', '用力呼气肺活量']),
  P('FEV1FVC', 'FEV1/FVC', 'ratio', ['FEV1/FVC', 'FEV1%FVC', 'FEV1/FVC%', 'FEV1 % FVC', 'FEV1FVC', 'FEV1_FVC', 'FEV1%F', 'FEV1/FVC ratio', 'VEMS/CVF', 'VEMS%CF', 'VEMS%CVF', 'VEMS/CF', '一秒率', '一秒率(FEV1/FVC)', 'FEV1/FVC(一秒率)', '一秒量/用力肺活量', '第一秒用力呼气容积/用力肺活量']),
  P(null, 'FEV1/VC', 'other', ['FEV1/VC', 'FEV1%VC', 'FEV1 % VC MAX', 'FEV1%VCmax', 'FEV1/VCmax', 'VEMS%CV', 'VEMS/CV', 'VEMS%CVmax', 'VEMS % CV MAX', '一秒量/最大肺活量', 'FEV1%VC MAX']),
  P('FEV1FEV6', 'FEV1/FEV6', 'ratio', ['FEV1/FEV6', 'FEV1%FEV6', 'FEV1FEV6', 'FEV1_FEV6']),
  P('FEV6', 'FEV6', 'volume', ['FEV6', 'VEMS6', '六秒量']),
  P('PEF', 'PEF', 'flow', ['PEF', 'PEFR', 'PEF(L/s)', 'DEP', 'DPE', '峰值呼气流量', '呼气峰流速', '峰流速', '呼气峰值流量', '最高呼气流量', '呼气峰流量', '最大呼气流量']),
  P('FEF2575', 'FEF25-75', 'flow', ['FEF25-75', 'FEF2575', 'FEF25-75%', 'FEF 25-75', 'FEF25/75', 'MMEF', 'MMEF 75/25', 'MMEF75/25', 'MMEF25-75', 'MMF', 'MEF25-75', 'DEMM', 'DEMM 25/75', 'DEM25-75', 'DEM 25-75', 'DEM25/75', '最大呼气中期流量', '最大呼气中段流量', '用力呼气中期流量', '最大呼气中期流速']),
  P('FEF75', 'FEF75', 'flow', ['FEF75', 'FEF 75', 'FEF75%', 'MEF25', 'MEF 25', 'DEM25', 'DEM 25', 'V25', '用力呼出75%肺活量时的流量', '用力呼出75%肺活量的呼气流量', '呼出75%肺活量时的流量']),
  P(null, 'FEF50', 'flow', ['FEF50', 'FEF 50', 'FEF50%', 'MEF50', 'MEF 50', 'DEM50', 'DEM 50', 'V50', '用力呼出50%肺活量时的流量', '用力呼出50%肺活量的呼气流量', '呼出50%肺活量时的流量']),
  P(null, 'FEF25', 'flow', ['FEF25', 'FEF 25', 'FEF25%', 'MEF75', 'MEF 75', 'DEM75', 'DEM 75', 'V75', '用力呼出25%肺活量时的流量', '用力呼出25%肺活量的呼气流量', '呼出25%肺活量时的流量']),
  P(null, 'FIV1', 'volume', ['FIV1', 'VIMS', '第一秒用力吸气容积']),
  P(null, 'FET', 'other', ['FET', 'FET100%', '用力呼气时间']),
  P('VC', 'VC', 'volume', ['VC', 'VC max', 'VCmax', 'VC MAX', 'VC IN', 'VCin', 'VC EX', 'VCex', 'IVC', 'SVC', 'CV', 'CV max', 'CVmax', 'Capacité vitale', '肺活量', '最大肺活量', '慢肺活量', 'VC(最大肺活量)']),
  P('IC', 'IC', 'volume', ['IC', 'CI', 'Capacité inspiratoire', '深吸气量']),
  P('ERV', 'ERV', 'volume', ['ERV', 'VRE', '补呼气量', '补呼气容积']),
  P('TLC', 'TLC', 'volume', ['TLC', 'TLC-He', 'TLC He', 'TLC pleth', 'TLC-SB', 'CPT', 'CPT pleth', '肺总量', '肺总容积', '肺总量(TLC)']),
  P('RV', 'RV', 'volume', ['RV', 'RV-He', 'RV pleth', 'VR', 'VR pleth', '残气量', '残气容积', '残气']),
  P('FRC', 'FRC', 'volume', ['FRC', 'FRC-He', 'FRC pleth', 'ITGV', 'CRF', 'CRF pleth', 'VGT', '功能残气量', '功能残气容积', '功能残气']),
  P('RVTLC', 'RV/TLC', 'percent', ['RV/TLC', 'RV%TLC', 'RV % TLC', 'RV/TLC%', 'RVTLC', 'RV_TLC', 'VR/CPT', 'VR%CPT', 'VR % CPT', '残总比', '残气量/肺总量', '残气量/肺总量%', '残总气量百分比']),
  P('TLCO_SI', 'TLCO', 'tlco', ['TLCO', 'TLCO SB', 'TLCOsb', 'TLCO-SB', 'TLco', '一氧化碳弥散量', '肺一氧化碳弥散量', '一口气弥散量', '弥散量', '一氧化碳弥散量(TLCO)']),
  P('DLCO_trad', 'DLCO', 'tlco', ['DLCO', 'DLCO SB', 'DLCOsb', 'DLCO-SB', 'DLco', 'DLCOc', 'DLCOcor', 'DLCO SB 一口气弥散量']),
  P('KCO_SI', 'KCO', 'kco', ['KCO', 'TLCO/VA', 'DLCO/VA', 'KCO SB', 'TLCO/VA SB', 'DLCO/VA SB', '比弥散量', '单位肺泡容积弥散量', '弥散量/肺泡容积']),
  P('VA', 'VA', 'volume', ['VA', 'VA SB', 'VA-SB', 'VAsb', '肺泡容积', '肺泡通气量']),
] as const;

const ALIASES = new Map<string, ParamInfo>();
for (const row of TABLE) for (const a of row.aliases) ALIASES.set(compact(a), row.info);

/** Marks devices put after a name (`FEV1*`, `FVC #`) and bracketed units are not part of it. */
const clean = (label: string) => label.replace(/\s*[[(（【][^\])）】]*[\])）】]\s*$/, '').replace(/[*#†:：]+\s*$/, '').trim();

/**
 * The parameter a printed row label names: the whole label first, then its words and runs of Chinese or Latin
 * characters (`用力肺活量 FVC`, `FEV1 一秒量`), longest first. Null when nothing is known.
 */
export function resolveParam(label: string): ParamInfo | null {
  const whole = clean(label);
  const direct = ALIASES.get(compact(whole)) ?? ALIASES.get(compact(label));
  if (direct) return direct;
  // OCR confuses I, l and 1 ("Cl" for CI): try the upper-case I reading of a short all-Latin label
  const ocr = compact(whole);
  if (/^[a-z0-9%/]{2,8}$/.test(ocr) && /[l1]/.test(ocr)) {
    const hit = ALIASES.get(ocr.replace(/l|(?<=[a-z])1(?![0-9])/g, 'i'));
    if (hit) return hit;
  }
  const parts = whole.split(/\s+|(?<=[\u4e00-\u9fff）)])(?=[A-Za-z])|(?<=[A-Za-z0-9%)])(?=[\u4e00-\u9fff])/).filter(Boolean);
  for (let len = parts.length - 1; len >= 1; len--) {
    for (let i = 0; i + len <= parts.length; i++) {
      const hit = ALIASES.get(compact(parts.slice(i, i + len).join(' '))) ?? ALIASES.get(compact(clean(parts.slice(i, i + len).join(' '))));
      if (hit) return hit;
    }
  }
  return null;
}

export interface Converted {
  param: string | null;
  unit: string | null;
  value: number | null;
  predicted: number | null;
  lln: number | null;
  uln: number | null;
  warnings: string[];
}

/**
 * Brings one row into the core's units. `unit` is the printed unit (any spelling) or null when none was printed.
 * z-scores and % predicted are unit-free and left alone by the caller. FEV1/FVC comes back as a fraction with a
 * null unit (as ndd XML sends it); a ratio printed without a unit is taken as percent when above 1.5.
 */
export function toCoreUnits(info: ParamInfo | null, printedUnit: string | null, v: { value: number | null; predicted: number | null; lln: number | null; uln: number | null }): Converted {
  const unit = normaliseUnit(printedUnit);
  const warnings: string[] = [];
  const scale = (f: number) => (x: number | null) => (x === null ? null : x * f);
  const out = (param: string | null, u: string | null, f: number | ((x: number | null) => number | null)): Converted => {
    const g = typeof f === 'function' ? f : f === 1 ? (x: number | null) => x : scale(f);
    return { param, unit: u, value: g(v.value), predicted: g(v.predicted), lln: g(v.lln), uln: g(v.uln), warnings };
  };
  if (!info) return out(null, unit, 1);
  const { param, kind } = info;
  switch (kind) {
    case 'volume':
      if (unit === 'mL') return out(param, 'L', (x) => (x === null ? null : x / 1000));
      if (unit === null || unit === 'L') return out(param, 'L', 1);
      break;
    case 'flow':
      if (unit === 'L/min') return out(param, 'L/s', (x) => (x === null ? null : x / 60));
      if (unit === null || unit === 'L/s') return out(param, 'L/s', 1);
      break;
    case 'ratio': {
      const looksPercent = unit === '%' || (unit === null && [v.value, v.predicted].some((x) => x !== null && x > 1.5));
      if (unit !== null && unit !== '%') break;
      return out(param, null, looksPercent ? (x) => (x === null ? null : x / 100) : 1);
    }
    case 'percent': {
      const looksFraction = unit === null && [v.value, v.predicted].every((x) => x === null || x <= 1.5) && v.value !== null;
      if (unit !== null && unit !== '%') break;
      return out(param, '%', looksFraction ? (x) => (x === null ? null : x * 100) : 1);
    }
    case 'tlco':
      // the printed unit decides SI vs traditional, whatever the name says
      if (unit === 'mmol/min/kPa') return out('TLCO_SI', unit, 1);
      if (unit === 'mL/min/mmHg') return out('DLCO_trad', unit, 1);
      if (unit === null) return out(param, param === 'TLCO_SI' ? 'mmol/min/kPa' : 'mL/min/mmHg', 1);
      break;
    case 'kco':
      if (unit === 'mmol/min/kPa/L') return out('KCO_SI', unit, 1);
      if (unit === 'mL/min/mmHg/L') return out('KCO_trad', unit, 1);
      if (unit === null) return out(param, 'mmol/min/kPa/L', 1);
      break;
    case 'other':
      return out(param, unit, 1);
  }
  warnings.push(`unit "${printedUnit}" is unexpected for ${info.name}; value kept as printed`);
  return out(param, unit, 1);
}
