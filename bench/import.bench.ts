/**
 * Device files in: npx tsx bench/import.bench.ts   (BENCH_RUNS=5 by default, BENCH_RUN_SECONDS=1 per subject and run,
 * after one warm-up pass over every file)
 * Files per second through `recognise()` (the whole reading of a device file, up to the extraction handed to binding):
 * (a) ndd EasyOne XML: the real export ../shared/samples/ndd-easyone-xml/CypressOut.xml (UTF-16, 534 KiB, raw curves)
 *     and a simulated bronchodilator TestResult from the demo device (his-sim nddTestResult);
 * (b) GDT 6310 from the demo device (gdtExamResult, GBK, decimal commas, pre and post);
 * (c) HL7 v2 ORU^R01: the ORU samples in ../shared/samples/hl7v2/, cycled;
 * (d) text PDFs: the four device printouts (sentrysuite, easyone, chinese, chinese-nonembedded) read by the document
 *     reader with the built-in layout templates (OCR off, so a text-layer failure could not hide behind OCR), and in
 *     the same run, on the same files: `readPdfText` alone (pdfjs text layer, no template) and poppler's
 *     `pdftotext -layout FILE -` spawned once per file; and the template step alone (choose + apply on the items
 *     readPdfText returned), so the template cost is visible.
 * Each run of a subject repeats its files for BENCH_RUN_SECONDS and counts; subjects are interleaved within a run.
 * Prints Markdown tables for bench/RESULTS.md, with the machine and its load.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyTemplate, BUILTIN_TEMPLATES, chooseTemplate } from '@pftis/formats/device-report/index';
import { devicePrintout, gdtExamResult, nddTestResult, type PrintoutLayout, SAMPLE_PRINTOUT, SAMPLE_PRINTOUT_ZH, type SimulatedExam } from '@pftis/his-sim';
import { createDocumentReader } from '../packages/server/src/modules/device-import/document.js';
import { readPdfText } from '../packages/server/src/modules/device-import/pdf-text.js';
import { recognise } from '../packages/server/src/modules/device-import/recognise.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const RUN_SECONDS = Number(process.env.BENCH_RUN_SECONDS ?? 1);
const SAMPLES = path.resolve(import.meta.dirname, '../../shared/samples');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const rate = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

interface Subject {
  label: string;
  files: Uint8Array[];
  /** Reads one file; throws if the reading is not what the benchmark expects (a refused file would measure nothing). */
  read: (bytes: Uint8Array, index: number) => Promise<void> | void;
  rates: number[];
}

const readDocument = createDocumentReader(async () => BUILTIN_TEMPLATES, { enabled: false });

async function recogniseOk(bytes: Uint8Array, what: string, minMeasurements = 1) {
  const r = await recognise(bytes, { readDocument });
  if (!r.ok) throw new Error(`${what}: refused: ${r.reason}`);
  if (r.value.measurements.length < minMeasurements) throw new Error(`${what}: ${r.value.measurements.length} measurements`);
  return r.value;
}

/** One run of a subject: as many files as fit in RUN_SECONDS (at least one pass over its files). */
async function runOnce(s: Subject): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (n < s.files.length || performance.now() - start < RUN_SECONDS * 1000) {
    const i = n % s.files.length;
    await s.read(s.files[i]!, i);
    n += 1;
  }
  return n / ((performance.now() - start) / 1000);
}

const exam = (accessionNo: string, bronchodilator: boolean): SimulatedExam => ({
  accessionNo, patientId: 'P00012345', name: '王建国', birthDate: '1961-03-12', sex: 'male', ageYears: 64, heightCm: 172, weightKg: 71, bronchodilator, requestNo: 'SQ2025050600123',
});

const printout = SAMPLE_PRINTOUT;
const chinesePrintout = SAMPLE_PRINTOUT_ZH;

async function main() {
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  // pdftotext -v writes its version to stderr
  const version = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' });
  const poppler = `${version.stderr || version.stdout}`.split('\n')[0]?.trim() || 'pdftotext';
  const loadBefore = load();
  const at = new Date('2026-11-25T02:30:00Z');
  const subjects: Subject[] = [];
  const notes: string[] = [];

  // (a) ndd XML
  const cypressPath = path.join(SAMPLES, 'ndd-easyone-xml/CypressOut.xml');
  if (existsSync(cypressPath)) {
    const cypress = new Uint8Array(readFileSync(cypressPath));
    const v = await recogniseOk(cypress, 'CypressOut.xml');
    subjects.push({ label: `ndd XML, the real export CypressOut.xml (${kib(cypress.length)}, UTF-16; ${v.measurements.length} values, ${v.trials.length} trials with curves)`, files: [cypress], read: (b) => recogniseOk(b, 'CypressOut.xml').then(() => undefined), rates: [] });
  } else notes.push(`${cypressPath} is absent: the real ndd export was not measured.`);
  const nddSim = nddTestResult(exam('ACC20261125001', true), at, 7);
  {
    const v = await recogniseOk(nddSim, 'simulated ndd XML');
    subjects.push({ label: `ndd XML, simulated bronchodilator TestResult (${kib(nddSim.length)}; ${v.measurements.length} values, ${v.trials.length} trials)`, files: [nddSim], read: (b) => recogniseOk(b, 'simulated ndd XML').then(() => undefined), rates: [] });
  }

  // (b) GDT 6310
  const gdt = gdtExamResult(exam('ACC20261125002', true), at, 11, 'gbk', { pdfPath: 'C:\\GDT\\P00012345.pdf' });
  {
    const v = await recogniseOk(gdt, 'GDT 6310');
    subjects.push({ label: `GDT 6310, simulated (${kib(gdt.length)}, GBK; ${v.measurements.length} values)`, files: [gdt], read: (b) => recogniseOk(b, 'GDT 6310').then(() => undefined), rates: [] });
  }

  // (c) HL7 ORU^R01 samples
  const hl7Dir = path.join(SAMPLES, 'hl7v2');
  if (existsSync(hl7Dir)) {
    const names = readdirSync(hl7Dir).filter((n) => /oru/i.test(n)).sort();
    const files = names.map((n) => new Uint8Array(readFileSync(path.join(hl7Dir, n))));
    const counts: number[] = [];
    for (const [i, f] of files.entries()) counts.push((await recogniseOk(f, names[i]!, 0)).measurements.length);
    subjects.push({
      label: `HL7 v2 ORU^R01, the ${files.length} ORU samples cycled (${names.map((n, i) => `${n} ${counts[i]} values`).join('; ')}; ${kib(files.reduce((a, f) => a + f.length, 0) / files.length)} on average)`,
      files,
      read: (b, i) => recogniseOk(b, names[i]!, 0).then(() => undefined),
      rates: [],
    });
  } else notes.push(`${hl7Dir} is absent: HL7 was not measured.`);

  // (d) text PDFs, three ways on the same files
  const layouts: PrintoutLayout[] = ['sentrysuite', 'easyone', 'chinese', 'chinese-nonembedded'];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pftis-import-bench-'));
  const pdfRows: Array<{ layout: PrintoutLayout; size: number; values: number; ours: Subject; pdfjs: Subject; templates: Subject; poppler: Subject; popplerCheck: string }> = [];
  for (const layout of layouts) {
    const bytes = devicePrintout(layout, layout.startsWith('chinese') ? chinesePrintout : printout);
    const file = path.join(dir, `${layout}.pdf`);
    writeFileSync(file, bytes);
    const v = await recogniseOk(bytes, layout);
    const plain = await readPdfText(bytes);
    if (!plain.hasTextLayer) throw new Error(`${layout}: no text layer`);
    const popplerText = () => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
    const text = popplerText();
    // what pdftotext makes of the page: does it carry the patient's name and the conclusion's first words?
    const want = [printout.patient.name, layout.startsWith('chinese') ? '中度阻塞性' : 'Moderate obstructive'];
    const popplerCheck = want.every((w) => text.replace(/\s+/g, '').includes(w.replace(/\s+/g, ''))) ? 'name and conclusion present' : `missing: ${want.filter((w) => !text.replace(/\s+/g, '').includes(w.replace(/\s+/g, ''))).join(', ')}`;
    pdfRows.push({
      layout,
      size: bytes.length,
      values: v.measurements.length,
      ours: { label: `${layout}: recognise`, files: [bytes], read: (b) => recogniseOk(b, layout).then(() => undefined), rates: [] },
      pdfjs: { label: `${layout}: readPdfText`, files: [bytes], read: async (b) => { if (!(await readPdfText(b)).hasTextLayer) throw new Error(layout); }, rates: [] },
      // the template step alone, on the items already read: choose among the built-in templates, then apply
      templates: {
        label: `${layout}: templates`,
        files: [bytes],
        read: () => {
          const chosen = chooseTemplate(plain.items, BUILTIN_TEMPLATES);
          if (!chosen || applyTemplate(plain.items, chosen.template, 'pdf').measurements.length === 0) throw new Error(`${layout}: template`);
        },
        rates: [],
      },
      poppler: { label: `${layout}: pdftotext`, files: [bytes], read: () => { popplerText(); }, rates: [] },
      popplerCheck,
    });
  }
  const allSubjects = [...subjects, ...pdfRows.flatMap((r) => [r.ours, r.pdfjs, r.templates, r.poppler])];

  // warm-up: one discarded run of every subject (module loading, JIT, pdfjs fonts and CMaps)
  for (const s of allSubjects) await runOnce(s);
  for (let run = 0; run < RUNS; run++) for (const s of allSubjects) s.rates.push(await runOnce(s));
  rmSync(dir, { recursive: true, force: true });

  const day = new Date().toISOString().slice(0, 10);
  console.log(`\n### Structured files (\`bench/import.bench.ts\`, ${day}, ${RUNS} runs of ${RUN_SECONDS} s per subject, median)\n`);
  console.log(`Machine: ${machine}; load average before ${loadBefore}, after ${load()} (1 / 5 / 15 min).\n`);
  console.log('| file | files/s | per file | all runs (files/s) |');
  console.log('|---|---|---|---|');
  for (const s of subjects) console.log(`| ${s.label} | ${rate(median(s.rates))} | ${(1000 / median(s.rates)).toFixed(2)} ms | ${s.rates.map(rate).join(', ')} |`);

  console.log(`\n### Text PDFs, three readers on the same files in the same run\n`);
  console.log(`recognise = what an import does: pdfjs text layer + choosing among the ${BUILTIN_TEMPLATES.length} built-in templates + applying the chosen one; readPdfText = the pdfjs text layer alone; templates = choosing and applying alone, on the items already read; pdftotext = ${poppler}, \`pdftotext -layout FILE -\`, one process per file (text only, no positions, no values).\n`);
  console.log('| printout | values read | recognise | readPdfText | templates alone | pdftotext -layout | pdftotext output |');
  console.log('|---|---|---|---|---|---|---|');
  const cell = (x: number) => `${rate(x)} files/s (${(1000 / x).toFixed(1)} ms)`;
  for (const r of pdfRows) {
    console.log(`| ${r.layout} (${kib(r.size)}) | ${r.values} | ${cell(median(r.ours.rates))} | ${cell(median(r.pdfjs.rates))} | ${cell(median(r.templates.rates))} | ${cell(median(r.poppler.rates))} | ${r.popplerCheck} |`);
  }
  console.log('\nAll runs (files/s):\n');
  for (const r of pdfRows) console.log(`- ${r.layout}: recognise ${r.ours.rates.map(rate).join(', ')}; readPdfText ${r.pdfjs.rates.map(rate).join(', ')}; templates ${r.templates.rates.map(rate).join(', ')}; pdftotext ${r.poppler.rates.map(rate).join(', ')}`);
  for (const n of notes) console.log(`\nNote: ${n}`);
}

await main();
