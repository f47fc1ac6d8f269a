import type { ReportLanguage, ReportTemplate } from './report-document.js';

export type ResultColumn = ReportTemplate['columns'][number];

/** A column heading: the main line and an optional smaller second line (the abbreviation Chinese prints carry). */
export interface ColumnHeading { main: string; sub: string | null }

export interface ReportLabels {
  parameter: ColumnHeading;
  unit: ColumnHeading;
  columns: Record<ResultColumn, ColumnHeading>;
  preGroup: string;
  postGroup: string;
  zbarLegendPre: string;
  zbarLegendPost: string;
  /** Marker legend when there is no bronchodilator test. */
  zbarLegendMeasured: string;
  zbarLegendShade: string;
  accession: string;
  requestNo: string;
  version: (version: number) => string;
  correctionReason: string;
  equation: string;
  quality: string;
  results: string;
  curves: string;
  flowVolume: string;
  volumeTime: string;
  flowAxis: string;
  volumeAxis: string;
  timeAxis: string;
  legendPre: string;
  legendPost: string;
  /** Curve legend when there is no bronchodilator test. */
  legendTrials: string;
  legendBest: string;
  interpretation: string;
  signatures: string;
  unsigned: string;
  printedAt: string;
  verification: string;
  page: (page: number, total: number) => string;
  watermark: string;
  colon: string;
  continued: string;
}

const zh: ReportLabels = {
  parameter: { main: '项目', sub: 'Parameter' },
  unit: { main: '单位', sub: 'Unit' },
  columns: {
    predicted: { main: '预计值', sub: 'Pred' },
    lln: { main: '正常低限', sub: 'LLN' },
    measured: { main: '实测值', sub: 'Meas' },
    zScore: { main: 'Z 值', sub: 'Z-score' },
    zbar: { main: 'Z 值图', sub: null },
    pctPredicted: { main: '实测/预计%', sub: '%Pred' },
    post: { main: '实测值', sub: 'Post' },
    postZScore: { main: 'Z 值', sub: 'Z-score' },
    postPctPredicted: { main: '实测/预计%', sub: '%Pred' },
    changePct: { main: '改善率%', sub: '%Chg' },
  },
  preGroup: '舒张前 Pre',
  postGroup: '舒张后 Post',
  zbarLegendPre: '舒张前',
  zbarLegendPost: '舒张后',
  zbarLegendMeasured: '实测值',
  zbarLegendShade: '阴影：低于正常低限（Z < -1.645）',
  accession: '检查号',
  requestNo: '申请单号',
  version: (v) => `第 ${v} 版（更正报告）`,
  correctionReason: '更正原因',
  equation: '预计值方程',
  quality: '质量等级',
  results: '检查结果',
  curves: '曲线',
  flowVolume: '流量-容积曲线',
  volumeTime: '容积-时间曲线',
  flowAxis: '流量 (L/s)',
  volumeAxis: '容积 (L)',
  timeAxis: '时间 (s)',
  legendPre: '舒张前',
  legendPost: '舒张后',
  legendTrials: '测试曲线',
  legendBest: '粗线为最佳测试',
  interpretation: '结论',
  signatures: '签名',
  unsigned: '（未签）',
  printedAt: '打印时间',
  verification: '验证码',
  page: (p, n) => `第 ${p} 页 / 共 ${n} 页`,
  watermark: '草稿',
  colon: '：',
  continued: '（续）',
};

const en: ReportLabels = {
  parameter: { main: 'Parameter', sub: null },
  unit: { main: 'Unit', sub: null },
  columns: {
    predicted: { main: 'Pred', sub: null },
    lln: { main: 'LLN', sub: null },
    measured: { main: 'Measured', sub: null },
    zScore: { main: 'Z-score', sub: null },
    zbar: { main: 'Z-score graph', sub: null },
    pctPredicted: { main: '%Pred', sub: null },
    post: { main: 'Measured', sub: null },
    postZScore: { main: 'Z-score', sub: null },
    postPctPredicted: { main: '%Pred', sub: null },
    changePct: { main: '%Chg', sub: null },
  },
  preGroup: 'Pre-bronchodilator',
  postGroup: 'Post-bronchodilator',
  zbarLegendPre: 'Pre',
  zbarLegendPost: 'Post',
  zbarLegendMeasured: 'Measured',
  zbarLegendShade: 'shaded: below LLN (z < -1.645)',
  accession: 'Accession',
  requestNo: 'Request',
  version: (v) => `Version ${v} (corrected report)`,
  correctionReason: 'Reason for correction',
  equation: 'Reference equations',
  quality: 'Quality grade',
  results: 'Results',
  curves: 'Curves',
  flowVolume: 'Flow–volume',
  volumeTime: 'Volume–time',
  flowAxis: 'Flow (L/s)',
  volumeAxis: 'Volume (L)',
  timeAxis: 'Time (s)',
  legendPre: 'Pre',
  legendPost: 'Post',
  legendTrials: 'Trials',
  legendBest: 'bold: best trial',
  interpretation: 'Interpretation',
  signatures: 'Signatures',
  unsigned: '(not signed)',
  printedAt: 'Printed',
  verification: 'Verification code',
  page: (p, n) => `Page ${p} of ${n}`,
  watermark: 'DRAFT',
  colon: ': ',
  continued: ' (continued)',
};

export function labelsFor(language: ReportLanguage): ReportLabels {
  return language === 'zh' ? zh : en;
}
