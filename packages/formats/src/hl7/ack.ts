/**
 * Reads an HL7 v2 ACK: MSA-1 `AA`/`AE`/`AR` (original mode) or `CA`/`CE`/`CR` (enhanced-mode accept
 * acknowledgement), MSA-2 = the acknowledged MSH-10, MSA-3 text, and ERR segments in their v2.3 (ERR-1) and
 * v2.5 (ERR-2…ERR-8) shapes (../shared/docs/interfaces.md §2.1, §2.5; sample
 * ../shared/samples/hl7v2/pl_mes_lungtest_ack.hl7). Partners do send malformed ACKs, so nothing here throws.
 */
import { type Result, fail, ok } from '../worklist/result.ts';
import { type TextEncoding, decodeText } from '../worklist/text-encoding.ts';
import { unescapeHl7 } from './escape.ts';

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

/**
 * accepted: processed (AA) or safely received (CA). error: the receiver refused the content (AE/CE): resending the
 * same message will not help. rejected: refused for reasons outside the content (AR/CR: unsupported type or version,
 * receiver busy): a resend may succeed.
 */
export type AckOutcome = 'accepted' | 'error' | 'rejected';

export interface AckError {
  /** Segment^sequence^field, or the ERR-2 location. */
  location: string;
  code: string;
  text: string;
  /** ERR-4 (v2.5): E, W, I. */
  severity: string;
}

export interface Hl7Ack {
  code: AckCode;
  outcome: AckOutcome;
  /** MSA-2: the MSH-10 of the message this acknowledges. */
  acknowledgedControlId: string;
  /** MSA-3. */
  text: string;
  /** The ACK's own MSH-10. */
  controlId: string;
  errors: AckError[];
}

const OUTCOME: Record<AckCode, AckOutcome> = {
  AA: 'accepted',
  CA: 'accepted',
  AE: 'error',
  CE: 'error',
  AR: 'rejected',
  CR: 'rejected',
};

const MLLP_FRAMING = /^\u000b|\u001c\r?$/g;

/** Accepts the decoded text or the bytes (with or without MLLP framing); bytes default to UTF-8. */
export function parseHl7Ack(input: string | Uint8Array, encoding: TextEncoding = 'utf-8'): Result<Hl7Ack> {
  try {
    const text = typeof input === 'string' ? input : decodeText(input, encoding);
    return readAck(text.replace(MLLP_FRAMING, ''));
  } catch (error) {
    return fail(`unreadable ACK: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readAck(text: string): Result<Hl7Ack> {
  const segments = text.split(/\r\n|\r|\n/).filter((segment) => segment.trim() !== '');
  const msh = segments[0];
  if (msh === undefined || !msh.startsWith('MSH') || msh.length < 8) return fail('ACK does not start with MSH');

  const fieldSeparator = msh[3]!;
  const componentSeparator = msh[4]!;
  const subcomponentSeparator = msh[7] === fieldSeparator ? '&' : (msh[7] ?? '&');
  if (/[\sA-Za-z0-9]/.test(fieldSeparator) || componentSeparator === fieldSeparator) {
    return fail('ACK has no valid MSH delimiters');
  }
  const fieldsOf = (segment: string) => segment.split(fieldSeparator);
  const components = (value: string | undefined) => (value ?? '').split(componentSeparator);
  const plain = (value: string | undefined) => unescapeHl7(value ?? '').trim();

  // In MSH, index n of the split is MSH-(n+1) because MSH-1 is the separator itself.
  const controlId = plain(fieldsOf(msh)[9]);

  const msa = segments.find((segment) => segment.startsWith(`MSA${fieldSeparator}`) || segment === 'MSA');
  if (msa === undefined) return fail('ACK has no MSA segment');
  const msaFields = fieldsOf(msa);
  const code = plain(msaFields[1]).toUpperCase();
  if (!Object.hasOwn(OUTCOME, code)) return fail(`MSA-1 '${plain(msaFields[1])}' is not an acknowledgement code`);
  const acknowledgedControlId = plain(msaFields[2]);
  if (acknowledgedControlId === '') return fail('MSA-2 is empty: the ACK cannot be matched to a message');

  const errors: AckError[] = [];
  const msaCondition = components(msaFields[6]);
  if (plain(msaCondition[0]) !== '' || plain(msaCondition[1]) !== '') {
    errors.push({ location: '', code: plain(msaCondition[0]), text: plain(msaCondition[1]), severity: '' });
  }
  for (const segment of segments.filter((s) => s.startsWith(`ERR${fieldSeparator}`))) {
    const err = fieldsOf(segment);
    const legacy = components(err[1]);
    const legacyCode = (legacy[3] ?? '').split(subcomponentSeparator);
    const hl7Code = components(err[3]);
    errors.push({
      location: plain(err[2]) || legacy.slice(0, 3).map(plain).filter(Boolean).join('^'),
      code: plain(hl7Code[0]) || plain(legacyCode[0]),
      text: plain(err[8]) || plain(hl7Code[1]) || plain(legacyCode[1]),
      severity: plain(err[4]),
    });
  }

  return ok({
    code: code as AckCode,
    outcome: OUTCOME[code as AckCode],
    acknowledgedControlId,
    text: plain(msaFields[3]),
    controlId,
    errors,
  });
}
