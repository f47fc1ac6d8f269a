import { createCanvas } from '@napi-rs/canvas';
import type { ReportCurve, ReportCurvePoint, ReportDocument, ReportRow } from './report-document.js';

/**
 * A realistic Chinese spirometry report with a bronchodilator test, for tests, the benchmark and the
 * service's own tests. Values: 56-year-old man, 172 cm, GLI Global 2022 for FVC/FEV1/FEV1/FVC and GLI-2012
 * (North East Asian) for MMEF/FEF75, computed with @pftis/clinical; PEF has no GLI equation, so its
 * reference cells stay empty. Curves are synthetic but shaped like a mildly obstructed patient's.
 */
export function sampleReportDocument(overrides: Partial<ReportDocument> = {}): ReportDocument {
  const base: ReportDocument = {
    language: 'zh',
    final: true,
    version: 1,
    correctionReason: null,
    hospital: {
      name: '江南市第一人民医院',
      campusName: '东院区 · 呼吸与危重症医学科 肺功能室',
      title: '肺功能检查报告',
      logo: sampleLogoPng(),
    },
    patientFields: [
      { label: '姓名', value: '张伟' },
      { label: '性别', value: '男' },
      { label: '年龄', value: '56 岁' },
      { label: '门诊号', value: 'MZ2026112537' },
      { label: '身高', value: '172 cm' },
      { label: '体重', value: '70.0 kg' },
      { label: '科室', value: '呼吸与危重症医学科' },
      { label: '申请医生', value: '李娜' },
      { label: '检查项目', value: '支气管舒张试验' },
      { label: '舒张剂', value: '沙丁胺醇 400 μg' },
      { label: '检查时间', value: '2026-11-25 09:42' },
      { label: '临床诊断', value: '慢性咳嗽待查' },
    ],
    accessionNo: 'PF20261125-0037',
    requestNo: 'SQ2026112500815',
    rows: sampleRows(),
    equationText: 'GLI Global 2022（FVC、FEV1、FEV1/FVC）；GLI-2012 东北亚人群（MMEF、FEF75）；PEF 无适用预计值方程',
    qualityText: '舒张前 FEV1 A、FVC A；舒张后 FEV1 A、FVC B（ATS/ERS 2019 质量分级）',
    curves: sampleCurves(),
    interpretation: {
      summary: '阻塞性通气功能障碍 · 轻度 · 支气管舒张试验阳性',
      text:
        '轻度阻塞性通气功能障碍，支气管舒张试验阳性。\n' +
        '吸入沙丁胺醇 400 μg 后 FEV1 增加 380 mL（改善率 16.1%，相当于预计值的 11.7%），FVC 增加 210 mL。\n' +
        '小气道功能障碍（MMEF、FEF75 低于正常低限）。',
    },
    signatures: [
      { role: 'technician', roleLabel: '检查技师', name: '王芳', signedAt: '2026-11-25 09:58', image: null },
      { role: 'reporter', roleLabel: '报告医师', name: '陈志强', signedAt: '2026-11-25 14:03', image: sampleSignaturePng() },
      { role: 'reviewer', roleLabel: '审核医师', name: '刘建国', signedAt: '2026-11-25 15:20', image: null },
    ],
    verification: { code: '7F3K-9Q2M', url: 'https://pftis.jiangnan-hospital.example/v/7F3K9Q2M' },
    footer: '本报告仅对本次检查负责，结果请结合临床综合分析。',
    printedAt: '2026-11-25 15:32',
  };
  return { ...base, ...overrides };
}

function row(
  param: string, label: string, unit: string, decimals: number,
  ref: [number | null, number | null, number | null],
  pre: [number, number | null, number | null],
  post: [number, number | null, number | null],
): ReportRow {
  const [predicted, lln, uln] = ref;
  const [measured, zScore, pctPredicted] = pre;
  const [postValue, postZScore, postPctPredicted] = post;
  return {
    param, label, unit, decimals, predicted, lln, uln, measured, zScore, pctPredicted,
    post: postValue, postZScore, postPctPredicted,
    changePct: Math.round(((postValue - measured) / measured) * 1000) / 10,
  };
}

/** Deliberately in the order a device exports them (FEV1 first); the renderer applies the ATS order. */
export function sampleRows(): ReportRow[] {
  return [
    row('FEV1', 'FEV1 一秒量', 'L', 2, [3.23, 2.41, 4.01], [2.36, -1.75, 73.0], [2.74, -1.0, 84.7]),
    row('FVC', 'FVC 用力肺活量', 'L', 2, [4.08, 3.08, 5.09], [3.86, -0.36, 94.7], [4.07, -0.01, 99.8]),
    row('FEV1FVC', 'FEV1/FVC 一秒率', '%', 1, [79.0, 67.3, 88.6], [61.1, -2.35, 77.4], [67.3, -1.64, 85.2]),
    row('PEF', 'PEF 峰流速', 'L/s', 2, [null, null, null], [6.12, null, null], [6.85, null, null]),
    row('FEF2575', 'MMEF 最大呼气中期流量', 'L/s', 2, [2.93, 1.65, 4.58], [1.21, -2.36, 41.3], [1.62, -1.69, 55.3]),
    row('FEF75', 'FEF75 呼出75%时流量', 'L/s', 2, [1.08, 0.53, 2.09], [0.36, -2.51, 33.4], [0.47, -1.92, 43.6]),
  ];
}

interface TrialShape {
  fvc: number;
  /** Share of the fast compartment and the two time constants (s): a scooped, obstructed loop. */
  fast: number;
  tauFast: number;
  tauSlow: number;
  /** Peak inspiratory flow (L/s). */
  pif: number;
  fet: number;
}

/** Expiration as two emptying compartments with a fast rise, then a half-sine inspiratory limb. */
export function syntheticTrial(label: string, stage: 'pre' | 'post', best: boolean, shape: TrialShape): ReportCurve {
  const dt = 0.02;
  const raw: Array<{ t: number; v: number; q: number }> = [];
  let v = 0;
  for (let i = 0; i * dt <= shape.fet + 1e-9; i++) {
    const t = i * dt;
    const onset = 1 - Math.exp(-((t / 0.035) ** 2));
    const q = onset * ((shape.fast / shape.tauFast) * Math.exp(-t / shape.tauFast) + ((1 - shape.fast) / shape.tauSlow) * Math.exp(-t / shape.tauSlow));
    raw.push({ t, v, q });
    v += q * dt;
  }
  const k = shape.fvc / v;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const volumeTime: ReportCurvePoint[] = raw.map((p) => ({ x: round(p.t), y: round(p.v * k) }));
  const flowVolume: ReportCurvePoint[] = raw.map((p) => ({ x: round(p.v * k), y: round(p.q * k) }));
  const steps = 60;
  for (let i = 1; i <= steps; i++) {
    const s = i / steps;
    flowVolume.push({ x: round(shape.fvc * (1 - s)), y: round(-shape.pif * Math.sin(Math.PI * s) ** 0.8) });
  }
  return { label, stage, best, flowVolume, volumeTime };
}

export function sampleCurves(): ReportCurve[] {
  return [
    syntheticTrial('舒张前 第1次', 'pre', false, { fvc: 3.79, fast: 0.52, tauFast: 0.36, tauSlow: 3.1, pif: 4.3, fet: 9.6 }),
    syntheticTrial('舒张前 第2次', 'pre', true, { fvc: 3.86, fast: 0.54, tauFast: 0.34, tauSlow: 3.0, pif: 4.6, fet: 10.4 }),
    syntheticTrial('舒张前 第3次', 'pre', false, { fvc: 3.71, fast: 0.55, tauFast: 0.35, tauSlow: 2.9, pif: 4.1, fet: 9.1 }),
    syntheticTrial('舒张后 第1次', 'post', true, { fvc: 4.07, fast: 0.6, tauFast: 0.34, tauSlow: 2.8, pif: 5.0, fet: 10.8 }),
    syntheticTrial('舒张后 第2次', 'post', false, { fvc: 4.01, fast: 0.58, tauFast: 0.35, tauSlow: 2.9, pif: 4.8, fet: 10.1 }),
    syntheticTrial('舒张后 第3次', 'post', false, { fvc: 3.95, fast: 0.59, tauFast: 0.36, tauSlow: 2.8, pif: 4.7, fet: 9.8 }),
  ];
}

let logo: Uint8Array | null = null;
let signature: Uint8Array | null = null;

/** A plain hospital emblem (ring, cross, two lungs) as PNG. */
export function sampleLogoPng(): Uint8Array {
  if (logo) return logo;
  const size = 192;
  const canvas = createCanvas(size, size);
  const ctx = canvas.getContext('2d');
  const c = size / 2;
  ctx.fillStyle = '#1f4e79';
  ctx.beginPath();
  ctx.arc(c, c, c - 4, 0, Math.PI * 2);
  ctx.fill();
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 6;
  ctx.beginPath();
  ctx.arc(c, c, c - 16, 0, Math.PI * 2);
  ctx.stroke();
  ctx.fillStyle = '#ffffff';
  for (const side of [-1, 1]) {
    ctx.beginPath();
    ctx.moveTo(c + side * 10, c - 38);
    ctx.bezierCurveTo(c + side * 58, c - 40, c + side * 60, c + 40, c + side * 44, c + 50);
    ctx.bezierCurveTo(c + side * 30, c + 58, c + side * 10, c + 44, c + side * 10, c + 30);
    ctx.closePath();
    ctx.fill();
  }
  ctx.fillRect(c - 4, c - 62, 8, 40);
  ctx.fillStyle = '#c0392b';
  ctx.fillRect(c - 5, c - 12, 10, 34);
  ctx.fillRect(c - 17, c, 34, 10);
  logo = new Uint8Array(canvas.toBuffer('image/png'));
  return logo;
}

/** A handwritten-looking signature on a transparent background as PNG. */
export function sampleSignaturePng(): Uint8Array {
  if (signature) return signature;
  const canvas = createCanvas(240, 80);
  const ctx = canvas.getContext('2d');
  ctx.strokeStyle = '#17245c';
  ctx.lineWidth = 3.2;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  const strokes: number[][] = [
    [18, 52, 30, 20, 44, 18, 40, 54],
    [40, 54, 58, 30, 70, 26, 74, 48],
    [74, 48, 84, 64, 100, 22, 110, 40],
    [110, 40, 122, 58, 136, 18, 150, 46],
    [150, 46, 160, 62, 178, 30, 190, 42],
    [190, 42, 200, 50, 214, 40, 226, 30],
    [30, 62, 90, 70, 160, 66, 220, 58],
  ];
  for (const [x0, y0, x1, y1, x2, y2, x3, y3] of strokes as Array<[number, number, number, number, number, number, number, number]>) {
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.bezierCurveTo(x1, y1, x2, y2, x3, y3);
    ctx.stroke();
  }
  signature = new Uint8Array(canvas.toBuffer('image/png'));
  return signature;
}
