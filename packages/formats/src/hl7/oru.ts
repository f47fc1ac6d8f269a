/**
 * HL7 v2 ORU^R01 results from a lung-function device or system (../shared/docs/interfaces.md §2): the order ids,
 * the patient, one value per OBX and the interpretation text. Codes are read by what they mean, not by their
 * labels: the Irish sample labels LOINC 19872-1 "FEV1/FVC ratio" although 19872-1 is FVC measured/predicted
 * (../shared/samples/SOURCES.md), so only confirmed LOINC codes are mapped. Never throws.
 */
import type { ParseResult } from '../result.ts';
import { unescapeHl7 } from './escape.ts';

export interface OruObservation {
  setId: string;
  valueType: string;
  code: string;
  text: string;
  codingSystem: string;
  /** Our parameter name where the code is known (ratios as fractions), else null. */
  param: string | null;
  stage: 'pre' | 'post';
  /** What the value is: a measurement, or a device-computed % of predicted. */
  kind: 'measured' | 'percent-predicted' | 'change' | 'text';
  value: number | null;
  rawValue: string;
  unit: string;
  referenceRange: string;
  abnormalFlag: string;
  observedAt: string | null;
}

export interface OruResult {
  messageControlId: string;
  sendingApplication: string;
  /** MSH-18 as declared (may be wrong: the CP1250 sample is stored as UTF-8). */
  declaredCharset: string;
  patientId: string | null;
  patientName: string | null;
  /** PID-8 as M/F, else null. */
  patientSex: 'M' | 'F' | null;
  /** PID-7 as YYYY-MM-DD. */
  patientBirthDate: string | null;
  /** PV1-2 patient class (O outpatient, I inpatient, E emergency) and PV1-19 visit number (门诊/住院流水号). */
  patientClass: string | null;
  visitNumber: string | null;
  placerOrderNo: string | null;
  fillerOrderNo: string | null;
  observations: OruObservation[];
  interpretation: string | null;
}

// Confirmed LOINC codes (interfaces.md §3.4): measured values only.
const LOINC: Record<string, string> = { '20150-9': 'FEV1', '19868-9': 'FVC', '19926-5': 'FEV1FVC', '19935-6': 'PEF', '19927-3': 'FEF2575' };
const LOINC_PERCENT_PREDICTED = new Set(['20152-5', '19872-1']);
// Local codes as LUNGTEST-style systems send them, with _PRE/_POST stages.
const LOCAL: Record<string, string> = { FVC: 'FVC', FEV1: 'FEV1', FEV1_FVC: 'FEV1FVC', FEV1FVC: 'FEV1FVC', PEF: 'PEF', FEF25_75: 'FEF2575', FEF2575: 'FEF2575', FEV6: 'FEV6', VC: 'VC', TLC: 'TLC', RV: 'RV', FRC: 'FRC', DLCO: 'DLCO_trad', TLCO: 'TLCO_SI', KCO: 'KCO_SI', VA: 'VA' };

/** Decodes the message: UTF-8 when the bytes are valid UTF-8 (whatever MSH-18 claims), else the declared charset. */
export function decodeHl7(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 300));
    const charset = head.split(/\r|\n/)[0]?.split('|')[17]?.toUpperCase() ?? '';
    const label = /1250/.test(charset) ? 'windows-1250' : /GB|18030/.test(charset) ? 'gb18030' : /8859/.test(charset) ? 'iso-8859-1' : 'utf-8';
    return new TextDecoder(label).decode(bytes);
  }
}

function classify(code: string, text: string, system: string): Pick<OruObservation, 'param' | 'stage' | 'kind'> {
  const post = /_POST$|post|po rozkurczu|舒张后/i.test(`${code} ${text}`) ? 'post' : 'pre';
  if (/^LN$/i.test(system)) {
    if (LOINC_PERCENT_PREDICTED.has(code)) return { param: null, stage: post, kind: 'percent-predicted' };
    return { param: LOINC[code] ?? null, stage: post, kind: 'measured' };
  }
  const base = code.toUpperCase().replace(/_(PRE|POST)$/, '');
  if (/_PRED$/.test(base) || /% ?pred/i.test(text)) return { param: null, stage: post, kind: 'percent-predicted' };
  if (/CHANGE|ZMIANA/.test(base)) return { param: null, stage: 'post', kind: 'change' };
  return { param: LOCAL[base] ?? null, stage: post, kind: 'measured' };
}

export function readOru(input: string | Uint8Array): ParseResult<OruResult> {
  const text = typeof input === 'string' ? input : decodeHl7(input);
  const segments = text.split(/\r\n|\r|\n/).map((s) => s.replace(/^\v/, '').replace(/\x1c$/, '')).filter((s) => s.length > 0);
  const msh = segments.find((s) => s.startsWith('MSH'));
  if (!msh || msh.length < 8) return { ok: false, reason: 'no MSH segment' };
  const separator = msh[3]!;
  const component = msh[4] ?? '^';
  const fields = (segment: string) => segment.split(separator);
  const mshFields = [separator, ...fields(msh).slice(1)]; // MSH-1 is the separator itself
  const messageType = mshFields[8] ?? '';
  if (!/^ORU/.test(messageType)) return { ok: false, reason: `message type ${messageType || 'missing'}, expected ORU^R01` };
  const pid = segments.find((s) => s.startsWith(`PID${separator}`));
  const orc = segments.find((s) => s.startsWith(`ORC${separator}`));
  const obr = segments.find((s) => s.startsWith(`OBR${separator}`));
  const first = (value: string | undefined) => (value ? value.split(component)[0] || null : null);
  const observations: OruObservation[] = [];
  let interpretation: string | null = null;
  for (const segment of segments.filter((s) => s.startsWith(`OBX${separator}`))) {
    const f = fields(segment);
    const [code = '', label = '', system = ''] = (f[3] ?? '').split(component);
    const rawValue = unescapeHl7(f[5] ?? '');
    const valueType = f[2] ?? '';
    if (valueType === 'FT' || valueType === 'TX' || valueType === 'ST') {
      if (/INTERP|CONCL|结论/i.test(`${code} ${label}`)) interpretation = rawValue;
      observations.push({ setId: f[1] ?? '', valueType, code, text: label.split('&')[0] ?? label, codingSystem: system, param: null, stage: 'pre', kind: 'text', value: null, rawValue, unit: f[6] ?? '', referenceRange: f[7] ?? '', abnormalFlag: f[8] ?? '', observedAt: f[14] || null });
      continue;
    }
    const unit = (f[6] ?? '').split(component)[0] ?? '';
    const number = Number(rawValue.replace(',', '.'));
    const classified = classify(code, label, system);
    // Ratios arrive as percent (83.6 %) from many systems; the clinical core keeps them as fractions.
    const value = Number.isFinite(number) && rawValue.trim() !== '' ? (classified.param === 'FEV1FVC' && unit === '%' ? number / 100 : number) : null;
    observations.push({ setId: f[1] ?? '', valueType, code, text: label.split('&')[0] ?? label, codingSystem: system, ...classified, value, rawValue, unit: classified.param === 'FEV1FVC' && unit === '%' ? '' : unit, referenceRange: f[7] ?? '', abnormalFlag: f[8] ?? '', observedAt: f[14] || null });
  }
  if (!observations.length && !interpretation) {
    const nte = segments.filter((s) => s.startsWith(`NTE${separator}`)).map((s) => unescapeHl7(fields(s)[3] ?? ''));
    if (!nte.length) return { ok: false, reason: 'no OBX results in the message' };
  }
  const notes = segments.filter((s) => s.startsWith(`NTE${separator}`)).map((s) => unescapeHl7(fields(s)[3] ?? '')).join('\n');
  const pidFields = pid ? fields(pid) : [];
  const pv1 = segments.find((s) => s.startsWith(`PV1${separator}`));
  const pv1Fields = pv1 ? fields(pv1) : [];
  const birth = /^(\d{4})(\d{2})(\d{2})/.exec(pidFields[7] ?? '');
  const sex = (pidFields[8] ?? '').toUpperCase();
  return {
    ok: true,
    value: {
      messageControlId: mshFields[9] ?? '',
      sendingApplication: first(mshFields[2]) ?? '',
      declaredCharset: mshFields[17] ?? '',
      patientId: first(pidFields[3]) ?? first(pidFields[2]),
      patientName: pidFields[5] ? pidFields[5].split(component).slice(0, 2).filter(Boolean).join(' ') : null,
      patientSex: sex === 'M' ? 'M' : sex === 'F' ? 'F' : null,
      patientBirthDate: birth ? `${birth[1]}-${birth[2]}-${birth[3]}` : null,
      patientClass: first(pv1Fields[2]),
      visitNumber: first(pv1Fields[19]),
      placerOrderNo: first(orc ? fields(orc)[2] : undefined) ?? first(obr ? fields(obr)[2] : undefined),
      fillerOrderNo: first(orc ? fields(orc)[3] : undefined) ?? first(obr ? fields(obr)[3] : undefined),
      observations,
      interpretation: interpretation ?? (notes || null),
    },
  };
}
