import type { Random } from '../random.js';

// Rough spirometry for a simulated person: good enough to look like a lab's day, NOT reference values.
// PFTIS computes the real ones itself from the clinical core; this only has to be plausible.

export interface SimulatedPerson {
  sex: 'male' | 'female';
  ageYears: number;
  heightCm: number;
}

export type SimulatedPattern = 'normal' | 'obstruction' | 'restriction' | 'mixed';

/** Roughly the median FVC and FEV1 (L) of healthy adults of this sex, age and height. */
export function roughPredicted(p: SimulatedPerson): { fvcL: number; fev1L: number } {
  const h = p.heightCm / 100;
  const age = Math.max(p.ageYears, 8);
  const fvcL = p.sex === 'male' ? 5.76 * h - 0.026 * age - 4.34 : 4.43 * h - 0.026 * age - 2.89;
  const fev1L = p.sex === 'male' ? 4.3 * h - 0.029 * age - 2.49 : 3.95 * h - 0.025 * age - 2.6;
  return { fvcL: Math.max(fvcL, 0.8), fev1L: Math.max(Math.min(fev1L, fvcL * 0.9), 0.6) };
}

/** A day's mix: mostly normal, a fair share obstructive (COPD, asthma), some restrictive. */
export function drawPattern(r: Random): SimulatedPattern {
  const x = r.next();
  return x < 0.55 ? 'normal' : x < 0.85 ? 'obstruction' : x < 0.95 ? 'restriction' : 'mixed';
}

export function simulatedValues(p: SimulatedPerson, pattern: SimulatedPattern, r: Random): { fvcL: number; fev1L: number } {
  const predicted = roughPredicted(p);
  const jitter = () => 1 + (r.next() - 0.5) * 0.16;
  let fvcL = predicted.fvcL * jitter();
  let ratio = (predicted.fev1L / predicted.fvcL) * (1 + (r.next() - 0.5) * 0.08);
  if (pattern === 'obstruction' || pattern === 'mixed') ratio *= 0.55 + r.next() * 0.3;
  if (pattern === 'restriction' || pattern === 'mixed') fvcL *= 0.55 + r.next() * 0.2;
  ratio = Math.min(ratio, 0.92);
  return { fvcL, fev1L: fvcL * ratio };
}

/**
 * A forced expiration sampled at 100 Hz: half a second at rest, a 60 ms rise to peak flow, then an exponential
 * emptying whose time constant gives the wanted FEV1/FVC. Volumes start at zero; flows in L/s.
 */
export function forcedExpiration(fvcL: number, fev1L: number, r: Random): { flowLps: number[]; volumeL: number[]; intervalS: number } {
  const dt = 0.01;
  const tau = -1 / Math.log(1 - Math.min(fev1L / fvcL, 0.97));
  const rest = 50;
  const rise = 6;
  const duration = Math.max(6, Math.min(12, 3 * tau + 4)) / dt;
  const flowLps: number[] = [];
  const volumeL: number[] = [];
  let volume = 0;
  for (let i = 0; i < rest + duration; i++) {
    let flow = 0;
    if (i >= rest) {
      const t = (i - rest) * dt;
      const emptying = (fvcL / tau) * Math.exp(-t / tau);
      flow = i - rest < rise ? emptying * ((i - rest + 1) / rise) : emptying;
      flow *= 1 + (r.next() - 0.5) * 0.01;
    }
    volume += flow * dt;
    flowLps.push(Math.round(flow * 1000) / 1000);
    volumeL.push(Math.round(volume * 10000) / 10000);
  }
  return { flowLps, volumeL, intervalS: dt };
}

/**
 * How the airways answer 400 µg salbutamol, as FEV1 and FVC factors (post / pre). About 40 % of obstructive
 * patients (asthma-like) respond clearly: FEV1 +15–30 % and at least +200 mL, FVC up too; the rest (COPD-like),
 * most normal and restrictive patients stay within the noise of repeat testing (FEV1 −3 … +7 %, under 150 mL).
 * Positive by both the 2005 rule (≥12 % and ≥200 mL) and the ATS/ERS 2022 rule (>10 % of predicted) when
 * `responder`, negative by both otherwise, so the demo shows unambiguous cases.
 */
export function bronchodilatorResponse(
  pattern: SimulatedPattern,
  pre: { fvcL: number; fev1L: number },
  predictedFev1L: number,
  r: Random,
): { responder: boolean; fev1Factor: number; fvcFactor: number } {
  const chance = pattern === 'obstruction' ? 0.4 : pattern === 'mixed' ? 0.25 : pattern === 'normal' ? 0.05 : 0.03;
  const responder = r.next() < chance;
  if (responder) {
    let fev1Factor = 1.15 + r.next() * 0.15;
    // At least 200 mL and more than 10 % of predicted, whatever the baseline.
    // The blows scatter by up to 1 % around the stage's level, so both limits keep that much room.
    const needed = Math.max(0.2, 0.105 * predictedFev1L) + 0.012 * pre.fev1L + 0.01;
    if (pre.fev1L * (fev1Factor - 1) < needed) fev1Factor = 1 + needed / pre.fev1L;
    return { responder, fev1Factor, fvcFactor: 1.04 + r.next() * 0.08 };
  }
  let fev1Factor = 0.97 + r.next() * 0.1;
  // Under 150 mL and under 8 % of predicted: clearly negative.
  const limit = Math.min(0.15, 0.08 * predictedFev1L) - 0.012 * pre.fev1L - 0.005;
  if (pre.fev1L * (fev1Factor - 1) > limit) fev1Factor = 1 + limit / pre.fev1L;
  return { responder, fev1Factor, fvcFactor: 0.99 + r.next() * 0.05 };
}
