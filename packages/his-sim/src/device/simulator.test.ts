import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeGdtRequest } from '@pftis/formats/gdt/request';
import { readGdtExamResult } from '@pftis/formats/gdt/result';
import { writeNddPerformTest } from '@pftis/formats/ndd-easyone/worklist-command';
import { readNddEasyOneXml } from '@pftis/formats/ndd-easyone/reader';
import type { WorklistEntry } from '@pftis/formats/worklist/worklist-entry';
import { describe, expect, it } from 'vitest';
import { createDeviceSimulator } from './simulator.js';

const entry: WorklistEntry = {
  accessionNumber: 'MAIN202611250001',
  requestNo: 'SQ1',
  patientId: 'P00000042',
  name: '张三丰',
  sex: 'male',
  birthDate: '1960-03-04',
  heightCm: 172,
  visitType: 'outpatient',
  items: [{ code: 'FG001', name: '肺通气功能检查', test: 'spirometry' }],
  scheduledAt: new Date('2026-11-25T01:00:00Z'),
};

async function folders() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pftis-sim-'));
  return { worklistFolder: path.join(root, 'worklist'), resultFolder: path.join(root, 'results') };
}

describe('the demo devices', () => {
  it('answer a GDT 6302 request with a 6310 result for the same patient after the delay', async () => {
    const f = await folders();
    const request = writeGdtRequest(entry, { receiverId: 'SPIRO', senderId: 'PFTIS', version: '3.5', encoding: 'gbk' });
    if (!request.ok) throw new Error(request.reason);
    await (await import('node:fs/promises')).mkdir(f.worklistFolder, { recursive: true });
    await writeFile(path.join(f.worklistFolder, 'MAIN202611250001.gdt'), request.value);
    let clock = Date.parse('2026-11-25T02:00:00Z');
    const simulator = createDeviceSimulator({ devices: [{ channel: 'gdt', ...f }], delayMs: 30_000, now: () => new Date(clock) });
    expect(await simulator.pollOnce()).toBe(0);
    expect(await readdir(f.worklistFolder)).toEqual(['done']);
    clock += 31_000;
    expect(await simulator.pollOnce()).toBe(1);
    const [name] = await readdir(f.resultFolder);
    const result = readGdtExamResult(new Uint8Array(await readFile(path.join(f.resultFolder, name!))), 'gbk');
    expect(result.ok && result.value).toMatchObject({ patientId: 'P00000042', requestId: 'MAIN202611250001', examDate: '2026-11-25', problems: [] });
    const fev1 = result.ok ? result.value.measurements.find((m) => m.testId === 'FEV1')!.value! : 0;
    expect(fev1).toBeGreaterThan(0.5);
    expect(fev1).toBeLessThan(5);
  });

  it('answer an ndd PerformTest with a TestResult carrying the OrderID and three trials with curves', async () => {
    const f = await folders();
    const command = writeNddPerformTest(entry);
    if (!command.ok) throw new Error(command.reason);
    await (await import('node:fs/promises')).mkdir(f.worklistFolder, { recursive: true });
    await writeFile(path.join(f.worklistFolder, 'MAIN202611250001.xml'), command.value);
    const simulator = createDeviceSimulator({ devices: [{ channel: 'ndd_xml', ...f }], delayMs: 0 });
    expect(await simulator.pollOnce()).toBe(1);
    const [name] = await readdir(f.resultFolder);
    const result = readNddEasyOneXml(new Uint8Array(await readFile(path.join(f.resultFolder, name!))));
    if (!result.ok) throw new Error(result.reason);
    const test = result.value.tests[0]!;
    expect(test.orderId).toBe('MAIN202611250001');
    expect(result.value.patient.id).toBe('P00000042');
    expect(test.trials).toHaveLength(3);
    for (const trial of test.trials) expect(trial.flow!.samples.length).toBe(trial.volume!.samples.length);
    const fvc = test.bestValues.find((p) => p.id === 'FVC')!.value!;
    const fev1 = test.bestValues.find((p) => p.id === 'FEV1')!.value!;
    expect(fev1 / fvc).toBeGreaterThan(0.3);
    expect(fev1 / fvc).toBeLessThan(0.95);
  });
});
