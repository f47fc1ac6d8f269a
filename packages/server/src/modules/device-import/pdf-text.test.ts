/**
 * Device-report PDFs of the three built-in layouts, generated on the fly by the demo devices' printers, read back
 * through pdfjs and the layout templates. Every expectation is derived from the generator's input (the values that
 * went into the PDF), never from an earlier reading.
 */
import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import {
  applyTemplate,
  BUILTIN_TEMPLATES,
  chineseGeneric,
  chooseTemplate,
  type DeviceExtraction,
  type DeviceReportTemplate,
  easyOneConnectEn,
  sentrySuiteEn,
} from '@pftis/formats/device-report/index';
import { chineseNonEmbeddedPdf, chinesePdf, devicePrintout, easyOnePdf, type PrintoutInput, type PrintoutLayout, SAMPLE_PRINTOUT, SAMPLE_PRINTOUT_ZH, sentrySuitePdf } from '@pftis/his-sim';
import { readPdfText } from './pdf-text.js';

const input = SAMPLE_PRINTOUT;
const chineseInput = SAMPLE_PRINTOUT_ZH;

const layouts: Array<{ layout: PrintoutLayout; template: DeviceReportTemplate; input: PrintoutInput }> = [
  { layout: 'sentrysuite', template: sentrySuiteEn, input },
  { layout: 'easyone', template: easyOneConnectEn, input },
  { layout: 'chinese', template: chineseGeneric, input: chineseInput },
  { layout: 'chinese-nonembedded', template: chineseGeneric, input: chineseInput },
];

const squash = (s: string | null) => (s ?? '').replace(/\s+/g, '');

/** What the extraction must contain, from the input: core units, FEV1/FVC as a fraction, both stages. */
function expectMatches(ex: DeviceExtraction, src: PrintoutInput, layout: PrintoutLayout) {
  expect(ex.patient).toEqual({
    name: src.patient.name, id: src.patient.id, sex: src.patient.sex, birthDate: src.patient.birthDate,
    age: src.patient.age, heightCm: src.patient.heightCm, weightKg: src.patient.weightKg,
  });
  expect(ex.identifiers).toEqual({ ...src.identifiers, patientId: src.patient.id });
  expect(ex.test.measuredAt).toBe(layout === 'sentrysuite' ? src.test.measuredAt.slice(0, 16) + ':00' : src.test.measuredAt);
  expect(ex.test.operator).toBe(src.test.operator);
  expect(ex.test.device).toBe(src.test.device);
  expect(ex.test.deviceSerial).toBe(src.test.deviceSerial);
  expect(ex.test.type).toBe('bronchodilator');
  expect(squash(ex.conclusion)).toBe(squash(src.conclusion));

  const unit = (p: string) => (p === 'FEV1FVC' ? null : ['PEF', 'FEF2575', 'FEF75'].includes(p) ? 'L/s' : 'L');
  const expected = src.results.flatMap((r) => {
    const pre = { param: r.param, stage: 'pre', value: r.pre, unit: unit(r.param), predicted: r.predicted, lln: r.lln, uln: null, zscore: r.preZ, pctPred: r.prePctPred };
    if (r.post === null || r.post === undefined) return [pre];
    // only the EasyOne layout prints a z-score for the post test
    const postZ = layout === 'easyone' ? r.postZ : null;
    return [pre, { param: r.param, stage: 'post', value: r.post, unit: unit(r.param), predicted: r.predicted, lln: r.lln, uln: null, zscore: postZ, pctPred: r.postPctPred, changePct: r.changePct }];
  });
  const got = ex.measurements.map((m) => ({
    param: m.param, stage: m.stage, value: m.value, unit: m.unit, predicted: m.predicted, lln: m.lln, uln: m.uln, zscore: m.zscore, pctPred: m.pctPred,
    ...(m.stage === 'post' ? { changePct: m.changePct ?? null } : {}),
  }));
  expect(got.map((g) => `${g.param}/${g.stage}`).sort()).toEqual(expected.map((e) => `${e.param}/${e.stage}`).sort());
  for (const e of expected) {
    const g = got.find((x) => x.param === e.param && x.stage === e.stage)!;
    for (const [k, v] of Object.entries(e)) {
      const actual = (g as Record<string, unknown>)[k];
      if (typeof v === 'number') expect(actual, `${e.param}/${e.stage}.${k}`).toBeCloseTo(v, 9);
      else expect(actual, `${e.param}/${e.stage}.${k}`).toBe(v);
    }
  }
}

describe('device-report PDFs read back through the templates', () => {
  for (const { layout, template, input: src } of layouts) {
    it(`${layout}: chooseTemplate picks ${template.name}, applyTemplate returns what went in`, async () => {
      const pdf = devicePrintout(layout, src);
      const text = await readPdfText(pdf);
      expect(text.reason).toBeNull();
      expect(text.pages).toBe(1);
      expect(text.hasTextLayer).toBe(true);
      const chosen = chooseTemplate(text.items, BUILTIN_TEMPLATES);
      expect(chosen?.template.name).toBe(template.name);
      // the other layouts do not fit this page
      for (const other of BUILTIN_TEMPLATES.filter((t) => t !== template)) expect(chooseTemplate(text.items, [other])).toBeNull();
      const ex = applyTemplate(text.items, template);
      expect(ex.format).toBe('pdf');
      expect(ex.template).toBe(`${template.name}@${template.version}`);
      expect(ex.vendor).toBe(template.vendor);
      expectMatches(ex, src, layout);
      if (layout === 'easyone') expect(ex.test.qualityGrade).toBe('A');
      expect(ex.warnings).toEqual([]);
    });
  }

  it('reads volumes printed in mL as litres (Chinese layout, embedded and not)', async () => {
    for (const pdf of [chinesePdf(chineseInput, { volumeUnit: 'mL' }), chineseNonEmbeddedPdf(chineseInput, { volumeUnit: 'mL' })]) {
      const ex = applyTemplate((await readPdfText(pdf)).items, chineseGeneric);
      expectMatches(ex, chineseInput, 'chinese');
      expect(ex.measurements.find((m) => m.param === 'FVC' && m.stage === 'pre')?.rawValue).toBe('3410');
    }
  });

  it('reads a spirometry without a post test (EasyOne: the post table is simply absent)', async () => {
    const preOnly: PrintoutInput = { ...input, results: input.results.map((r) => ({ ...r, post: null, postZ: null, postPctPred: null, changePct: null })) };
    const ex = applyTemplate((await readPdfText(easyOnePdf(preOnly))).items, easyOneConnectEn);
    expect(ex.warnings).toEqual([]);
    expect(ex.test.type).toBe('spirometry');
    expect(ex.measurements.map((m) => `${m.param}/${m.stage}`)).toEqual(input.results.map((r) => `${r.param}/pre`));
  });

  it('prints deterministically', () => {
    expect(Buffer.from(sentrySuitePdf(input)).equals(Buffer.from(sentrySuitePdf(input)))).toBe(true);
    expect(Buffer.from(chineseNonEmbeddedPdf(chineseInput)).equals(Buffer.from(chineseNonEmbeddedPdf(chineseInput)))).toBe(true);
  });
});

describe('the Chinese printout whose CJK font is not embedded', () => {
  it('declares STSong-Light through UniGB-UCS2-H and embeds no font file', async () => {
    const bytes = chineseNonEmbeddedPdf(chineseInput);
    const raw = Buffer.from(bytes).toString('latin1');
    expect(raw).toContain('/BaseFont /STSong-Light');
    expect(raw).toContain('/Encoding /UniGB-UCS2-H');
    expect(raw).not.toMatch(/FontFile/);
    // pdf-lib opens it: a well-formed file
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBe(1);
  });

  it('extracts the Chinese text with the cMaps, and not without them', async () => {
    const bytes = chineseNonEmbeddedPdf(chineseInput);
    const withMaps = await readPdfText(bytes);
    const all = withMaps.items.map((i) => i.text).join('');
    for (const s of ['肺功能检查报告', '王建国', '用力肺活量', '实/预%', '中度阻塞性通气功能障碍']) expect(all).toContain(s);
    const without = await readPdfText(bytes, { cMaps: false });
    const allWithout = without.items.map((i) => i.text).join('');
    expect(allWithout).not.toContain('肺功能检查报告');
    expect(allWithout).not.toContain('王建国');
    // the Latin runs (Helvetica, a standard font) still come through
    expect(allWithout).toContain('FVC');
    expect(chooseTemplate(without.items, BUILTIN_TEMPLATES)).toBeNull();
  });
});

describe('readPdfText', () => {
  it('never throws on a broken PDF', async () => {
    const broken = [new Uint8Array(), new TextEncoder().encode('%PDF-1.7\nthis is not a pdf'), sentrySuitePdf(input).slice(0, 2000)];
    for (const bytes of broken) {
      const r = await readPdfText(bytes);
      expect(r.items).toEqual([]);
      expect(r.hasTextLayer).toBe(false);
      expect(r.reason).toMatch(/./);
    }
  });

  it('reports no text layer for an image-only PDF', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([595.28, 841.89]).drawRectangle({ x: 50, y: 50, width: 100, height: 100 });
    const r = await readPdfText(await doc.save());
    expect(r).toEqual({ pages: 1, items: [], hasTextLayer: false, reason: null });
  });

  it('gives positions in points from the top-left corner', async () => {
    const r = await readPdfText(sentrySuitePdf(input));
    const title = r.items.find((i) => i.text.startsWith('Spirometry with'))!;
    // drawn with its baseline 68 pt from the top in 11 pt type
    expect(title.x).toBeCloseTo(40, 0);
    expect(title.y + title.height * 0.85).toBeCloseTo(68, 0);
    expect(title.height).toBeCloseTo(11, 0);
  });
});
