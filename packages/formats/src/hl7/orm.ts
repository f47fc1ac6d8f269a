/**
 * HL7 v2.4 ORM^O01 orders from PFTIS to a device system: new order (ORC-1 `NW`) and cancel (ORC-1 `CA`).
 * Field usage follows ../shared/docs/interfaces.md §2.2; the segment layout follows the Polish sample
 * ../shared/samples/hl7v2/pl_mes_lungtest_orm_o01_spiro_order.hl7 (MSH, PID, PV1, ORC, OBR).
 *
 * Decisions:
 * - Version 2.4: the latest version ORM^O01 is defined in (OMG^O19 replaces it from 2.5, interfaces.md §2.1), and
 *   table 0211 in 2.4 lists `GB 18030-2000`.
 * - Charset defaults to GBK, what Chinese device software and HIS send (§2.6). MSH-18 says `GB 18030-2000` for GBK
 *   and GB18030 (GBK bytes are valid GB18030, and table 0211 has no GBK value) and `UNICODE UTF-8` for UTF-8;
 *   `msh18` overrides it ('' leaves it empty, as many Chinese HIS do).
 * - MSH-15/16 are empty: original acknowledgement mode, so the receiver answers AA/AE/AR on the same connection.
 * - One ORC/OBR pair per item (ORM^O01 allows one order detail segment per ORC). All pairs carry the same placer
 *   number (申请单号, ORC-2/OBR-2) and filler number (accession, ORC-3/OBR-3), since the accession is the exam;
 *   items are told apart by OBR-1 and OBR-4.
 * - PID-5: the whole Chinese name in the family-name component, given name empty (see ../worklist/chinese-name.ts);
 *   `nameSplit` changes that.
 * - PV1-2: O / I / E (§2.2); 体检 has no HL7 value, so it is configurable and defaults to `O` (an ambulatory visit).
 * - A cancel carries its reason in an NTE after each OBR, as the Polish cancel sample does (§2.4).
 * - Timestamps are hospital local time without offset (§2.2 MSH-7).
 */
import { type NameSplit, splitPersonName } from '../worklist/chinese-name.ts';
import { DEFAULT_HOSPITAL_TIME_ZONE, localDateTimeParts } from '../worklist/local-time.ts';
import { type Result, fail, ok } from '../worklist/result.ts';
import { encodeText } from '../worklist/text-encoding.ts';
import { type CodedName, type VisitType, type WorklistEntry, validateWorklistEntry } from '../worklist/worklist-entry.ts';
import { escapeHl7 } from './escape.ts';

export type Hl7Charset = 'gbk' | 'gb18030' | 'utf-8';

export const MSH18_BY_CHARSET: Readonly<Record<Hl7Charset, string>> = {
  gbk: 'GB 18030-2000',
  gb18030: 'GB 18030-2000',
  'utf-8': 'UNICODE UTF-8',
};

export interface OrmOptions {
  sendingApplication: string;
  sendingFacility?: string;
  receivingApplication: string;
  receivingFacility?: string;
  /** MSH-10: unique per message; the ACK echoes it in MSA-2. */
  controlId: string;
  /** MSH-7 and ORC-9; defaults to now. */
  messageTime?: Date;
  /** MSH-11. */
  processingId?: 'P' | 'T' | 'D';
  charset?: Hl7Charset;
  msh18?: string;
  /** Assigning authority of PID-3 and of the placer number. */
  hisAuthority?: string;
  /** Assigning authority of the filler number. */
  pftisAuthority?: string;
  /** OBR-4 coding system of the HIS item codes (HL7 table 0396 `L` = local). */
  itemCodingSystem?: string;
  /** PV1-2 for 体检 visits. */
  physicalExamPatientClass?: string;
  nameSplit?: NameSplit;
  timeZone?: string;
}

export interface OrmCancelOptions extends OrmOptions {
  reason?: string;
}

const PATIENT_CLASS: Record<Exclude<VisitType, 'physical'>, string> = {
  outpatient: 'O',
  inpatient: 'I',
  emergency: 'E',
};

const SEX: Record<WorklistEntry['sex'], string> = { male: 'M', female: 'F', unknown: 'U' };

export const SEGMENT_SEPARATOR = '\r';

export function buildOrmNewOrder(entry: WorklistEntry, options: OrmOptions): Result<string> {
  return buildOrm(entry, options, 'NW', undefined);
}

export function buildOrmCancel(entry: WorklistEntry, options: OrmCancelOptions): Result<string> {
  return buildOrm(entry, options, 'CA', options.reason);
}

/** The message's bytes in its charset; fails, instead of writing '?', on a character the charset lacks. */
export function encodeHl7Message(message: string, charset: Hl7Charset): Result<Uint8Array> {
  const bytes = encodeText(message, charset);
  return bytes.ok ? bytes : fail(`HL7 message ${bytes.reason}`);
}

type Component = string | undefined;

function buildOrm(
  entry: WorklistEntry,
  options: OrmOptions,
  orderControl: 'NW' | 'CA',
  cancelReason: string | undefined,
): Result<string> {
  const problems = validateWorklistEntry(entry);
  if (options.controlId.trim() === '') problems.push('controlId is empty');
  if (problems.length > 0) return fail(`invalid worklist entry: ${problems.join('; ')}`);

  const timeZone = options.timeZone ?? DEFAULT_HOSPITAL_TIME_ZONE;
  const messageTime = hl7Timestamp(options.messageTime ?? new Date(), timeZone);
  const scheduled = hl7Timestamp(entry.scheduledAt, timeZone);
  const charset = options.charset ?? 'gbk';
  const his = options.hisAuthority ?? 'HIS';
  const pftis = options.pftisAuthority ?? 'PFTIS';
  const name = splitPersonName(entry.name, options.nameSplit ?? 'whole-name-as-family');
  const placer = field(entry.requestNo, his);
  const filler = field(entry.accessionNumber, pftis);
  const timing = field(undefined, undefined, undefined, scheduled, undefined, 'R');
  const doctor = coded(entry.requestingDoctor);
  const patientClass =
    entry.visitType === 'physical' ? (options.physicalExamPatientClass ?? 'O') : PATIENT_CLASS[entry.visitType];

  const segments: string[] = [
    // MSH-1 is the field separator itself, so MSH-2 is the first joined element.
    segment(
      'MSH',
      '^~\\&',
      field(options.sendingApplication),
      field(options.sendingFacility),
      field(options.receivingApplication),
      field(options.receivingFacility),
      messageTime,
      '',
      'ORM^O01',
      field(options.controlId),
      options.processingId ?? 'P',
      '2.4',
      '',
      '',
      '',
      '',
      'CHN',
      field(options.msh18 ?? MSH18_BY_CHARSET[charset]),
    ),
    segment(
      'PID',
      '1',
      '',
      field(entry.patientId, undefined, undefined, his, 'PI'),
      '',
      field(name.family, name.given),
      '',
      entry.birthDate.replace(/-/g, ''),
      SEX[entry.sex],
    ),
    segment(
      'PV1',
      '1',
      field(patientClass),
      field(entry.ward, undefined, entry.bed),
      ...Array<string>(15).fill(''),
      field(entry.visitSerialNo),
    ),
  ];

  for (const [index, item] of entry.items.entries()) {
    segments.push(
      segment(
        'ORC',
        orderControl,
        placer,
        filler,
        '',
        '',
        '',
        timing,
        '',
        messageTime,
        '',
        '',
        doctor,
        '',
        '',
        '',
        '',
        coded(entry.requestingDepartment),
      ),
      segment(
        'OBR',
        String(index + 1),
        placer,
        filler,
        field(item.code, item.name, options.itemCodingSystem ?? 'L'),
        '',
        scheduled,
        ...Array<string>(6).fill(''),
        field(entry.clinicalDiagnosis),
        '',
        '',
        doctor,
        ...Array<string>(7).fill(''),
        'PF',
        '',
        '',
        timing,
      ),
    );
    if (cancelReason !== undefined && cancelReason.trim() !== '') {
      segments.push(segment('NTE', '1', 'P', field(cancelReason)));
    }
  }
  return ok(segments.join(SEGMENT_SEPARATOR) + SEGMENT_SEPARATOR);
}

/** Joins fields, dropping trailing empty ones. */
function segment(name: string, ...fields: string[]): string {
  let last = fields.length;
  while (last > 0 && fields[last - 1] === '') last -= 1;
  return [name, ...fields.slice(0, last)].join('|');
}

/** Escapes and joins components, dropping trailing empty ones. */
function field(...components: Component[]): string {
  const escaped = components.map((component) => escapeHl7(component ?? ''));
  let last = escaped.length;
  while (last > 0 && escaped[last - 1] === '') last -= 1;
  return escaped.slice(0, last).join('^');
}

/** CE / XCN: code^name; a name without a code goes into the second component, where receivers look for text. */
function coded(value: CodedName | undefined): string {
  return value === undefined ? '' : field(value.code, value.name);
}

function hl7Timestamp(instant: Date, timeZone: string): string {
  const t = localDateTimeParts(instant, timeZone);
  return `${t.year}${t.month}${t.day}${t.hour}${t.minute}${t.second}`;
}
