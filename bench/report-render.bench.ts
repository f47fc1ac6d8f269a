/**
 * Report rendering: npx tsx bench/report-render.bench.ts   (BENCH_RUNS=20 by default, after 3 warm-up runs)
 * (a) renderReportPdf() of the fixture report (curves, barcodes, QR, signature image), A4, fonts subset;
 * (b) in the same run, headless Chromium printing the same report as HTML (inline SVG curves, SVG codes;
 *     one browser kept open, page.setContent + page.pdf, system Noto Sans CJK SC);
 * (c) renderPdfToJpg() per page at the template's 150 dpi, quality 90.
 * Prints a Markdown table for bench/RESULTS.md.
 */
import os from 'node:os';
import bwipjs from 'bwip-js';
import { chromium } from 'playwright-core';
import { sampleReportDocument } from '../packages/server/src/modules/reports/render/fixtures.js';
import {
  DEFAULT_REPORT_TEMPLATE, renderPdfToJpg, renderReportPdf,
  type ReportCurve, type ReportDocument, type ReportRow,
} from '../packages/server/src/modules/reports/render/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WARMUP = 3;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function measure(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

// ── the same report as HTML ──────────────────────────────────────────────────────────────────────────

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const dataUrl = (png: Uint8Array) => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
const num = (v: number | null, d: number) => (v === null ? '' : v.toFixed(d));

function zBar(row: ReportRow): string {
  const x = (z: number) => 4 + ((Math.min(3, Math.max(-5, z)) + 5) / 8) * 92;
  const marks = [
    row.zScore === null ? '' : `<circle cx="${x(row.zScore)}" cy="6" r="2.5" fill="#1f5fa8"/>`,
    row.postZScore === null ? '' : `<path d="M${x(row.postZScore)} 8l3 5h-6z" fill="#c0392b"/>`,
  ];
  return `<svg width="100" height="16" viewBox="0 0 100 16"><rect x="4" y="2" width="${x(-1.645) - 4}" height="12" fill="#dfe4ea"/>`
    + `<line x1="${x(-1.645)}" x2="${x(-1.645)}" y1="1" y2="15" stroke="#1b1f24" stroke-dasharray="1.6 1.1"/>${marks.join('')}</svg>`;
}

function chart(curves: ReportCurve[], pick: (c: ReportCurve) => Array<{ x: number; y: number }>, w: number, h: number, title: string, xLabel: string, yLabel: string): string {
  const pts = curves.flatMap(pick);
  const [x0, x1] = [Math.min(0, ...pts.map((p) => p.x)), Math.ceil(Math.max(...pts.map((p) => p.x)))];
  const [y0, y1] = [Math.floor(Math.min(0, ...pts.map((p) => p.y))), Math.ceil(Math.max(...pts.map((p) => p.y)))];
  const px = (v: number) => 30 + ((v - x0) / (x1 - x0)) * (w - 40);
  const py = (v: number) => 10 + (1 - (v - y0) / (y1 - y0)) * (h - 40);
  const grid: string[] = [];
  for (let v = x0; v <= x1; v++) grid.push(`<line x1="${px(v)}" x2="${px(v)}" y1="10" y2="${h - 30}" stroke="#d3d9e0" stroke-width=".5"/><text x="${px(v)}" y="${h - 20}" text-anchor="middle">${v}</text>`);
  for (let v = y0; v <= y1; v += y1 - y0 > 8 ? 2 : 1) grid.push(`<line x1="30" x2="${w - 10}" y1="${py(v)}" y2="${py(v)}" stroke="#d3d9e0" stroke-width=".5"/><text x="26" y="${py(v) + 3}" text-anchor="end">${v}</text>`);
  const lines = [...curves].sort((a, b) => Number(a.best) - Number(b.best)).map((c) =>
    `<polyline fill="none" stroke="${c.stage === 'pre' ? '#1f5fa8' : '#c0392b'}" stroke-width="${c.best ? 1.5 : 0.6}"${c.stage === 'post' ? ' stroke-dasharray="3.5 1.8"' : ''}${c.best ? '' : ' stroke-opacity=".6"'} points="${pick(c).map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`);
  return `<figure><figcaption>${esc(title)}</figcaption><svg width="${w}" height="${h}" font-size="7" fill="#5b6573">${grid.join('')}`
    + `<rect x="30" y="10" width="${w - 40}" height="${h - 40}" fill="none" stroke="#8a96a3"/>${lines.join('')}`
    + `<text x="2" y="8">${esc(yLabel)}</text><text x="${w / 2}" y="${h - 8}" text-anchor="middle">${esc(xLabel)}</text></svg></figure>`;
}

function reportHtml(doc: ReportDocument): string {
  const cols = DEFAULT_REPORT_TEMPLATE.columns;
  const head: Record<string, string> = { predicted: '预计值', lln: '正常低限', measured: '实测值', zScore: 'Z 值', zbar: 'Z 值图', pctPredicted: '实测/预计%', post: '实测值', postPctPredicted: '实测/预计%', changePct: '改善率%' };
  const cell = (r: ReportRow, c: string) => c === 'zbar' ? zBar(r) : num(
    ({ predicted: r.predicted, lln: r.lln, measured: r.measured, zScore: r.zScore, pctPredicted: r.pctPredicted, post: r.post, postPctPredicted: r.postPctPredicted, changePct: r.changePct } as Record<string, number | null>)[c] ?? null,
    c === 'zScore' ? 2 : c.endsWith('ctPredicted') ? 0 : c === 'changePct' ? 1 : r.decimals);
  const code128 = (text: string) => bwipjs.toSVG({ bcid: 'code128', text, height: 6, scale: 1 });
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
    @page { size: A4; margin: 12mm 12mm 22mm }
    body { font-family: 'Noto Sans CJK SC', sans-serif; font-size: 9pt; color: #1b1f24; margin: 0 }
    header { display: grid; grid-template-columns: 150px 1fr 150px; align-items: center; border-bottom: 2px solid #1f4e79; padding-bottom: 4px }
    header h1 { margin: 0; font-size: 14pt; text-align: center } header h2 { margin: 2px 0 0; font-size: 16pt; text-align: center; letter-spacing: 4pt; color: #1f4e79 }
    .codes svg { width: 138px; height: 18px } .codes div { font-size: 7pt; text-align: center }
    .fields { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2px 0; padding: 6px 0; border-bottom: 1px solid #8a96a3 }
    .fields span { color: #5b6573 } table { width: 100%; border-collapse: collapse; margin-top: 6px }
    th { background: #eaeff4; font-size: 8pt } td { text-align: right; padding: 1px 4px; border-bottom: .5px solid #d3d9e0 } td:first-child { text-align: left }
    .charts { display: flex; gap: 16px } figure { margin: 6px 0 } figcaption { font-weight: bold; text-align: center; font-size: 8.5pt }
    .conclusion h3 { color: #1f4e79; border-left: 3px solid #1f4e79; padding-left: 5px; font-size: 10pt } .signs { display: flex; justify-content: space-between; border-top: 1px solid #8a96a3; padding-top: 8px }
    .signs img { height: 24px; vertical-align: middle } footer { display: flex; justify-content: space-between; border-top: 1px solid #8a96a3; margin-top: 16px; font-size: 7.5pt; color: #5b6573 }
  </style></head><body>
  <header><img src="${doc.hospital.logo ? dataUrl(doc.hospital.logo) : ''}" height="48">
    <div><h1>${esc(doc.hospital.name)}</h1><div style="text-align:center;color:#5b6573">${esc(doc.hospital.campusName)}</div><h2>${esc(doc.hospital.title)}</h2></div>
    <div class="codes">${code128(doc.accessionNo)}<div>检查号 ${esc(doc.accessionNo)}</div>${doc.requestNo ? `${code128(doc.requestNo)}<div>申请单号 ${esc(doc.requestNo)}</div>` : ''}</div></header>
  <div class="fields">${doc.patientFields.map((f) => `<div><span>${esc(f.label)}：</span>${esc(f.value)}</div>`).join('')}</div>
  <table><tr><th>项目</th><th>单位</th>${cols.map((c) => `<th>${head[c]}</th>`).join('')}</tr>
    ${doc.rows.map((r) => `<tr><td>${esc(r.label)}</td><td>${esc(r.unit)}</td>${cols.map((c) => `<td>${cell(r, c)}</td>`).join('')}</tr>`).join('')}</table>
  <div style="color:#5b6573;font-size:7.8pt;margin-top:4px">预计值方程：${esc(doc.equationText)}</div>
  <div class="charts">${chart(doc.curves, (c) => c.flowVolume, 170, 200, '流量-容积曲线', '容积 (L)', '流量 (L/s)')}${chart(doc.curves, (c) => c.volumeTime, 330, 200, '容积-时间曲线', '时间 (s)', '容积 (L)')}</div>
  <p><b>质量等级：</b>${esc(doc.qualityText ?? '')}</p>
  <div class="conclusion"><h3>结论</h3><p><b>${esc(doc.interpretation.summary ?? '')}</b></p>${doc.interpretation.text.split('\n').map((l) => `<p>${esc(l)}</p>`).join('')}</div>
  <div class="signs">${doc.signatures.map((s) => `<div>${esc(s.roleLabel)}：<b>${esc(s.name)}</b> ${s.image ? `<img src="${dataUrl(s.image)}">` : ''}<br><small>${esc(s.signedAt ?? '')}</small></div>`).join('')}</div>
  <footer><div>${esc(doc.footer)}<br>打印时间：${esc(doc.printedAt)}</div>
    ${doc.verification ? `<div style="text-align:center">${bwipjs.toSVG({ bcid: 'qrcode', text: doc.verification.url, scale: 1 }).replace('<svg', '<svg width="46" height="46"')}<br>验证码 ${esc(doc.verification.code)}</div>` : ''}</footer>
  </body></html>`;
}

// ── runs ─────────────────────────────────────────────────────────────────────────────────────────────

const doc = sampleReportDocument();
let pdf = await renderReportPdf(doc);
const ours = await measure(async () => {
  pdf = await renderReportPdf(doc);
});

const launchStart = performance.now();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const launchMs = performance.now() - launchStart;
let chromiumPdf: Uint8Array = new Uint8Array();
let chromiumTimes: number[];
try {
  const page = await browser.newPage();
  chromiumTimes = await measure(async () => {
    await page.setContent(reportHtml(doc));
    chromiumPdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: '<div style="font-size:8px;width:100%;text-align:center">第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</div>',
    });
  });
} finally {
  await browser.close();
}

const { jpgDpi, jpgQuality } = DEFAULT_REPORT_TEMPLATE;
let jpgs: Uint8Array[] = [];
const jpgTimes = await measure(async () => {
  jpgs = await renderPdfToJpg(pdf, { dpi: jpgDpi, quality: jpgQuality });
});
const perPage = jpgTimes.map((t) => t / jpgs.length);

if (process.env.BENCH_OUT) {
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(process.env.BENCH_OUT, { recursive: true });
  await writeFile(`${process.env.BENCH_OUT}/pftis.pdf`, pdf);
  await writeFile(`${process.env.BENCH_OUT}/chromium.pdf`, chromiumPdf);
  await Promise.all(jpgs.map((j, i) => writeFile(`${process.env.BENCH_OUT}/pftis-${i + 1}.jpg`, j)));
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const kb = (n: number) => `${Math.round(n / 1024)} KB`;
console.log(`\nReport rendering, ${RUNS} runs each after ${WARMUP} warm-up runs (${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version})\n`);
console.log('| subject | p50 | p95 | output |');
console.log('|---|---|---|---|');
console.log(`| (a) \`renderReportPdf\`, fixture report with curves (pdfkit, Noto Sans SC subsets) | ${fmt(percentile(ours, 50))} | ${fmt(percentile(ours, 95))} | ${kb(pdf.length)} PDF |`);
console.log(`| (b) headless Chromium, same report as HTML: \`setContent\` + \`page.pdf\` (browser kept open; launch ${fmt(launchMs)} once) | ${fmt(percentile(chromiumTimes, 50))} | ${fmt(percentile(chromiumTimes, 95))} | ${kb(chromiumPdf.length)} PDF |`);
console.log(`| (c) \`renderPdfToJpg\` per page, ${jpgDpi} dpi, quality ${jpgQuality} (pdfjs + @napi-rs/canvas) | ${fmt(percentile(perPage, 50))} | ${fmt(percentile(perPage, 95))} | ${kb(jpgs.reduce((a, j) => a + j.length, 0) / jpgs.length)} per page |`);
