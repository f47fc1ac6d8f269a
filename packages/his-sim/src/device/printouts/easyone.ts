import type { DrawOp } from './draw.js';
import { dateParts, fixed, kindOf, type PrintoutInput, type PrintoutRow, signed } from './input.js';

/** EasyOne names with bracketed units; PEF in L/min as the device shows it. */
const NAMES: Record<string, string> = {
  FVC: 'FVC [L]', FEV1: 'FEV1 [L]', FEV1FVC: 'FEV1/FVC', FEV6: 'FEV6 [L]', FEV1FEV6: 'FEV1/FEV6', PEF: 'PEF [L/min]',
  FEF2575: 'FEF25-75 [L/s]', FEF75: 'FEF75 [L/s]', VC: 'VC [L]', IC: 'IC [L]', ERV: 'ERV [L]', TLC: 'TLC [L]', RV: 'RV [L]',
  FRC: 'FRC [L]', RVTLC: 'RV/TLC [%]', TLCO_SI: 'TLCO [mmol/min/kPa]', DLCO_trad: 'DLCO [mL/min/mmHg]', KCO_SI: 'KCO [mmol/min/kPa/L]', VA: 'VA [L]',
};

/** Printed value: PEF in L/min with one decimal, ratios as fractions, the rest with two decimals. */
export function nddValue(param: string, x: number | null | undefined): string {
  if (x === null || x === undefined) return '';
  if (param === 'PEF') return fixed(x * 60, 1);
  return kindOf(param) === 'percent' ? fixed(x, 0) : fixed(x, 2);
}

/** Trials in rank order as ndd prints them; the values are the best one slightly degraded, for the look. */
const TRIAL_ORDER = [2, 1, 3];
const trial = (param: string, best: number | null, rank: number) =>
  best === null || kindOf(param) === 'ratio' ? nddValue(param, best) : nddValue(param, best * (1 - rank * 0.012));

const PRE = [['Best', 170], ['LLN', 215], ['Z-Score', 262], ['%Pred', 310], ['Pred', 355]] as const;
const POST = [['Best', 170], ['Z-Score', 215], ['%Pred', 262], ['Chg', 310], ['%Chg', 355]] as const;
const TRIALS = [410, 460, 510];

/** An EasyOne Connect-style FVC report (English), with a post-bronchodilator table when post values are given. */
export function easyOneOps(input: PrintoutInput): DrawOp[] {
  const { patient: p, identifiers: id, test } = input;
  const at = dateParts(test.measuredAt);
  const birth = dateParts(p.birthDate);
  const ops: DrawOp[] = [];
  const text = (t: string, x: number, y: number, size = 8.5, bold = false, align: 'left' | 'center' | 'right' = 'left') => {
    if (t) ops.push({ kind: 'text', text: t, x, y, size, bold, align });
  };
  const line = (y: number, width = 0.5) => ops.push({ kind: 'line', x1: 40, y1: y, x2: 555, y2: y, width });

  text('EasyOne Connect', 40, 45, 13, true);
  text('ndd Medical Technologies', 555, 45, 8, false, 'right');
  text(input.institution, 555, 57, 8, false, 'right');
  text('Spirometry - FVC', 40, 64, 11, true);
  line(72, 1);
  const hour = Number(at.hh);
  // the real software prints a 24-hour clock followed by AM/PM ("15:59:33 PM")
  const pairs: Array<[string, string]> = [
    ['Name:', p.name], ['ID:', p.id],
    ['Date of Birth:', `${birth.d}/${birth.m}/${birth.y}`], ['Age:', `${p.age} years`],
    ['Gender:', p.sex === 'M' ? 'Male' : 'Female'], ['Height:', `${p.heightCm} cm`],
    ['Weight:', `${p.weightKg} kg`], ['Order ID:', id.accessionNo ?? ''],
    ['Request No.:', id.requestNo ?? ''], ['Outpatient No.:', id.outpatientSerial ?? ''],
    ['Inpatient No.:', id.inpatientSerial ?? ''], ['Test Date:', `${at.d}/${at.m}/${at.y} ${at.hh}:${at.mi}:${at.ss} ${hour >= 12 ? 'PM' : 'AM'}`],
    ['Device:', test.device], ['Serial No.:', test.deviceSerial],
    ['Predicted:', 'GLI 2012'], ['Session Quality:', test.qualityGrade ?? ''],
  ];
  pairs.forEach(([label, value], i) => {
    const x = i % 2 === 0 ? 40 : 310;
    const y = 88 + Math.floor(i / 2) * 13;
    text(label, x, y, 8.5, true);
    text(value, x + 78, y);
  });

  let y = 205;
  const header = (cols: readonly (readonly [string, number])[]) => {
    text('Parameter', 40, y, 8.5, true);
    for (const [h, x] of cols) text(h, x, y, 8.5, true, 'center');
    TRIAL_ORDER.forEach((n, i) => text(`Trial ${n}`, TRIALS[i]!, y, 8.5, true, 'center'));
    line(y + 4);
    y += 17;
  };
  const trials = (r: PrintoutRow, best: number | null | undefined) =>
    TRIAL_ORDER.forEach((n, i) => text(trial(r.param, best ?? null, n === 1 ? 0 : n - 1), TRIALS[i]!, y, 8.5, false, 'center'));

  header(PRE);
  for (const r of input.results) {
    text(NAMES[r.param] ?? r.param, 40, y);
    [nddValue(r.param, r.pre), nddValue(r.param, r.lln), signed(r.preZ, 2), fixed(r.prePctPred, 0), nddValue(r.param, r.predicted)].forEach((c, i) =>
      text(c, PRE[i]![1], y, 8.5, false, 'center'));
    trials(r, r.pre);
    y += 14;
  }
  const post = input.results.filter((r) => r.post !== null && r.post !== undefined);
  if (post.length) {
    y += 14;
    text('Post-Bronchodilator', 40, y, 10, true);
    text('Salbutamol 400 µg, 15 min', 170, y, 8);
    y += 18;
    header(POST);
    for (const r of post) {
      text(NAMES[r.param] ?? r.param, 40, y);
      const chg = r.pre !== null && r.post !== null && r.post !== undefined ? r.post - r.pre : null;
      [nddValue(r.param, r.post), signed(r.postZ, 2), fixed(r.postPctPred, 0), chg === null ? '' : nddValue(r.param, chg), signed(r.changePct, 0)].forEach((c, i) =>
        text(c, POST[i]![1], y, 8.5, false, 'center'));
      trials(r, r.post);
      y += 14;
    }
  }
  y += 16;
  text('Interpretation', 40, y, 10, true);
  for (const l of input.conclusion.split('\n')) {
    y += 13;
    text(l, 40, y, 9);
  }
  line(770);
  text('Operator:', 40, 784, 8.5, true);
  text(test.operator, 100, 784);
  text('Signature:', 310, 784, 8.5, true);
  text('______________________', 370, 784);
  text('EasyOne Connect 3.9 · www.nddmed.com', 555, 815, 7, false, 'right');
  return ops;
}
