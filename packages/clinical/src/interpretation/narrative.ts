/**
 * Draft narratives in Simplified Chinese and English from editable templates (data, with defaults). Wording follows
 * ../shared/docs/glossary.md (terms marked U there stay editable here). `{severity}` is replaced by the severity word.
 * Each interpretation scheme has its own defaults: ERS/ATS 2022 (DEFAULT_TEMPLATES_ZH/EN) and the Chinese 2014
 * guideline (CHINA2014_TEMPLATES_ZH/EN), which has no PRISm, "possible restriction" or "non-specific pattern".
 */
import type { BdrResult } from './bdr.ts';
import type { GasTransferCategory, GasTransferResult } from './gas-transfer.ts';
import type { InterpretationScheme, Pattern, Severity } from './types.ts';

export interface NarrativeTemplates {
  pattern: Record<Pattern, string>;
  severity: Record<Severity, string>;
  bdr: Record<'positive' | 'negative', string>;
  gasTransfer: Record<GasTransferCategory, string>;
  /** Between clauses, and at the end. */
  separator: string;
  terminator: string;
  capitalizeFirst: boolean;
  /** Pattern names without severity, to name conclusions that could not be determined. */
  patternName?: Partial<Record<Pattern, string>>;
  /** Joins pattern names ("、" / ", "). */
  listSeparator?: string;
  /** Lead clause when FEV1/FVC is known and not low but the pattern depends on a value without limits. */
  noObstruction?: string;
  /** Added to that lead when FEV1 is below its LLN. */
  lowFev1?: string;
  /** Placeholders {conclusions}, {param}, {why}. */
  notDeterminable?: string;
  /** Why the limits are missing: the Jian 2017 open L question ({equation}, {sex}, {param}) or anything else. */
  whyUnverifiedL?: string;
  whyNoLimits?: string;
  sexWord?: Record<'male' | 'female', string>;
  /** Clause when the severity parameter has no z-score (NHANES III under the z-score scheme); {equation}. */
  severityNotGraded?: string;
}

const ZH_COMMON = {
  severity: { none: '', mild: '轻度', moderate: '中度', moderately_severe: '中重度', severe: '重度', very_severe: '极重度' },
  bdr: { positive: '支气管舒张试验阳性', negative: '支气管舒张试验阴性' },
  gasTransfer: {
    normal: '弥散功能正常',
    reduced: '{severity}弥散功能障碍',
    reduced_parenchymal_vascular: '{severity}弥散功能障碍（肺泡容积正常，比弥散量降低）',
    reduced_low_va: '{severity}弥散功能障碍（肺泡容积降低，比弥散量正常或增高）',
    reduced_mixed: '{severity}弥散功能障碍（肺泡容积及比弥散量均降低）',
    reduced_unexplained: '{severity}弥散功能障碍（肺泡容积及比弥散量正常）',
    elevated: '弥散量增高',
  },
  separator: '，',
  terminator: '',
  capitalizeFirst: false,
  listSeparator: '、',
  noObstruction: '一秒率正常，未见阻塞性通气功能障碍',
  lowFev1: '，FEV1低于正常值下限',
  notDeterminable: '{conclusions}无法判定（{why}，{param}无正常值下限）',
  whyUnverifiedL: '{equation} {sex}{param}的L（偏度）参数未经核实',
  whyNoLimits: '参考方程未给出{param}的正常值范围',
  sexWord: { male: '男性', female: '女性' },
  severityNotGraded: '严重程度未分级（{equation}无Z值）',
} satisfies Omit<NarrativeTemplates, 'pattern'>;

const EN_COMMON = {
  severity: { none: '', mild: 'mild', moderate: 'moderate', moderately_severe: 'moderately severe', severe: 'severe', very_severe: 'very severe' },
  bdr: { positive: 'positive bronchodilator response', negative: 'no significant bronchodilator response' },
  gasTransfer: {
    normal: 'normal gas transfer',
    reduced: '{severity} reduction of gas transfer',
    reduced_parenchymal_vascular: '{severity} reduction of gas transfer with normal VA and low KCO (parenchymal or pulmonary vascular)',
    reduced_low_va: '{severity} reduction of gas transfer with low VA and normal or high KCO (incomplete expansion or extraparenchymal)',
    reduced_mixed: '{severity} reduction of gas transfer with low VA and low KCO',
    reduced_unexplained: '{severity} reduction of gas transfer with normal VA and KCO',
    elevated: 'elevated gas transfer',
  },
  separator: '; ',
  terminator: '.',
  capitalizeFirst: true,
  listSeparator: ', ',
  noObstruction: 'FEV1/FVC within normal limits, no obstruction',
  lowFev1: ', FEV1 below the lower limit of normal',
  notDeterminable: '{conclusions} cannot be determined ({why}; no lower limit of normal for {param})',
  whyUnverifiedL: 'the {equation} L (skewness) for {param} in {sex} is unverified',
  whyNoLimits: 'the reference equation gives no normal range for {param}',
  sexWord: { male: 'men', female: 'women' },
  severityNotGraded: 'severity not graded ({equation} defines no z-score)',
} satisfies Omit<NarrativeTemplates, 'pattern'>;

export const DEFAULT_TEMPLATES_ZH: NarrativeTemplates = {
  ...ZH_COMMON,
  pattern: {
    normal: '肺通气功能正常',
    obstruction: '{severity}阻塞性通气功能障碍',
    possible_restriction: '{severity}通气功能障碍，提示限制性通气功能障碍可能（未测肺总量）',
    restriction: '{severity}限制性通气功能障碍',
    mixed: '{severity}混合性通气功能障碍',
    non_specific: '{severity}非特异性通气功能障碍',
    prism: '{severity}保留比值的肺功能受损（PRISm）',
    small_airway_dysfunction: '小气道功能障碍',
  },
  patternName: {
    normal: '肺通气功能正常', obstruction: '阻塞性通气功能障碍', possible_restriction: '限制性通气功能障碍',
    restriction: '限制性通气功能障碍', mixed: '混合性通气功能障碍', non_specific: '非特异性通气功能障碍',
    prism: '保留比值的肺功能受损（PRISm）', small_airway_dysfunction: '小气道功能障碍',
  },
};

export const DEFAULT_TEMPLATES_EN: NarrativeTemplates = {
  ...EN_COMMON,
  pattern: {
    normal: 'normal spirometry',
    obstruction: '{severity} obstructive ventilatory defect',
    possible_restriction: '{severity} ventilatory impairment with low FVC, possible restriction (TLC not measured)',
    restriction: '{severity} restrictive ventilatory defect',
    mixed: '{severity} mixed ventilatory defect',
    non_specific: '{severity} non-specific pattern',
    prism: '{severity} preserved ratio impaired spirometry (PRISm)',
    small_airway_dysfunction: 'small-airway dysfunction',
  },
  patternName: {
    normal: 'normal spirometry', obstruction: 'obstruction', possible_restriction: 'possible restriction',
    restriction: 'restriction', mixed: 'a mixed defect', non_specific: 'a non-specific pattern', prism: 'PRISm',
    small_airway_dysfunction: 'small-airway dysfunction',
  },
};

/**
 * Chinese 2014 guideline wording (glossary "Conclusions", U). 'non_specific' here is low FVC with a normal ratio and a
 * measured normal TLC, or an isolated low FEV1: described, not named with the ERS/ATS term. 'possible_restriction' and 'prism'
 * are not produced by this scheme; their entries only keep the record complete.
 */
export const CHINA2014_TEMPLATES_ZH: NarrativeTemplates = {
  ...ZH_COMMON,
  pattern: {
    normal: '肺通气功能正常',
    obstruction: '{severity}阻塞性通气功能障碍',
    restriction: '{severity}限制性通气功能障碍',
    mixed: '{severity}混合性通气功能障碍',
    small_airway_dysfunction: '小气道功能障碍',
    non_specific: '{severity}通气功能障碍（一秒率正常，不符合阻塞性、限制性或混合性通气功能障碍的判断标准）',
    possible_restriction: '{severity}限制性通气功能障碍',
    prism: '{severity}通气功能障碍（一秒率正常，不符合阻塞性、限制性或混合性通气功能障碍的判断标准）',
  },
  patternName: {
    normal: '肺通气功能正常', obstruction: '阻塞性通气功能障碍', restriction: '限制性通气功能障碍', mixed: '混合性通气功能障碍',
    small_airway_dysfunction: '小气道功能障碍', non_specific: '通气功能障碍', possible_restriction: '限制性通气功能障碍', prism: '通气功能障碍',
  },
};

export const CHINA2014_TEMPLATES_EN: NarrativeTemplates = {
  ...EN_COMMON,
  pattern: {
    normal: 'normal ventilatory function',
    obstruction: '{severity} obstructive ventilatory defect',
    restriction: '{severity} restrictive ventilatory defect',
    mixed: '{severity} mixed ventilatory defect',
    small_airway_dysfunction: 'small-airway dysfunction',
    non_specific: '{severity} ventilatory impairment (normal FEV1/FVC; criteria for obstructive, restrictive or mixed defects not met)',
    possible_restriction: '{severity} restrictive ventilatory defect',
    prism: '{severity} ventilatory impairment (normal FEV1/FVC; criteria for obstructive, restrictive or mixed defects not met)',
  },
  patternName: {
    normal: 'normal ventilatory function', obstruction: 'an obstructive defect', restriction: 'a restrictive defect',
    mixed: 'a mixed defect', small_airway_dysfunction: 'small-airway dysfunction', non_specific: 'a ventilatory impairment',
    possible_restriction: 'a restrictive defect', prism: 'a ventilatory impairment',
  },
};

/** The default templates of a scheme and language. */
export function defaultTemplates(scheme: InterpretationScheme, language: 'zh' | 'en'): NarrativeTemplates {
  if (scheme === 'china2014') return language === 'zh' ? CHINA2014_TEMPLATES_ZH : CHINA2014_TEMPLATES_EN;
  return language === 'zh' ? DEFAULT_TEMPLATES_ZH : DEFAULT_TEMPLATES_EN;
}

/** What a lab may override: any subset of the keys, and of the entries of each record. */
export type NarrativeTemplatesOverride = Partial<Omit<NarrativeTemplates, 'pattern' | 'severity' | 'bdr' | 'gasTransfer' | 'sexWord'>> & {
  pattern?: Partial<Record<Pattern, string>>;
  severity?: Partial<Record<Severity, string>>;
  bdr?: Partial<Record<'positive' | 'negative', string>>;
  gasTransfer?: Partial<Record<GasTransferCategory, string>>;
  sexWord?: Partial<Record<'male' | 'female', string>>;
};

/** A lab's (possibly partial, possibly older) templates over the scheme's defaults, so a missing key never prints "undefined". */
export function mergeTemplates(base: NarrativeTemplates, custom: NarrativeTemplatesOverride | undefined): NarrativeTemplates {
  if (!custom) return base;
  return {
    ...base,
    ...custom,
    pattern: { ...base.pattern, ...custom.pattern },
    severity: { ...base.severity, ...custom.severity },
    bdr: { ...base.bdr, ...custom.bdr },
    gasTransfer: { ...base.gasTransfer, ...custom.gasTransfer },
    patternName: { ...base.patternName, ...custom.patternName },
    sexWord: { ...(base.sexWord ?? { male: 'male', female: 'female' }), ...custom.sexWord },
  };
}

/** A pattern that could not be told apart because a value has no limits (e.g. Jian 2017 FVC in men). */
export interface UndeterminedPart {
  /** The parameter whose limits are missing, e.g. 'FVC'. */
  param: string;
  equation: string;
  sex: 'male' | 'female';
  why: 'unverified_l' | 'no_limits';
  /** Conclusions that cannot be confirmed or excluded. */
  conclusions: Pattern[];
}

export interface NarrativeInput {
  /** null: not determined (then `undetermined` says why). */
  pattern: Pattern | null;
  severity: Severity;
  bdr: BdrResult | null;
  gasTransfer: GasTransferResult | null;
  undetermined?: UndeterminedPart | null;
  /** With pattern null: FEV1 below its LLN (named in the lead clause). */
  fev1Low?: boolean;
  /** The severity parameter has no z-score under a z-score scheme (NHANES III). */
  severityNotGraded?: { equation: string } | null;
}

function fill(template: string, templates: NarrativeTemplates, severity: Severity): string {
  return template.replaceAll('{severity}', templates.severity[severity]).replace(/\s+/g, (space) => (space.includes('\n') ? space : ' ')).trim();
}

const put = (template: string, values: Record<string, string>) =>
  Object.entries(values).reduce((text, [key, value]) => text.replaceAll(`{${key}}`, value), template);

export function renderNarrative(input: NarrativeInput, templates: NarrativeTemplates): string {
  const clauses: string[] = [];
  if (input.pattern !== null) clauses.push(fill(templates.pattern[input.pattern], templates, input.severity));
  else if (input.undetermined) clauses.push((templates.noObstruction ?? '') + (input.fev1Low ? (templates.lowFev1 ?? '') : ''));
  if (input.undetermined) {
    const u = input.undetermined;
    const names = [...new Set(u.conclusions.map((p) => templates.patternName?.[p] ?? p))];
    const vars = { equation: u.equation, sex: templates.sexWord?.[u.sex] ?? u.sex, param: u.param };
    const why = put((u.why === 'unverified_l' ? templates.whyUnverifiedL : templates.whyNoLimits) ?? '', vars);
    clauses.push(put(templates.notDeterminable ?? '{conclusions}: {why}', { ...vars, conclusions: names.join(templates.listSeparator ?? ', '), why }));
  }
  if (input.severityNotGraded && templates.severityNotGraded) clauses.push(put(templates.severityNotGraded, { equation: input.severityNotGraded.equation }));
  if (input.bdr) clauses.push(templates.bdr[input.bdr.result]);
  if (input.gasTransfer) clauses.push(fill(templates.gasTransfer[input.gasTransfer.category], templates, input.gasTransfer.severity));
  let text = clauses.filter((c) => c !== '').join(templates.separator) + templates.terminator;
  if (templates.capitalizeFirst) text = text.charAt(0).toUpperCase() + text.slice(1);
  return text;
}
