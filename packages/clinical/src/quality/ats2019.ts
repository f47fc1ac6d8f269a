/**
 * Spirometry quality after ATS/ERS 2019 (Graham BL et al. AJRCCM 2019;200:e70-e88). Acceptability/usability
 * (Table 7) and grades (Table 10) are U in clinical.md §7.1/§7.3 (secondary source); repeatability thresholds are
 * V (§7.2). Operator observations (cough, glottic closure, leak …) come in as flags.
 */

export interface TrialQualityInput {
  fev1L: number;
  fvcL: number;
  bevL: number;
  fetS: number;
  /** Volume exhaled in the last 1 s of expiration. */
  endOfTestVolumeL: number;
  /** FIVC after end of forced expiration, when recorded. */
  fivcL?: number | null;
  /** Maximal inspiration to time zero (analyseForcedExpiration), when known. */
  hesitationTimeS?: number | null;
  /** Observations by the operator or the device; absent means "not observed". */
  coughFirstSecond?: boolean;
  glotticClosureFirstSecond?: boolean;
  glotticClosureAfterFirstSecond?: boolean;
  faultyZeroFlow?: boolean;
  obstructedMouthpiece?: boolean;
  leak?: boolean;
}

export interface TrialQuality {
  fev1Acceptable: boolean;
  fvcAcceptable: boolean;
  fev1Usable: boolean;
  fvcUsable: boolean;
  endOfForcedExpiration: 'plateau' | 'fet_15s' | 'repeatable_fvc' | null;
  /** Why a criterion failed (English codes with numbers). */
  reasons: string[];
  /**
   * Quality feedback that does not change acceptability: 'hesitation_time_over_2s' (ATS/ERS 2019 asks for ≤ 2 s;
   * whether it blocks acceptability was not confirmed, clinical.md §7.1 and §11 item 3, so it is a flag only).
   */
  flags: string[];
}

/** Hesitation time limit (clinical.md §7.1, U). */
export const HESITATION_TIME_LIMIT_S = 2;

/** BEV limit: 5 % of FVC or 0.100 L, whichever is greater (Table 7, U). */
export const bevLimitL = (fvcL: number) => Math.max(0.1, 0.05 * fvcL);

/** Repeatability tolerance (§7.2, V): > 6 y 0.150 L; ≤ 6 y 0.100 L or 10 % of the largest value, whichever is greater. */
export const repeatabilityToleranceL = (ageYears: number, largestL: number) =>
  ageYears > 6 ? 0.15 : Math.max(0.1, 0.1 * largestL);

/** Differences in whole millilitres, so 3.20 − 3.05 is exactly 150 mL. */
const ml = (litres: number) => Math.round(litres * 1000);

export function assessTrial(
  trial: TrialQualityInput,
  context: { ageYears: number; largestEarlierFvcL?: number | null },
): TrialQuality {
  const reasons: string[] = [];
  const bevOk = ml(trial.bevL) <= ml(bevLimitL(trial.fvcL));
  if (!bevOk) reasons.push(`BEV ${trial.bevL.toFixed(3)} L exceeds ${bevLimitL(trial.fvcL).toFixed(3)} L`);
  if (trial.faultyZeroFlow) reasons.push('faulty zero-flow setting');
  const firstSecondOk = !trial.coughFirstSecond && !trial.glotticClosureFirstSecond;
  if (trial.coughFirstSecond) reasons.push(`cough in the first ${context.ageYears <= 6 ? '0.75' : '1'} s`);
  if (trial.glotticClosureFirstSecond) reasons.push('glottic closure in the first second');
  if (trial.glotticClosureAfterFirstSecond) reasons.push('glottic closure after the first second');
  if (trial.obstructedMouthpiece) reasons.push('obstructed mouthpiece or spirometer');
  if (trial.leak) reasons.push('leak');

  // End of forced expiration: plateau < 0.025 L in the last 1 s; FET ≥ 15 s; or FVC within the repeatability
  // tolerance of, or greater than, the largest earlier FVC of the set (Table 7, U).
  let endOfForcedExpiration: TrialQuality['endOfForcedExpiration'] = null;
  if (ml(trial.endOfTestVolumeL) < 25) endOfForcedExpiration = 'plateau';
  else if (trial.fetS >= 15) endOfForcedExpiration = 'fet_15s';
  else if (
    context.largestEarlierFvcL != null &&
    ml(context.largestEarlierFvcL - trial.fvcL) <= ml(repeatabilityToleranceL(context.ageYears, context.largestEarlierFvcL))
  ) endOfForcedExpiration = 'repeatable_fvc';
  if (!endOfForcedExpiration) reasons.push(`no end of forced expiration (last-second volume ${trial.endOfTestVolumeL.toFixed(3)} L, FET ${trial.fetS.toFixed(2)} s)`);

  // Inspiration after EOFE larger than FVC: FIVC − FVC ≤ 0.100 L or 5 % of FVC, whichever is greater (Table 7, U).
  const fivcOk = trial.fivcL == null || ml(trial.fivcL - trial.fvcL) <= ml(Math.max(0.1, 0.05 * trial.fvcL));
  if (!fivcOk) reasons.push(`FIVC exceeds FVC by ${((trial.fivcL as number) - trial.fvcL).toFixed(3)} L`);

  const flags: string[] = [];
  if (trial.hesitationTimeS != null && trial.hesitationTimeS > HESITATION_TIME_LIMIT_S) flags.push('hesitation_time_over_2s');

  const common = bevOk && !trial.faultyZeroFlow;
  const equipmentOk = !trial.obstructedMouthpiece && !trial.leak && fivcOk;
  return {
    fev1Acceptable: common && firstSecondOk && equipmentOk,
    fvcAcceptable: common && firstSecondOk && !trial.glotticClosureAfterFirstSecond && endOfForcedExpiration !== null && equipmentOk,
    fev1Usable: common && firstSecondOk,
    fvcUsable: common,
    endOfForcedExpiration,
    reasons,
    flags,
  };
}

export type QualityGrade = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'U';

/**
 * Grade for one parameter from its acceptable values (Table 10, U; clinical.md §7.3): difference of the two
 * largest acceptable values; thresholds 0.150/0.200/0.250 L above 6 y, 0.100/0.150/0.200 L (or 10 % of the
 * highest value if larger) at 6 y and below.
 */
export function gradeParameter(acceptableL: readonly number[], usableCount: number, ageYears: number): { grade: QualityGrade; differenceL: number | null } {
  if (acceptableL.length === 0) return { grade: usableCount > 0 ? 'U' : 'F', differenceL: null };
  if (acceptableL.length === 1) return { grade: 'E', differenceL: null };
  const sorted = [...acceptableL].sort((a, b) => b - a);
  const largest = sorted[0] as number;
  const differenceMl = ml(largest - (sorted[1] as number));
  const limits = ageYears > 6 ? [150, 200, 250] : [100, 150, 200];
  const tenPercentMl = ageYears > 6 ? 0 : ml(0.1 * largest);
  const within = (limitMl: number) => differenceMl <= Math.max(limitMl, tenPercentMl);
  let grade: QualityGrade;
  if (within(limits[0] as number)) grade = acceptableL.length >= 3 ? 'A' : 'B';
  else if (within(limits[1] as number)) grade = 'C';
  else if (within(limits[2] as number)) grade = 'D';
  else grade = 'E';
  return { grade, differenceL: differenceMl / 1000 };
}

export interface SessionTrial extends TrialQualityInput {
  id: string;
  fef2575Lps?: number | null;
  pefLps?: number | null;
}

export interface SessionQuality {
  trials: Array<{ id: string; quality: TrialQuality }>;
  fev1: { grade: QualityGrade; differenceL: number | null; acceptableCount: number; repeatable: boolean };
  fvc: { grade: QualityGrade; differenceL: number | null; acceptableCount: number; repeatable: boolean };
  /**
   * Reported values (§7.2): the largest acceptable FEV1 and the largest acceptable FVC, possibly from different
   * manoeuvres (a usable FEV1/FVC when none is acceptable, grade U); flows from the best test, the acceptable
   * manoeuvre with the largest FEV1 + FVC.
   */
  selected: { fev1L: number | null; fev1From: string | null; fvcL: number | null; fvcFrom: string | null; bestTestId: string | null };
}

/** Grade one pre- or post-bronchodilator set, trials in the order performed. */
export function assessSession(trials: readonly SessionTrial[], ageYears: number): SessionQuality {
  const assessed: Array<{ trial: SessionTrial; quality: TrialQuality }> = [];
  let largestFvc: number | null = null;
  for (const trial of trials) {
    const quality = assessTrial(trial, { ageYears, largestEarlierFvcL: largestFvc });
    assessed.push({ trial, quality });
    largestFvc = largestFvc === null ? trial.fvcL : Math.max(largestFvc, trial.fvcL);
  }
  const pick = (key: 'fev1L' | 'fvcL', acceptable: 'fev1Acceptable' | 'fvcAcceptable', usable: 'fev1Usable' | 'fvcUsable') => {
    const accepted = assessed.filter((a) => a.quality[acceptable]);
    const pool = accepted.length > 0 ? accepted : assessed.filter((a) => a.quality[usable]);
    const best = pool.reduce<(typeof assessed)[number] | null>((b, a) => (b === null || a.trial[key] > b.trial[key] ? a : b), null);
    const { grade, differenceL } = gradeParameter(accepted.map((a) => a.trial[key]), pool.length, ageYears);
    const repeatable = differenceL !== null && ml(differenceL) <= ml(repeatabilityToleranceL(ageYears, Math.max(...accepted.map((a) => a.trial[key]))));
    return { best, summary: { grade, differenceL, acceptableCount: accepted.length, repeatable } };
  };
  const fev1 = pick('fev1L', 'fev1Acceptable', 'fev1Usable');
  const fvc = pick('fvcL', 'fvcAcceptable', 'fvcUsable');
  const bestTest = assessed
    .filter((a) => a.quality.fev1Acceptable && a.quality.fvcAcceptable)
    .reduce<(typeof assessed)[number] | null>((b, a) => (b === null || a.trial.fev1L + a.trial.fvcL > b.trial.fev1L + b.trial.fvcL ? a : b), null);
  return {
    trials: assessed.map((a) => ({ id: a.trial.id, quality: a.quality })),
    fev1: fev1.summary,
    fvc: fvc.summary,
    selected: {
      fev1L: fev1.best?.trial.fev1L ?? null,
      fev1From: fev1.best?.trial.id ?? null,
      fvcL: fvc.best?.trial.fvcL ?? null,
      fvcFrom: fvc.best?.trial.id ?? null,
      bestTestId: bestTest?.trial.id ?? null,
    },
  };
}
