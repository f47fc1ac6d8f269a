import type { DrawOp } from './draw.js';
import { dateParts, fixed, kindOf, type PrintoutInput, type PrintoutRow, signed } from './input.js';

/** Jaeger's names and units in the English SentrySuite tables. */
const NAMES: Record<string, [string, string]> = {
  FVC: ['FVC', 'L'], FEV1: ['FEV 1', 'L'], FEV1FVC: ['FEV 1 % FVC', '%'], FEV6: ['FEV 6', 'L'], PEF: ['PEF', 'L/s'],
  FEF2575: ['MMEF 75/25', 'L/s'], FEF75: ['MEF 25', 'L/s'], VC: ['VC MAX', 'L'], IC: ['IC', 'L'], ERV: ['ERV', 'L'],
  TLC: ['TLC', 'L'], RV: ['RV', 'L'], FRC: ['FRC', 'L'], RVTLC: ['RV % TLC', '%'], TLCO_SI: ['TLCO SB', 'mmol/min/kPa'],
  DLCO_trad: ['DLCO SB', 'mL/min/mmHg'], KCO_SI: ['TLCO/VA', 'mmol/min/kPa/L'], VA: ['VA', 'L'],
};

/** Printed value: ratios in percent without decimals, everything else with two decimals. */
export function jaegerValue(param: string, x: number | null | undefined): string {
  if (x === null || x === undefined) return '';
  return kindOf(param) === 'ratio' ? fixed(x * 100, 0) : kindOf(param) === 'percent' ? fixed(x, 0) : fixed(x, 2);
}

const COLUMNS = [
  ['Pred', 200], ['LLN', 245], ['Pre', 290], ['%Pred', 335], ['Z-Score', 382], ['Post', 430], ['%Pred', 475], ['%Chg', 520],
] as const;

/** A SentrySuite-style "Spirometry with bronchodilation" page (English). */
export function sentrySuiteOps(input: PrintoutInput): DrawOp[] {
  const { patient: p, identifiers: id, test } = input;
  const at = dateParts(test.measuredAt);
  const birth = dateParts(p.birthDate);
  const ops: DrawOp[] = [];
  const text = (t: string, x: number, y: number, size = 9, bold = false, align: 'left' | 'center' | 'right' = 'left') => {
    if (t) ops.push({ kind: 'text', text: t, x, y, size, bold, align });
  };
  const line = (y: number, width = 0.5) => ops.push({ kind: 'line', x1: 40, y1: y, x2: 555, y2: y, width });

  text(input.institution, 40, 50, 14, true);
  text('SentrySuite', 555, 50, 9, false, 'right');
  text('Spirometry with Bronchodilation', 40, 68, 11, true);
  line(78, 1);

  const pairs: Array<[string, string]> = [
    ['Patient Name:', p.name], ['Patient ID:', p.id],
    ['Birth Date:', `${birth.d}.${birth.m}.${birth.y}`], ['Gender:', p.sex === 'M' ? 'Male' : 'Female'],
    ['Age:', `${p.age} Years`], ['Height:', `${p.heightCm} cm`],
    ['Weight:', `${p.weightKg} kg`], ['Accession No.:', id.accessionNo ?? '-'],
    ['Order No.:', id.requestNo ?? '-'], ['Outpatient No.:', id.outpatientSerial ?? '-'],
    ['Inpatient No.:', id.inpatientSerial ?? '-'], ['Study Date:', `${at.d}.${at.m}.${at.y.slice(2)}`],
    ['Study Time:', `${at.hh}:${at.mi}`], ['Predicted:', 'GLI 2012'],
  ];
  pairs.forEach(([label, value], i) => {
    const x = i % 2 === 0 ? 40 : 310;
    const y = 96 + Math.floor(i / 2) * 14;
    text(label, x, y, 9, true);
    text(value, x + 88, y);
  });

  let y = 210;
  line(y - 12);
  text('Parameter', 40, y, 8.5, true);
  text('Unit', 150, y, 8.5, true, 'center');
  for (const [h, x] of COLUMNS) text(h, x, y, 8.5, true, 'center');
  line(y + 5);
  y += 20;
  const row = (r: PrintoutRow) => {
    const [name, unit] = NAMES[r.param] ?? [r.param, ''];
    text(name, 40, y);
    text(unit, 150, y, 9, false, 'center');
    const cells = [
      jaegerValue(r.param, r.predicted), jaegerValue(r.param, r.lln), jaegerValue(r.param, r.pre), fixed(r.prePctPred, 0),
      signed(r.preZ, 2), jaegerValue(r.param, r.post), fixed(r.postPctPred, 0), signed(r.changePct, 0),
    ];
    cells.forEach((c, i) => text(c, COLUMNS[i]![1], y, 9, false, 'center'));
    y += 15;
  };
  input.results.forEach(row);
  line(y - 8);

  y += 16;
  text('Interpretation:', 40, y, 10, true);
  for (const l of input.conclusion.split('\n')) {
    y += 14;
    text(l, 40, y, 9.5);
  }

  line(752);
  text('Technician:', 40, 766, 9, true);
  text(test.operator, 110, 766);
  text('Device:', 40, 780, 9, true);
  text(test.device, 110, 780);
  text('S/N:', 310, 780, 9, true);
  text(test.deviceSerial, 340, 780);
  text('SentrySuite 3.20 · Page 1 of 1', 555, 810, 7, false, 'right');
  return ops;
}
