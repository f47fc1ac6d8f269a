/**
 * GDT record type 6302 "Neue Untersuchung anfordern": the practice system (PFTIS) asks the device software to start
 * an examination for a patient. Sources: ../shared/docs/interfaces.md §4 (line format §4.1, record types §4.2,
 * fields §4.3). None of it was checked against the QMS GDT 2.1 / 3.5 texts; verify against the device's GDT manual.
 *
 * Decisions:
 * - Encoding defaults to GBK because the device software that reads these files in China runs on Chinese Windows
 *   (code page 936). GB18030 is offered for names GBK lacks (CJK Extension B and later, e.g. 𠮷); 赟 and 堃 are in
 *   GBK (which covers all of U+4E00–U+9FA5), just not in GB2312.
 * - Field 9206 (character set) only has codes for 7-bit ASCII (1), IBM-PC CP437 (2) and ISO-8859-1 "ANSI" (3)
 *   (§4.1). ISO-8859-1 writes `3`. GBK, GB18030 and UTF-8 have no code, so 9206 is left out by default: writing `3`
 *   would tell a conforming reader to decode the Chinese bytes as Latin-1. The device must be configured for the
 *   encoding out of band; `charsetCode` sets a site-specific value.
 * - Names: a Chinese full name goes wholly into 3101 (surname) and 3102 is left out, because family/given cannot be
 *   told apart reliably (see ../worklist/chinese-name.ts); `nameSplit: 'split-chinese-surname'` splits it. A name the
 *   encoding cannot hold is an error by default, never '?': `unrepresentableName` may use the HIS pinyin or leave the
 *   name out (the device then identifies the patient by 3000 only, as §4.1 advises for Chinese patients).
 * - GDT 3.5: written in the same flat line layout as 2.1 plus 8413 (request ID, §4.3 "Seen (one source)") and
 *   9218 `03.50`. The GDT 3.x object wrapper (8133 / 8002 Obj_0033 …, §4.3) is not written: the only source for it
 *   is a spec summary of record 6310. Check with the device before using the 3.5 variant.
 * - 3110 is 1/2 (§4.3) in both versions by default; unknown sex leaves it out. 3622/3623 are whole cm / kg, the
 *   form in the GDT examples seen; half centimetres change predicted values by well under 1 %.
 * - Empty optional fields are left out rather than written as empty lines.
 */
import { type NameSplit, splitPersonName } from '../worklist/chinese-name.ts';
import { DEFAULT_HOSPITAL_TIME_ZONE, localDateTimeParts } from '../worklist/local-time.ts';
import { type Result, fail, ok } from '../worklist/result.ts';
import { type TextEncoding, encodeText } from '../worklist/text-encoding.ts';
import {
  type WorklistEntry,
  type WorklistTest,
  parseIsoDate,
  validateWorklistEntry,
} from '../worklist/worklist-entry.ts';

export type GdtVersion = '2.1' | '3.5';
export type GdtEncoding = TextEncoding;

/** What a name the file's encoding cannot hold becomes. */
export type UnrepresentableNamePolicy = 'error' | 'pinyin' | 'omit';

export interface GdtRequestOptions {
  /** 8315: the device software's GDT ID, as configured on the device. */
  receiverId: string;
  /** 8316: PFTIS's GDT ID. */
  senderId: string;
  version?: GdtVersion;
  encoding?: GdtEncoding;
  /** 8402 per test type; merged over DEFAULT_GDT_EXAM_CODES. */
  examCodes?: Partial<Record<WorklistTest, string>>;
  nameSplit?: NameSplit;
  unrepresentableName?: UnrepresentableNamePolicy;
  /** 9206 override; null leaves the field out. Default: `3` for ISO-8859-1, left out otherwise. */
  charsetCode?: string | null;
  /** 3110: 'digits' writes 1/2 (§4.3); 'letters' writes M/W, the GDT 3.5 coding seen in a spec summary (U). */
  sexCoding?: 'digits' | 'letters';
  timeZone?: string;
}

/**
 * 8402 is a device- and procedure-specific code; lung-function values are unverified (§4.3, `LUFU…`, `SPIRO…`).
 * These defaults only name the test and must be replaced with the codes from the device's GDT configuration.
 */
export const DEFAULT_GDT_EXAM_CODES: Readonly<Record<WorklistTest, string>> = {
  spirometry: 'SPIRO',
  bronchodilator: 'SPIRO',
  provocation: 'SPIRO',
  dlco: 'DLCO',
  lung_volumes: 'LUVO',
};

const GDT_VERSION_FIELD: Record<GdtVersion, string> = { '2.1': '02.10', '3.5': '03.50' };

/** LLL is three digits, so a line holds at most 999 − 3 − 4 − 2 bytes of content (§4.1). */
const MAX_CONTENT_BYTES = 990;
/** 8100 content is five digits (fixed width), so its own line is always 3 + 4 + 5 + 2 bytes. */
const RECORD_LENGTH_DIGITS = 5;
const RECORD_LENGTH_LINE_BYTES = 3 + 4 + RECORD_LENGTH_DIGITS + 2;

const CRLF = new Uint8Array([0x0d, 0x0a]);
const ASCII = new TextEncoder();

interface GdtField {
  field: string;
  content: string;
}

/** Writes a 6302 record for the entry's first item; a device runs one examination per request. */
export function writeGdtRequest(entry: WorklistEntry, options: GdtRequestOptions): Result<Uint8Array> {
  const problems = validateWorklistEntry(entry);
  if (problems.length > 0) return fail(`invalid worklist entry: ${problems.join('; ')}`);
  const version = options.version ?? '2.1';
  const encoding = options.encoding ?? 'gbk';

  const name = resolveName(entry, encoding, options);
  if (!name.ok) return name;

  const birth = parseIsoDate(entry.birthDate)!;
  const scheduled = localDateTimeParts(entry.scheduledAt, options.timeZone ?? DEFAULT_HOSPITAL_TIME_ZONE);
  const firstTest = entry.items[0]!.test;
  const examCode = { ...DEFAULT_GDT_EXAM_CODES, ...options.examCodes }[firstTest];
  const charsetCode = options.charsetCode === undefined ? (encoding === 'iso-8859-1' ? '3' : null) : options.charsetCode;

  const body: GdtField[] = [
    { field: '8315', content: options.receiverId },
    { field: '8316', content: options.senderId },
    { field: '9206', content: charsetCode ?? '' },
    { field: '9218', content: GDT_VERSION_FIELD[version] },
    { field: '3000', content: entry.patientId },
    { field: '3101', content: name.value.family },
    { field: '3102', content: name.value.given },
    { field: '3103', content: `${pad2(birth.day)}${pad2(birth.month)}${String(birth.year).padStart(4, '0')}` },
    { field: '3110', content: sexCode(entry.sex, options.sexCoding ?? 'digits') },
    { field: '3622', content: entry.heightCm === undefined ? '' : String(Math.round(entry.heightCm)) },
    { field: '3623', content: entry.weightKg === undefined ? '' : String(Math.round(entry.weightKg)) },
    { field: '8402', content: examCode },
    { field: '6200', content: `${scheduled.day}${scheduled.month}${scheduled.year}` },
    { field: '6201', content: `${scheduled.hour}${scheduled.minute}${scheduled.second}` },
    { field: '8413', content: version === '3.5' ? entry.accessionNumber : '' },
  ].filter((f) => f.content !== '');

  const recordTypeLine = encodeLine({ field: '8000', content: '6302' }, encoding);
  if (!recordTypeLine.ok) return recordTypeLine;
  const lines: Uint8Array[] = [recordTypeLine.value];
  for (const field of body) {
    const line = encodeLine(field, encoding);
    if (!line.ok) return line;
    lines.push(line.value);
  }

  const recordLength = lines.reduce((sum, line) => sum + line.length, 0) + RECORD_LENGTH_LINE_BYTES;
  if (recordLength >= 10 ** RECORD_LENGTH_DIGITS) return fail(`record of ${recordLength} bytes exceeds field 8100`);
  const recordLengthLine = encodeLine(
    { field: '8100', content: String(recordLength).padStart(RECORD_LENGTH_DIGITS, '0') },
    encoding,
  );
  if (!recordLengthLine.ok) return recordLengthLine;
  lines.splice(1, 0, recordLengthLine.value);
  return ok(concatBytes(lines));
}

function resolveName(
  entry: WorklistEntry,
  encoding: GdtEncoding,
  options: GdtRequestOptions,
): Result<{ family: string; given: string }> {
  const split = splitPersonName(entry.name, options.nameSplit ?? 'whole-name-as-family');
  const encodable = encodeText(`${split.family}${split.given}`, encoding);
  if (encodable.ok) return ok(split);
  const policy = options.unrepresentableName ?? 'error';
  if (policy === 'omit') return ok({ family: '', given: '' });
  if (policy === 'pinyin' && entry.namePinyin?.trim()) return ok({ family: entry.namePinyin.trim(), given: '' });
  const hint = policy === 'pinyin' ? ' and the entry has no namePinyin' : '';
  return fail(`patient name (3101/3102) ${encodable.reason}${hint}`);
}

function encodeLine(field: GdtField, encoding: GdtEncoding): Result<Uint8Array> {
  if (/[\r\n]/.test(field.content)) return fail(`field ${field.field} contains a line break`);
  const content = encodeText(field.content, encoding);
  if (!content.ok) return fail(`field ${field.field} ${content.reason}`);
  if (content.value.length > MAX_CONTENT_BYTES) {
    return fail(`field ${field.field} has ${content.value.length} bytes; a GDT line holds at most ${MAX_CONTENT_BYTES}`);
  }
  const length = 3 + 4 + content.value.length + 2;
  const prefix = ASCII.encode(`${String(length).padStart(3, '0')}${field.field}`);
  return ok(concatBytes([prefix, content.value, CRLF]));
}

function sexCode(sex: WorklistEntry['sex'], coding: 'digits' | 'letters'): string {
  if (sex === 'unknown') return '';
  if (coding === 'letters') return sex === 'male' ? 'M' : 'W';
  return sex === 'male' ? '1' : '2';
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
