import { atsOrder, belowLln, formatChange, formatPct, formatValue, formatZ, rowSection, Z_LLN } from './format.js';
import type { ReportLabels, ResultColumn } from './labels.js';
import { COLORS, type FontName, type Flow } from './pdf-writer.js';
import type { ReportRow } from './report-document.js';

const Z_MIN = -5;
const Z_MAX = 3;
const POST_COLUMNS: ReadonlySet<ResultColumn> = new Set(['post', 'postZScore', 'postPctPredicted', 'changePct']);
const PRE_COLUMNS: ReadonlySet<ResultColumn> = new Set(['measured', 'lln', 'zScore', 'zbar', 'predicted', 'pctPredicted']);

interface Column { key: ResultColumn | 'param' | 'unit'; x: number; w: number }

interface Cell { text: string; bold: boolean }

function cell(row: ReportRow, key: ResultColumn): Cell {
  switch (key) {
    case 'predicted': return { text: formatValue(row.predicted, row), bold: false };
    case 'lln': return { text: formatValue(row.lln, row), bold: false };
    case 'measured': return { text: formatValue(row.measured, row), bold: belowLln(row.measured, row.zScore, row) };
    case 'zScore': return { text: formatZ(row.zScore), bold: row.zScore !== null && row.zScore < Z_LLN };
    case 'pctPredicted': return { text: formatPct(row.pctPredicted), bold: false };
    case 'post': return { text: formatValue(row.post, row), bold: belowLln(row.post, row.postZScore, row) };
    case 'postZScore': return { text: formatZ(row.postZScore), bold: row.postZScore !== null && row.postZScore < Z_LLN };
    case 'postPctPredicted': return { text: formatPct(row.postPctPredicted), bold: false };
    case 'changePct': return { text: formatChange(row.changePct), bold: false };
    case 'zbar': return { text: '', bold: false };
  }
}

export function isBronchodilatorTest(rows: readonly ReportRow[]): boolean {
  return rows.some((r) => r.post !== null || r.changePct !== null);
}

/**
 * The results table: parameter and unit, then the template's columns in its order. Post-bronchodilator
 * columns appear only for a bronchodilator test. Rows break across pages with the heading repeated.
 */
export function drawResultsTable(
  flow: Flow,
  inputRows: readonly ReportRow[],
  templateColumns: readonly ResultColumn[],
  labels: ReportLabels,
): void {
  const { w, base } = flow;
  const rows = atsOrder(inputRows);
  const bd = isBronchodilatorTest(rows);
  const keys = templateColumns.filter((c) => bd || !POST_COLUMNS.has(c));
  const columns = layoutColumns(flow, rows, keys);
  const rowH = Math.round(base * 1.8);
  const groupH = bd ? Math.round(base * 1.5) : 0;
  // two lines: heading and abbreviation, or heading and the z scale
  const headH = Math.round(base * (labels.parameter.sub !== null || keys.includes('zbar') ? 2.7 : 1.9));

  const drawHeader = () => {
    const top = flow.y;
    const left = flow.x;
    w.rect(left, top, flow.width, groupH + headH, COLORS.headBg);
    w.line(left, top, left + flow.width, top, 0.9, COLORS.ink);
    if (bd) {
      for (const run of runs(columns)) {
        const label = run.kind === 'pre' ? labels.preGroup : labels.postGroup;
        const size = w.fitSize(label, 'B', base - 0.5, run.w - 4);
        w.text(label, run.x, top + groupH * 0.72, { font: 'B', size, color: run.kind === 'pre' ? COLORS.pre : COLORS.post, align: 'center', width: run.w });
        w.line(run.x + 3, top + groupH, run.x + run.w - 3, top + groupH, 0.5, COLORS.rule);
      }
    }
    const headTop = top + groupH;
    for (const col of columns) {
      const heading = col.key === 'param' ? labels.parameter : col.key === 'unit' ? labels.unit : labels.columns[col.key];
      const spanTop = col.key === 'param' || col.key === 'unit' ? top : headTop;
      const spanH = top + groupH + headH - spanTop;
      const align = col.key === 'param' ? 'left' : 'center';
      const x = col.key === 'param' ? col.x + 4 : col.x;
      const mainSize = w.fitSize(heading.main, 'B', base - 0.5, col.w - 4);
      const subSize = base - 2.2;
      if (col.key === 'zbar') {
        w.text(heading.main, x, headTop + headH * 0.42, { font: 'B', size: mainSize, align, width: col.w });
        drawZScale(flow, col, headTop + headH - 3.5);
      } else if (heading.sub !== null) {
        const mid = spanTop + spanH / 2;
        w.text(heading.main, x, mid - 0.5, { font: 'B', size: mainSize, align, width: col.w });
        w.text(heading.sub, x, mid + subSize + 0.5, { size: subSize, color: COLORS.muted, align, width: col.w });
      } else {
        w.text(heading.main, x, spanTop + spanH / 2 + mainSize * 0.35, { font: 'B', size: mainSize, align, width: col.w });
      }
    }
    const bottom = top + groupH + headH;
    w.line(left, bottom, left + flow.width, bottom, 0.6, COLORS.ink);
    flow.y = bottom;
  };

  flow.ensure(groupH + headH + rowH * Math.min(rows.length, 3));
  drawHeader();
  let previousSection: string | null = null;
  rows.forEach((row, i) => {
    if (flow.ensure(rowH)) {
      drawHeader();
      previousSection = null;
    }
    const top = flow.y;
    const section = rowSection(row.param);
    if (previousSection !== null && section !== previousSection) {
      w.line(flow.x, top, flow.x + flow.width, top, 0.6, COLORS.rule);
    }
    previousSection = section;
    const baseline = top + rowH / 2 + base * 0.36;
    for (const col of columns) {
      if (col.key === 'param') {
        const size = w.fitSize(row.label, 'R', base, col.w - 6);
        w.text(row.label, col.x + 4, baseline, { size });
      } else if (col.key === 'unit') {
        w.text(row.unit, col.x, baseline, { size: base - 1, color: COLORS.muted, align: 'center', width: col.w });
      } else if (col.key === 'zbar') {
        drawZBar(flow, col, top, rowH, row, bd);
      } else {
        const { text, bold } = cell(row, col.key);
        if (text === '') continue;
        const font: FontName = bold ? 'B' : 'R';
        w.text(text, col.x, baseline, { font, size: base, align: 'right', width: col.w - Math.min(10, col.w * 0.2) });
      }
    }
    const bottom = top + rowH;
    const last = i === rows.length - 1;
    w.line(flow.x, bottom, flow.x + flow.width, bottom, last ? 0.9 : 0.35, last ? COLORS.ink : COLORS.lightRule);
    flow.y = bottom;
  });
}

function layoutColumns(flow: Flow, rows: readonly ReportRow[], keys: readonly ResultColumn[]): Column[] {
  const { w, base } = flow;
  const labelW = Math.max(64, ...rows.map((r) => w.width(r.label, 'R', base) + 10));
  const unitW = Math.max(26, ...rows.map((r) => w.width(r.unit, 'R', base - 1) + 10));
  const numeric = keys.filter((k) => k !== 'zbar').length;
  let zbarW = keys.includes('zbar') ? 100 : 0;
  let paramW = Math.min(labelW, flow.width * 0.3);
  let numW = numeric > 0 ? (flow.width - paramW - unitW - zbarW) / numeric : 0;
  if (numeric > 0 && numW < 38 && zbarW > 0) {
    zbarW = Math.max(70, flow.width - paramW - unitW - 38 * numeric);
    numW = (flow.width - paramW - unitW - zbarW) / numeric;
  }
  if (numW > 54) {
    numW = 54;
    const spare = flow.width - paramW - unitW - zbarW - numW * numeric;
    if (zbarW > 0) {
      const grow = Math.min(spare / 2, 40);
      zbarW += grow;
      paramW += spare - grow;
    } else {
      paramW += spare;
    }
  }
  const columns: Column[] = [];
  let x = flow.x;
  const push = (key: Column['key'], width: number) => {
    columns.push({ key, x, w: width });
    x += width;
  };
  push('param', paramW);
  push('unit', unitW);
  for (const key of keys) push(key, key === 'zbar' ? zbarW : numW);
  return columns;
}

function runs(columns: readonly Column[]): Array<{ kind: 'pre' | 'post'; x: number; w: number }> {
  const out: Array<{ kind: 'pre' | 'post'; x: number; w: number }> = [];
  for (const col of columns) {
    const kind = col.key === 'param' || col.key === 'unit' ? null : PRE_COLUMNS.has(col.key) ? 'pre' : POST_COLUMNS.has(col.key) ? 'post' : null;
    const last = out[out.length - 1];
    if (kind === null) continue;
    if (last && last.kind === kind && Math.abs(last.x + last.w - col.x) < 0.01) last.w += col.w;
    else out.push({ kind, x: col.x, w: col.w });
  }
  return out;
}

const zInset = 7;
const zToX = (col: Column, z: number) => {
  const clamped = Math.min(Z_MAX, Math.max(Z_MIN, z));
  return col.x + zInset + ((clamped - Z_MIN) / (Z_MAX - Z_MIN)) * (col.w - 2 * zInset);
};

function drawZScale(flow: Flow, col: Column, baseline: number): void {
  const size = flow.base - 2.6;
  for (let z = Z_MIN; z <= Z_MAX; z++) {
    const x = zToX(col, z);
    flow.w.text(String(z), x - 10, baseline, { size, color: COLORS.muted, align: 'center', width: 20 });
  }
}

/** The ATS 2017 linear z-score graphic: LLN line at z = −1.645, the abnormal side shaded. */
function drawZBar(flow: Flow, col: Column, top: number, rowH: number, row: ReportRow, bd: boolean): void {
  const { w } = flow;
  const pdf = w.pdf;
  const y0 = top + 2.5;
  const h = rowH - 5;
  const xMin = zToX(col, Z_MIN);
  const xLln = zToX(col, Z_LLN);
  const xMax = zToX(col, Z_MAX);
  w.rect(xMin, y0, xLln - xMin, h, COLORS.shade);
  for (let z = Z_MIN; z <= Z_MAX; z++) {
    const x = zToX(col, z);
    w.line(x, y0 + h - (z === 0 ? h : 2), x, y0 + h, z === 0 ? 0.5 : 0.35, z === 0 ? COLORS.rule : COLORS.lightRule);
  }
  w.line(xMin, y0 + h, xMax, y0 + h, 0.35, COLORS.rule);
  w.line(xLln, y0 - 1, xLln, y0 + h + 1, 0.7, COLORS.ink, [1.6, 1.1]);
  const cy = top + rowH / 2;
  const offset = bd && row.zScore !== null && row.postZScore !== null ? 2.3 : 0;
  if (row.zScore !== null) {
    pdf.save().circle(zToX(col, row.zScore), cy - offset, 2.5).fill(COLORS.pre).restore();
  }
  if (row.postZScore !== null) drawTriangle(flow, zToX(col, row.postZScore), cy + offset, 3, COLORS.post);
}

export function drawTriangle(flow: Flow, x: number, y: number, r: number, color: string): void {
  flow.w.pdf.save().polygon([x, y - r], [x + r * 0.95, y + r * 0.7], [x - r * 0.95, y + r * 0.7]).fill(color).restore();
}

/** One line under the table explaining the markers of the z-score graphic. */
export function drawZLegend(flow: Flow, x: number, baseline: number, labels: ReportLabels, bd: boolean): number {
  const { w } = flow;
  const size = flow.base - 1.8;
  let cx = x;
  w.pdf.save().circle(cx + 2.5, baseline - size * 0.33, 2.3).fill(COLORS.pre).restore();
  cx += 7;
  cx += w.text(bd ? labels.zbarLegendPre : labels.zbarLegendMeasured, cx, baseline, { size, color: COLORS.muted }) + 8;
  if (bd) {
    drawTriangle(flow, cx + 2.5, baseline - size * 0.33, 2.8, COLORS.post);
    cx += 7;
    cx += w.text(labels.zbarLegendPost, cx, baseline, { size, color: COLORS.muted }) + 8;
  }
  w.rect(cx, baseline - size * 0.8, 9, size * 0.9, COLORS.shade);
  w.line(cx + 9, baseline - size * 0.95, cx + 9, baseline + size * 0.2, 0.7, COLORS.ink, [1.6, 1.1]);
  cx += 13;
  cx += w.text(labels.zbarLegendShade, cx, baseline, { size, color: COLORS.muted });
  return cx - x;
}
