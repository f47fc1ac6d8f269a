import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCalibrationLog } from '@pftis/formats/calibration/csv-log';
import { describe, expect, it } from 'vitest';
import { calibrationLogFile } from './calibration-log.js';
import { createDeviceSimulator } from './simulator.js';

describe('the demo device calibration log', () => {
  it('exports a 3-L check at three flows that PFTIS reads back, in Chinese GBK and in English UTF-8', () => {
    const at = new Date('2026-12-07T02:00:00Z'); // 10:00 in Beijing
    for (const encoding of ['gbk', 'utf-8'] as const) {
      const file = calibrationLogFile('SPIRO-GDT', at, { encoding });
      expect(file.name).toBe(encoding === 'gbk' ? 'CAL_20261207.txt' : 'CAL_20261207.csv');
      const log = readCalibrationLog(file.bytes);
      if (!log.ok) throw new Error(log.reason);
      expect(log.value.warnings).toEqual([]);
      expect(log.value.checks).toHaveLength(1);
      const check = log.value.checks[0]!;
      expect(check).toMatchObject({ kind: 'volume_check', syringeVolumeL: 3, syringeSerial: 'SYR-3L-0815' });
      expect(check.performedAt).toMatch(/^2026-12-07T07:[3-5]\d:00$/);
      expect(check.pressureHpa).toBeGreaterThan(1000);
      const flows = check.injections.map((i) => i.flowLps!);
      expect(flows[0]).toBeLessThan(1);
      expect(flows[2]).toBeGreaterThan(8);
    }
    // The same day is the same file (a restarted simulator does not make a second check).
    expect(calibrationLogFile('SPIRO-GDT', at, { encoding: 'gbk' }).bytes).toEqual(calibrationLogFile('SPIRO-GDT', new Date('2026-12-07T05:00:00Z'), { encoding: 'gbk' }).bytes);
  });

  it('fails now and then, as real checks do', () => {
    const verdicts = Array.from({ length: 200 }, (_, d) => {
      const log = readCalibrationLog(calibrationLogFile('SPIRO-GDT', new Date(Date.UTC(2026, 0, 1 + d, 3)), { encoding: 'utf-8' }).bytes);
      if (!log.ok) throw new Error(log.reason);
      const check = log.value.checks[0]!;
      return check.injections.every((i) => Math.abs((100 * (i.measuredL - check.syringeVolumeL)) / check.syringeVolumeL) <= 3);
    });
    const failed = verdicts.filter((v) => !v).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(50);
  });

  it('is written once a day into the result folder', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'pftis-sim-cal-'));
    try {
      let clock = Date.parse('2026-12-07T01:00:00Z');
      const simulator = createDeviceSimulator({ devices: [{ channel: 'gdt', worklistFolder: path.join(root, 'wl'), resultFolder: path.join(root, 'results'), calibrationLog: true }], now: () => new Date(clock) });
      await simulator.pollOnce();
      await simulator.pollOnce();
      expect(await readdir(path.join(root, 'results'))).toEqual(['CAL_20261207.txt']);
      clock += 86_400_000;
      await simulator.pollOnce();
      expect((await readdir(path.join(root, 'results'))).sort()).toEqual(['CAL_20261207.txt', 'CAL_20261208.txt']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
