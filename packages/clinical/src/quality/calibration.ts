// Daily volume verification of a spirometer with a calibration syringe (ATS/ERS 2019, Table 4; the limits as in
// ../shared/docs/clinical.md §7.4, status U: confirm against Table 4). The reading must be within ±3 % of the
// syringe volume (2.5 % spirometer + 0.5 % syringe), i.e. 2.91–3.09 L for a 3-L syringe, ATPS (no BTPS correction);
// flow-sensing spirometers are checked at three or more flows, each within the same limit.

export interface SyringeInjection {
  /** Mean flow of the stroke, when the device reports it. */
  flowLps?: number | null;
  measuredL: number;
}

export interface VolumeCheckRules {
  /** Allowed error, percent of the syringe volume. */
  limitPct: number;
  /** How many different flows a flow-sensing device must be checked at. */
  minimumFlows: number;
}

export const ATS_ERS_2019_VOLUME_CHECK: VolumeCheckRules = { limitPct: 3, minimumFlows: 3 };

export interface VolumeCheckResult {
  pass: boolean;
  injections: Array<SyringeInjection & { errorPct: number; withinLimit: boolean }>;
  maxAbsErrorPct: number;
  /** Why it failed, in English (the UI translates the codes). */
  problems: Array<{ code: 'out-of-limit' | 'too-few-injections' | 'invalid-syringe'; detail: string }>;
}

/** Judges one volume verification: every stroke within the limit, at enough different flows. */
export function verifyVolumeCheck(syringeVolumeL: number, injections: SyringeInjection[], rules = ATS_ERS_2019_VOLUME_CHECK): VolumeCheckResult {
  const problems: VolumeCheckResult['problems'] = [];
  if (!(syringeVolumeL > 0)) {
    return { pass: false, injections: [], maxAbsErrorPct: Number.NaN, problems: [{ code: 'invalid-syringe', detail: `syringe volume ${syringeVolumeL} L` }] };
  }
  const judged = injections.map((i) => {
    const errorPct = (100 * (i.measuredL - syringeVolumeL)) / syringeVolumeL;
    // Compared in 0.01 % steps, so a reading of exactly 3.09 L from a 3-L syringe is inside, as the rule intends.
    const withinLimit = Math.round(Math.abs(errorPct) * 100) <= rules.limitPct * 100;
    if (!withinLimit) problems.push({ code: 'out-of-limit', detail: `${i.measuredL} L is ${errorPct.toFixed(2)} % from ${syringeVolumeL} L` });
    return { ...i, errorPct, withinLimit };
  });
  if (judged.length < rules.minimumFlows) problems.push({ code: 'too-few-injections', detail: `${judged.length} stroke(s), ${rules.minimumFlows} needed` });
  return {
    pass: problems.length === 0,
    injections: judged,
    maxAbsErrorPct: judged.reduce((m, i) => Math.max(m, Math.abs(i.errorPct)), 0),
    problems,
  };
}

// Biological control: a healthy member of staff (a non-smoker with stable lungs) is tested on the device regularly
// and the FEV1 and FVC are compared with that person's own baseline. ../shared/docs gives no limits; the defaults
// below (a deviation beyond 5 % or beyond 0.15 L) are the lab's setting, status U, and can be changed by the lab.

export interface BiologicalControlRules {
  /** Allowed deviation from the subject's baseline, percent. */
  limitPct: number;
  /** Allowed deviation from the subject's baseline, litres. */
  limitL: number;
  /** 'either': out of limits when either limit is exceeded; 'both': only when both are (i.e. the larger limit applies). */
  combine: 'either' | 'both';
  /** Earlier sessions needed before a baseline exists; until then sessions are recorded and not judged. */
  minimumBaseline: number;
}

export const BIOLOGICAL_CONTROL_DEFAULTS: BiologicalControlRules = { limitPct: 5, limitL: 0.15, combine: 'either', minimumBaseline: 3 };

export interface BiologicalSession {
  fev1L: number;
  fvcL: number;
}

export interface BiologicalControlResult {
  /** False only when a baseline exists and a value is beyond the limits. */
  pass: boolean;
  /** The mean of the earlier sessions, or null while there are too few. */
  baseline: (BiologicalSession & { sessions: number }) | null;
  deviations: Array<{ param: 'FEV1' | 'FVC'; value: number; baseline: number; deltaL: number; deltaPct: number; withinLimit: boolean }>;
  problems: Array<{ code: 'baseline' | 'out-of-limit' | 'invalid-value'; detail: string }>;
}

/**
 * Judges one biological-control session against the subject's baseline: the mean of the earlier sessions given
 * (the caller passes the recent sessions that were themselves within limits, so one bad day does not move it).
 */
export function judgeBiologicalControl(current: BiologicalSession, earlier: BiologicalSession[], rules = BIOLOGICAL_CONTROL_DEFAULTS): BiologicalControlResult {
  if (!(current.fev1L > 0) || !(current.fvcL > 0)) {
    return { pass: false, baseline: null, deviations: [], problems: [{ code: 'invalid-value', detail: `FEV1 ${current.fev1L} L, FVC ${current.fvcL} L` }] };
  }
  if (earlier.length < rules.minimumBaseline) {
    return { pass: true, baseline: null, deviations: [], problems: [{ code: 'baseline', detail: `${earlier.length} earlier session(s); judged from session ${rules.minimumBaseline + 1} on` }] };
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const baseline = { fev1L: mean(earlier.map((s) => s.fev1L)), fvcL: mean(earlier.map((s) => s.fvcL)), sessions: earlier.length };
  const problems: BiologicalControlResult['problems'] = [];
  const deviations = (
    [
      ['FEV1', current.fev1L, baseline.fev1L],
      ['FVC', current.fvcL, baseline.fvcL],
    ] as const
  ).map(([param, value, base]) => {
    const deltaL = value - base;
    const deltaPct = (100 * deltaL) / base;
    // Compared in 0.01 % and 1 mL steps, so a deviation of exactly the limit is inside.
    const overPct = Math.round(Math.abs(deltaPct) * 100) > Math.round(rules.limitPct * 100);
    const overL = Math.round(Math.abs(deltaL) * 1000) > Math.round(rules.limitL * 1000);
    const withinLimit = rules.combine === 'either' ? !overPct && !overL : !(overPct && overL);
    if (!withinLimit) {
      problems.push({ code: 'out-of-limit', detail: `${param} ${value} L is ${deltaL >= 0 ? '+' : ''}${deltaL.toFixed(3)} L (${deltaPct.toFixed(1)} %) from the subject's baseline ${base.toFixed(3)} L` });
    }
    return { param, value, baseline: base, deltaL, deltaPct, withinLimit };
  });
  return { pass: problems.length === 0, baseline, deviations, problems };
}
