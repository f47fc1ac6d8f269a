/** A synthetic blow: tidal inspiration, a 60 ms rise to peak flow, then exponential emptying, then inspiration. */
export function syntheticBlow(fvcL = 4.5, tauS = 0.6, dt = 0.01) {
  const flow: number[] = [];
  for (let i = 0; i < 100; i++) flow.push(-1.5 * Math.sin((Math.PI * i) / 100)); // inspiration
  const peak = fvcL / tauS;
  for (let i = 0; i < 6; i++) flow.push((peak * i) / 6);
  for (let t = 0; t < 12; t += dt) flow.push(peak * Math.exp(-t / tauS));
  for (let i = 0; i < 150; i++) flow.push(-4 * Math.sin((Math.PI * i) / 150));
  const volume = [2.0];
  for (let i = 1; i < flow.length; i++) volume.push((volume[i - 1] as number) + ((flow[i - 1] as number) + (flow[i] as number)) / 2 * dt);
  return { flowLps: flow, volumeL: volume, sampleIntervalS: dt, peakLps: peak };
}
