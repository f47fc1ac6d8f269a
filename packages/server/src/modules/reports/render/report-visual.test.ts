import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zxing from '@zxing/library';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleReportDocument, syntheticTrial } from './fixtures.js';
import { renderPdfToPng } from './render-jpg.js';
import { renderReportPdf } from './render-pdf.js';
import { DEFAULT_REPORT_TEMPLATE } from './report-document.js';
import { differingShare, greyBlocks, luminanceOf, type GreyImage } from './test-support.js';

/**
 * Page 1 of the fixture report against an approved image. Set PFTIS_UPDATE_APPROVED=1 to rewrite it after
 * an intended layout change, and look at it before committing.
 */
const APPROVED = path.join(import.meta.dirname, '__approved__', 'report-page1.png');
const DPI = 100;
/** 4×4-pixel blocks, a block "differs" beyond 24 grey levels, and at most 0.5 % of blocks may differ. */
const BLOCK = 4;
const THRESHOLD = 24;
const TOLERANCE = 0.005;

async function page1Png(pdf: Uint8Array, dpi = DPI): Promise<Uint8Array> {
  const [png] = await renderPdfToPng(pdf, { dpi });
  if (!png) throw new Error('no page');
  return png;
}

describe('report page 1 looks as approved', () => {
  let approved: GreyImage;

  beforeAll(async () => {
    const png = await page1Png(await renderReportPdf(sampleReportDocument()));
    if (process.env.PFTIS_UPDATE_APPROVED === '1') {
      await mkdir(path.dirname(APPROVED), { recursive: true });
      await writeFile(APPROVED, png);
    }
    if (!existsSync(APPROVED)) throw new Error(`${APPROVED} is missing; run with PFTIS_UPDATE_APPROVED=1 and review the image`);
    approved = await greyBlocks(await readFile(APPROVED), BLOCK);
  });

  it('matches the approved image within the tolerance', async () => {
    const png = await page1Png(await renderReportPdf(sampleReportDocument()));
    const share = differingShare(await greyBlocks(png, BLOCK), approved, THRESHOLD);
    if (share > TOLERANCE) {
      const actual = path.join(os.tmpdir(), 'report-page1.actual.png');
      await writeFile(actual, png);
      expect.fail(`${(share * 100).toFixed(2)} % of blocks differ from ${APPROVED}; this render: ${actual}`);
    }
  });

  it('does not match when the curves differ (the comparison can fail)', async () => {
    // a restrictive patient: small volumes, steep descending limb
    const curves = [
      syntheticTrial('舒张前 第1次', 'pre', true, { fvc: 2.4, fast: 0.85, tauFast: 0.3, tauSlow: 1.2, pif: 3.2, fet: 6.5 }),
      syntheticTrial('舒张前 第2次', 'pre', false, { fvc: 2.3, fast: 0.84, tauFast: 0.32, tauSlow: 1.3, pif: 3.0, fet: 6.2 }),
    ];
    const png = await page1Png(await renderReportPdf(sampleReportDocument({ curves })));
    expect(differingShare(await greyBlocks(png, BLOCK), approved, THRESHOLD)).toBeGreaterThan(TOLERANCE);
  });

  it('does not match a different page size or a blank page', async () => {
    const png = await page1Png(await renderReportPdf(sampleReportDocument()), 72);
    expect(differingShare(await greyBlocks(png, BLOCK), approved, THRESHOLD)).toBe(1);
    const noInk = { ...approved, pixels: approved.pixels.map(() => 255) };
    expect(differingShare(noInk, approved, THRESHOLD)).toBeGreaterThan(0.05);
  });
});

describe('barcodes and QR code on the printed page', () => {
  const { BarcodeFormat, BinaryBitmap, DecodeHintType, HybridBinarizer, MultiFormatReader, RGBLuminanceSource } = zxing;

  async function decode(png: Uint8Array, dpi: number, rect: [number, number, number, number], format: number): Promise<string> {
    const { lum, width, height } = await luminanceOf(png, dpi, rect);
    const hints = new Map<number, unknown>([[DecodeHintType.POSSIBLE_FORMATS, [format]], [DecodeHintType.TRY_HARDER, true]]);
    const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(lum, width, height)));
    return new MultiFormatReader().decode(bitmap, hints).getText();
  }

  it('scans back to the accession number, the 申请单号 and the verification url', async () => {
    const doc = sampleReportDocument();
    const dpi = 200;
    const png = await page1Png(await renderReportPdf(doc), dpi);
    // positions in points, from the layout: codes at the top right, QR at the bottom right above the margin
    const m = (DEFAULT_REPORT_TEMPLATE.marginMm * 72) / 25.4;
    const right = 595.28 - m;
    expect(await decode(png, dpi, [right - 156, m - 4, 156, 22], BarcodeFormat.CODE_128)).toBe(doc.accessionNo);
    expect(await decode(png, dpi, [right - 156, m + 27, 156, 22], BarcodeFormat.CODE_128)).toBe(doc.requestNo);
    expect(await decode(png, dpi, [right - 56, 841.89 - m - 64, 56, 56], BarcodeFormat.QR_CODE)).toBe(doc.verification?.url);
  });
});
