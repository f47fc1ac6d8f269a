import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { BUILTIN_TEMPLATES } from '@pftis/formats/device-report/index';
import { devicePrintout, type PrintoutLayout, SAMPLE_PRINTOUT_ZH, seededRandom } from '@pftis/his-sim';
import { writeGdtRequest } from '@pftis/formats/gdt/request';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentReader } from './document.js';
import { terminateOcr } from './ocr.js';
import { recognise } from './recognise.js';

const samplePath = path.resolve(import.meta.dirname, '../../../../../../shared/samples/ndd-easyone-xml/CypressOut.xml');

function nddResult() {
  const xml = `<?xml version="1.0" encoding="utf-16"?><ndd Version="ndd.EasyWarePro.V1"><Command Type="TestResult"/><Patients><Patient ID="P1"><Intervals><Interval><OrderID>A1</OrderID><Tests><Test TypeOfTest="FVC"><BestValues><ResultParameter ID="FEV1"><DataValue>2.4</DataValue><Unit>L</Unit><PredictedValue>3.1</PredictedValue><LLNormalValue>NaN</LLNormalValue></ResultParameter></BestValues><Trials><Trial><ChannelFlow><SamplingInterval>0.01</SamplingInterval><SamplingValues>0 1.5 6.2 5.1 3.3</SamplingValues></ChannelFlow></Trial></Trials></Test></Tests></Interval></Intervals></Patient></Patients></ndd>`;
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]));
}

function gdtResult() {
  const fields: Array<[string, string]> = [['8000', '6310'], ['3000', 'P1'], ['8413', 'A1'], ['6200', '25112026'], ['8410', 'FEV1'], ['8420', '2,40'], ['8421', 'L'], ['6220', '轻度阻塞性通气功能障碍']];
  return new Uint8Array(iconv.encode(fields.map(([f, c]) => `${String(3 + 4 + iconv.encode(c, 'gbk').length + 2).padStart(3, '0')}${f}${c}\r\n`).join(''), 'gbk'));
}

/** Flips, deletes, inserts and duplicates bytes, or truncates: the ways files get damaged on shares and USB sticks. */
function mutate(bytes: Uint8Array, r: ReturnType<typeof seededRandom>): Uint8Array {
  const out = Array.from(bytes);
  for (let n = r.int(1, 8); n > 0; n--) {
    const at = r.int(0, Math.max(0, out.length - 1));
    switch (r.int(0, 4)) {
      case 0: out[at] = r.int(0, 255); break;
      case 1: out.splice(at, r.int(1, 16)); break;
      case 2: out.splice(at, 0, ...Array.from({ length: r.int(1, 16) }, () => r.int(0, 255))); break;
      case 3: out.splice(at, 0, ...out.slice(at, at + r.int(1, 64))); break;
      default: out.length = at;
    }
  }
  return new Uint8Array(out);
}

describe('device files damaged in every way', () => {
  const seeds: Array<[string, Uint8Array, number]> = [
    ['ndd XML', nddResult(), 3000],
    ['GDT 6310', gdtResult(), 3000],
    ['HL7 ORU^R01', new TextEncoder().encode(['MSH|^~\\&|LT|PFT|PFTIS|H|20261125||ORU^R01|M1|P|2.4', 'PID|1||P1', 'ORC|RE|SQ1|A1', 'OBX|1|NM|FEV1^FEV1||2.31|L||N|||F', 'OBX|2|NM|FEV1_FVC^FEV1/FVC||71.5|%||N|||F', 'OBX|3|FT|INTERP^结论||轻度阻塞性通气功能障碍||||||F'].join('\r')), 3000],
    ['GDT 6302 (a request, not a result)', (() => { const r = writeGdtRequest({ accessionNumber: 'A1', requestNo: 'S', patientId: 'P', name: '张三', sex: 'male', birthDate: '1960-01-01', visitType: 'outpatient', items: [{ code: 'F', name: '肺通气', test: 'spirometry' }], scheduledAt: new Date() }, { receiverId: 'D', senderId: 'P' }); return r.ok ? r.value : new Uint8Array(); })(), 1000],
    ...(existsSync(samplePath) ? ([['the real ndd export', new Uint8Array(readFileSync(samplePath)), 200]] as Array<[string, Uint8Array, number]>) : []),
  ];

  it.each(seeds)('%s: never throws; each file is read or refused with a reason', async (_name, original, count) => {
    const r = seededRandom(20261125);
    let refused = 0;
    for (let i = 0; i < count; i++) {
      const result = await recognise(mutate(original, r));
      if (!result.ok) {
        refused += 1;
        expect(result.reason.length).toBeGreaterThan(0);
      } else {
        expect(Array.isArray(result.value.measurements)).toBe(true);
      }
    }
    // The damage must actually hurt: a fair share of the mutants is refused.
    expect(refused).toBeGreaterThan(count / 10);
  }, 120_000);
});

/** What the demo devices print (a bronchodilator test), for the PDF seeds. */
const printout = SAMPLE_PRINTOUT_ZH;

describe('printed and scanned reports damaged in every way', () => {
  afterAll(async () => {
    await terminateOcr();
  });

  // PDFs: the real reader with the built-in templates, but OCR off, so that a mutant that lost its text layer is
  // refused with a reason instead of going to OCR (which would take seconds per mutant).
  const PDF_BUDGET_MS = 45_000;
  const PDF_MAX = 2000;

  it('device printout PDFs (all four layouts): never throws; each mutant is read or refused with a reason, OCR never reached', async () => {
    const readDocument = createDocumentReader(async () => BUILTIN_TEMPLATES, { enabled: false });
    const layouts: PrintoutLayout[] = ['sentrysuite', 'easyone', 'chinese', 'chinese-nonembedded'];
    const seeds = layouts.map((layout) => devicePrintout(layout, layout === 'sentrysuite' || layout === 'easyone' ? { ...printout, conclusion: 'Moderate obstructive ventilatory defect.' } : printout));
    for (const [i, seed] of seeds.entries()) {
      // the unmutated seeds are read, or the mutants would measure nothing
      const read = await recognise(seed, { readDocument });
      expect(read.ok, `${layouts[i]}: ${read.ok ? '' : read.reason}`).toBe(true);
    }
    const r = seededRandom(20261207);
    const reasons = new Map<string, number>();
    let count = 0;
    let refused = 0;
    const start = performance.now();
    while (count < PDF_MAX && performance.now() - start < PDF_BUDGET_MS) {
      const result = await recognise(mutate(seeds[count % seeds.length]!, r), { readDocument });
      count += 1;
      if (!result.ok) {
        refused += 1;
        expect(result.reason.length).toBeGreaterThan(0);
        expect(result.reason).not.toMatch(/^OCR:/);
        const kind = result.reason.replace(/\d+/g, '#').slice(0, 60);
        reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
      } else {
        expect(Array.isArray(result.value.measurements)).toBe(true);
        expect(result.value.measurements.length).toBeGreaterThan(0);
      }
    }
    console.info(`[fuzz] ${count} PDF mutants in ${((performance.now() - start) / 1000).toFixed(1)} s, ${refused} refused: ${[...reasons].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${n}× ${k}`).join(' | ')}`);
    expect(count).toBeGreaterThanOrEqual(40);
    expect(refused).toBeGreaterThan(count / 10);
  }, 120_000);

  it('a small PNG through the image path (OCR on): never throws; decode failures come back as reasons', async () => {
    const canvas = createCanvas(220, 60);
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 220, 60);
    g.fillStyle = '#000';
    g.font = '20px sans-serif';
    g.fillText('FEV1 2.31 L', 10, 38);
    const png = new Uint8Array(canvas.toBuffer('image/png'));
    const readDocument = createDocumentReader(async () => BUILTIN_TEMPLATES, { languages: ['eng'] });
    // the undamaged image goes all the way through OCR and is refused only because it is no report
    const whole = await recognise(png, { readDocument });
    expect(whole.ok ? '' : whole.reason).toMatch(/template|no text found/);
    const r = seededRandom(20261208);
    let refused = 0;
    let count = 0;
    const reasons = new Map<string, number>();
    const start = performance.now();
    // Most mutants fail to decode at once; the few that decode go through OCR (a fraction of a second each).
    while (count < 1000 && performance.now() - start < 40_000) {
      count += 1;
      const result = await recognise(mutate(png, r), { readDocument });
      if (!result.ok) {
        refused += 1;
        expect(result.reason.length).toBeGreaterThan(0);
        const kind = result.reason.replace(/\d+/g, '#').slice(0, 60);
        reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
      } else {
        expect(Array.isArray(result.value.measurements)).toBe(true);
      }
    }
    expect(count).toBeGreaterThanOrEqual(50);
    console.info(`[fuzz] ${count} PNG mutants in ${((performance.now() - start) / 1000).toFixed(1)} s: ${[...reasons].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}× ${k}`).join(' | ')}`);
    // a line of text fits no report layout: everything is refused, with a reason
    expect(refused).toBe(count);
  }, 180_000);
});
