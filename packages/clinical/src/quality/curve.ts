/**
 * Forced-expiration indices from raw samples (flow in L/s, volume in L, expired volume positive, evenly sampled).
 * Definitions (ATS/ERS 2019, Graham BL et al. AJRCCM 2019;200:e70-e88; clinical.md §7, U where noted):
 * - start of the forced expiration: the last sample before peak flow at which flow is ≤ 0 (end of maximal
 *   inspiration); volumes are measured from there.
 * - time zero by back-extrapolation (ATS/ERS 2019 and 2005, U: their Figure 3 and wording not re-read here): the
 *   line through the steepest part of the volume–time curve, for computers the largest slope averaged over an 80 ms
 *   period, extended back to the start volume; BEV is the volume exhaled at time zero (volume linear between samples).
 *   The standard does not name the estimator of that average slope. We fit a least-squares line to the samples of
 *   every 80 ms span (window configurable) and keep the span with the largest slope; the line passes through the
 *   span's mean time and mean volume. This is the ndd EasyOne's reading: on CypressOut.xml this code, given the
 *   device's 200 Hz signal (recovered from the 100 Hz export, see curve.test.ts), gives the device's time zero within
 *   0.001 ms and its BEV within 0.0001 %. The other readings miss it: the chord (end-to-end) slope of the steepest
 *   80 ms through the chord's midpoint by 0.4–0.75 ms, a tangent with slope PEF through the peak-flow point by
 *   1.4–2.5 ms (1 ms of time zero is 2–4 % of BEV there).
 * - FVC: largest exhaled volume; FEV1/FEV6: volume at time zero + 1 s / + 6 s (FVC if expiration ended earlier).
 * - FEF25-75: 50 % of FVC divided by the time between 25 % and 75 % of FVC exhaled.
 * - FET: time zero to end of expiration; end-of-test volume: volume exhaled in the last 1 s (plateau if < 0.025 L).
 * - hesitation time (clinical.md §7.1, U): from maximal inspiration (the first sample at the lowest volume before peak
 *   flow) to time zero; should be ≤ 2 s. null when the recording starts at that point (no inspiration recorded).
 */

export interface CurveSamples {
  flowLps: ArrayLike<number>;
  volumeL: ArrayLike<number>;
  sampleIntervalS: number;
}

export interface CurveOptions {
  backExtrapolationWindowS?: number;
}

export interface CurveIndices {
  fvcL: number;
  fev1L: number;
  fev6L: number;
  pefLps: number;
  fef2575Lps: number | null;
  bevL: number;
  fetS: number;
  /** Volume exhaled in the last second of expiration (plateau criterion). */
  endOfTestVolumeL: number;
  /** Volume inspired after the end of expiration, if recorded (FIVC); null when no inspiration follows. */
  fivcL: number | null;
  timeToPefS: number;
  /** Maximal inspiration to time zero, s; null when no inspiration precedes the blow in the recording. */
  hesitationTimeS: number | null;
  /** Seconds from the first sample. */
  timeZeroS: number;
  startIndex: number;
  endIndex: number;
}

export type CurveResult = { ok: true; value: CurveIndices } | { ok: false; reason: string };

export function analyseForcedExpiration(samples: CurveSamples, options: CurveOptions = {}): CurveResult {
  const { flowLps: flow, volumeL: volume, sampleIntervalS: dt } = samples;
  const n = Math.min(flow.length, volume.length);
  if (!(dt > 0) || n < 10) return { ok: false, reason: 'too few samples or no sampling interval' };
  const at = (array: ArrayLike<number>, i: number) => array[i] as number;

  let peakIndex = 0;
  for (let i = 1; i < n; i++) if (at(flow, i) > at(flow, peakIndex)) peakIndex = i;
  const pefLps = at(flow, peakIndex);
  if (!(pefLps > 0)) return { ok: false, reason: 'no expiratory flow' };

  let startIndex = peakIndex;
  while (startIndex > 0 && at(flow, startIndex) > 0) startIndex--;
  const startVolume = at(volume, startIndex);
  const exhaled = (i: number) => at(volume, i) - startVolume;

  let endIndex = peakIndex;
  for (let i = peakIndex; i < n; i++) if (at(volume, i) > at(volume, endIndex)) endIndex = i;
  const fvcL = exhaled(endIndex);
  if (!(fvcL > 0)) return { ok: false, reason: 'no exhaled volume' };

  // Exhaled volume at a time (s from the first sample), linear between samples, held at the ends of the expiration.
  const volumeAt = (timeS: number) => {
    const position = timeS / dt;
    if (position <= startIndex) return 0;
    if (position >= endIndex) return fvcL;
    const k = Math.floor(position);
    const fraction = position - k;
    return exhaled(k) + fraction * (exhaled(k + 1) - exhaled(k));
  };
  // First time the exhaled volume reaches a target, linear between samples.
  const timeWhenExhaled = (target: number) => {
    for (let i = startIndex; i < endIndex; i++) {
      const v0 = exhaled(i);
      const v1 = exhaled(i + 1);
      if (v1 >= target && v0 < target) return (i + (target - v0) / (v1 - v0)) * dt;
    }
    return null;
  };

  // Back-extrapolation: least-squares line over each window of `window` sample intervals (window + 1 samples, equally
  // spaced), the one with the largest slope; the line passes through the window's mean time and mean volume.
  const window = Math.max(1, Math.round((options.backExtrapolationWindowS ?? 0.08) / dt));
  const sumSquaredIndex = (window * (window + 1) * (window + 2)) / 12; // Σ (j − window/2)² for j = 0 … window
  let bestSlope = -Infinity;
  let bestIndex = startIndex;
  for (let i = startIndex; i + window < n && i <= peakIndex + window; i++) {
    let moment = 0;
    for (let j = 0; j <= window; j++) moment += (j - window / 2) * at(volume, i + j);
    const slope = moment / (sumSquaredIndex * dt);
    if (slope > bestSlope) {
      bestSlope = slope;
      bestIndex = i;
    }
  }
  let meanExhaled = 0;
  for (let j = 0; j <= window; j++) meanExhaled += exhaled(bestIndex + j);
  meanExhaled /= window + 1;
  const timeZeroS = (bestIndex + window / 2) * dt - meanExhaled / bestSlope;
  const bevL = volumeAt(timeZeroS);

  let maxInspirationIndex = 0;
  for (let i = 1; i <= peakIndex; i++) if (at(volume, i) < at(volume, maxInspirationIndex)) maxInspirationIndex = i;
  const hesitationTimeS = maxInspirationIndex > 0 ? timeZeroS - maxInspirationIndex * dt : null;

  const endTimeS = endIndex * dt;
  const t25 = timeWhenExhaled(0.25 * fvcL);
  const t75 = timeWhenExhaled(0.75 * fvcL);
  let fivcL: number | null = null;
  if (endIndex < n - 1) {
    let minAfter = at(volume, endIndex);
    for (let i = endIndex + 1; i < n; i++) minAfter = Math.min(minAfter, at(volume, i));
    fivcL = at(volume, endIndex) - minAfter > 0 ? at(volume, endIndex) - minAfter : null;
  }
  return {
    ok: true,
    value: {
      fvcL,
      fev1L: volumeAt(timeZeroS + 1),
      fev6L: volumeAt(timeZeroS + 6),
      pefLps,
      fef2575Lps: t25 !== null && t75 !== null && t75 > t25 ? (0.5 * fvcL) / (t75 - t25) : null,
      bevL,
      fetS: endTimeS - timeZeroS,
      endOfTestVolumeL: fvcL - volumeAt(endTimeS - 1),
      fivcL,
      timeToPefS: peakIndex * dt - timeZeroS,
      hesitationTimeS,
      timeZeroS,
      startIndex,
      endIndex,
    },
  };
}
