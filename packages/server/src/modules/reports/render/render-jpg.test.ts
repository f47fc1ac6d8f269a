import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleReportDocument, sampleRows } from './fixtures.js';
import { renderPdfToJpg, renderPdfToPng } from './render-jpg.js';
import { renderReportPdf } from './render-pdf.js';
import { DEFAULT_REPORT_TEMPLATE } from './report-document.js';
import { greyBlocks, jpegSize } from './test-support.js';

describe('renderPdfToJpg', () => {
  let twoPages: Uint8Array;

  beforeAll(async () => {
    const rows = Array.from({ length: 6 }, (_, k) => sampleRows().map((r) => ({ ...r, param: `${r.param}_${k}` }))).flat();
    twoPages = await renderReportPdf(sampleReportDocument({ rows }));
    expect((await PDFDocument.load(twoPages)).getPageCount()).toBe(2);
  });

  it('returns one JPEG per page, sized by the dpi', async () => {
    const { jpgDpi, jpgQuality } = DEFAULT_REPORT_TEMPLATE;
    const pages = await renderPdfToJpg(twoPages, { dpi: jpgDpi, quality: jpgQuality });
    expect(pages).toHaveLength(2);
    for (const jpg of pages) {
      expect([jpg[0], jpg[1], jpg[2]]).toEqual([0xff, 0xd8, 0xff]); // SOI
      expect([jpg[jpg.length - 2], jpg[jpg.length - 1]]).toEqual([0xff, 0xd9]); // EOI
      // A4 = 595.28 × 841.89 pt
      expect(jpegSize(jpg)).toEqual({ width: Math.round((595.28 * jpgDpi) / 72), height: Math.round((841.89 * jpgDpi) / 72) });
    }
    const [small] = await renderPdfToJpg(twoPages, { dpi: 72, quality: 80 });
    expect(jpegSize(small!)).toEqual({ width: 595, height: 842 });
  });

  it('honours the quality and draws the page, not a blank sheet', async () => {
    const [low] = await renderPdfToJpg(twoPages, { dpi: 100, quality: 30 });
    const [high] = await renderPdfToJpg(twoPages, { dpi: 100, quality: 95 });
    expect(high!.length).toBeGreaterThan(low!.length * 1.5);
    const grey = await greyBlocks(high!, 8);
    const inked = grey.pixels.filter((v) => v < 200).length / grey.pixels.length;
    expect(inked).toBeGreaterThan(0.03);
    const blank = await greyBlocks((await renderPdfToPng(await blankPdf(), { dpi: 100 }))[0]!, 8);
    expect(blank.pixels.every((v) => v > 250)).toBe(true);
  });

  it('leaves the caller’s PDF bytes intact', async () => {
    const copy = Uint8Array.from(twoPages);
    await renderPdfToJpg(twoPages, { dpi: 50, quality: 50 });
    expect(twoPages.byteLength).toBe(copy.byteLength);
    expect(Buffer.compare(Buffer.from(twoPages), Buffer.from(copy))).toBe(0);
  });
});

async function blankPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([595.28, 841.89]);
  return doc.save();
}
