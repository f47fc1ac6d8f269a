/**
 * LMS method (Cole TJ, Green PJ. Stat Med 1992;11:1305-19), as used by every GLI equation and by Jian 2017.
 * Formulas per ../shared/docs/clinical.md §3 (V): z = ((x/M)^L − 1)/(L·S); x(z) = M·(1 + z·L·S)^(1/L).
 */
import type { SplineTable } from './data/types.ts';

/** LLN/ULN are the 5th/95th centiles: z = ∓1.645 (ERS/ATS 2022; clinical.md §9.1). */
export const LIMIT_Z = 1.645;

export interface Lms {
  l: number;
  m: number;
  s: number;
}

/** z-score of a measured value; L = 0 uses the log form (no table here has L = 0). */
export function lmsZScore(measured: number, { l, m, s }: Lms): number {
  if (l === 0) return Math.log(measured / m) / s;
  return ((measured / m) ** l - 1) / (l * s);
}

/** Value at a given z; null when 1 + z·L·S ≤ 0 (no such centile exists: clinical.md §3 guard). */
export function lmsCentile(z: number, { l, m, s }: Lms): number | null {
  if (l === 0) return m * Math.exp(z * s);
  const base = 1 + z * l * s;
  if (!(base > 0)) return null;
  return m * base ** (1 / l);
}

/** Spline terms at the exact age, interpolated linearly between knots (clinical.md §4, V). */
export interface SplineValues {
  lSpline: number;
  mSpline: number;
  sSpline: number;
}

/**
 * Linear interpolation at the exact decimal age: k = last knot with age[k] ≤ age; at or past the last knot the
 * last value, before the first knot the first value (callers refuse or flag such ages before calling).
 */
export function interpolateSpline(table: SplineTable, ageYears: number): SplineValues {
  const ages = table.age;
  const last = ages.length - 1;
  const first = ages[0] as number;
  if (ageYears <= first) return splineAt(table, 0);
  if (ageYears >= (ages[last] as number)) return splineAt(table, last);
  // Knots are (nearly) evenly spaced: guess the index, then correct it.
  const step = ((ages[last] as number) - first) / last;
  let k = Math.min(last - 1, Math.max(0, Math.floor((ageYears - first) / step)));
  while (k > 0 && (ages[k] as number) > ageYears) k--;
  while (k < last - 1 && (ages[k + 1] as number) <= ageYears) k++;
  const a0 = ages[k] as number;
  const fraction = (ageYears - a0) / ((ages[k + 1] as number) - a0);
  const lerp = (values: readonly number[]) => {
    const v0 = values[k] as number;
    return v0 + fraction * ((values[k + 1] as number) - v0);
  };
  return { lSpline: lerp(table.lSpline), mSpline: lerp(table.mSpline), sSpline: lerp(table.sSpline) };
}

function splineAt(table: SplineTable, index: number): SplineValues {
  return {
    lSpline: table.lSpline[index] as number,
    mSpline: table.mSpline[index] as number,
    sSpline: table.sSpline[index] as number,
  };
}
