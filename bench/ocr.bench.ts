/**
 * OCR speed: npx tsx bench/ocr.bench.ts   (BENCH_RUNS=5 by default, after 1 warm-up run per image)
 * (a) worker start: cold (empty model folder: copy the gzipped models, unpack, write the cache) and warm (cache
 *     present), fra + eng, LSTM only, 4.0.0_best_int models from @tesseract.js-data;
 * (b) seconds per page for the four Foch scans in ../shared/samples/report-images/foch-efr/ with one running worker
 *     (ocrImage: header parsing, recognition, conversion to points);
 * (c) the Foch A4 scan as an image-only PDF: pdfjs render at 300 dpi + OCR (ocrPdfPages).
 * Prints a Markdown table for bench/RESULTS.md, with the machine and its load.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { configureOcr, ocrImage, ocrPdfPages, terminateOcr, warmUpOcr } from '../packages/server/src/modules/device-import/ocr.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LANGUAGES = ['fra', 'eng'];
const FOCH = path.resolve(import.meta.dirname, '../../shared/samples/report-images/foch-efr');
const IMAGES = ['anonyme_0.png', 'easily.png', 'test1.png', 'test2.png'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const f2 = (x: number) => x.toFixed(2);

async function main() {
  if (!existsSync(FOCH)) {
    console.warn(`${FOCH} is absent (../shared not checked out): nothing to measure`);
    return;
  }
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const loadBefore = load();
  const rows: string[] = [];

  // (a) worker start
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pftis-ocr-bench-'));
    await configureOcr({ dir, languages: LANGUAGES });
    const c = await warmUpOcr();
    if (!c.ok) throw new Error(c.reason);
    cold.push(c.seconds);
    await terminateOcr();
    const w = await warmUpOcr();
    if (!w.ok) throw new Error(w.reason);
    warm.push(w.seconds);
    await terminateOcr();
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push(`| worker start, cold (models copied, unpacked, cached) | ${f2(median(cold))} s | ${cold.map(f2).join(', ')} | |`);
  rows.push(`| worker start, warm (unpacked models in cachePath) | ${f2(median(warm))} s | ${warm.map(f2).join(', ')} | |`);

  // (b) pages, one worker
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pftis-ocr-bench-'));
  await configureOcr({ dir, languages: LANGUAGES });
  await warmUpOcr();
  for (const name of IMAGES) {
    const bytes = new Uint8Array(readFileSync(path.join(FOCH, name)));
    const first = await ocrImage(bytes);
    if (!first.ok) throw new Error(`${name}: ${first.reason}`);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const r = await ocrImage(bytes);
      times.push((performance.now() - start) / 1000);
      if (!r.ok) throw new Error(`${name}: ${r.reason}`);
    }
    const p = first.pages[0]!;
    rows.push(`| ${name} (${Math.round((p.widthPt * p.dpi) / 72)}×${Math.round((p.heightPt * p.dpi) / 72)} px, ${first.items.length} words, mean confidence ${p.meanConfidence}) | ${f2(median(times))} s | ${times.map(f2).join(', ')} | first page after start: ${f2(first.seconds)} s |`);
  }

  // (c) image-only PDF
  const pdf = await PDFDocument.create();
  const png = await pdf.embedPng(readFileSync(path.join(FOCH, 'anonyme_0.png')));
  pdf.addPage([595.28, 841.89]).drawImage(png, { x: 0, y: 0, width: 595.28, height: 841.89 });
  const pdfBytes = await pdf.save();
  const pdfTimes: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = performance.now();
    const r = await ocrPdfPages(pdfBytes);
    if (!r.ok) throw new Error(`PDF: ${r.reason}`);
    if (i > 0) pdfTimes.push((performance.now() - start) / 1000);
  }
  rows.push(`| anonyme_0.png as an image-only A4 PDF (pdfjs render at 300 dpi + OCR) | ${f2(median(pdfTimes))} s | ${pdfTimes.map(f2).join(', ')} | |`);
  await terminateOcr();
  rmSync(dir, { recursive: true, force: true });

  console.log(`\n## OCR (\`bench/ocr.bench.ts\`, ${new Date().toISOString().slice(0, 10)}, ${RUNS} runs, median)\n`);
  console.log(`Machine: ${machine}; load average before ${loadBefore}, after ${load()} (1 / 5 / 15 min).`);
  console.log(`tesseract.js 7.0.0, ${LANGUAGES.join(' + ')}, LSTM only, @tesseract.js-data 4.0.0_best_int models, one worker.\n`);
  console.log('| measure | median | all runs | note |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(r);
}

await main();
