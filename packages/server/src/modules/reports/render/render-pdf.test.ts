import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFRef } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { atsOrder } from './format.js';
import { sampleReportDocument, sampleRows } from './fixtures.js';
import { parseHospitalTime, renderReportPdf } from './render-pdf.js';
import { DEFAULT_REPORT_TEMPLATE, type ReportDocument, type ReportTemplate } from './report-document.js';
import { compact, pdfFonts, pdfText } from './test-support.js';

const template = (patch: Partial<ReportTemplate>): ReportTemplate => ({ ...DEFAULT_REPORT_TEMPLATE, ...patch });

/** A report that cannot fit one page: five copies of every row and a long conclusion. */
function longDocument(overrides: Partial<ReportDocument> = {}): ReportDocument {
  const rows = Array.from({ length: 6 }, (_, k) =>
    sampleRows().map((r) => ({ ...r, param: `${r.param}_${k}`, label: `${r.label} #${k + 1}` })),
  ).flat();
  const text = Array.from({ length: 14 }, (_, i) => `第${i + 1}条：轻度阻塞性通气功能障碍，支气管舒张试验阳性，建议结合临床随访复查肺功能。`).join('\n');
  return sampleReportDocument({ rows, interpretation: { summary: '阻塞性通气功能障碍 · 轻度', text }, ...overrides });
}

async function pageCount(pdf: Uint8Array): Promise<number> {
  return (await PDFDocument.load(pdf)).getPageCount();
}

/** Images the pages actually draw (XObjects of subtype Image), as pixel sizes. */
async function pageImages(pdf: Uint8Array): Promise<Array<{ width: number; height: number }>> {
  const doc = await PDFDocument.load(pdf);
  const seen = new Map<string, { width: number; height: number }>();
  for (const page of doc.getPages()) {
    const xobjects = page.node.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
    if (!xobjects) continue;
    for (const [, ref] of xobjects.entries()) {
      const stream = doc.context.lookup(ref);
      if (!(stream instanceof PDFRawStream) || stream.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
      const num = (key: string) => (stream.dict.get(PDFName.of(key)) as PDFNumber).asNumber();
      seen.set(ref instanceof PDFRef ? ref.toString() : String(seen.size), { width: num('Width'), height: num('Height') });
    }
  }
  return [...seen.values()];
}

/** The decoded content stream of page 1. */
async function pageContent(pdf: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(pdf);
  const contents = doc.getPage(0).node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r)) : [contents];
  return streams
    .map((s) => (s instanceof PDFRawStream ? Buffer.from(decodePDFRawStream(s).decode()).toString('latin1') : ''))
    .join('\n');
}

const lineTos = (content: string) => (content.match(/^-?[\d.]+ -?[\d.]+ l$/gm) ?? []).length;
const rects = (content: string) => (content.match(/^(-?[\d.]+ ){4}re$/gm) ?? []).length;

describe('renderReportPdf', () => {
  let finalPdf: Uint8Array;
  let finalText: string;

  beforeAll(async () => {
    finalPdf = await renderReportPdf(sampleReportDocument());
    finalText = await pdfText(finalPdf);
  });

  it('prints the hospital, patient, numbers, values, conclusion, signers and page number', () => {
    const text = compact(finalText);
    for (const expected of [
      '江南市第一人民医院', '东院区', '肺功能检查报告', '姓名：张伟', '门诊号：MZ2026112537',
      '检查号PF20261125-0037', '申请单号SQ2026112500815',
      'FVC用力肺活量', 'FEV1一秒量', 'FEV1/FVC一秒率', 'PEF峰流速', 'MMEF最大呼气中期流量', 'FEF75呼出75%时流量',
      '预计值', '正常低限', 'LLN', '实测值', 'Z值', '实测/预计%', '舒张后', '改善率%',
      'GLIGlobal2022', '质量等级', '轻度阻塞性通气功能障碍，支气管舒张试验阳性。',
      '阻塞性通气功能障碍·轻度·支气管舒张试验阳性',
      '检查技师：王芳', '报告医师：陈志强', '审核医师：刘建国', '2026-11-2514:03',
      '本报告仅对本次检查负责', '打印时间：2026-11-2515:32', '验证码7F3K-9Q2M', '第1页/共1页',
    ]) {
      expect(text, expected).toContain(compact(expected));
    }
    expect(text).not.toContain('草稿');
  });

  it('formats each value with the row’s decimals and leaves null cells blank', () => {
    const line = (label: string) => finalText.split('\n').find((l) => l.includes(label)) ?? '';
    // ATS 2017 order: measured, LLN, z (then its bar), predicted, %pred; post: measured, z, %pred, change
    expect(line('FVC 用力肺活量').replace(/\s+/g, ' ')).toMatch(/L 3\.86 3\.08 -0\.36 4\.08 95 4\.07 -0\.01 100 \+5\.4$/);
    expect(line('FEV1 一秒量').replace(/\s+/g, ' ')).toMatch(/L 2\.36 2\.41 -1\.75 3\.23 73 2\.74 -1\.00 85 \+16\.1$/);
    expect(line('FEV1/FVC 一秒率').replace(/\s+/g, ' ')).toMatch(/% 61\.1 67\.3 -2\.35 79\.0 77 67\.3 -1\.64 85 \+10\.1$/);
    // PEF has no reference equation: only measured, post and change
    expect(line('PEF 峰流速').replace(/\s+/g, ' ')).toMatch(/L\/s 6\.12 6\.85 \+11\.9$/);
  });

  it('orders rows as the ATS 2017 report does (FVC, FEV1, FEV1/FVC first) whatever the input order', () => {
    expect(sampleRows()[0]!.param).toBe('FEV1');
    expect(atsOrder(sampleRows()).map((r) => r.param)).toEqual(['FVC', 'FEV1', 'FEV1FVC', 'PEF', 'FEF2575', 'FEF75']);
    const at = (s: string) => finalText.indexOf(s);
    expect(at('FVC 用力肺活量')).toBeGreaterThan(0);
    expect(at('FVC 用力肺活量')).toBeLessThan(at('FEV1 一秒量'));
    expect(at('FEV1 一秒量')).toBeLessThan(at('FEV1/FVC 一秒率'));
    expect(at('FEV1/FVC 一秒率')).toBeLessThan(at('PEF 峰流速'));
  });

  it('watermarks every page of a draft with 草稿 (DRAFT in English) and never a final', async () => {
    const draft = await renderReportPdf(longDocument({ final: false, verification: null }));
    const pages = await pageCount(draft);
    expect(pages).toBeGreaterThanOrEqual(2);
    // the watermark is drawn last, over the content: in drawing order its two characters stay together
    for (let p = 1; p <= pages; p++) expect(compact(await pdfText(draft, p, 'raw'))).toContain('草稿');
    const english = await renderReportPdf(sampleReportDocument({ language: 'en', final: false, verification: null }));
    expect(await pdfText(english, 1, 'raw')).toContain('DRAFT');
    expect(await pdfText(english)).toContain('Page 1 of 1');
    expect(compact(await pdfText(finalPdf, 1, 'raw'))).not.toMatch(/[草稿]/);
  });

  it('embeds every font as a subset', async () => {
    const lines = (await pdfFonts(finalPdf)).trim().split('\n').slice(2);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatch(/NotoSansSC/);
      expect(line).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+\d+$/); // emb sub uni
    }
    expect(finalPdf.length).toBeLessThan(300_000);
  });

  it('draws curves, barcodes and QR as vectors: the only images are the logo and the signature', async () => {
    const images = await pageImages(finalPdf);
    expect(images).toHaveLength(2);
    expect(images).toEqual(expect.arrayContaining([{ width: 192, height: 192 }, { width: 240, height: 80 }]));

    const withCurves = lineTos(await pageContent(finalPdf));
    const without = lineTos(await pageContent(await renderReportPdf(sampleReportDocument({ curves: [] }))));
    expect(withCurves - without).toBeGreaterThan(1000);

    const plain = await renderReportPdf(sampleReportDocument({
      hospital: { ...sampleReportDocument().hospital, logo: null },
      signatures: sampleReportDocument().signatures.map((s) => ({ ...s, image: null })),
    }));
    expect(await pageImages(plain)).toEqual([]);
  });

  it('flows a long report onto further pages with the right “共 N 页” on each', async () => {
    const pdf = await renderReportPdf(longDocument());
    const pages = await pageCount(pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    for (let p = 1; p <= pages; p++) {
      const text = compact(await pdfText(pdf, p));
      expect(text).toContain(`第${p}页/共${pages}页`);
      if (p > 1) expect(text).toContain('检查号：PF20261125-0037'); // running header
    }
    const all = compact(await pdfText(pdf));
    // every row and every line of the conclusion made it, once
    for (let k = 1; k <= 6; k++) expect(all.split(`FEF75呼出75%时流量#${k}`)).toHaveLength(2);
    for (let i = 1; i <= 14; i++) expect(all).toContain(`第${i}条：`);
    expect(all).toContain('审核医师：刘建国');
    // the table heading repeats on the page the table continues on
    const page2 = compact(await pdfText(pdf, 2));
    if (page2.includes('#6')) expect(page2).toContain('预计值');
  });

  it('follows the template: section order and visibility, column order, fields per line, no barcode', async () => {
    const at = (text: string, s: string) => compact(text).indexOf(compact(s));

    const noCurves = await pdfText(await renderReportPdf(sampleReportDocument(), template({ sections: ['patient', 'results', 'interpretation', 'signatures'] })));
    expect(compact(finalText)).toContain('流量-容积曲线');
    expect(compact(noCurves)).not.toContain('流量-容积曲线');
    expect(compact(noCurves)).not.toContain('质量等级');

    const conclusionFirst = await pdfText(await renderReportPdf(sampleReportDocument(), template({ sections: ['interpretation', 'patient', 'results'] })));
    expect(at(conclusionFirst, '轻度阻塞性通气功能障碍，支气管舒张试验阳性。')).toBeLessThan(at(conclusionFirst, '姓名：张伟'));
    expect(at(finalText, '轻度阻塞性通气功能障碍，支气管舒张试验阳性。')).toBeGreaterThan(at(finalText, '姓名：张伟'));
    expect(compact(conclusionFirst)).not.toContain('王芳');

    const headerLine = (text: string) => text.split('\n').find((l) => l.includes('预计值')) ?? '';
    const reordered = await pdfText(await renderReportPdf(sampleReportDocument(), template({ columns: ['pctPredicted', 'measured', 'predicted'] })));
    const h2 = headerLine(reordered);
    expect(h2.indexOf('实测/预计%')).toBeLessThan(h2.indexOf('实测值'));
    expect(h2.indexOf('实测值')).toBeLessThan(h2.indexOf('预计值'));
    // the default is the ATS 2017 standard report: measured, LLN, z-score, predicted just before % predicted
    const h1 = headerLine(finalText);
    const order = [/实测值/, /正常低限/, /Z\s*值/, /预计值/, /实测\/预计%/].map((re) => h1.search(re));
    expect(order.every((at) => at >= 0), h1).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(h2).not.toContain('正常低限');
    expect(h1).toContain('正常低限');
    const fvc = (reordered.split('\n').find((l) => l.includes('FVC 用力肺活量')) ?? '').replace(/\s+/g, ' ');
    expect(fvc).toMatch(/L 95 3\.86 4\.08$/);

    const twoPerLine = await pdfText(await renderReportPdf(sampleReportDocument(), template({ patientFieldsPerLine: 2 })));
    const lineOf = (text: string, s: string) => text.split('\n').findIndex((l) => compact(l).includes(s));
    expect(lineOf(finalText, '姓名：张伟')).toBe(lineOf(finalText, '年龄：56岁'));
    expect(lineOf(twoPerLine, '姓名：张伟')).toBe(lineOf(twoPerLine, '性别：男'));
    expect(lineOf(twoPerLine, '年龄：56岁')).toBeGreaterThan(lineOf(twoPerLine, '姓名：张伟'));

    const noCodes = await renderReportPdf(sampleReportDocument(), template({ showBarcode: false, showQr: false }));
    // bars and QR modules are filled rectangles
    expect(rects(await pageContent(finalPdf)) - rects(await pageContent(noCodes))).toBeGreaterThan(150);
    expect(compact(await pdfText(noCodes))).not.toContain('验证码');
    expect(compact(await pdfText(noCodes))).toContain('检查号PF20261125-0037');
  });

  it('leaves the post-bronchodilator columns out of a test without a bronchodilator', async () => {
    const rows = sampleRows().map((r) => ({ ...r, post: null, postZScore: null, postPctPredicted: null, changePct: null }));
    const curves = sampleReportDocument().curves.filter((c) => c.stage === 'pre');
    const text = compact(await pdfText(await renderReportPdf(sampleReportDocument({
      rows, curves, qualityText: 'FEV1 A、FVC A（ATS/ERS 2019）',
      interpretation: { summary: null, text: '轻度阻塞性通气功能障碍。' },
    }))));
    expect(text).not.toContain('舒张后Post');
    expect(text).not.toContain('改善率%');
    // one z-score column (baseline); the bronchodilator report has a second, post-bronchodilator one
    expect(text.split('Z-score')).toHaveLength(2);
    expect(compact(finalText).split('Z-score')).toHaveLength(3);
    expect(text).not.toContain('%Chg');
    expect(text).toContain('实测/预计%');
    expect(text).toContain('测试曲线');
    expect(text).not.toMatch(/舒张[前后]/);
  });

  it('prints one barcode when there is no 申请单号', async () => {
    const pdf = await renderReportPdf(sampleReportDocument({ requestNo: null }));
    const text = compact(await pdfText(pdf));
    expect(text).toContain('检查号PF20261125-0037');
    expect(text).not.toContain('申请单号');
    expect(rects(await pageContent(finalPdf)) - rects(await pageContent(pdf))).toBeGreaterThan(20);
  });

  it('prints the version and correction reason of a corrected report', async () => {
    const text = compact(await pdfText(await renderReportPdf(sampleReportDocument({ version: 2, correctionReason: '身高录入错误，已更正为 172 cm' }))));
    expect(text).toContain('第2版（更正报告）');
    expect(text).toContain('更正原因：身高录入错误，已更正为172cm');
    expect(compact(finalText)).not.toContain('更正');
  });

  it('gives the same bytes for the same input, dated by printedAt', async () => {
    const again = await renderReportPdf(sampleReportDocument());
    expect(Buffer.compare(Buffer.from(again), Buffer.from(finalPdf))).toBe(0);
    const doc = await PDFDocument.load(finalPdf);
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-11-25T07:32:00.000Z');
    expect(parseHospitalTime('2026-11-25 15:32')?.toISOString()).toBe('2026-11-25T07:32:00.000Z');
    const other = await renderReportPdf(sampleReportDocument({ printedAt: '2026-11-26 08:00' }));
    expect(Buffer.compare(Buffer.from(other), Buffer.from(finalPdf))).not.toBe(0);
  });
});
