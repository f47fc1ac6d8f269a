/**
 * Codes the outgoing report writers (HL7 ORU, FHIR) share: LOINC per PFTIS parameter, SNOMED CT where LOINC has
 * none, and PFTIS's own local codes.
 *
 * LOINC source: ../shared/docs/interfaces.md §3.4 (codes used by pft-ig or the MII draft; none checked in the LOINC
 * release itself). Left out on purpose:
 * - FEF2575, FEF75, FEV6, FEV1FEV6, ERV: no confirmed code (the FEF25-75 and FEV6 codes in §3.4 are "labels only (U)").
 * - TLC, RV: the §3.4 codes are body-box specific and DeliveredReport does not say how the volume was measured.
 *   A lab that measures by plethysmography adds them with the `loinc` option of the writers.
 * - RVTLC: 81454-1 is pre-bronchodilator specific.
 * - Stage-specific codes (FEV1 pre 20157-4 / post 20155-8, FVC 19876-2 / 19874-7): they exist for two parameters
 *   only, so the stage-neutral code is used for every parameter and the stage is carried by the local code
 *   (`FEV1` / `FEV1_POST`), the text and, in HL7, the OBX-4 group (coding gap noted in interfaces.md §3.5).
 * - PEF uses 33452-4 (MII, lab spirometry), not 19935-6 (peak flow meter, home devices).
 * The z-score never gets a LOINC code (none exists, §3.3).
 */
import type { DeliveredResult } from './delivered-report.ts';

export interface ParameterLoinc {
  /** The measured value, stage-neutral. */
  measured?: string;
  predicted?: string;
  /** Measured/predicted (% predicted). */
  percentPredicted?: string;
}

export type LoincTable = Readonly<Record<string, ParameterLoinc>>;

export const PFT_LOINC: LoincTable = {
  FEV1: { measured: '20150-9', predicted: '20149-1', percentPredicted: '20152-5' },
  FVC: { measured: '19868-9', predicted: '19869-7', percentPredicted: '19872-1' },
  FEV1FVC: { measured: '19926-5' },
  PEF: { measured: '33452-4', predicted: '69974-4' },
  VC: { measured: '19866-3', percentPredicted: '98088-8' },
  IC: { measured: '19852-3', predicted: '19851-5', percentPredicted: '19855-6' },
  FRC: { measured: '19843-2', predicted: '19847-3' },
  // DLCO / KCO: the same LOINC codes whatever the unit (pft-ig and MII use them with SI units too).
  TLCO_SI: { measured: '19911-7', predicted: '19910-9', percentPredicted: '98130-8' },
  DLCO_trad: { measured: '19911-7', predicted: '19910-9', percentPredicted: '98130-8' },
  KCO_SI: { measured: '19916-6', predicted: '19915-8', percentPredicted: '98203-3' },
  KCO_trad: { measured: '19916-6', predicted: '19915-8', percentPredicted: '98203-3' },
};

/** SNOMED CT observables (MII draft, interfaces.md §3.4) for parameters LOINC has no code for; FHIR only. */
export const PFT_SNOMED: Readonly<Record<string, string>> = {
  VA: '251953007',
  TLC: '57566009',
  RV: '42457008',
  RVTLC: '1366666000',
};

/** SNOMED 1078210003 "Z-score calculation technique": the MII z-score component code (interfaces.md §3.3). */
export const SNOMED_Z_SCORE = { code: '1078210003', display: 'Z-score calculation technique (qualifier value)' } as const;

/** LOINC 81458-2 "Pulmonary function test panel" (pft-ig DiagnosticReport.code). */
export const LOINC_PFT_PANEL = { code: '81458-2', display: 'Pulmonary function test panel' } as const;

/** UCUM code of a z-score, as pft-ig writes it. */
export const UCUM_Z_SCORE = '{Zscore}';

export type DerivedKind = 'measured' | 'predicted' | 'zScore' | 'percentPredicted';

/**
 * PFTIS local codes: the parameter id for the baseline value and `_POST` for the post-bronchodilator one; derived
 * values add `_PREDICTED`, `_ZSCORE` or `_PCT_PRED` before the stage. (`_PCT_PRED` ends in `_PRED`, the suffix
 * vendors use for % predicted, so readers that know that convention classify it correctly; the predicted value is
 * `_PREDICTED` and therefore never mistaken for it.)
 */
export function localCode(param: string, stage: DeliveredResult['stage'], kind: DerivedKind): string {
  const suffix = { measured: '', predicted: '_PREDICTED', zScore: '_ZSCORE', percentPredicted: '_PCT_PRED' }[kind];
  return `${param}${suffix}${stage === 'post' ? '_POST' : ''}`;
}

export function loincFor(table: LoincTable, param: string, kind: DerivedKind): string | null {
  if (kind === 'zScore') return null;
  return (Object.hasOwn(table, param) ? table[param]?.[kind] : undefined) ?? null;
}

const KIND_TEXT: Record<DerivedKind, string> = { measured: '', predicted: ' 预计值', zScore: ' Z值', percentPredicted: ' 实测/预计%' };

/**
 * Display text: the report's label, the derived kind, and the stage when the report has post-bronchodilator values
 * (舒张前 / 舒张后); a plain spirometry report does not call its values "pre-bronchodilator".
 */
export function resultText(result: DeliveredResult, kind: DerivedKind, reportHasPost: boolean): string {
  const stage = result.stage === 'post' ? ' 舒张后' : reportHasPost ? ' 舒张前' : '';
  return `${result.label}${KIND_TEXT[kind]}${stage}`;
}

/** Below LLN → L, above ULN → H, else N; empty when there is no limit. */
export function abnormalFlag(result: DeliveredResult): 'L' | 'H' | 'N' | '' {
  if (result.value === null || (result.lln === null && result.uln === null)) return '';
  if (result.lln !== null && result.value < result.lln) return 'L';
  if (result.uln !== null && result.value > result.uln) return 'H';
  return 'N';
}

/** A number as text without float noise or exponent notation (3.2000000000000002 → "3.2"). */
export function formatNumber(value: number): string {
  const rounded = Number(value.toPrecision(12));
  const text = String(rounded);
  if (!/e/i.test(text)) return text;
  return rounded.toFixed(12).replace(/\.?0+$/, '');
}

export const SEX_TEXT: Record<'male' | 'female' | 'unknown', string> = { male: '男', female: '女', unknown: '未知' };
/** GB/T 2261.1: 0 未知的性别, 1 男, 2 女. */
export const SEX_GB: Record<'male' | 'female' | 'unknown', string> = { male: '1', female: '2', unknown: '0' };
export const VISIT_TYPE_TEXT: Record<'outpatient' | 'inpatient' | 'emergency' | 'physical', string> = {
  outpatient: '门诊',
  inpatient: '住院',
  emergency: '急诊',
  physical: '体检',
};

export const PATTERN_TEXT: Readonly<Record<string, string>> = {
  normal: '肺通气功能正常',
  obstruction: '阻塞性通气功能障碍',
  possible_restriction: '可能存在限制性通气功能障碍',
  restriction: '限制性通气功能障碍',
  mixed: '混合性通气功能障碍',
  non_specific: '非特异性通气功能障碍',
  prism: '比值正常的肺功能受损（PRISm）',
  small_airway_dysfunction: '小气道功能障碍',
};
export const SEVERITY_TEXT: Readonly<Record<string, string>> = {
  none: '无',
  mild: '轻度',
  moderate: '中度',
  moderately_severe: '中重度',
  severe: '重度',
  very_severe: '极重度',
};
export const BDR_TEXT: Record<'positive' | 'negative', string> = { positive: '支气管舒张试验阳性', negative: '支气管舒张试验阴性' };
