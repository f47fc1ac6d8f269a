/**
 * From an exam's device values and curves to the content of a report draft: reference values with the lab's
 * equation choice, ATS/ERS 2019 grades from the raw curves, the structured interpretation and its draft narratives.
 * Pure: the service loads the inputs and stores the result as the version's content.
 */
import {
  analyseForcedExpiration, assessSession, chooseEquation, decimalAgeYears, evaluate, interpretExam,
  type Interpretation, type LabSettings, type ParamId, type RecordedChoice, type ResultKey, type SessionTrial,
} from '@pftis/clinical';
import { EQUATIONS } from '@pftis/clinical';
import { patientGroupFor } from '../lab-settings/patient-group.js';

export interface DraftInput {
  sex: 'male' | 'female' | 'unknown';
  birthDate: string;
  examDate: string;
  heightCm: number | null;
  weightKg: number | null;
  measurements: Array<{ param: string | null; stage: 'pre' | 'post'; value: number | null; unit: string | null; devicePredicted: number | null; deviceLln: number | null }>;
  trials: Array<{ stage: 'pre' | 'post'; number: number; sampleIntervalS: number; flowLps: number[]; volumeL: number[] }>;
  deviceQualityGrade: string | null;
  lab: LabSettings;
}

export interface ContentRow {
  param: string;
  unit: string;
  predicted: number | null;
  lln: number | null;
  uln: number | null;
  measured: number | null;
  zScore: number | null;
  pctPredicted: number | null;
  post: number | null;
  postZScore: number | null;
  postPctPredicted: number | null;
  changePct: number | null;
  /** Where predicted/LLN came from: our equations, or the device's own (no equation of ours for this value). */
  reference: 'equation' | 'device' | 'none';
}

/** ATS/ERS 2019 grades of one stage (Table 10): separately for FEV1 and FVC, with the number of acceptable blows. */
export interface StageQuality { fev1: string | null; fvc: string | null; acceptableFev1: number | null; acceptableFvc: number | null }

export interface ReportContent {
  subject: { sex: 'male' | 'female' | 'unknown'; ageYears: number | null; heightCm: number | null; weightKg: number | null };
  rows: ContentRow[];
  equations: RecordedChoice[];
  /**
   * Top-level grades are the pre-bronchodilator ones (ours, or the device's when there are no curves). `post` and
   * `device` are absent from content drafted before they existed.
   */
  quality: (StageQuality & { source: 'ats2019' | 'device'; post?: StageQuality | null; device?: string | null }) | null;
  interpretation: Pick<Interpretation, 'scheme' | 'pattern' | 'severity' | 'findings' | 'narrative'> & { bdr: 'positive' | 'negative' | null } | null;
  /** Why something could not be computed (English; the UI translates the common ones). */
  warnings: string[];
}

/** ATS 2017 standard report order; values the device sent that are not listed here follow in their own order. */
export const ROW_ORDER: string[] = ['FVC', 'FEV1', 'FEV1FVC', 'FEV6', 'PEF', 'FEF2575', 'FEF75', 'VC', 'TLC', 'RV', 'RVTLC', 'FRC', 'ERV', 'IC', 'TLCO_SI', 'KCO_SI', 'VA'];

const INTERPRETED: Partial<Record<string, { pre: ResultKey; post?: ResultKey }>> = {
  FEV1: { pre: 'FEV1', post: 'post_FEV1' }, FVC: { pre: 'FVC', post: 'post_FVC' }, FEV1FVC: { pre: 'FEV1FVC', post: 'post_FEV1FVC' },
  TLC: { pre: 'TLC' }, RV: { pre: 'RV' }, FRC: { pre: 'FRC' }, RVTLC: { pre: 'RVTLC' }, TLCO_SI: { pre: 'TLCO_SI' }, VA: { pre: 'VA' }, KCO_SI: { pre: 'KCO_SI' },
};
const GROUP_OF: Partial<Record<string, 'spirometry' | 'volumes' | 'transfer'>> = {
  FEF2575: 'spirometry', FEF75: 'spirometry', PEF: 'spirometry', FEV6: 'spirometry', VC: 'volumes', ERV: 'volumes', IC: 'volumes',
};

const round = (value: number | null | undefined, digits = 4) => (value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));

export function draftContent(input: DraftInput): ReportContent {
  const warnings: string[] = [];
  const ageYears = decimalAgeYears(input.birthDate, input.examDate);
  const value = (param: string, stage: 'pre' | 'post') => input.measurements.find((m) => m.param === param && m.stage === stage && m.value !== null);
  const fev1 = value('FEV1', 'pre')?.value ?? null;
  const fvc = value('FVC', 'pre')?.value ?? null;
  const referencable = (input.sex === 'male' || input.sex === 'female') && ageYears !== null && input.heightCm !== null;
  if (!referencable) warnings.push('sex, age or height missing: no reference values');

  // The lab's patient group (e.g. children on other equations) chosen by the group's age and sex rule.
  const patientGroupId = patientGroupFor(input.lab, { ageYears, sex: input.sex });
  let interpretation: Interpretation | null = null;
  if (referencable && fev1 !== null && fvc !== null) {
    interpretation = interpretExam(
      {
        subject: { sex: input.sex as 'male' | 'female', ageYears: ageYears!, heightCm: input.heightCm! },
        patientGroupId,
        fev1, fvc,
        postFev1: value('FEV1', 'post')?.value ?? null,
        postFvc: value('FVC', 'post')?.value ?? null,
        tlc: value('TLC', 'pre')?.value ?? null,
        rv: value('RV', 'pre')?.value ?? null,
        frc: value('FRC', 'pre')?.value ?? null,
        dlcoSi: value('TLCO_SI', 'pre')?.value ?? null,
        va: value('VA', 'pre')?.value ?? null,
      },
      input.lab,
    );
  } else if (fev1 === null || fvc === null) {
    warnings.push('no pre-bronchodilator FEV1 and FVC: no interpretation');
  }

  const params = [...new Set(input.measurements.map((m) => m.param).filter((p): p is string => !!p))];
  params.sort((a, b) => rank(a) - rank(b));
  const rows = params.map((param): ContentRow => {
    const pre = value(param, 'pre');
    const post = value(param, 'post');
    const keys = INTERPRETED[param];
    let ref = keys && interpretation ? interpretation.results[keys.pre] : undefined;
    let postRef = keys?.post && interpretation ? interpretation.results[keys.post] : undefined;
    const group = GROUP_OF[param];
    if (!ref && group && referencable) {
      const choice = interpretation?.equationChoices.find((c) => c.group === group) ?? chooseEquation(input.lab.reference, group, patientGroupId);
      const equation = choice.equation;
      if (EQUATIONS[equation].params.includes(param as ParamId)) {
        const subject = { sex: input.sex as 'male' | 'female', ageYears: ageYears!, heightCm: input.heightCm!, ethnicity: choice.ethnicity ?? null };
        const options = { outOfRange: input.lab.reference.outOfRange };
        ref = evaluate(equation, param as ParamId, subject, pre?.value ?? null, options);
        if (post?.value != null) postRef = evaluate(equation, param as ParamId, subject, post.value, options);
      }
    }
    const usable = ref && ref.status !== 'refused';
    const preValue = pre?.value ?? null;
    const postValue = post?.value ?? null;
    return {
      param,
      unit: pre?.unit ?? post?.unit ?? ref?.unit ?? '',
      predicted: round(usable ? ref!.predicted : pre?.devicePredicted),
      lln: round(usable ? ref!.lln : pre?.deviceLln),
      uln: round(usable ? ref!.uln : null),
      measured: round(preValue),
      zScore: round(usable ? ref!.zScore : null, 2),
      pctPredicted: round(usable ? ref!.pctPred : pre?.devicePredicted && preValue !== null ? (100 * preValue) / pre.devicePredicted : null, 1),
      post: round(postValue),
      postZScore: round(postRef && postRef.status !== 'refused' ? postRef.zScore : null, 2),
      postPctPredicted: round(postRef && postRef.status !== 'refused' ? postRef.pctPred : null, 1),
      changePct: preValue !== null && postValue !== null && preValue !== 0 && param !== 'FEV1FVC' ? round((100 * (postValue - preValue)) / preValue, 1) : null,
      reference: usable ? 'equation' : pre?.devicePredicted != null ? 'device' : 'none',
    };
  });

  return {
    subject: { sex: input.sex, ageYears: round(ageYears, 2), heightCm: input.heightCm, weightKg: input.weightKg },
    rows,
    equations: interpretation?.equationChoices ?? [],
    quality: quality(input, ageYears, warnings),
    interpretation: interpretation && {
      scheme: interpretation.scheme,
      pattern: interpretation.pattern,
      severity: interpretation.severity,
      bdr: interpretation.bdr?.result ?? null,
      findings: interpretation.findings,
      narrative: interpretation.narrative,
    },
    warnings,
  };
}

function rank(param: string) {
  const i = ROW_ORDER.indexOf(param);
  return i === -1 ? ROW_ORDER.length : i;
}

/** ATS/ERS 2019 grades of one stage's trials, or null when none of its curves could be analysed. */
function gradeStage(input: DraftInput, stage: 'pre' | 'post', ageYears: number, warnings: string[]): StageQuality | null {
  const trials: SessionTrial[] = [];
  for (const t of input.trials.filter((x) => x.stage === stage)) {
    const analysed = analyseForcedExpiration({ flowLps: t.flowLps, volumeL: t.volumeL, sampleIntervalS: t.sampleIntervalS });
    if (!analysed.ok) {
      warnings.push(`${stage === 'post' ? 'post ' : ''}trial ${t.number}: ${analysed.reason}`);
      continue;
    }
    const v = analysed.value;
    trials.push({ id: String(t.number), fev1L: v.fev1L, fvcL: v.fvcL, bevL: v.bevL, fetS: v.fetS, endOfTestVolumeL: v.endOfTestVolumeL, fivcL: v.fivcL, pefLps: v.pefLps, fef2575Lps: v.fef2575Lps });
  }
  if (trials.length === 0) return null;
  const session = assessSession(trials, ageYears);
  return { fev1: session.fev1.grade, fvc: session.fvc.grade, acceptableFev1: session.fev1.acceptableCount, acceptableFvc: session.fvc.acceptableCount };
}

/**
 * Grades per ATS/ERS 2019, the pre- and the post-bronchodilator trials each on their own (clinical.md §7.3). The
 * device's own grade is kept beside ours (often by older rules): both are shown when they differ.
 */
function quality(input: DraftInput, ageYears: number | null, warnings: string[]): ReportContent['quality'] {
  const pre = ageYears === null ? null : gradeStage(input, 'pre', ageYears, warnings);
  const post = ageYears === null ? null : gradeStage(input, 'post', ageYears, warnings);
  const device = input.deviceQualityGrade?.trim() || null;
  if (pre) return { source: 'ats2019', ...pre, post, device };
  if (device) return { source: 'device', fev1: device, fvc: device, acceptableFev1: null, acceptableFvc: null, post, device };
  if (post) return { source: 'ats2019', fev1: null, fvc: null, acceptableFev1: null, acceptableFvc: null, post, device: null };
  return null;
}

/** Whether the device graded the session differently from our ATS/ERS 2019 grades (then both are shown). */
export function deviceGradeDiffers(q: ReportContent['quality']): boolean {
  if (!q || q.source !== 'ats2019' || !q.device) return false;
  return q.device.toUpperCase() !== (q.fev1 ?? '') || q.device.toUpperCase() !== (q.fvc ?? '');
}
