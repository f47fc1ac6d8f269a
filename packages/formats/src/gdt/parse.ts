/**
 * Line reader for GDT files: `LLL FFFF content CR LF`, LLL = 3 + 4 + content bytes + 2 counted in the file's
 * encoding (../shared/docs/interfaces.md §4.1). It reports what is wrong and keeps going, because device files
 * in the field break the rules (LF-only line ends, lengths counted in characters instead of bytes); it never throws.
 */
import { type TextEncoding, decodeText } from '../worklist/text-encoding.ts';

export interface GdtLine {
  /** 1-based. */
  lineNumber: number;
  field: string;
  content: string;
}

export interface GdtParseResult {
  lines: GdtLine[];
  /** Human-readable, one per rule broken; empty for a clean file. */
  problems: string[];
}

const LF = 0x0a;
const CR = 0x0d;
const PREFIX = /^(\d{3})(\d{4})$/;

export function parseGdtLines(bytes: Uint8Array, encoding: TextEncoding): GdtParseResult {
  const lines: GdtLine[] = [];
  const problems: string[] = [];
  let start = 0;
  let lineNumber = 0;
  let recordLengthDeclared: { lineNumber: number; value: string } | undefined;

  while (start < bytes.length) {
    lineNumber += 1;
    const lf = bytes.indexOf(LF, start);
    const end = lf === -1 ? bytes.length : lf;
    const hasCr = end > start && bytes[end - 1] === CR;
    const lineBytes = bytes.subarray(start, hasCr ? end - 1 : end);
    start = end + 1;

    if (lf === -1) problems.push(`line ${lineNumber}: no line end (CR LF)`);
    else if (!hasCr) problems.push(`line ${lineNumber}: line ends with LF only, not CR LF`);
    if (lineBytes.length === 0) {
      problems.push(`line ${lineNumber}: empty line`);
      continue;
    }

    const prefix = PREFIX.exec(String.fromCharCode(...lineBytes.subarray(0, 7)));
    if (lineBytes.length < 7 || !prefix) {
      problems.push(`line ${lineNumber}: does not start with a 3-digit length and a 4-digit field ID`);
      continue;
    }
    const declared = Number(prefix[1]);
    const actual = lineBytes.length + 2;
    if (declared !== actual) {
      problems.push(`line ${lineNumber}: length ${prefix[1]} declared, but the line has ${actual} bytes`);
    }
    const line: GdtLine = { lineNumber, field: prefix[2]!, content: decodeText(lineBytes.subarray(7), encoding) };
    if (line.field === '8100' && recordLengthDeclared === undefined) {
      recordLengthDeclared = { lineNumber, value: line.content };
    }
    lines.push(line);
  }

  if (lines.length === 0) problems.push('no GDT lines');
  else if (lines[0]!.field !== '8000') problems.push(`line 1: first field is ${lines[0]!.field}, not 8000 (record type)`);

  if (recordLengthDeclared) {
    const declared = Number(recordLengthDeclared.value);
    if (!/^\d+$/.test(recordLengthDeclared.value) || declared !== bytes.length) {
      problems.push(
        `line ${recordLengthDeclared.lineNumber}: record length (8100) '${recordLengthDeclared.value}' declared, ` +
          `but the record has ${bytes.length} bytes`,
      );
    }
  }
  return { lines, problems };
}

/** The content of the first line with this field ID. */
export function gdtField(lines: readonly GdtLine[], field: string): string | undefined {
  return lines.find((line) => line.field === field)?.content;
}
