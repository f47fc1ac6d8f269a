/**
 * Clinical core benchmarks: npx tsx bench/clinical.bench.ts
 * (1) evaluations per second over one million mixed evaluations (all six equation sets in equal shares, all their
 *     parameters, both sexes, ages and heights spread over each range, measured values in each parameter's unit),
 *     median of 5 runs, with how many returned a z-score (NHANES III defines none; Jian 2017 withholds it for FVC and
 *     PEF in men), beside a lower bound: the bare LMS z formula with L, M, S fetched beforehand (no spline lookup, no
 *     validation, no result object).
 * (2) curve analysis per trial: the real ndd trials in ../shared/samples if present, else synthetic blows.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readNddEasyOneXml } from '@pftis/formats';
import { analyseForcedExpiration, EQUATIONS, evaluate, lmsZScore, type CurveSamples, type EquationId, type ParamId, type Subject } from '@pftis/clinical';

const RUNS = 5;
const N = 1_000_000;

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

interface Job { equation: EquationId; param: ParamId; subject: Subject; measured: number }
const random = mulberry32(42);
const equations: EquationId[] = ['gli2012', 'gli2022', 'gli2017', 'gli2021', 'jian2017', 'nhanes3'];
const NHANES3_GROUPS = ['caucasian', 'african_american', 'mexican_american'] as const;
/** A plausible measured value in the parameter's unit: ratios 0.45–0.95, RV/TLC 20–50 %, else 0.5–4.5 (L, L/s, …). */
const measuredFor = (param: ParamId) =>
  param === 'FEV1FVC' || param === 'FEV1FEV6' ? 0.45 + random() * 0.5 : param === 'RVTLC' ? 20 + random() * 30 : 0.5 + random() * 4;
const jobs: Job[] = [];
for (let i = 0; i < N; i++) {
  const equation = equations[i % equations.length] as EquationId;
  const definition = EQUATIONS[equation];
  const param = definition.params[Math.floor(random() * definition.params.length)] as ParamId;
  const range = definition.ageRange(param);
  const subject: Subject = {
    sex: random() < 0.5 ? 'male' : 'female',
    ageYears: range.min + random() * (range.max - range.min),
    heightCm: 110 + random() * 90,
    ethnicity: equation === 'nhanes3' ? NHANES3_GROUPS[Math.floor(random() * 3)] : equation === 'gli2012' ? ((1 + Math.floor(random() * 5)) as 1) : null,
  };
  jobs.push({ equation, param, subject, measured: measuredFor(param) });
}
// What the evaluations return, counted once outside the timing.
const counts = { z: 0, predictedOnly: 0, refused: 0, nhanes3: 0, jianWithheld: 0 };
for (const job of jobs) {
  const r = evaluate(job.equation, job.param, job.subject, job.measured);
  if (r.status === 'refused') counts.refused++;
  else if (r.zScore !== null) counts.z++;
  else {
    counts.predictedOnly++;
    if (job.equation === 'nhanes3') counts.nhanes3++;
    else if (job.equation === 'jian2017') counts.jianWithheld++;
  }
}
// Lower bound: L, M, S fetched beforehand (for the LMS evaluations only; NHANES III has none).
const prefetched = jobs.flatMap((job) => {
  const r = evaluate(job.equation, job.param, job.subject);
  return r.l === null || r.m === null || r.s === null ? [] : [{ l: r.l, m: r.m, s: r.s, measured: job.measured }];
});

function timeRuns(fn: () => number): { medianMs: number; check: number } {
  const times: number[] = [];
  let check = 0;
  fn(); // warm-up
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    check += fn();
    times.push(performance.now() - start);
  }
  return { medianMs: median(times), check };
}

const full = timeRuns(() => {
  let sum = 0;
  for (const job of jobs) sum += evaluate(job.equation, job.param, job.subject, job.measured).zScore ?? 0;
  return sum;
});
const bare = timeRuns(() => {
  let sum = 0;
  for (const p of prefetched) sum += lmsZScore(p.measured, p);
  return sum;
});

// Curve analysis.
const samplePath = path.resolve(import.meta.dirname, '../../shared/samples/ndd-easyone-xml/CypressOut.xml');
let curves: CurveSamples[] = [];
let curveSource = 'synthetic (3 blows, 12 s at 100 Hz)';
if (existsSync(samplePath)) {
  const parsed = readNddEasyOneXml(new Uint8Array(readFileSync(samplePath)));
  if (parsed.ok) {
    curves = (parsed.value.tests[0]?.trials ?? []).map((t) => ({ flowLps: t.flow?.samples ?? [], volumeL: t.volume?.samples ?? [], sampleIntervalS: t.flow?.samplingIntervalS ?? 0.01 }));
    curveSource = `ndd CypressOut.xml (${curves.length} real trials, ${curves.map((c) => c.flowLps.length).join('/')} samples)`;
  }
}
if (curves.length === 0) {
  for (const fvc of [3.5, 4.5, 5.5]) {
    const flow: number[] = [];
    for (let t = 0; t < 12; t += 0.01) flow.push((fvc / 0.6) * Math.exp(-t / 0.6));
    const volume = [0];
    for (let i = 1; i < flow.length; i++) volume.push((volume[i - 1] as number) + ((flow[i - 1] as number) + (flow[i] as number)) * 0.005);
    curves.push({ flowLps: [0, ...flow], volumeL: [0, ...volume], sampleIntervalS: 0.01 });
  }
}
const CURVE_ITERATIONS = 2000;
const curveRun = timeRuns(() => {
  let sum = 0;
  for (let i = 0; i < CURVE_ITERATIONS; i++) for (const curve of curves) {
    const r = analyseForcedExpiration(curve);
    if (r.ok) sum += r.value.fev1L;
  }
  return sum;
});
const microsPerTrial = (curveRun.medianMs * 1000) / (CURVE_ITERATIONS * curves.length);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`\n## Clinical core benchmark (Node ${process.version}, median of ${RUNS} runs)\n`);
console.log('| measure | median time | throughput |');
console.log('|---|---|---|');
console.log(`| evaluate(): ${fmt(N)} mixed evaluations (6 sets incl. NHANES III in equal shares, all their params; spline interpolation, validation, L/M/S/LLN/ULN/z/%pred) | ${full.medianMs.toFixed(0)} ms | ${fmt(N / (full.medianMs / 1000))} evaluations/s (${fmt(counts.z / (full.medianMs / 1000))} z-scores/s) |`);
console.log(`| baseline: bare LMS z formula, L/M/S prefetched (lower bound; the ${fmt(prefetched.length)} LMS evaluations) | ${bare.medianMs.toFixed(1)} ms | ${fmt(prefetched.length / (bare.medianMs / 1000))} z-scores/s |`);
console.log(`| curve analysis per trial: ${curveSource} | ${microsPerTrial.toFixed(1)} µs/trial | ${fmt(1e6 / microsPerTrial)} trials/s |`);
console.log(`\nOf the ${fmt(N)} evaluations: ${fmt(counts.z)} returned a z-score; ${fmt(counts.predictedOnly)} predicted (and LLN) without one (NHANES III ${fmt(counts.nhanes3)}, Jian 2017 FVC/PEF in men ${fmt(counts.jianWithheld)}); ${fmt(counts.refused)} refused.`);
console.log(`\n(checksums ${full.check.toFixed(3)} / ${bare.check.toFixed(3)} / ${curveRun.check.toFixed(3)})`);
