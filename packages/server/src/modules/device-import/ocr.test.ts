/**
 * OCR of the real Foch scan (../shared/samples/report-images/foch-efr/anonyme_0.png), read through the French
 * SentrySuite layout template, compared cell by cell with our own transcription (foch-anonyme-0.transcription.ts).
 *
 * Cells per table row: parameter name, unit, Théo, Pré, % Théo (13 rows × 5), plus the test date and time printed as
 * the table's first rows (2) = 67 cells. Strict comparison:
 * - parameter: the label the template extracted equals the printed name exactly (`cv` for `CV` is wrong, and so is
 *   `DPE Lis`, where an unread unit was left in the label);
 * - unit: the template recognised the printed unit word (nothing left over in the label) and the row's unit is the
 *   one the printed unit gives (ratios printed in % come back as fractions without a unit, as the clinical core
 *   wants them);
 * - Théo, Pré, % Théo: the numbers, after the template's conversion into the core's units, equal the printed ones
 *   converted the same way; an empty printed cell must come back empty.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { applyTemplate, chooseTemplate } from '@pftis/formats/device-report/apply';
import type { ExtractedMeasurement } from '@pftis/formats/device-report/extraction';
import { BUILTIN_TEMPLATES } from '@pftis/formats/device-report/index';
import { resolveParam, toCoreUnits } from '@pftis/formats/device-report/params';
import { fochSentrySuiteFr } from '@pftis/formats/device-report/templates/foch-sentrysuite-fr';
import { FOCH_ANONYME_0_TABLE, type TranscribedRow } from './foch-anonyme-0.transcription.js';
import { effectiveDpi, inspectImage, joinCjk, ocrImage, ocrPdfPages, terminateOcr } from './ocr.js';

const FOCH = path.resolve(import.meta.dirname, '../../../../../../shared/samples/report-images/foch-efr');
const SCAN = path.join(FOCH, 'anonyme_0.png');
const haveScan = existsSync(SCAN);
if (!haveScan) console.warn(`[ocr.test] ${SCAN} is absent (../shared not checked out): the Foch OCR accuracy test is skipped`);

afterAll(async () => {
  await terminateOcr();
});

interface CellCheck { row: string; cell: 'param' | 'unit' | 'Théo' | 'Pré' | '% Théo' | 'value'; expected: string | null; got: string | null; ok: boolean }

const near = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));
const show = (n: number | null) => (n === null ? null : String(Math.round(n * 1e6) / 1e6));

/** What the template should give for a transcribed row: the printed values put through the same unit conversion. */
function expectedFor(row: TranscribedRow) {
  const info = resolveParam(row.param);
  const num = (s: string | null) => (s === null ? null : Number(s));
  const conv = toCoreUnits(info, row.unit, { value: num(row.pre), predicted: num(row.theo), lln: null, uln: null });
  return { unit: conv.unit, value: conv.value, predicted: conv.predicted, pctPred: num(row.pctTheo) };
}

/** Pairs transcribed rows with extracted measurements in order, allowing for rows the reading missed or invented. */
function align(rows: readonly TranscribedRow[], ms: ExtractedMeasurement[]): Array<ExtractedMeasurement | null> {
  const out: Array<ExtractedMeasurement | null> = [];
  let next = 0;
  for (const row of rows) {
    const e = expectedFor(row);
    const score = (m: ExtractedMeasurement) =>
      Number(m.deviceParam === row.param) * 2 + Number(resolveParam(m.deviceParam)?.name === resolveParam(row.param)?.name)
      + Number(near(m.value, e.value)) + Number(near(m.predicted, e.predicted)) + Number(near(m.pctPred, e.pctPred));
    let best = -1;
    for (let i = next; i < Math.min(ms.length, next + 3); i++) if (score(ms[i]!) >= 3 && (best < 0 || score(ms[i]!) > score(ms[best]!))) best = i;
    if (best < 0) out.push(null);
    else { out.push(ms[best]!); next = best + 1; }
  }
  return out;
}

function score(measurements: ExtractedMeasurement[], measuredAt: string | null): CellCheck[] {
  const rows = FOCH_ANONYME_0_TABLE.rows;
  const checks: CellCheck[] = [];
  const date = rows.find((r) => r.param === 'Date test')!;
  const time = rows.find((r) => r.param === 'Heure test')!;
  const [dd, mm, yy] = date.pre!.split('.');
  const wantDate = `20${yy}-${mm}-${dd}`;
  checks.push({ row: date.param, cell: 'value', expected: wantDate, got: measuredAt?.slice(0, 10) ?? null, ok: measuredAt?.slice(0, 10) === wantDate });
  checks.push({ row: time.param, cell: 'value', expected: `${time.pre}:00`, got: measuredAt?.slice(11) ?? null, ok: measuredAt?.slice(11) === `${time.pre}:00` });
  const valueRows = rows.filter((r) => r !== date && r !== time);
  const paired = align(valueRows, measurements);
  valueRows.forEach((row, i) => {
    const m = paired[i];
    const e = expectedFor(row);
    const labelWords = (m?.deviceParam ?? '').trim().split(/\s+/).length;
    const unitRead = !!m && labelWords === row.param.split(/\s+/).length && m.unit === e.unit;
    checks.push({ row: row.param, cell: 'param', expected: row.param, got: m?.deviceParam ?? null, ok: m?.deviceParam === row.param });
    checks.push({ row: row.param, cell: 'unit', expected: row.unit, got: m ? `${m.unit ?? '(fraction)'}${labelWords > 1 ? ` + "${m.deviceParam}"` : ''}` : null, ok: unitRead });
    checks.push({ row: row.param, cell: 'Théo', expected: row.theo, got: show(m?.predicted ?? null), ok: !!m && near(m.predicted, e.predicted) });
    checks.push({ row: row.param, cell: 'Pré', expected: row.pre, got: show(m?.value ?? null), ok: !!m && near(m.value, e.value) });
    checks.push({ row: row.param, cell: '% Théo', expected: row.pctTheo, got: show(m?.pctPred ?? null), ok: !!m && near(m.pctPred, e.pctPred) });
  });
  return checks;
}

describe.skipIf(!haveScan)('OCR of the Foch scan anonyme_0.png through the SentrySuite French template', () => {
  it('reads the results table against our transcription', async () => {
    const bytes = new Uint8Array(readFileSync(SCAN));
    const ocr = await ocrImage(bytes, { languages: ['fra', 'eng'] });
    if (!ocr.ok) throw new Error(ocr.reason);
    // 1653×2339 px without a pHYs chunk: 200 dpi, an A4 page
    expect(ocr.pageWidthPt).toBeCloseTo(595.1, 0);
    expect(ocr.pageHeightPt).toBeCloseTo(842.0, 0);
    expect(ocr.items.length).toBeGreaterThan(100);
    const vems = ocr.items.find((i) => i.text === 'VEMS');
    // positions in points, origin top-left: the VEMS row label sits near the left margin, a little above mid-page
    expect(vems).toBeDefined();
    expect(vems!.x).toBeGreaterThan(15);
    expect(vems!.x).toBeLessThan(40);
    expect(vems!.y).toBeGreaterThan(420);
    expect(vems!.y).toBeLessThan(450);

    // picked by its anchors among every shipped layout
    const chosen = chooseTemplate(ocr.items, [...BUILTIN_TEMPLATES, fochSentrySuiteFr]);
    expect(chosen?.template.name).toBe('foch-sentrysuite-fr');
    const ex = applyTemplate(ocr.items, fochSentrySuiteFr, 'image');
    const checks = score(ex.measurements, ex.test.measuredAt);
    const correct = checks.filter((c) => c.ok).length;
    const total = checks.length;
    const numeric = checks.filter((c) => c.cell !== 'param' && c.cell !== 'unit');
    const failed = checks.filter((c) => !c.ok).map((c) => `${c.row}/${c.cell}: expected ${JSON.stringify(c.expected)}, got ${JSON.stringify(c.got)}`);
    // the same parameter identified, even where the printed name was misread (case, an unread unit left in the label)
    const sameParam = FOCH_ANONYME_0_TABLE.rows.slice(2).filter((row, i) => {
      const m = align(FOCH_ANONYME_0_TABLE.rows.slice(2), ex.measurements)[i];
      return !!m && resolveParam(m.deviceParam)?.name === resolveParam(row.param)?.name;
    }).length;
    console.log(
      `[ocr.test] Foch anonyme_0.png: ${correct}/${total} cells correct (${((100 * correct) / total).toFixed(1)} %), `
      + `numbers and date/time ${numeric.filter((c) => c.ok).length}/${numeric.length}, `
      + `parameter identified ${sameParam}/13; OCR ${ocr.seconds.toFixed(2)} s (worker start included)\n  failed: ${failed.join('\n          ') || 'none'}`,
    );
    expect(total).toBe(67);
    // measured: 65/67 = 0.97 (every number, date, time and unit right; the two misses are the printed names "CI"
    // read as "Cl" and "CV" as "cv", each still identified as its parameter)
    expect(correct).toBeGreaterThanOrEqual(65);
    expect(numeric.every((c) => c.ok)).toBe(true);
    expect(sameParam).toBe(13);
    expect(ex.conclusion).toBe('CS CE JOUR');
  }, 120_000);

  it('reads the same scan wrapped in an image-only PDF', async () => {
    // a scanner that saves PDF: the whole A4 scan as the only content of an A4 page, rendered back at its 200 dpi.
    // (The whole page, not just the table: cut out on its own, the table loses decimal points in the Théo column —
    // Tesseract's layout analysis then merges the unit with the number, "L 2.28" is read "L 228".)
    const pdf = await PDFDocument.create();
    const png = await pdf.embedPng(readFileSync(SCAN));
    pdf.addPage([595.28, 841.89]).drawImage(png, { x: 0, y: 0, width: 595.28, height: 841.89 });
    const ocr = await ocrPdfPages(await pdf.save(), { languages: ['fra', 'eng'], dpi: 200 });
    if (!ocr.ok) throw new Error(ocr.reason);
    expect(ocr.pages).toHaveLength(1);
    expect(ocr.pageWidthPt).toBeCloseTo(595.3, 0);
    expect(ocr.pageHeightPt).toBeCloseTo(841.9, 0);
    const ex = applyTemplate(ocr.items, fochSentrySuiteFr, 'image');
    const fev1 = ex.measurements.find((m) => m.param === 'FEV1');
    expect(fev1).toMatchObject({ value: 2.52, predicted: 2.91, pctPred: 86 });
    expect(ex.test.measuredAt).toBe('2019-02-05T08:44:00');
  }, 120_000);
});

describe('bad input gives a reason, never an exception', () => {
  it('random bytes, empty input, unknown languages, broken images and PDFs', async () => {
    let seed = 42;
    const random = new Uint8Array(4096).map(() => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff);
    const cases = [
      await ocrImage(random),
      await ocrImage(new Uint8Array(0)),
      await ocrImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
      await ocrPdfPages(random),
      await ocrPdfPages(new TextEncoder().encode('%PDF-1.7\nnot really a PDF')),
      await ocrImage(random, { languages: ['klingon'] }),
    ];
    for (const r of cases) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
    }
  });

  it.skipIf(!haveScan)('a truncated PNG reaches the engine and comes back as a reason; the worker keeps working', async () => {
    const bytes = new Uint8Array(readFileSync(SCAN));
    const truncated = bytes.slice(0, 4000);
    const r = await ocrImage(truncated, { languages: ['fra', 'eng'] });
    expect(r).toEqual({ ok: false, reason: 'image could not be decoded (truncated or damaged PNG)' });
  }, 60_000);

  it('a damaged small image that must be enlarged first is refused, not decoded in this process (where it crashes Node)', async () => {
    // A valid PNG header (200 × 100) followed by garbage where the image data should be.
    const header = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 200, 0, 0, 0, 100, 8, 2, 0, 0, 0, 0, 0, 0, 0];
    const garbage = Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 255);
    const r = await ocrImage(new Uint8Array([...header, ...garbage]), { languages: ['eng'], scale: 2 });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/^OCR failed: (damaged|unreadable) image/);
  }, 60_000);
});

describe('image facts', () => {
  it('reads size and resolution from PNG and JPEG headers and picks a plausible dpi', () => {
    // PNG 100×50 with pHYs 11811 px/m (300 dpi)
    const png = new Uint8Array([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 100, 0, 0, 0, 50, 8, 2, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 9, 0x70, 0x48, 0x59, 0x73, 0, 0, 0x2e, 0x23, 0, 0, 0x2e, 0x23, 1, 0, 0, 0, 0,
      0, 0, 0, 0, 0x49, 0x44, 0x41, 0x54, 0, 0, 0, 0,
    ]);
    const info = inspectImage(png);
    expect(info).toMatchObject({ ok: true, value: { kind: 'png', width: 100, height: 50 } });
    expect(info.ok && info.value.dpi).toBeCloseTo(300, 0);
    // JPEG with JFIF 72 dpi and a 2480×3508 frame
    const jpeg = new Uint8Array([
      0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 1, 0, 72, 0, 72, 0, 0,
      0xff, 0xc0, 0, 17, 8, 0x0d, 0xb4, 0x09, 0xb0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    ]);
    expect(inspectImage(jpeg)).toEqual({ ok: true, value: { kind: 'jpeg', width: 2480, height: 3508, dpi: 72 } });
    // 72 dpi written on a 300 dpi A4 scan would make a 48-inch page: not trusted
    expect(effectiveDpi(2480, 3508, 72)).toBeCloseTo(300, 0);
    expect(effectiveDpi(1653, 2339, null)).toBe(200);
    expect(effectiveDpi(1653, 2339, 300)).toBe(300);
    // a 12-megapixel phone photo without metadata is taken as a whole A4 page
    expect(effectiveDpi(3024, 4032, null)).toBeCloseTo(4032 / 11.69, 3);
    expect(joinCjk('用 力 肺 活 量 FVC 3.2 L')).toBe('用力肺活量 FVC 3.2 L');
  });
});
