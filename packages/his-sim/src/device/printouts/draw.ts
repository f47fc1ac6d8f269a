/**
 * A printout is a list of drawing operations (text by baseline, thin rules) on one A4 page, rendered either with
 * pdfkit and embedded Noto Sans SC subsets, or by hand with fonts that are NOT embedded (STSong-Light through the
 * UniGB-UCS2-H CMap for Chinese, Helvetica for the rest), as many Chinese device programs write them.
 * Both renderers are deterministic: same input, same bytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';

export const PAGE = { width: 595.28, height: 841.89 } as const;

export type DrawOp =
  | { kind: 'text'; text: string; x: number; y: number; size: number; bold?: boolean; align?: 'left' | 'center' | 'right' }
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; width?: number };

/** A fixed date in the PDF's metadata keeps the bytes (and the file ID derived from it) stable. */
const FIXED_DATE = new Date(Date.UTC(2024, 0, 1));

const require = createRequire(import.meta.url);
const fontDir = path.dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
let fonts: { regular: Buffer; bold: Buffer } | null = null;
const notoFonts = () =>
  (fonts ??= {
    regular: readFileSync(path.join(fontDir, '400Regular', 'NotoSansSC_400Regular.ttf')),
    bold: readFileSync(path.join(fontDir, '700Bold', 'NotoSansSC_700Bold.ttf')),
  });

/** pdfkit writes synchronously into its stream buffer; after end() the whole file can be read at once. */
function drain(doc: PDFKit.PDFDocument): Uint8Array {
  const chunks: Buffer[] = [];
  doc.end();
  let c: Buffer | null;
  while ((c = (doc as unknown as { read(): Buffer | null }).read()) !== null) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Renders with pdfkit and subset-embedded Noto Sans SC (regular and bold). */
export function renderEmbedded(ops: DrawOp[], title: string): Uint8Array {
  const doc = new PDFDocument({ size: 'A4', margin: 0, info: { Title: title, Producer: 'PFTIS device simulator', Creator: 'PFTIS device simulator', CreationDate: FIXED_DATE, ModDate: FIXED_DATE } });
  const f = notoFonts();
  doc.registerFont('R', f.regular);
  doc.registerFont('B', f.bold);
  for (const op of ops) {
    if (op.kind === 'line') {
      doc.lineWidth(op.width ?? 0.5).strokeColor('#555555').moveTo(op.x1, op.y1).lineTo(op.x2, op.y2).stroke();
      continue;
    }
    doc.font(op.bold ? 'B' : 'R').fontSize(op.size).fillColor('#111111');
    const w = doc.widthOfString(op.text);
    const left = op.align === 'right' ? op.x - w : op.align === 'center' ? op.x - w / 2 : op.x;
    doc.text(op.text, left, op.y, { lineBreak: false, baseline: 'alphabetic' });
  }
  return drain(doc);
}

// ---------------------------------------------------------------------------------------------------------------
// Non-embedded fonts, written by hand

/** Helvetica metrics come from pdfkit's copy of the standard AFM files. */
let metrics: PDFKit.PDFDocument | null = null;
function helveticaWidth(text: string, size: number, bold: boolean): number {
  metrics ??= new PDFDocument({ autoFirstPage: false });
  return metrics.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size).widthOfString(text);
}

/** Runs of text for one font each: ASCII in Helvetica, everything else in STSong-Light. */
function runs(text: string): Array<{ cjk: boolean; text: string }> {
  const out: Array<{ cjk: boolean; text: string }> = [];
  for (const ch of text) {
    const cjk = ch.codePointAt(0)! > 0x7e;
    const last = out[out.length - 1];
    if (last && last.cjk === cjk) last.text += ch;
    else out.push({ cjk, text: ch });
  }
  return out;
}

/** Width of a mixed string: STSong-Light has no /W array here, so every CID is 1 em (DW 1000). */
const mixedWidth = (text: string, size: number, bold: boolean) =>
  runs(text).reduce((w, r) => w + (r.cjk ? [...r.text].length * size : helveticaWidth(r.text, size, bold)), 0);

const literal = (s: string) => `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;
const ucs2 = (s: string) => `<${[...s].map((ch) => ch.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()).join('')}>`;
const num = (x: number) => (Math.round(x * 100) / 100).toString();

/**
 * Renders with fonts that are not embedded: Chinese through a Type0 font on the Adobe-GB1 collection
 * (STSong-Light, UniGB-UCS2-H), Latin text in Helvetica / Helvetica-Bold. A reader needs the CMap files to turn the
 * Chinese codes back into text (pdfjs: cMapUrl), which is the point of this variant.
 */
export function renderNonEmbedded(ops: DrawOp[], title: string): Uint8Array {
  const content: string[] = [];
  for (const op of ops) {
    if (op.kind === 'line') {
      content.push(`${num(op.width ?? 0.5)} w ${num(op.x1)} ${num(PAGE.height - op.y1)} m ${num(op.x2)} ${num(PAGE.height - op.y2)} l S`);
      continue;
    }
    const w = mixedWidth(op.text, op.size, !!op.bold);
    const left = op.align === 'right' ? op.x - w : op.align === 'center' ? op.x - w / 2 : op.x;
    const parts = runs(op.text).map((r) => (r.cjk ? `/F1 ${num(op.size)} Tf ${ucs2(r.text)} Tj` : `/${op.bold ? 'F3' : 'F2'} ${num(op.size)} Tf ${literal(r.text)} Tj`));
    content.push(`BT 1 0 0 1 ${num(left)} ${num(PAGE.height - op.y)} Tm ${parts.join(' ')} ET`);
  }
  const stream = content.join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font << /F1 5 0 R /F2 7 0 R /F3 8 0 R >> >> /Contents 4 0 R >>`,
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 9 0 R /DW 1000 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
    `<< /Title ${ucs16Title(title)} /Producer (PFTIS device simulator) /CreationDate (D:20240101000000Z) >>`,
  ];
  let out = '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

/** A text string in UTF-16BE with BOM, as hex, for the document title. */
const ucs16Title = (s: string) => `<FEFF${[...s].map((ch) => ch.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()).join('')}>`;
