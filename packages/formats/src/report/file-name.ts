/**
 * File names for folder-drop targets from a configurable pattern, e.g. `{requestNo}_{accessionNo}_v{version}`.
 * The extension is appended unless the pattern places `{ext}` itself. The result is safe on Windows and POSIX file
 * systems: no path separators or reserved characters, no leading dot, no trailing dot or space, no reserved device
 * name, at most 200 UTF-8 bytes.
 *
 * A revoke gets the same name with {@link REVOKED_FILE_SUFFIX} before the extension (`…_v1_revoked.json`), so its
 * sidecar never overwrites the published PDF or sidecar of the version it withdraws.
 */
import type { DeliveredReport } from './delivered-report.ts';

export const FILE_NAME_PLACEHOLDERS = ['requestNo', 'accessionNo', 'visitSerialNo', 'patientId', 'examDate', 'version', 'reportId', 'ext'] as const;
export type FileNamePlaceholder = (typeof FILE_NAME_PLACEHOLDERS)[number];

/** Added to the name of a revoke's file (before the extension). */
export const REVOKED_FILE_SUFFIX = '_revoked';

const PLACEHOLDER = /\{([^{}]*)\}/g;
const MAX_BYTES = 200;
const RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\.|$)/i;

/** The pattern's problems, [] when usable: unknown placeholders, unbalanced braces, nothing that tells reports apart. */
export function checkFileNamePattern(pattern: string): string[] {
  const problems: string[] = [];
  for (const match of pattern.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!(FILE_NAME_PLACEHOLDERS as readonly string[]).includes(name)) {
      problems.push(`unknown placeholder {${name}} (known: ${FILE_NAME_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
    }
  }
  if (/[{}]/.test(pattern.replace(PLACEHOLDER, ''))) problems.push('unbalanced { or } in the pattern');
  if (!/\{(requestNo|accessionNo|reportId)\}/.test(pattern)) problems.push('the pattern needs {requestNo}, {accessionNo} or {reportId} to tell reports apart');
  return problems;
}

/** Replaces what file systems refuse or misread; '' stays ''. */
export function sanitizeFileName(name: string): string {
  let clean = name
    .replace(/[\u0000-\u001F\u007F]/g, '')
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (RESERVED.test(clean)) clean = `_${clean}`;
  return clean;
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character, 'utf8');
    if (bytes + size > maxBytes) break;
    out += character;
    bytes += size;
  }
  return out;
}

/**
 * The file name for a report document. `ext` may be compound (`p1.jpg` for the first JPG page). Throws on an unusable pattern (see {@link checkFileNamePattern}) or when
 * nothing is left after sanitising. `{examDate}` is written `YYYYMMDD`; a null value is written as ''. On a revoke the
 * stem ends in {@link REVOKED_FILE_SUFFIX} (kept within the length limit; where the pattern places `{ext}`, right
 * before it and its dot).
 */
export function reportFileName(pattern: string, report: DeliveredReport, ext: string): string {
  const problems = checkFileNamePattern(pattern);
  if (problems.length) throw new Error(`file name pattern '${pattern}': ${problems.join('; ')}`);
  const extension = sanitizeFileName(ext.replace(/^\.+/, ''));
  const values: Record<FileNamePlaceholder, string> = {
    requestNo: report.order.requestNo ?? '',
    accessionNo: report.order.accessionNo,
    visitSerialNo: report.order.visitSerialNo ?? '',
    patientId: report.patient.hisPatientId ?? '',
    examDate: report.order.examDate.replace(/-/g, ''),
    version: String(report.version),
    reportId: report.reportId,
    ext: extension,
  };
  const placesExt = pattern.includes('{ext}');
  const revoke = report.action === 'revoke';
  const template = revoke && placesExt ? pattern.replace(/\.?\{ext\}/, (m) => `${REVOKED_FILE_SUFFIX}${m}`) : pattern;
  // Each value is sanitised on its own so that a '/' in a 申请单号 cannot make a directory.
  const expanded = template.replace(PLACEHOLDER, (_, name: FileNamePlaceholder) => sanitizeFileName(values[name]).replace(/^\.+/, ''));
  const suffix = revoke && !placesExt ? REVOKED_FILE_SUFFIX : '';
  const budget = MAX_BYTES - Buffer.byteLength(suffix, 'utf8') - (placesExt || !extension ? 0 : Buffer.byteLength(extension, 'utf8') + 1);
  const truncated = sanitizeFileName(truncateUtf8(sanitizeFileName(expanded), budget));
  if (truncated === '' || truncated === extension) throw new Error(`file name pattern '${pattern}' gives an empty name for report ${report.idempotencyKey}`);
  const stem = `${truncated}${suffix}`;
  return placesExt || !extension ? stem : `${stem}.${extension}`;
}
