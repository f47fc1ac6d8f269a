/**
 * Everything one printed report shows, already resolved to display values (labels in the report's language,
 * numbers as measured). The renderer draws this and nothing else: no database, no clinical math.
 */
export type ReportLanguage = 'zh' | 'en';

export interface ReportCurvePoint { x: number; y: number }

export interface ReportCurve {
  /** e.g. "Pre 1", "Post 2" */
  label: string;
  stage: 'pre' | 'post';
  /** The trial whose values are reported is drawn bold. */
  best: boolean;
  /** x: volume (L), y: flow (L/s) */
  flowVolume: ReportCurvePoint[];
  /** x: time (s), y: volume (L) */
  volumeTime: ReportCurvePoint[];
}

export interface ReportRow {
  /** Parameter id of the clinical core, e.g. FEV1, FVC, FEV1FVC, PEF, FEF2575, TLC, TLCO_SI. */
  param: string;
  /** As Chinese labs print it, e.g. "FEV1 一秒量" / "FEV1". */
  label: string;
  unit: string;
  predicted: number | null;
  lln: number | null;
  uln: number | null;
  measured: number | null;
  zScore: number | null;
  pctPredicted: number | null;
  /** Bronchodilator test only. */
  post: number | null;
  postZScore: number | null;
  postPctPredicted: number | null;
  /** % change post vs pre. */
  changePct: number | null;
  /** Decimals to print for values of this row. */
  decimals: number;
}

export interface ReportSignature {
  role: 'technician' | 'reporter' | 'reviewer' | 'director';
  /** Printed role label, e.g. 检查技师 / 报告医师 / 审核医师. */
  roleLabel: string;
  name: string;
  /** Hospital wall-clock text, e.g. "2026-11-25 14:03". */
  signedAt: string | null;
  /** PNG bytes of the handwritten signature, when the person has one. */
  image: Uint8Array | null;
}

export interface ReportDocument {
  language: ReportLanguage;
  /** A draft prints with the watermark 草稿 / DRAFT across every page. */
  final: boolean;
  version: number;
  /** For version ≥ 2: why it was corrected (printed under the title). */
  correctionReason: string | null;
  hospital: {
    name: string;
    campusName: string;
    /** e.g. 肺功能检查报告 */
    title: string;
    /** PNG or JPEG bytes. */
    logo: Uint8Array | null;
  };
  /** Label/value pairs in the order the template lists them (patient and order block). */
  patientFields: Array<{ label: string; value: string }>;
  accessionNo: string;
  requestNo: string | null;
  rows: ReportRow[];
  /** e.g. "GLI Global 2022 (spirometry); GLI-2017 (transfer factor)". */
  equationText: string;
  /** e.g. "舒张前 FEV1 A、FVC A；舒张后 FEV1 B、FVC A（ATS/ERS 2019）"; null when no grade is known. */
  qualityText: string | null;
  curves: ReportCurve[];
  interpretation: {
    /** The conclusion as the physician left it (may contain line breaks). */
    text: string;
    /** Short structured line, e.g. "阻塞性通气功能障碍 · 中度 · 支气管舒张试验阳性". */
    summary: string | null;
  };
  signatures: ReportSignature[];
  /** Shown under the QR code; the QR encodes url. Null on drafts. */
  verification: { code: string; url: string } | null;
  /** Footer text, e.g. "本报告仅对本次检查负责". */
  footer: string;
  /** Hospital wall-clock text of printing. */
  printedAt: string;
}

/** Every column the results table can print. */
export const RESULT_COLUMNS = ['measured', 'lln', 'zScore', 'zbar', 'predicted', 'pctPredicted', 'post', 'postZScore', 'postPctPredicted', 'changePct'] as const;
export type ResultColumnKey = (typeof RESULT_COLUMNS)[number];

/** Lab-configurable layout (stored as a setting; no code change needed to alter it). */
export type ReportSection = 'patient' | 'results' | 'curves' | 'quality' | 'interpretation' | 'signatures';

export interface ReportTemplate {
  /** Page margins in millimetres. */
  marginMm: number;
  baseFontSize: number;
  titleFontSize: number;
  showLogo: boolean;
  /** Sections in print order; a section left out is not printed. */
  sections: ReportSection[];
  /**
   * Columns of the results table, in order. 'zbar' is the graphic z-score bar; the post* and change columns print
   * only for a bronchodilator test.
   */
  columns: ResultColumnKey[];
  /** Number of patient/order fields per line in the patient block. */
  patientFieldsPerLine: number;
  showBarcode: boolean;
  showQr: boolean;
  /** Resolution of JPG pages. */
  jpgDpi: number;
  jpgQuality: number;
}

export const DEFAULT_REPORT_TEMPLATE: ReportTemplate = {
  marginMm: 12,
  baseFontSize: 9,
  titleFontSize: 16,
  showLogo: true,
  sections: ['patient', 'results', 'curves', 'quality', 'interpretation', 'signatures'],
  // ATS 2017 standard report: measured, LLN, z-score and its graphic, % predicted last. Predicted stays (Chinese
  // labs expect it) but after the z-score, just before % predicted. Post: measured, z-score, % predicted, change.
  columns: [...RESULT_COLUMNS],
  patientFieldsPerLine: 4,
  showBarcode: true,
  showQr: true,
  jpgDpi: 150,
  jpgQuality: 90,
};
