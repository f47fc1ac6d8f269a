/**
 * One exam in, one structured interpretation out: reference values for every given parameter (with the recorded
 * equation choice), pattern, severity, bronchodilator response, gas transfer, findings with their numbers, and draft
 * narratives. Pure: no I/O.
 */
import { chooseEquation, DEFAULT_REFERENCE_SETTINGS, type EquationChoice, type LabReferenceSettings, type ParameterGroup, type RecordedChoice } from '../equation-choice.ts';
import { evaluate, isAboveUln, isBelowLln, type ReferenceResult } from '../reference.ts';
import type { ParamId, Subject } from '../types.ts';
import { classifyPattern, DEFAULT_PATTERN_OPTIONS, severityFromZScore, severityParameter, type PatternOptions } from './ats2022.ts';
import { bronchodilatorResponse, type BdrResult, type BdrRule } from './bdr.ts';
import { china2014SeverityFromFev1PctPred } from './china2014.ts';
import { classifyGasTransfer, hbCorrectionFactor, type GasTransferResult } from './gas-transfer.ts';
import { DEFAULT_TEMPLATES_EN, DEFAULT_TEMPLATES_ZH, renderNarrative, type NarrativeTemplates } from './narrative.ts';
import type { Finding, InterpretationScheme, Pattern, Severity } from './types.ts';

export interface ExamInput {
  subject: Subject;
  patientGroupId?: string | null;
  /** Per-request spirometry equation (overrides the lab's choice; recorded as source 'request'). */
  spirometryEquation?: EquationChoice | null;
  fev1: number;
  fvc: number;
  postFev1?: number | null;
  postFvc?: number | null;
  tlc?: number | null;
  rv?: number | null;
  frc?: number | null;
  /** TLCO in mmol/min/kPa */
  dlcoSi?: number | null;
  va?: number | null;
  /** Haemoglobin in g/dL (divide g/L by 10). */
  hbGdl?: number | null;
}

export interface InterpretationSettings {
  scheme: InterpretationScheme;
  pattern: PatternOptions;
  /** Default: 'ats2022' under the ats2022 scheme, 'china2014' under the Chinese scheme. */
  bdrRule?: BdrRule;
  bdrOperator?: '>' | '>=';
}

export interface LabSettings {
  reference: LabReferenceSettings;
  interpretation: InterpretationSettings;
  templates?: { zh?: NarrativeTemplates; en?: NarrativeTemplates };
}

export const DEFAULT_LAB_SETTINGS: LabSettings = {
  reference: DEFAULT_REFERENCE_SETTINGS,
  interpretation: { scheme: 'ats2022', pattern: DEFAULT_PATTERN_OPTIONS },
};

export type ResultKey =
  | 'FEV1' | 'FVC' | 'FEV1FVC' | 'post_FEV1' | 'post_FVC' | 'post_FEV1FVC'
  | 'TLC' | 'RV' | 'FRC' | 'RVTLC' | 'TLCO_SI' | 'VA' | 'KCO_SI';

export interface Interpretation {
  scheme: InterpretationScheme;
  /** null when the spirometry could not be referenced (refused inputs). */
  pattern: Pattern | null;
  severity: Severity;
  severityBasis: { param: ParamId; zScore: number | null; pctPred: number | null } | null;
  bdr: BdrResult | null;
  gasTransfer: GasTransferResult | null;
  hbCorrection: { hbGdl: number; factor: number; tlcoMeasured: number; tlcoCorrected: number } | null;
  findings: Finding[];
  results: Partial<Record<ResultKey, ReferenceResult>>;
  equationChoices: RecordedChoice[];
  narrative: { zh: string; en: string };
}

const given = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

export function interpretExam(exam: ExamInput, lab: LabSettings = DEFAULT_LAB_SETTINGS): Interpretation {
  const { subject } = exam;
  const findings: Finding[] = [];
  const results: Partial<Record<ResultKey, ReferenceResult>> = {};
  const choices = new Map<ParameterGroup, RecordedChoice>();
  const choiceFor = (group: ParameterGroup): RecordedChoice => {
    let choice = choices.get(group);
    if (!choice) {
      choice = chooseEquation(lab.reference, group, exam.patientGroupId);
      if (group === 'spirometry' && exam.spirometryEquation) {
        choice = { ...choice, ...exam.spirometryEquation, ethnicity: exam.spirometryEquation.ethnicity ?? choice.ethnicity, source: 'request', patientGroupId: null };
        choice.equationVersion = evaluate(choice.equation, 'FEV1', subject).equationVersion;
      }
      choices.set(group, choice);
    }
    return choice;
  };
  const reference = (key: ResultKey, group: ParameterGroup, param: ParamId, measured: number) => {
    const choice = choiceFor(group);
    const ethnicity = choice.ethnicity ?? subject.ethnicity ?? null;
    const result = evaluate(choice.equation, param, { ...subject, ethnicity }, measured, { outOfRange: lab.reference.outOfRange });
    results[key] = result;
    if (result.status !== 'ok') findings.push({ code: `reference_${result.status}`, values: { param, reason: result.reasons.join('; ') } });
    return result;
  };

  // Spirometry (pre-bronchodilator values drive the pattern).
  const fev1 = reference('FEV1', 'spirometry', 'FEV1', exam.fev1);
  const fvc = reference('FVC', 'spirometry', 'FVC', exam.fvc);
  const ratio = reference('FEV1FVC', 'spirometry', 'FEV1FVC', exam.fev1 / exam.fvc);
  let postFev1: ReferenceResult | null = null;
  let postFvc: ReferenceResult | null = null;
  if (given(exam.postFev1)) postFev1 = reference('post_FEV1', 'spirometry', 'FEV1', exam.postFev1);
  if (given(exam.postFvc)) postFvc = reference('post_FVC', 'spirometry', 'FVC', exam.postFvc);
  if (given(exam.postFev1) && given(exam.postFvc)) reference('post_FEV1FVC', 'spirometry', 'FEV1FVC', exam.postFev1 / exam.postFvc);

  // Lung volumes.
  const tlc = given(exam.tlc) ? reference('TLC', 'volumes', 'TLC', exam.tlc) : null;
  const rv = given(exam.rv) ? reference('RV', 'volumes', 'RV', exam.rv) : null;
  if (given(exam.frc)) reference('FRC', 'volumes', 'FRC', exam.frc);
  const rvTlc = given(exam.rv) && given(exam.tlc) ? reference('RVTLC', 'volumes', 'RVTLC', (100 * exam.rv) / exam.tlc) : null;
  if (tlc && rvTlc) {
    // Lung-volume sub-patterns (clinical.md §9.2, Fig. 10; U): flags only.
    const tlcHigh = isAboveUln(tlc);
    const rvTlcHigh = isAboveUln(rvTlc);
    const values = { tlcZ: tlc.zScore, rvTlcZ: rvTlc.zScore, rvZ: rv?.zScore ?? null };
    if (tlcHigh && rvTlcHigh) findings.push({ code: 'hyperinflation', values });
    else if (tlcHigh) findings.push({ code: 'large_lungs', values });
    else if (isBelowLln(tlc) === false && rvTlcHigh) findings.push({ code: 'gas_trapping', values });
    else if (isBelowLln(tlc) && rvTlcHigh) findings.push({ code: 'complex_restriction', values });
  }

  // Pattern and severity.
  const fev1FvcLow = isBelowLln(ratio);
  const fvcLow = isBelowLln(fvc);
  const fev1Low = isBelowLln(fev1);
  const tlcLow = tlc ? isBelowLln(tlc) : null;
  let pattern: Pattern | null = null;
  let severity: Severity = 'none';
  let severityBasis: Interpretation['severityBasis'] = null;
  const settings = lab.interpretation;
  if (fev1FvcLow === null || fvcLow === null || fev1Low === null) {
    findings.push({ code: 'pattern_not_determined', values: { fev1Status: fev1.status, fvcStatus: fvc.status, fev1FvcStatus: ratio.status } });
  } else {
    const classified = classifyPattern({ fev1FvcLow, fvcLow, fev1Low, tlcLow }, settings.pattern);
    pattern = classified.pattern;
    findings.push(...classified.findings);
    findings.push({
      code: `pattern_${pattern}`,
      values: { fev1FvcZ: ratio.zScore, fev1FvcLln: ratio.lln, fev1FvcMeasured: ratio.measured, fvcZ: fvc.zScore, fev1Z: fev1.zScore, tlcZ: tlc?.zScore ?? null },
    });
    if (pattern !== 'normal') {
      if (settings.scheme === 'china2014') {
        // Chinese 2014 guideline: grade every ventilatory defect by FEV1 % predicted (glossary, U).
        if (fev1.pctPred !== null) {
          severity = china2014SeverityFromFev1PctPred(fev1.pctPred);
          severityBasis = { param: 'FEV1', zScore: fev1.zScore, pctPred: fev1.pctPred };
        }
      } else {
        const param = severityParameter(pattern) as 'FEV1' | 'TLC';
        const basis = param === 'TLC' ? tlc : fev1;
        if (basis) {
          severityBasis = { param, zScore: basis.zScore, pctPred: basis.pctPred };
          if (basis.zScore !== null) severity = severityFromZScore(basis.zScore);
          else findings.push({ code: 'severity_not_gradable', values: { param, reason: 'no z-score for this equation' } });
          if (basis.zScore !== null && severity === 'none') findings.push({ code: 'severity_parameter_within_limits', values: { param, zScore: basis.zScore } });
        }
      }
    }
  }

  // Bronchodilator response.
  const bdrRule: BdrRule = settings.bdrRule ?? (settings.scheme === 'china2014' ? 'china2014' : 'ats2022');
  const bdr =
    postFev1 || postFvc
      ? bronchodilatorResponse(
          bdrRule,
          {
            fev1: postFev1 && given(exam.postFev1) ? { pre: exam.fev1, post: exam.postFev1, predicted: fev1.predicted } : null,
            fvc: postFvc && given(exam.postFvc) ? { pre: exam.fvc, post: exam.postFvc, predicted: fvc.predicted } : null,
          },
          settings.bdrOperator ? { operator: settings.bdrOperator } : {},
        )
      : null;
  if (bdr) findings.push(...bdr.findings);

  // Gas transfer, after Hb correction of the measured value (clinical.md §9.6).
  let gasTransfer: GasTransferResult | null = null;
  let hbCorrection: Interpretation['hbCorrection'] = null;
  if (given(exam.dlcoSi)) {
    let tlcoValue = exam.dlcoSi;
    if (given(exam.hbGdl)) {
      const factor = hbCorrectionFactor(subject.sex, subject.ageYears, exam.hbGdl);
      if (factor !== null) {
        hbCorrection = { hbGdl: exam.hbGdl, factor, tlcoMeasured: exam.dlcoSi, tlcoCorrected: exam.dlcoSi * factor };
        tlcoValue = hbCorrection.tlcoCorrected;
        findings.push({ code: 'tlco_hb_corrected', values: { ...hbCorrection } });
      }
    }
    const tlco = reference('TLCO_SI', 'transfer', 'TLCO_SI', tlcoValue);
    const va = given(exam.va) ? reference('VA', 'transfer', 'VA', exam.va) : null;
    const kco = given(exam.va) && exam.va > 0 ? reference('KCO_SI', 'transfer', 'KCO_SI', tlcoValue / exam.va) : null;
    gasTransfer = classifyGasTransfer(tlco, va, kco);
    if (gasTransfer) findings.push(...gasTransfer.findings, { code: `gas_transfer_${gasTransfer.category}`, values: { tlcoZ: tlco.zScore, vaZ: va?.zScore ?? null, kcoZ: kco?.zScore ?? null } });
  }

  const narrativeInput = { pattern: pattern ?? 'normal', severity, bdr, gasTransfer };
  const narrative =
    pattern === null
      ? { zh: '参考值无法计算，未能自动判读', en: 'No reference values could be computed; not interpreted.' }
      : {
          zh: renderNarrative(narrativeInput, lab.templates?.zh ?? DEFAULT_TEMPLATES_ZH),
          en: renderNarrative(narrativeInput, lab.templates?.en ?? DEFAULT_TEMPLATES_EN),
        };
  return {
    scheme: settings.scheme,
    pattern,
    severity,
    severityBasis,
    bdr,
    gasTransfer,
    hbCorrection,
    findings,
    results,
    equationChoices: [...choices.values()],
    narrative,
  };
}
