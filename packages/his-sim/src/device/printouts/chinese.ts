import type { DrawOp } from './draw.js';
import { dateParts, fixed, kindOf, type PrintoutInput, type PrintoutOptions, signed } from './input.js';

/** Chinese row labels with the English abbreviation, as domestic devices print them. */
const NAMES: Record<string, string> = {
  FVC: '用力肺活量 FVC', FEV1: '第一秒用力呼气容积 FEV1', FEV1FVC: '一秒率 FEV1/FVC', FEV6: '六秒量 FEV6', PEF: '峰值呼气流量 PEF',
  FEF2575: '最大呼气中期流量 MMEF', FEF75: 'FEF75', VC: '肺活量 VC', IC: '深吸气量 IC', ERV: '补呼气量 ERV', TLC: '肺总量 TLC',
  RV: '残气量 RV', FRC: '功能残气量 FRC', RVTLC: '残总比 RV/TLC', TLCO_SI: '一氧化碳弥散量 TLCO', DLCO_trad: '一氧化碳弥散量 DLCO',
  KCO_SI: '比弥散量 KCO', VA: '肺泡容积 VA',
};

function unitOf(param: string, volumeUnit: 'L' | 'mL'): string {
  switch (kindOf(param)) {
    case 'volume': return volumeUnit;
    case 'flow': return 'L/s';
    case 'ratio':
    case 'percent': return '%';
    case 'tlco': return 'mmol/min/kPa';
    case 'dlco': return 'mL/min/mmHg';
    case 'kco': return 'mmol/min/kPa/L';
  }
}

/** Printed value: mL as integers, ratios in percent with two decimals, the rest with two decimals. */
export function chineseValue(param: string, x: number | null | undefined, volumeUnit: 'L' | 'mL' = 'L'): string {
  if (x === null || x === undefined) return '';
  const k = kindOf(param);
  if (k === 'ratio') return fixed(x * 100, 2);
  if (k === 'volume' && volumeUnit === 'mL') return fixed(x * 1000, 0);
  return fixed(x, 2);
}

const COLUMNS = [
  ['单位', 190], ['预计值', 235], ['LLN', 278], ['实测值(前)', 325], ['实/预%', 372], ['Z值', 412], ['实测值(后)', 458], ['实/预%', 503], ['改善率%', 548],
] as const;

/** A Chinese 肺功能检查报告 page: labelled patient block, 预计值/实测值/实/预% table, 结论. */
export function chineseOps(input: PrintoutInput, options: PrintoutOptions = {}): DrawOp[] {
  const volumeUnit = options.volumeUnit ?? 'L';
  const { patient: p, identifiers: id, test } = input;
  const at = dateParts(test.measuredAt);
  const birth = dateParts(p.birthDate);
  const ops: DrawOp[] = [];
  const text = (t: string, x: number, y: number, size = 9, bold = false, align: 'left' | 'center' | 'right' = 'left') => {
    if (t) ops.push({ kind: 'text', text: t, x, y, size, bold, align });
  };
  const line = (y: number, width = 0.5) => ops.push({ kind: 'line', x1: 36, y1: y, x2: 570, y2: y, width });

  text(input.institution, 297.6, 48, 15, true, 'center');
  text('肺功能检查报告', 297.6, 70, 13, true, 'center');
  line(80, 1);
  const cells: string[] = [
    `姓名：${p.name}`, `性别：${p.sex === 'M' ? '男' : '女'}`, `年龄：${p.age}岁`,
    `出生日期：${birth.y}年${birth.m}月${birth.d}日`, `身高：${p.heightCm} cm`, `体重：${p.weightKg} kg`,
    `病历号：${p.id}`, `门诊流水号：${id.outpatientSerial ?? '—'}`, `住院流水号：${id.inpatientSerial ?? '—'}`,
    `申请单号：${id.requestNo ?? '—'}`, `检查号：${id.accessionNo ?? '—'}`, '',
    `检查日期：${at.y}-${at.m}-${at.d} ${at.hh}:${at.mi}:${at.ss}`, `操作者：${test.operator}`, '',
    `仪器：${test.device}`, `编号：${test.deviceSerial}`, '',
  ];
  cells.forEach((c, i) => text(c, [40, 225, 410][i % 3]!, 98 + Math.floor(i / 3) * 15, 9));

  let y = 200;
  line(y - 12);
  text('参数', 40, y, 8, true);
  for (const [h, x] of COLUMNS) text(h, x, y, 8, true, 'center');
  line(y + 5);
  y += 19;
  for (const r of input.results) {
    text(NAMES[r.param] ?? r.param, 40, y, 8.5);
    const values = [
      unitOf(r.param, volumeUnit), chineseValue(r.param, r.predicted, volumeUnit), chineseValue(r.param, r.lln, volumeUnit),
      chineseValue(r.param, r.pre, volumeUnit), fixed(r.prePctPred, 0), signed(r.preZ, 2),
      chineseValue(r.param, r.post, volumeUnit), fixed(r.postPctPred, 0), signed(r.changePct, 0),
    ];
    values.forEach((v, i) => text(v, COLUMNS[i]![1], y, 8.5, false, 'center'));
    y += 15;
  }
  line(y - 8);
  y += 18;
  text('结论：', 40, y, 10.5, true);
  for (const l of input.conclusion.split('\n')) {
    y += 15;
    text(l, 52, y, 10);
  }
  line(770);
  text('报告医师：', 40, 786, 9, true);
  text('报告日期：', 410, 786, 9, true);
  text(`${at.y}-${at.m}-${at.d}`, 460, 786, 9);
  text('本报告仅供临床参考', 297.6, 815, 7, false, 'center');
  return ops;
}
