/**
 * HL7 v2.5 ORU^R01 carrying one approved report version to the HIS / EMR (../shared/docs/interfaces.md §2.2–2.4,
 * §2.6): discrete values, the conclusion, and the signed PDF (or its JPEG pages) as ED.
 *
 * Layout:
 *   MSH  MSH-10 = {@link reportControlId}({@link reportDeliveryKey}) unless given: a retry carries the same id, a new
 *        version a new one, and the withdrawal of a version another one (derived from `${idempotencyKey}:revoke`).
 *        MSH-15/16 empty (original acknowledgement mode). MSH-18 as in orm.ts: `GB 18030-2000` for GBK (HL7 table
 *        0211 has no GBK value; GBK bytes are valid GB18030) and `UNICODE UTF-8`.
 *   PID  PID-3 repeats: HIS patient id (type PI), 门诊号 (MZH), 住院号 (ZYH), each with the HIS assigning authority.
 *        HL7 table 0203 has no 门诊号/住院号 concept, so those two type codes are local (override `identifierTypes`
 *        per the hospital's interface document). PID-5 whole name as family name (see ../worklist/chinese-name.ts).
 *   PV1  PV1-2 O / I / E (体检 configurable, default O), PV1-19 = 门诊/住院流水号 (type VN).
 *   ORC  RE, placer = 申请单号 (HIS), filler = accession (PFTIS), ORC-5 CM (empty on a revoke: a withdrawn report says
 *        nothing about the order's state), ORC-9 approval time, ORC-12 ordering doctor.
 *   OBR  OBR-4 item code^name, OBR-7 exam date, OBR-16 ordering doctor, OBR-22 approval time, OBR-24 PF,
 *        OBR-25 F (publish) / C (replace) / X (revoke), OBR-32 reviewer (principal interpreter), OBR-33 reporter,
 *        OBR-34 technician.
 *   NTE  the correction reason (`更正原因：…`) on a replacement, the revocation reason (`撤回原因：…`) on a revoke.
 *   OBX  per result (parameter × stage) one group sharing OBX-4 = the group number:
 *          measured        NM, OBX-7 `LLN-ULN` (or `>LLN` / `<ULN`), OBX-8 L/H/N
 *          predicted       NM (when present)
 *          z-score         NM, unit {Zscore}, local code only (no LOINC exists)
 *          % predicted     NM, unit %
 *        OBX-3 = LOINC^text^LN^local^text^L where LOINC has a code (../report/codes.ts), else local^text^L.
 *        Results without a measured value are left out.
 *        Then the conclusion (FT, `CONCLUSION^检查结论`, line breaks as \.br\), 电子签章号 and the verification URL
 *        (ST), and the document as ED: `^AP^PDF^Base64^…` (or `^application^pdf^Base64^…` with edStyle 'mime'; JPEG
 *        pages as `^IM^JPEG^Base64^…`). Every OBX-11 is F, or C on a replacement.
 *
 * Revoke (withdrawal of a delivered version, e.g. sent for the wrong patient): the same ORU^R01 with the same order
 * numbers and the same observations, so a HIS that files per OBX finds what to take back, but
 *   - OBR-25 = X: HL7 table 0123 has no "sent in error" value; X ("no results available; order canceled") is the one
 *     that says the results no longer stand (interfaces.md §2.2 lists X as cancelled).
 *   - OBX-11 = W by default: table 0085 W "post original as wrong, e.g. transmitted for wrong patient" is exactly a
 *     withdrawal (v2-to-FHIR maps W, like D, to Observation.status entered-in-error). `revokedObservationStatus` picks
 *     D ("deletes the OBX record") or X ("results cannot be obtained", → cancelled) for a HIS that asks for those.
 *   - the reason in an NTE, and no ED OBX whatever `document` says: the PDF is not sent again.
 * Timestamps are hospital local time without offset (§2.2).
 */
import { type LoincTable, PFT_LOINC, type DerivedKind, UCUM_Z_SCORE, abnormalFlag, formatNumber, localCode, loincFor, resultText } from '../report/codes.ts';
import type { DeliveredReport, DeliveredResult } from '../report/delivered-report.ts';
import { reportControlId, reportDeliveryKey, toBase64 } from '../report/ids.ts';
import { type NameSplit, splitPersonName } from '../worklist/chinese-name.ts';
import { DEFAULT_HOSPITAL_TIME_ZONE, localDateTimeParts } from '../worklist/local-time.ts';
import { escapeHl7, escapeHl7FormattedText } from './escape.ts';
import { type Hl7Charset, MSH18_BY_CHARSET, encodeHl7Message } from './orm.ts';

export interface ReportOruOptions {
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  encoding: Hl7Charset;
  /** MSH-10; default: derived from the idempotency key. */
  controlId?: string;
  /** MSH-7. */
  now: Date;
  processingId?: 'P' | 'T' | 'D';
  /** Overrides MSH-18 ('' leaves it empty, as many Chinese HIS expect). */
  msh18?: string;
  timeZone?: string;
  /** Assigning authority of the HIS numbers (PID-3, PV1-19, placer). Default `HIS`. */
  hisAuthority?: string;
  /** Assigning authority of the filler number. Default `PFTIS`. */
  pftisAuthority?: string;
  identifierTypes?: Partial<{ hisPatientId: string; outpatientNo: string; inpatientNo: string }>;
  nameSplit?: NameSplit;
  /** PV1-2 for 体检. Default `O`. */
  physicalExamPatientClass?: string;
  /** Coding system of OBR-4 item codes and of PFTIS local observation codes (HL7 table 0396). Default `L`. */
  localCodingSystem?: string;
  /** What goes in the ED OBX: the PDF (default), the JPEG pages, or nothing (a HIS that takes a path or URL). */
  document?: 'pdf' | 'jpg' | 'none';
  /** `hl7`: ^AP^PDF^Base64 / ^IM^JPEG^Base64 (default); `mime`: ^application^pdf^Base64 / ^image^jpeg^Base64. */
  edStyle?: 'hl7' | 'mime';
  /** LOINC codes per parameter, merged over {@link PFT_LOINC} (e.g. `{ TLC: { measured: '19862-2' } }`). */
  loinc?: LoincTable;
  /** OBX-11 of a revoke (HL7 table 0085): W (default, "post original as wrong"), D ("deletes the OBX record") or X. */
  revokedObservationStatus?: 'W' | 'D' | 'X';
}

export interface ReportOru {
  /** Segments ended by CR, the last one too. */
  message: string;
  bytes: Uint8Array;
  controlId: string;
}

export const DEFAULT_IDENTIFIER_TYPES = { hisPatientId: 'PI', outpatientNo: 'MZH', inpatientNo: 'ZYH' } as const;

const PATIENT_CLASS = { outpatient: 'O', inpatient: 'I', emergency: 'E' } as const;
const SEX = { male: 'M', female: 'F', unknown: 'U' } as const;

/**
 * Builds and encodes the message. Throws (with the offending characters named) when a character cannot be written
 * in the chosen encoding, e.g. a CJK Extension B character in GBK: iconv would write '?' into a patient's name.
 */
export function buildReportOru(report: DeliveredReport, options: ReportOruOptions): ReportOru {
  const controlId = options.controlId?.trim() || reportControlId(reportDeliveryKey(report));
  const message = reportOruMessage(report, { ...options, controlId });
  const bytes = encodeHl7Message(message, options.encoding);
  if (!bytes.ok) throw new Error(`report ${report.idempotencyKey}: ${bytes.reason}`);
  return { message, bytes: bytes.value, controlId };
}

function reportOruMessage(report: DeliveredReport, options: ReportOruOptions & { controlId: string }): string {
  const timeZone = options.timeZone ?? DEFAULT_HOSPITAL_TIME_ZONE;
  const his = options.hisAuthority ?? 'HIS';
  const pftis = options.pftisAuthority ?? 'PFTIS';
  const local = options.localCodingSystem ?? 'L';
  const types = { ...DEFAULT_IDENTIFIER_TYPES, ...options.identifierTypes };
  const revoke = report.action === 'revoke';
  const status = revoke ? 'X' : report.action === 'replace' ? 'C' : 'F';
  const observationStatus = revoke ? (options.revokedObservationStatus ?? 'W') : status;
  const loinc: LoincTable = { ...PFT_LOINC, ...options.loinc };
  const { patient, order } = report;

  const approved = hl7Time(report.approvedAt, timeZone);
  const examTime = hl7Time(order.examDate, timeZone);
  const placer = field(order.requestNo, order.requestNo ? his : undefined);
  const filler = field(order.accessionNo, pftis);
  const orderingDoctor = field(undefined, order.requestingDoctor ?? undefined);
  const name = splitPersonName(patient.name, options.nameSplit ?? 'whole-name-as-family');
  const patientClass = order.visitType === 'physical' ? (options.physicalExamPatientClass ?? 'O') : PATIENT_CLASS[order.visitType];
  const identifiers = [
    [patient.hisPatientId, types.hisPatientId],
    [patient.outpatientNo, types.outpatientNo],
    [patient.inpatientNo, types.inpatientNo],
  ]
    .filter((entry): entry is [string, string] => typeof entry[0] === 'string' && entry[0].trim() !== '')
    .map(([value, type]) => field(value, undefined, undefined, his, type))
    .join('~');

  const segments: string[] = [
    segment('MSH', {
      2: '^~\\&',
      3: field(options.sendingApplication),
      4: field(options.sendingFacility),
      5: field(options.receivingApplication),
      6: field(options.receivingFacility),
      7: hl7Time(options.now, timeZone),
      9: 'ORU^R01^ORU_R01',
      10: field(options.controlId),
      11: options.processingId ?? 'P',
      12: '2.5',
      17: 'CHN',
      18: field(options.msh18 ?? MSH18_BY_CHARSET[options.encoding]),
    }),
    segment('PID', {
      1: '1',
      3: identifiers,
      5: field(name.family, name.given),
      7: patient.birthDate.replace(/-/g, ''),
      8: SEX[patient.sex],
    }),
    segment('PV1', {
      1: '1',
      2: field(patientClass),
      19: order.visitSerialNo ? field(order.visitSerialNo, undefined, undefined, his, 'VN') : '',
    }),
    segment('ORC', {
      1: 'RE',
      2: placer,
      3: filler,
      5: revoke ? '' : 'CM',
      9: approved,
      12: orderingDoctor,
      17: field(undefined, order.requestingDepartment ?? undefined),
    }),
    segment('OBR', {
      1: '1',
      2: placer,
      3: filler,
      4: field(order.itemCode ?? undefined, order.itemName, order.itemCode ? local : undefined),
      7: examTime,
      16: orderingDoctor,
      22: approved,
      24: 'PF',
      25: status,
      32: interpreter(report.reviewer),
      33: interpreter(report.reporter),
      34: interpreter(report.technician),
    }),
  ];
  if (report.action === 'replace' && report.correctionReason?.trim()) {
    segments.push(segment('NTE', { 1: '1', 2: 'L', 3: escapeHl7FormattedText(`更正原因：${report.correctionReason.trim()}`) }));
  }
  if (revoke) segments.push(segment('NTE', { 1: '1', 2: 'L', 3: escapeHl7FormattedText(`撤回原因：${report.revocationReason?.trim() || '未说明'}`) }));

  let setId = 0;
  const obx = (fields: Record<number, string>) => segments.push(segment('OBX', { 1: String(++setId), 11: observationStatus, ...fields }));
  const technician = field(undefined, report.technician ?? undefined);
  const reportHasPost = report.results.some((r) => r.stage === 'post' && r.value !== null);
  const observationId = (result: DeliveredResult, kind: DerivedKind) => {
    const text = resultText(result, kind, reportHasPost);
    const code = localCode(result.param, result.stage, kind);
    const ln = loincFor(loinc, result.param, kind);
    return ln ? field(ln, text, 'LN', code, text, local) : field(code, text, local);
  };

  let group = 0;
  for (const result of report.results) {
    if (result.value === null) continue;
    group += 1;
    const common = { 4: String(group), 14: examTime, 16: technician };
    obx({ ...common, 2: 'NM', 3: observationId(result, 'measured'), 5: formatNumber(result.value), 6: field(result.unit), 7: referenceRange(result), 8: abnormalFlag(result) });
    if (result.predicted !== null) obx({ ...common, 2: 'NM', 3: observationId(result, 'predicted'), 5: formatNumber(result.predicted), 6: field(result.unit) });
    if (result.zScore !== null) obx({ ...common, 2: 'NM', 3: observationId(result, 'zScore'), 5: formatNumber(result.zScore), 6: field(UCUM_Z_SCORE) });
    if (result.pctPredicted !== null) obx({ ...common, 2: 'NM', 3: observationId(result, 'percentPredicted'), 5: formatNumber(result.pctPredicted), 6: '%' });
  }

  if (report.conclusion.text.trim() !== '') {
    obx({ 2: 'FT', 3: field('CONCLUSION', '检查结论', local), 5: escapeHl7FormattedText(report.conclusion.text.trim()), 14: approved });
  }
  if (report.signatureSerial) obx({ 2: 'ST', 3: field('SIGNATURE_SERIAL', '电子签章号', local), 5: field(report.signatureSerial), 14: approved });
  if (report.verificationUrl) obx({ 2: 'ST', 3: field('VERIFICATION_URL', '报告验证地址', local), 5: escapeHl7(report.verificationUrl), 14: approved });

  const mime = options.edStyle === 'mime';
  // A revoke never sends the document again.
  const documentKind = revoke ? 'none' : (options.document ?? 'pdf');
  if (documentKind === 'pdf') {
    const type = mime ? 'application^pdf' : 'AP^PDF';
    obx({ 2: 'ED', 3: field('REPORT_PDF', `${order.itemName}报告`, local), 5: `^${type}^Base64^${toBase64(report.pdf.bytes)}`, 14: approved });
  } else if (documentKind === 'jpg') {
    const type = mime ? 'image^jpeg' : 'IM^JPEG';
    for (const [index, page] of (report.jpgPages ?? []).entries()) {
      obx({ 2: 'ED', 3: field('REPORT_JPG', `${order.itemName}报告 第${index + 1}页`, local), 4: String(index + 1), 5: `^${type}^Base64^${toBase64(page)}`, 14: approved });
    }
  }
  return segments.join('\r') + '\r';
}

/** OBX-7: `LLN-ULN`, `>LLN` or `<ULN` (interfaces.md §2.2). */
function referenceRange(result: DeliveredResult): string {
  const { lln, uln } = result;
  if (lln !== null && uln !== null) return `${formatNumber(lln)}-${formatNumber(uln)}`;
  if (lln !== null) return escapeHl7(`>${formatNumber(lln)}`);
  if (uln !== null) return escapeHl7(`<${formatNumber(uln)}`);
  return '';
}

/** NDL with the name in the CNN family-name subcomponent (`&name`). */
function interpreter(name: string | null): string {
  return name?.trim() ? `&${escapeHl7(name.trim())}` : '';
}

/** Fields by number, empty in between, trailing empties dropped. MSH-2 is the encoding characters. */
function segment(name: string, fields: Record<number, string>): string {
  const numbers = Object.keys(fields).map(Number).filter((n) => fields[n] !== '');
  const last = numbers.length ? Math.max(...numbers) : 0;
  const first = name === 'MSH' ? 2 : 1;
  const values: string[] = [];
  for (let n = first; n <= last; n++) values.push(fields[n] ?? '');
  return [name, ...values].join('|');
}

/** Escapes and joins components, dropping trailing empty ones. */
function field(...components: Array<string | null | undefined>): string {
  const escaped = components.map((component) => escapeHl7(component ?? ''));
  let last = escaped.length;
  while (last > 0 && escaped[last - 1] === '') last -= 1;
  return escaped.slice(0, last).join('^');
}

/** `YYYY-MM-DD` → `YYYYMMDD`; an instant (Date or ISO with offset) → local `YYYYMMDDHHMMSS`. */
export function hl7Time(value: Date | string, timeZone: string = DEFAULT_HOSPITAL_TIME_ZONE): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value.replace(/-/g, '');
  const instant = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(instant.getTime())) throw new Error(`not a date or time: ${String(value)}`);
  const t = localDateTimeParts(instant, timeZone);
  return `${t.year}${t.month}${t.day}${t.hour}${t.minute}${t.second}`;
}
