/**
 * One exam in, one structured interpretation out: reference values for every given parameter (with the recorded
 * equation choice), pattern, severity, bronchodilator response, gas transfer, findings with their numbers, and draft
 * narratives. Pure: no I/O.
 */
import { chooseEquation, DEFAULT_REFERENCE_SETTINGS, type EquationChoice, type LabReferenceSettings, type ParameterGroup, type RecordedChoice } from '../equation-choice.ts';
import { JIAN2017_UNVERIFIED_L } from '../equations/jian2017.ts';
import { EQUATIONS, evaluate, isAboveUln, isBelowLln, type ReferenceResult } from '../reference.ts';
import type { ParamId, Subject } from '../types.ts';
import { classifyPattern, DEFAULT_PATTERN_OPTIONS, severityFromZScore, severityParameter, type PatternOptions } from './ats2022.ts';
import { bronchodilatorResponse, type BdrResult, type BdrRule } from './bdr.ts';
import {
  china2014SeverityFromFev1PctPred, china2014SmallAirwayDysfunction, classifyChina2014Pattern, DEFAULT_CHINA2014_PATTERN_OPTIONS,
  type China2014PatternOptions,
} from './china2014.ts';
import { classifyGasTransfer, hbCorrectionFactor, type GasTransferResult } from './gas-transfer.ts';
import { defaultTemplates, mergeTemplates, renderNarrative, type NarrativeTemplatesOverride, type UndeterminedPart } from './narrative.ts';
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
  /**
   * Small airways (the Chinese scheme's 小气道功能障碍): measured MMEF (FEF25-75) and FEF75 in L/s, referenced with the
   * spirometry equation where it has them (GLI-2012: both; Jian 2017, NHANES III: MMEF; GLI Global: neither).
   */
  mmef?: number | null;
  fef75?: number | null;
  /** % predicted as the device printed it, used where our equation has no value (no set here has FEF50). */
  mmefPctPred?: number | null;
  fef50PctPred?: number | null;
  fef75PctPred?: number | null;
}

export interface InterpretationSettings {
  scheme: InterpretationScheme;
  pattern: PatternOptions;
  /** Pattern options of the Chinese 2014 scheme (default DEFAULT_CHINA2014_PATTERN_OPTIONS). */
  china2014?: China2014PatternOptions;
  /** Default: 'ats2022' under the ats2022 scheme, 'china2014' under the Chinese scheme. */
  bdrRule?: BdrRule;
  bdrOperator?: '>' | '>=';
}

export interface LabSettings {
  reference: LabReferenceSettings;
  interpretation: InterpretationSettings;
  /**
   * The lab's narrative templates, any subset of keys. Merged over the scheme's defaults at use (mergeTemplates), so
   * templates saved before a key existed (e.g. small_airway_dysfunction) never print "undefined".
   */
  templates?: { zh?: NarrativeTemplatesOverride; en?: NarrativeTemplatesOverride };
}

export const DEFAULT_LAB_SETTINGS: LabSettings = {
  reference: DEFAULT_REFERENCE_SETTINGS,
  interpretation: { scheme: 'ats2022', pattern: DEFAULT_PATTERN_OPTIONS },
};

export type ResultKey =
  | 'FEV1' | 'FVC' | 'FEV1FVC' | 'post_FEV1' | 'post_FVC' | 'post_FEV1FVC'
  | 'TLC' | 'RV' | 'FRC' | 'RVTLC' | 'TLCO_SI' | 'VA' | 'KCO_SI' | 'FEF2575' | 'FEF75';

export interface Interpretation {
  scheme: InterpretationScheme;
  /**
   * The scheme's pattern (ERS/ATS 2022 codes, or the Chinese 2014 subset, see Pattern). null when it could not be
   * determined: refused reference values, or a value without limits that the pattern depends on (`undetermined`).
   */
  pattern: Pattern | null;
  severity: Severity;
  severityBasis: { param: ParamId; zScore: number | null; pctPred: number | null } | null;
  /** Conclusions that depend on a value without limits (e.g. Jian 2017 FVC in men) and are left open. */
  undetermined: UndeterminedPart | null;
  /** Two of MMEF, FEF50, FEF75 below 65 % predicted (Chinese practice, U); null when not enough values were given. */
  smallAirwayDysfunction: boolean | null;
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
  const settings = lab.interpretation;

  // Spirometry (pre-bronchodilator values drive the pattern).
  const fev1 = reference('FEV1', 'spirometry', 'FEV1', exam.fev1);
  const fvc = reference('FVC', 'spirometry', 'FVC', exam.fvc);
  const ratio = reference('FEV1FVC', 'spirometry', 'FEV1FVC', exam.fev1 / exam.fvc);
  let postFev1: ReferenceResult | null = null;
  let postFvc: ReferenceResult | null = null;
  if (given(exam.postFev1)) postFev1 = reference('post_FEV1', 'spirometry', 'FEV1', exam.postFev1);
  if (given(exam.postFvc)) postFvc = reference('post_FVC', 'spirometry', 'FVC', exam.postFvc);
  if (given(exam.postFev1) && given(exam.postFvc)) reference('post_FEV1FVC', 'spirometry', 'FEV1FVC', exam.postFev1 / exam.postFvc);

  // Small airways: our % predicted where the spirometry equation has the parameter, else the device's.
  const spirometryParams = EQUATIONS[choiceFor('spirometry').equation]?.params ?? [];
  const smallAirwayPct = (key: ResultKey, param: ParamId, measured: number | null | undefined, devicePct: number | null | undefined) => {
    if (given(measured) && spirometryParams.includes(param)) {
      const pct = reference(key, 'spirometry', param, measured).pctPred;
      if (pct !== null) return pct;
    }
    return given(devicePct) ? devicePct : null;
  };
  const smallAirwayInputs = {
    mmef: smallAirwayPct('FEF2575', 'FEF2575', exam.mmef, exam.mmefPctPred),
    fef50: given(exam.fef50PctPred) ? exam.fef50PctPred : null,
    fef75: smallAirwayPct('FEF75', 'FEF75', exam.fef75, exam.fef75PctPred),
  };
  const smallAirwayDysfunction = china2014SmallAirwayDysfunction(smallAirwayInputs);
  if (smallAirwayDysfunction) findings.push({ code: 'small_airway_dysfunction', values: { mmefPctPred: smallAirwayInputs.mmef, fef50PctPred: smallAirwayInputs.fef50, fef75PctPred: smallAirwayInputs.fef75, thresholdPct: 65 } });

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
  let undetermined: UndeterminedPart | null = null;
  let severityNotGraded: { equation: string } | null = null;
  const classify = (fvcIsLow: boolean, fev1IsLow: boolean) =>
    settings.scheme === 'china2014'
      ? classifyChina2014Pattern(
          { fev1FvcLow: fev1FvcLow as boolean, fvcLow: fvcIsLow, fev1Low: fev1IsLow, tlcLow, smallAirwayDysfunction },
          settings.china2014 ?? DEFAULT_CHINA2014_PATTERN_OPTIONS,
        )
      : classifyPattern({ fev1FvcLow: fev1FvcLow as boolean, fvcLow: fvcIsLow, fev1Low: fev1IsLow, tlcLow }, settings.pattern);
  if (fev1FvcLow === null) {
    findings.push({ code: 'pattern_not_determined', values: { fev1Status: fev1.status, fvcStatus: fvc.status, fev1FvcStatus: ratio.status } });
  } else {
    // FEV1 or FVC without limits (Jian 2017 FVC in men, clinical.md §5.5): classify with each possibility and keep
    // only what they agree on; the rest is left open and named (never guessed).
    const unknown = [fvcLow === null ? fvc : null, fev1Low === null ? fev1 : null].filter((r): r is ReferenceResult => r !== null);
    const outcomes = (fvcLow === null ? [true, false] : [fvcLow]).flatMap((f) => (fev1Low === null ? [true, false] : [fev1Low]).map((e) => classify(f, e)));
    const patterns = [...new Set(outcomes.map((o) => o.pattern))];
    let open: Pattern[] = [];
    if (patterns.length === 1) {
      pattern = patterns[0] as Pattern;
      // With FEV1/FVC low and no TLC, a low FVC would point to a mixed defect (or gas trapping): say it is open.
      if (fev1FvcLow && fvcLow === null && tlcLow === null) open = ['mixed'];
    } else if (patterns.every((p) => p === 'obstruction' || p === 'mixed')) {
      pattern = 'obstruction';
      open = ['mixed'];
    } else {
      open = patterns.filter((p) => p !== 'normal');
    }
    findings.push(...(unknown.length === 0 ? (outcomes[0]?.findings ?? []) : (outcomes.at(-1)?.findings ?? []).filter((f) => f.code !== 'isolated_low_fev1')));
    if (open.length > 0 && unknown.length > 0) {
      const missing = unknown[0] as ReferenceResult;
      undetermined = {
        param: unknown.map((r) => r.param).join('/'),
        equation: (EQUATIONS[missing.equation]?.name ?? missing.equation).replace(/\s*\(.*\)$/, ''),
        sex: subject.sex,
        why: missing.equation === 'jian2017' && JIAN2017_UNVERIFIED_L.has(`${missing.param}|${subject.sex}`) ? 'unverified_l' : 'no_limits',
        conclusions: open,
      };
      findings.push({
        code: pattern === null ? 'pattern_not_determinable' : 'conclusions_not_determinable',
        values: { param: undetermined.param, reason: unknown.map((r) => r.reasons.join('; ')).join('; '), conclusions: open.join(','), possiblePatterns: patterns.join(',') },
      });
    }
    if (pattern !== null) {
      findings.push({
        code: `pattern_${pattern}`,
        values: { fev1FvcZ: ratio.zScore, fev1FvcLln: ratio.lln, fev1FvcMeasured: ratio.measured, fvcZ: fvc.zScore, fev1Z: fev1.zScore, tlcZ: tlc?.zScore ?? null },
      });
    }
    if (pattern !== null && pattern !== 'normal' && pattern !== 'small_airway_dysfunction') {
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
          else {
            // NHANES III defines no z-score: the z-score bands cannot grade it. Said in the narrative; the
            // Chinese 2014 scheme grades by % predicted instead (clinical.md §5.6, §9.3).
            findings.push({ code: 'severity_not_gradable', values: { param, equation: basis.equation, reason: basis.reasons.join('; ') || 'no z-score for this equation' } });
            if (basis.status !== 'refused') severityNotGraded = { equation: EQUATIONS[basis.equation]?.name ?? basis.equation };
          }
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

  const narrativeInput = { pattern, severity, bdr, gasTransfer, undetermined, fev1Low: fev1Low === true, severityNotGraded };
  const templates = (language: 'zh' | 'en') => mergeTemplates(defaultTemplates(settings.scheme, language), lab.templates?.[language]);
  const narrative =
    pattern === null && undetermined === null
      ? { zh: '参考值无法计算，未能自动判读', en: 'No reference values could be computed; not interpreted.' }
      : { zh: renderNarrative(narrativeInput, templates('zh')), en: renderNarrative(narrativeInput, templates('en')) };
  return {
    scheme: settings.scheme,
    pattern,
    severity,
    severityBasis,
    undetermined,
    smallAirwayDysfunction,
    bdr,
    gasTransfer,
    hbCorrection,
    findings,
    results,
    equationChoices: [...choices.values()],
    narrative,
  };
}
