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
