import type { ReportLabels } from './labels.js';
import { COLORS, type Flow } from './pdf-writer.js';
import type { ReportCurve, ReportCurvePoint } from './report-document.js';

interface Axis { min: number; max: number; step: number }
interface Plot { left: number; top: number; width: number; height: number; x: Axis; y: Axis }

const PLOT_HEIGHT = 150;
const TOP_PAD = 24;
const LEFT_PAD = 26;
const BOTTOM_PAD = 24;
const GAP = 22;

function niceStep(range: number, target: number): number {
  const raw = range / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * power;
}

function axis(min: number, max: number, target: number, floorMin: number | null, minSpan: number): Axis {
  const lo = Math.min(min, floorMin ?? min);
  const hi = Math.max(max, lo + minSpan);
  const step = niceStep(hi - lo, target);
  return { min: Math.floor(lo / step + 1e-9) * step, max: Math.ceil(hi / step - 1e-9) * step, step };
}

function extent(curves: readonly ReportCurve[], pick: (c: ReportCurve) => ReportCurvePoint[]) {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const c of curves) {
    for (const p of pick(c)) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      xMin = Math.min(xMin, p.x); xMax = Math.max(xMax, p.x);
      yMin = Math.min(yMin, p.y); yMax = Math.max(yMax, p.y);
    }
  }
  if (!Number.isFinite(xMin)) return { xMin: 0, xMax: 1, yMin: 0, yMax: 1 };
  return { xMin, xMax, yMin, yMax };
}

export const CURVES_BLOCK_HEIGHT = TOP_PAD + PLOT_HEIGHT + BOTTOM_PAD + 14;

/**
 * Flow–volume and volume–time curves of every trial, drawn as vector paths. The flow–volume plot keeps
 * the ATS/ERS 2019 aspect (2 L/s of flow as long as 1 L of volume) where the page allows.
 */
export function drawCurves(flow: Flow, curves: readonly ReportCurve[], labels: ReportLabels): void {
  if (curves.length === 0) return;
  flow.ensure(CURVES_BLOCK_HEIGHT);
  const top = flow.y;
  const fv = extent(curves, (c) => c.flowVolume);
  const vt = extent(curves, (c) => c.volumeTime);
  const fvX = axis(fv.xMin * 1.05, fv.xMax * 1.06, 5, 0, 1);
  const fvY = axis(fv.yMin * 1.08, fv.yMax * 1.08, 7, 0, 2);
  const vtX = axis(vt.xMin, vt.xMax, 8, 0, 6);
  const vtY = axis(vt.yMin, vt.yMax * 1.08, 5, 0, 1);

  const aspectWidth = ((fvX.max - fvX.min) * 2 * PLOT_HEIGHT) / (fvY.max - fvY.min);
  const fvWidth = Math.min(flow.width * 0.45, Math.max(flow.width * 0.24, aspectWidth));
  const fvPlot: Plot = { left: flow.x + LEFT_PAD, top: top + TOP_PAD, width: fvWidth, height: PLOT_HEIGHT, x: fvX, y: fvY };
  const vtLeft = fvPlot.left + fvWidth + GAP + LEFT_PAD;
  const vtPlot: Plot = { left: vtLeft, top: top + TOP_PAD, width: flow.x + flow.width - 4 - vtLeft, height: PLOT_HEIGHT, x: vtX, y: vtY };

  drawFrame(flow, fvPlot, labels.flowVolume, labels.flowAxis, labels.volumeAxis, true);
  drawFrame(flow, vtPlot, labels.volumeTime, labels.volumeAxis, labels.timeAxis, false);

  // thin trials under the best ones; pre under post
  const order = [...curves].sort((a, b) => Number(a.best) - Number(b.best) || (a.stage === b.stage ? 0 : a.stage === 'pre' ? -1 : 1));
  for (const curve of order) {
    drawSeries(flow, fvPlot, curve.flowVolume, curve);
    drawSeries(flow, vtPlot, curve.volumeTime, curve);
  }

  const legendY = top + TOP_PAD + PLOT_HEIGHT + BOTTOM_PAD + 8;
  drawLegend(flow, flow.x + LEFT_PAD, legendY, labels, curves.some((c) => c.stage === 'post'));
  flow.y = top + CURVES_BLOCK_HEIGHT;
}

const px = (plot: Plot, x: number) => plot.left + ((x - plot.x.min) / (plot.x.max - plot.x.min)) * plot.width;
const py = (plot: Plot, y: number) => plot.top + plot.height - ((y - plot.y.min) / (plot.y.max - plot.y.min)) * plot.height;

function ticks(a: Axis): number[] {
  const out: number[] = [];
  const n = Math.round((a.max - a.min) / a.step);
  for (let i = 0; i <= n; i++) out.push(Number((a.min + i * a.step).toFixed(6)));
  return out;
}

function tickText(v: number, step: number): string {
  return step < 1 ? v.toFixed(step < 0.1 ? 2 : 1) : String(Math.round(v));
}

function drawFrame(flow: Flow, plot: Plot, title: string, yTitle: string, xTitle: string, zeroLine: boolean): void {
  const { w, base } = flow;
  const size = base - 2.4;
  const right = plot.left + plot.width;
  const bottom = plot.top + plot.height;
  w.text(title, plot.left, plot.top - 15, { font: 'B', size: base - 0.5, align: 'center', width: plot.width });
  w.text(yTitle, plot.left - LEFT_PAD + 2, plot.top - 4, { size, color: COLORS.muted });
  for (const t of ticks(plot.x)) {
    const x = px(plot, t);
    w.line(x, plot.top, x, bottom, 0.3, COLORS.lightRule);
    w.text(tickText(t, plot.x.step), x - 12, bottom + size + 2, { size, color: COLORS.muted, align: 'center', width: 24 });
  }
  for (const t of ticks(plot.y)) {
    const y = py(plot, t);
    w.line(plot.left, y, right, y, 0.3, COLORS.lightRule);
    w.text(tickText(t, plot.y.step), plot.left - 27, y + size * 0.35, { size, color: COLORS.muted, align: 'right', width: 24 });
  }
  if (zeroLine && plot.y.min < 0) w.line(plot.left, py(plot, 0), right, py(plot, 0), 0.6, COLORS.rule);
  w.pdf.save().lineWidth(0.6).strokeColor(COLORS.rule).rect(plot.left, plot.top, plot.width, plot.height).stroke().restore();
  w.text(xTitle, plot.left, bottom + size * 2 + 7, { size, color: COLORS.muted, align: 'center', width: plot.width });
}

function drawSeries(flow: Flow, plot: Plot, points: readonly ReportCurvePoint[], curve: ReportCurve): void {
  const pdf = flow.w.pdf;
  const path: Array<[number, number]> = [];
  let last: [number, number] | null = null;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    const q: [number, number] = [px(plot, p.x), py(plot, p.y)];
    // device curves carry hundreds of samples per second; points closer than 0.3 pt add bytes, not shape
    if (last && Math.abs(q[0] - last[0]) < 0.3 && Math.abs(q[1] - last[1]) < 0.3) continue;
    path.push(q);
    last = q;
  }
  const first = path[0];
  if (!first || path.length < 2) return;
  pdf.save();
  pdf.rect(plot.left, plot.top, plot.width, plot.height).clip();
  pdf.lineWidth(curve.best ? 1.5 : 0.6).strokeColor(curve.stage === 'pre' ? COLORS.pre : COLORS.post);
  pdf.lineJoin('round').lineCap('round');
  if (!curve.best) pdf.strokeOpacity(0.6);
  if (curve.stage === 'post') pdf.dash(curve.best ? 3.5 : 2.2, { space: curve.best ? 1.8 : 1.4 });
  pdf.moveTo(first[0], first[1]);
  for (let i = 1; i < path.length; i++) pdf.lineTo(path[i]![0], path[i]![1]);
  pdf.stroke();
  pdf.restore();
}

function drawLegend(flow: Flow, x: number, baseline: number, labels: ReportLabels, hasPost: boolean): void {
  const { w, base } = flow;
  const size = base - 1.8;
  const mid = baseline - size * 0.33;
  let cx = x;
  w.line(cx, mid, cx + 18, mid, 1.5, COLORS.pre);
  cx += 22;
  cx += w.text(hasPost ? labels.legendPre : labels.legendTrials, cx, baseline, { size, color: COLORS.muted }) + 12;
  if (hasPost) {
    w.line(cx, mid, cx + 18, mid, 1.5, COLORS.post, [3.5, 1.8]);
    cx += 22;
    cx += w.text(labels.legendPost, cx, baseline, { size, color: COLORS.muted }) + 12;
  }
  w.text(labels.legendBest, cx, baseline, { size, color: COLORS.muted });
}
