// Shared by the signing tests and bench/signing.bench.ts; not part of the library.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import PDFKit from 'pdfkit';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createCertificateAuthority, issueSignerCertificate, type Credential } from './ca.js';
import type { SignatureAlgorithm } from './keys.js';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export const HAVE_OPENSSL = hasTool('openssl');
export const HAVE_PDFSIG = hasTool('pdfsig');
if (!HAVE_OPENSSL) console.warn('openssl is not installed: the OpenSSL interoperability tests are skipped');
if (!HAVE_PDFSIG) console.warn('pdfsig is not installed (apt-get install poppler-utils): the pdfsig tests are skipped');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command-line tool without a shell; output as UTF-8 text. */
export function run(command: string, args: string[], input?: Uint8Array): RunResult {
  const r = spawnSync(command, args, { input, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function runBinary(command: string, args: string[]): Buffer {
  return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A temporary directory with a write helper; `dispose` removes it. */
export function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'pftis-signing-'));
  return {
    dir,
    file(name: string, content?: string | Uint8Array): string {
      const p = path.join(dir, name);
      if (content !== undefined) writeFileSync(p, content);
      return p;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const require = createRequire(import.meta.url);
const FONT = path.join(path.dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json')), '400Regular', 'NotoSansSC_400Regular.ttf');

/**
 * A report-like PDF from pdfkit (as the report renderer makes them): Noto Sans SC with Chinese text and a drawn
 * curve per page. `pages` tunes the size (about 100 KB at 12 pages).
 */
export async function pdfkitReport(pages = 1): Promise<Uint8Array> {
  const doc = new PDFKit({ size: 'A4', info: { Title: '肺功能检查报告', Producer: 'PDFKit' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.registerFont('sc', FONT);
  for (let p = 0; p < pages; p++) {
    if (p > 0) doc.addPage();
    doc.font('sc').fontSize(18).text('某某医院 肺功能检查报告', { align: 'center' });
    doc.fontSize(10).text(`姓名：王小明　性别：男　年龄：45 岁　身高：172 cm　体重：70 kg　第 ${p + 1} 页`);
    for (let row = 0; row < 12; row++) doc.text(`FEV1 ${(3 + row / 10).toFixed(2)} L　FVC ${(4 + row / 10).toFixed(2)} L　FEV1/FVC ${(75 + row).toFixed(1)}%　预计值 ${(90 + row).toFixed(0)}%　Z 分数 ${(-1 + row / 6).toFixed(2)}`);
    doc.moveTo(60, 500);
    for (let i = 1; i <= 400; i++) doc.lineTo(60 + i, 500 - 200 * Math.exp(-i / 60) * Math.sin(i / 25) ** 2);
    doc.stroke();
    doc.text('结论：通气功能正常。审核医生：张三', 60, 720);
  }
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/** A small PDF saved by pdf-lib (object streams and a cross-reference stream). */
export async function pdfLibDocument(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage();
  page.drawText('Pulmonary function report', { x: 50, y: 700, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc.save();
}

export const CA_SUBJECT = { commonName: '某某医院肺功能室 CA', organization: '某某医院', organizationalUnit: '肺功能室', country: 'CN' };
export const SIGNER_SUBJECT = { commonName: '张三', organization: '某某医院', organizationalUnit: '肺功能室', country: 'CN' };

export async function departmentCredentials(algorithm: SignatureAlgorithm): Promise<{ ca: Credential; signer: Credential }> {
  const ca = await createCertificateAuthority({ algorithm, subject: CA_SUBJECT });
  const signer = await issueSignerCertificate(ca, { subject: SIGNER_SUBJECT });
  return { ca, signer };
}

/** Replaces the first (or last) occurrence of `from` (same length) in a copy of `bytes`; returns the copy and the offset. */
export function patchBytes(bytes: Uint8Array, from: string, to: string, which: 'first' | 'last' = 'first'): { bytes: Uint8Array; offset: number } {
  if (from.length !== to.length) throw new Error('patch must keep the length');
  const offset = which === 'first' ? Buffer.from(bytes).indexOf(from, 0, 'latin1') : Buffer.from(bytes).lastIndexOf(from, undefined, 'latin1');
  if (offset < 0) throw new Error(`${from} not found`);
  const copy = new Uint8Array(bytes);
  copy.set(Buffer.from(to, 'latin1'), offset);
  return { bytes: copy, offset };
}
