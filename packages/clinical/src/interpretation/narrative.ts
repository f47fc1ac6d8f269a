/**
 * Draft narratives in Simplified Chinese and English from editable templates (data, with defaults). Wording follows
 * ../shared/docs/glossary.md (terms marked U there stay editable here). `{severity}` is replaced by the severity word.
 */
import type { BdrResult } from './bdr.ts';
import type { GasTransferCategory, GasTransferResult } from './gas-transfer.ts';
import type { Pattern, Severity } from './types.ts';

export interface NarrativeTemplates {
  pattern: Record<Pattern, string>;
  severity: Record<Severity, string>;
  bdr: Record<'positive' | 'negative', string>;
  gasTransfer: Record<GasTransferCategory, string>;
  /** Between clauses, and at the end. */
  separator: string;
  terminator: string;
  capitalizeFirst: boolean;
}

export const DEFAULT_TEMPLATES_ZH: NarrativeTemplates = {
  pattern: {
    normal: '肺通气功能正常',
    obstruction: '{severity}阻塞性通气功能障碍',
    possible_restriction: '{severity}通气功能障碍，提示限制性通气功能障碍可能（未测肺总量）',
    restriction: '{severity}限制性通气功能障碍',
    mixed: '{severity}混合性通气功能障碍',
    non_specific: '{severity}非特异性通气功能障碍',
    prism: '{severity}保留比值的肺功能受损（PRISm）',
  },
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
};

export const DEFAULT_TEMPLATES_EN: NarrativeTemplates = {
  pattern: {
    normal: 'normal spirometry',
    obstruction: '{severity} obstructive ventilatory defect',
    possible_restriction: '{severity} ventilatory impairment with low FVC, possible restriction (TLC not measured)',
    restriction: '{severity} restrictive ventilatory defect',
    mixed: '{severity} mixed ventilatory defect',
    non_specific: '{severity} non-specific pattern',
    prism: '{severity} preserved ratio impaired spirometry (PRISm)',
  },
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
};

export interface NarrativeInput {
  pattern: Pattern;
  severity: Severity;
  bdr: BdrResult | null;
  gasTransfer: GasTransferResult | null;
}

function fill(template: string, templates: NarrativeTemplates, severity: Severity): string {
  return template.replaceAll('{severity}', templates.severity[severity]).replace(/\s+/g, (space) => (space.includes('\n') ? space : ' ')).trim();
}

export function renderNarrative(input: NarrativeInput, templates: NarrativeTemplates): string {
  const clauses = [fill(templates.pattern[input.pattern], templates, input.severity)];
  if (input.bdr) clauses.push(templates.bdr[input.bdr.result]);
  if (input.gasTransfer) clauses.push(fill(templates.gasTransfer[input.gasTransfer.category], templates, input.gasTransfer.severity));
  let text = clauses.filter((c) => c !== '').join(templates.separator) + templates.terminator;
  if (templates.capitalizeFirst) text = text.charAt(0).toUpperCase() + text.slice(1);
  return text;
}
