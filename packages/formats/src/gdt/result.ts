/**
 * GDT record 6310 (Daten einer Untersuchung übermitteln, device → PFTIS): the patient and request ids, the
 * examination date, one group 8410…8462 per measured parameter, findings text and a reference to an attached
 * file (../shared/docs/interfaces.md §4.2–4.3). No spirometer-written 6310 is public, so this follows the field
 * dictionary: 8410 test id, 8411 name, 8420 value, 8421 unit, 8460–8462 normal text / lower / upper limit.
 */
import type { ParseResult } from '../result.ts';
import type { TextEncoding } from '../worklist/text-encoding.ts';
import { type GdtLine, parseGdtLines } from './parse.ts';

export interface GdtMeasurement {
  testId: string;
  name: string | null;
  value: number | null;
  /** The value as written, kept for the record (decimal commas, "<0.1", …). */
  rawValue: string | null;
  unit: string | null;
  lowerLimit: number | null;
  upperLimit: number | null;
}

export interface GdtExamResult {
  patientId: string | null;
  /** 3101 surname and 3102 given name as the device wrote them (for the identity check, not for display). */
  patientName: string | null;
  /** 3110: 1/M male, 2/W/F female. */
  sex: 'M' | 'F' | null;
  birthDate: string | null;
  /** 3622 and 3623. */
  heightCm: number | null;
  weightKg: number | null;
  /** 8413 (GDT 3.5): the request id PFTIS sent in its 6302, i.e. the accession number. */
  requestId: string | null;
  examDate: string | null;
  examTime: string | null;
  measurements: GdtMeasurement[];
  findings: string[];
  fileReference: string | null;
  problems: string[];
}

// German and many Chinese device programs write decimal commas.
const number = (text: string | undefined): number | null => {
  if (text === undefined || text.trim() === '') return null;
  const value = Number(text.trim().replace(',', '.'));
  return Number.isFinite(value) ? value : null;
};

const gdtSex = (text: string | undefined) => (text === '1' || text === 'M' ? 'M' : text === '2' || text === 'W' || text === 'F' ? 'F' : null);

/** TTMMJJJJ → YYYY-MM-DD. */
const gdtDate = (text: string | undefined) => (text && /^\d{8}$/.test(text) ? `${text.slice(4)}-${text.slice(2, 4)}-${text.slice(0, 2)}` : null);

export function readGdtExamResult(bytes: Uint8Array, encoding: TextEncoding): ParseResult<GdtExamResult> {
  const { lines, problems } = parseGdtLines(bytes, encoding);
  if (lines.length === 0) return { ok: false, reason: 'no GDT lines found' };
  const recordType = lines.find((l) => l.field === '8000')?.content;
  if (recordType !== '6310') return { ok: false, reason: `record type ${recordType ?? 'missing'}, expected 6310` };
  const first = (field: string) => lines.find((l) => l.field === field)?.content;
  return {
    ok: true,
    value: {
      patientId: first('3000') ?? null,
      patientName: [first('3101'), first('3102')].filter(Boolean).join('') || null,
      sex: gdtSex(first('3110')),
      birthDate: gdtDate(first('3103')),
      heightCm: number(first('3622')),
      weightKg: number(first('3623')),
      requestId: first('8413') ?? null,
      examDate: gdtDate(first('6200')),
      examTime: first('6201') ?? null,
      measurements: measurementGroups(lines),
      findings: lines.filter((l) => ['6220', '6221', '6227', '6228'].includes(l.field)).map((l) => l.content),
      fileReference: first('6305') ?? null,
      problems,
    },
  };
}

function measurementGroups(lines: readonly GdtLine[]): GdtMeasurement[] {
  const groups: GdtMeasurement[] = [];
  let current: GdtMeasurement | undefined;
  for (const line of lines) {
    if (line.field === '8410') {
      current = { testId: line.content, name: null, value: null, rawValue: null, unit: null, lowerLimit: null, upperLimit: null };
      groups.push(current);
      continue;
    }
    if (!current) continue;
    if (line.field === '8411') current.name = line.content;
    else if (line.field === '8420') {
      current.rawValue = line.content;
      current.value = number(line.content);
    } else if (line.field === '8421') current.unit = line.content;
    else if (line.field === '8461') current.lowerLimit = number(line.content);
    else if (line.field === '8462') current.upperLimit = number(line.content);
  }
  return groups;
}
