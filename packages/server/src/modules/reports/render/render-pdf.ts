import { createCanvas, loadImage } from '@napi-rs/canvas';
import PDFDocument from 'pdfkit';
import { code128Modules, qrMatrix, qrRuns, type QrMatrix } from './codes.js';
import { drawCurves } from './curves.js';
import { reportFonts } from './fonts.js';
import { labelsFor, type ReportLabels } from './labels.js';
import { COLORS, PdfWriter, type Flow } from './pdf-writer.js';
import { DEFAULT_REPORT_TEMPLATE, type ReportDocument, type ReportSection, type ReportTemplate } from './report-document.js';
import { drawResultsTable, drawZLegend, isBronchodilatorTest } from './results-table.js';

const A4: [number, number] = [595.28, 841.89];
const PT_PER_MM = 72 / 25.4;
const RUNNING_HEADER = 24;
const SECTION_GAP = 9;

/**
 * Renders one report as an A4 PDF with the Noto Sans SC subsets embedded. The same document and template
 * give the same bytes: the PDF's dates and file ID derive from `doc.printedAt`.
 */
export async function renderReportPdf(given: ReportDocument, template: ReportTemplate = DEFAULT_REPORT_TEMPLATE): Promise<Uint8Array> {
  const doc = await withOpaqueImages(given);
  const fonts = reportFonts();
  const printed = parseHospitalTime(doc.printedAt) ?? new Date(0);
  const pdf = new PDFDocument({
    size: A4,
    margin: 0,
    autoFirstPage: false,
    bufferPages: true,
    pdfVersion: '1.7',
    lang: doc.language === 'zh' ? 'zh-CN' : 'en',
    displayTitle: true,
    info: {
      Title: `${doc.hospital.title} ${doc.accessionNo}`,
      Author: doc.hospital.name,
      Creator: 'PFTIS',
      Producer: 'PFTIS report renderer (PDFKit)',
      CreationDate: printed,
      ModDate: printed,
    },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    pdf.on('end', resolve);
    pdf.on('error', reject);
  });
  pdf.registerFont('R', fonts.regular);
  pdf.registerFont('B', fonts.bold);

  new ReportLayout(pdf, doc, template).render();
  pdf.end();
  await ended;
  const out = Buffer.concat(chunks);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * PDFKit splits a PNG's alpha channel asynchronously, so with several transparent images the PDF objects are numbered
 * in whichever order the decoders finish. Flattening each image onto white (the page colour) as a JPEG of the same
 * size keeps the output byte-identical for the same input. Unreadable image bytes throw here.
 */
async function withOpaqueImages(doc: ReportDocument): Promise<ReportDocument> {
  const flatten = async (bytes: Uint8Array | null) => {
    if (!bytes) return null;
    const image = await loadImage(Buffer.from(bytes));
    const canvas = createCanvas(image.width, image.height);
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, image.width, image.height);
    context.drawImage(image, 0, 0);
    return new Uint8Array(await canvas.encode('jpeg', 95));
  };
  return {
    ...doc,
    hospital: { ...doc.hospital, logo: await flatten(doc.hospital.logo) },
    signatures: await Promise.all(doc.signatures.map(async (s) => ({ ...s, image: await flatten(s.image) }))),
  };
}

/** "2026-11-25 14:03" in hospital time (Asia/Shanghai, UTC+8) as an instant. */
export function parseHospitalTime(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h) - 8, Number(mi), Number(s));
  return Number.isNaN(ms) ? null : new Date(ms);
}

class ReportLayout implements Flow {
  readonly w: PdfWriter;
  readonly x: number;
  readonly width: number;
  readonly base: number;
  y = 0;
  private readonly labels: ReportLabels;
  private readonly margin: number;
  private readonly footerHeight: number;
  private readonly showQr: boolean;
  private qr: QrMatrix | null = null;

  constructor(
    private readonly pdf: PDFKit.PDFDocument,
    private readonly doc: ReportDocument,
    private readonly template: ReportTemplate,
  ) {
    this.w = new PdfWriter(pdf);
    this.labels = labelsFor(doc.language);
    this.margin = template.marginMm * PT_PER_MM;
    this.x = this.margin;
    this.width = A4[0] - 2 * this.margin;
    this.base = template.baseFontSize;
    this.showQr = template.showQr && doc.verification !== null;
    this.footerHeight = this.showQr ? 64 : 34;
  }

  private get contentBottom(): number {
    return A4[1] - this.margin - this.footerHeight - 6;
  }

  ensure(h: number): boolean {
    if (this.y + h <= this.contentBottom) return false;
    this.pdf.addPage();
    this.drawRunningHeader();
    return true;
  }

  render(): void {
    this.pdf.addPage();
    this.drawHeader();
    for (const section of this.template.sections) {
      const before = this.y;
      this.drawSection(section);
      if (this.y !== before) this.y += SECTION_GAP;
    }
    const range = this.pdf.bufferedPageRange();
    for (let i = 0; i < range.count; i++) {
      this.pdf.switchToPage(range.start + i);
      this.drawFooter(i + 1, range.count);
      if (!this.doc.final) this.drawWatermark();
    }
  }

  private drawSection(section: ReportSection): void {
    switch (section) {
      case 'patient': return this.drawPatient();
      case 'results': return this.drawResults();
      case 'curves': return drawCurves(this, this.doc.curves, this.labels);
      case 'quality': return this.drawQuality();
      case 'interpretation': return this.drawInterpretation();
      case 'signatures': return this.drawSignatures();
    }
  }

  // ── page furniture ────────────────────────────────────────────────────────────────────────────────

  private drawHeader(): void {
    const { w, doc, template, labels } = this;
    const top = this.margin;
    const side = 150;
    const band = { x: this.x + side, width: this.width - 2 * side };
    let bottom = top;

    if (template.showLogo && doc.hospital.logo) {
      const size = 48;
      this.pdf.image(Buffer.from(doc.hospital.logo), this.x, top, { fit: [size * 1.6, size], valign: 'center' });
      bottom = Math.max(bottom, top + size);
    }

    const nameSize = w.fitSize(doc.hospital.name, 'B', template.titleFontSize - 2, band.width);
    w.text(doc.hospital.name, band.x, top + nameSize, { font: 'B', size: nameSize, align: 'center', width: band.width });
    let y = top + nameSize;
    if (doc.hospital.campusName) {
      y += this.base + 5;
      w.text(doc.hospital.campusName, band.x, y, { size: this.base, color: COLORS.muted, align: 'center', width: band.width });
    }
    const title = doc.hospital.title;
    // Chinese report titles are set letter-spaced
    const spacing = doc.language === 'zh' ? template.titleFontSize * 0.25 : 0;
    const titleSize = w.fitSize(title, 'B', template.titleFontSize, band.width - spacing * [...title].length);
    y += titleSize + 8;
    w.text(title, band.x, y, { font: 'B', size: titleSize, color: COLORS.accent, align: 'center', width: band.width, spacing });
    bottom = Math.max(bottom, y + 4);

    const note = versionNote(doc, labels);
    if (note) {
      const size = this.base - 0.5;
      for (const line of w.wrap(note, 'R', size, this.width - 2 * 96)) {
        y += size + 4;
        w.text(line, this.x + 96, y, { size, color: COLORS.post, align: 'center', width: this.width - 2 * 96 });
      }
      bottom = Math.max(bottom, y + 4);
    }

    bottom = Math.max(bottom, this.drawCodes(top, side));
    const ruleY = bottom + 5;
    w.line(this.x, ruleY, this.x + this.width, ruleY, 1.3, COLORS.accent);
    w.line(this.x, ruleY + 2.2, this.x + this.width, ruleY + 2.2, 0.4, COLORS.accent);
    this.y = ruleY + 9;
  }

  /** Code 128 of the accession number and of the 申请单号, top right; returns the bottom edge. */
  private drawCodes(top: number, side: number): number {
    const { w, doc, labels } = this;
    const right = this.x + this.width;
    const codes: Array<[string, string]> = [[labels.accession, doc.accessionNo]];
    if (doc.requestNo) codes.push([labels.requestNo, doc.requestNo]);
    let y = top;
    const textSize = this.base - 2;
    for (const [label, value] of codes) {
      const caption = `${label} ${value}`;
      let modules: number[] | null = null;
      if (this.template.showBarcode) {
        try {
          modules = code128Modules(value);
        } catch {
          modules = null; // not encodable in Code 128: print the number only
        }
      }
      if (modules) {
        const total = modules.reduce((a, b) => a + b, 0);
        const mw = Math.min(1, (side - 12) / total);
        const width = total * mw;
        const left = right - width;
        const barH = 17;
        let x = left;
        modules.forEach((m, i) => {
          if (i % 2 === 0) this.pdf.rect(x, y, m * mw, barH);
          x += m * mw;
        });
        this.pdf.fillColor('#000000').fill();
        w.text(caption, left - 20, y + barH + textSize + 1.5, { size: textSize, align: 'center', width: width + 40 });
        y += barH + textSize + 7;
      } else {
        w.text(caption, right - side, y + this.base, { size: this.base - 1, align: 'right', width: side });
        y += this.base + 5;
      }
    }
    return y;
  }

  private drawRunningHeader(): void {
    const { w, doc, labels } = this;
    const top = this.margin;
    const size = this.base - 1;
    w.text(`${doc.hospital.name}  ${doc.hospital.title}${labels.continued}`, this.x, top + size, { font: 'B', size, color: COLORS.accent });
    const first = doc.patientFields[0];
    const who = [first ? `${first.label}${labels.colon}${first.value}` : null, `${labels.accession}${labels.colon}${doc.accessionNo}`]
      .filter((s): s is string => s !== null)
      .join('    ');
    w.text(who, this.x, top + size, { size, align: 'right', width: this.width });
    w.line(this.x, top + size + 6, this.x + this.width, top + size + 6, 0.6, COLORS.accent);
    this.y = top + RUNNING_HEADER;
  }

  private drawFooter(page: number, pages: number): void {
    const { w, doc, labels } = this;
    const top = A4[1] - this.margin - this.footerHeight;
    const bottom = A4[1] - this.margin;
    const size = this.base - 1.5;
    w.line(this.x, top, this.x + this.width, top, 0.5, COLORS.rule);
    let y = top + size + 5;
    const textWidth = this.width / 2 - 50;
    for (const line of w.wrap(doc.footer, 'R', size, textWidth)) {
      w.text(line, this.x, y, { size, color: COLORS.muted });
      y += size + 3.5;
    }
    w.text(`${labels.printedAt}${labels.colon}${doc.printedAt}`, this.x, y, { size, color: COLORS.muted });
    w.text(labels.page(page, pages), this.x, bottom - 2, { size: this.base - 1, align: 'center', width: this.width });

    if (this.showQr && doc.verification) {
      this.qr ??= qrMatrix(doc.verification.url);
      const matrix = this.qr;
      const qr = 46;
      const m = qr / matrix.size;
      const left = this.x + this.width - qr;
      const qrTop = top + 5;
      for (const [x, yy, rw, rh] of qrRuns(matrix)) this.pdf.rect(left + x * m, qrTop + yy * m, rw * m + 0.02, rh * m + 0.02);
      this.pdf.fillColor('#000000').fill();
      const caption = `${labels.verification} ${doc.verification.code}`;
      const capSize = w.fitSize(caption, 'R', this.base - 2, qr + 40);
      w.text(caption, left - 40, qrTop + qr + capSize + 2, { size: capSize, align: 'right', width: qr + 40 });
    }
  }

  private drawWatermark(): void {
    const text = this.labels.watermark;
    const size = this.doc.language === 'zh' ? 150 : 120;
    const width = this.w.width(text, 'B', size);
    const [cx, cy] = [A4[0] / 2, A4[1] / 2];
    this.pdf.save();
    this.pdf.rotate(-38, { origin: [cx, cy] });
    this.pdf.fillOpacity(0.13);
    this.w.text(text, cx - width / 2, cy + size * 0.35, { font: 'B', size, color: COLORS.watermark });
    this.pdf.restore();
  }

  // ── sections ──────────────────────────────────────────────────────────────────────────────────────

  private drawPatient(): void {
    const { w, doc, labels } = this;
    const fields = doc.patientFields;
    if (fields.length === 0) return;
    const perLine = Math.max(1, Math.floor(this.template.patientFieldsPerLine));
    const cellW = this.width / perLine;
    const size = this.base;
    const lineH = size * 1.75;
    this.y += 1;
    for (let i = 0; i < fields.length; i += perLine) {
      const row = fields.slice(i, i + perLine).map((f) => {
        const label = `${f.label}${labels.colon}`;
        const labelW = w.width(label, 'R', size);
        const room = Math.max(20, cellW - labelW - 6);
        // a value slightly too long is set a little smaller rather than broken
        const fitted = w.fitSize(f.value, 'R', size, room, size * 0.85);
        const fits = w.width(f.value, 'R', fitted) <= room;
        return { label, labelW, valueSize: fits ? fitted : size, lines: fits ? [f.value] : w.wrap(f.value, 'R', size, room) };
      });
      const height = Math.max(...row.map((c) => c.lines.length)) * lineH;
      this.ensure(height);
      row.forEach((c, j) => {
        const x = this.x + j * cellW;
        const baseline = this.y + lineH * 0.68;
        w.text(c.label, x, baseline, { size, color: COLORS.muted });
        c.lines.forEach((line, k) => w.text(line, x + c.labelW, baseline + k * lineH, { size: c.valueSize }));
      });
      this.y += height;
    }
    this.y += 2;
    this.w.line(this.x, this.y, this.x + this.width, this.y, 0.5, COLORS.rule);
    this.y += 4;
  }

  private drawResults(): void {
    const { w, doc, labels } = this;
    if (doc.rows.length > 0) {
      drawResultsTable(this, doc.rows, this.template.columns, labels);
    }
    const size = this.base - 1.2;
    const lines = doc.equationText ? w.wrap(`${labels.equation}${labels.colon}${doc.equationText}`, 'R', size, this.width) : [];
    const legend = doc.rows.length > 0 && this.template.columns.includes('zbar');
    this.ensure(lines.length * (size + 4) + (legend ? size + 6 : 0) + 4);
    this.y += 3;
    for (const line of lines) {
      this.y += size + 3;
      w.text(line, this.x, this.y, { size, color: COLORS.muted });
    }
    if (legend) {
      this.y += size + 5;
      drawZLegend(this, this.x, this.y, labels, isBronchodilatorTest(doc.rows));
    }
    this.y += 4;
  }

  private drawQuality(): void {
    const { w, doc, labels } = this;
    if (!doc.qualityText) return;
    const size = this.base - 0.5;
    const lines = w.wrap(doc.qualityText, 'R', size, this.width - 60);
    const labelText = `${labels.quality}${labels.colon}`;
    const labelW = w.width(labelText, 'B', size);
    this.ensure(lines.length * (size + 5));
    lines.forEach((line, i) => {
      this.y += size + 4;
      if (i === 0) w.text(labelText, this.x, this.y, { font: 'B', size });
      w.text(line, this.x + labelW, this.y, { size });
    });
    this.y += 3;
  }

  private drawInterpretation(): void {
    const { w, doc, labels } = this;
    const { summary, text } = doc.interpretation;
    if (!summary && !text) return;
    const size = this.base + 0.5;
    const lineH = size * 1.7;
    const indent = 10;
    const summaryLines = summary ? w.wrap(summary, 'B', size + 0.5, this.width - indent) : [];
    const textLines = text ? w.wrap(text, 'R', size, this.width - indent) : [];
    const heading = (title: string) => {
      const hs = this.base + 1;
      this.y += hs + 2;
      w.rect(this.x, this.y - hs + 0.5, 2.6, hs + 1, COLORS.accent);
      w.text(title, this.x + 7, this.y, { font: 'B', size: hs, color: COLORS.accent });
      this.y += 4;
    };
    this.ensure(this.base + 7 + lineH * Math.min(3, summaryLines.length + textLines.length));
    heading(labels.interpretation);
    const put = (line: string, font: 'R' | 'B', fontSize: number) => {
      if (this.ensure(lineH)) heading(labels.interpretation + labels.continued);
      w.text(line, this.x + indent, this.y + lineH * 0.72, { font, size: fontSize });
      this.y += lineH;
    };
    for (const line of summaryLines) put(line, 'B', size + 0.5);
    for (const line of textLines) put(line, 'R', size);
  }

  private drawSignatures(): void {
    const { w, doc, labels } = this;
    const signatures = doc.signatures;
    if (signatures.length === 0) return;
    const height = 46;
    this.ensure(height);
    const top = this.y + 2;
    w.line(this.x, top, this.x + this.width, top, 0.5, COLORS.rule);
    const cells = Math.max(3, signatures.length);
    const cellW = this.width / cells;
    const size = this.base;
    signatures.forEach((s, i) => {
      const x = this.x + i * cellW;
      const baseline = top + 20;
      const label = `${s.roleLabel}${labels.colon}`;
      let cx = x + w.text(label, x, baseline, { size, color: COLORS.muted });
      if (s.name) cx += w.text(s.name, cx, baseline, { font: 'B', size: size + 0.5 }) + 4;
      if (s.image) {
        const imgW = Math.min(64, x + cellW - cx - 4);
        if (imgW > 16) this.pdf.image(Buffer.from(s.image), cx, baseline - 17, { fit: [imgW, 24], valign: 'center' });
      }
      if (!s.name && !s.image) w.line(cx + 2, baseline + 2, x + cellW - 12, baseline + 2, 0.5, COLORS.rule);
      const when = s.signedAt ?? (s.name ? labels.unsigned : '');
      if (when) w.text(when, x + w.width(label, 'R', size), baseline + size + 6, { size: size - 1.5, color: COLORS.muted });
    });
    this.y = top + height - 2;
  }
}

function versionNote(doc: ReportDocument, labels: ReportLabels): string | null {
  const parts: string[] = [];
  if (doc.version >= 2) parts.push(labels.version(doc.version));
  if (doc.correctionReason) parts.push(`${labels.correctionReason}${labels.colon}${doc.correctionReason}`);
  return parts.length ? parts.join('  ') : null;
}
