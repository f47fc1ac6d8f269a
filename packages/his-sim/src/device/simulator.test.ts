import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeGdtRequest } from '@pftis/formats/gdt/request';
import { readGdtExamResult } from '@pftis/formats/gdt/result';
import { parseHl7Ack } from '@pftis/formats/hl7/ack';
import { frameMllp, MllpClient, MllpFrameReader } from '@pftis/formats/hl7/mllp';
import { buildOrmNewOrder, encodeHl7Message } from '@pftis/formats/hl7/orm';
import { readOru } from '@pftis/formats/hl7/oru';
import { writeNddPerformTest } from '@pftis/formats/ndd-easyone/worklist-command';
import { readNddEasyOneXml } from '@pftis/formats/ndd-easyone/reader';
import type { WorklistEntry } from '@pftis/formats/worklist/worklist-entry';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { bronchodilatorResponse, roughPredicted, simulatedValues } from './physiology.js';
import { bronchodilatorChange, type SimulatedExam, simulateSession } from './results.js';
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
const bronchodilatorEntry: WorklistEntry = { ...entry, accessionNumber: 'MAIN202611250002', requestNo: 'SQ2', items: [{ code: 'FG003', name: '支气管舒张试验', test: 'bronchodilator' }] };

async function folders() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pftis-sim-'));
  const f = { worklistFolder: path.join(root, 'worklist'), resultFolder: path.join(root, 'results') };
  await mkdir(f.worklistFolder, { recursive: true });
  return f;
}

const person: SimulatedExam = { sex: 'male', ageYears: 62, heightCm: 170, accessionNo: 'A1', patientId: 'P1', bronchodilator: true };

describe('the bronchodilator response', () => {
  it('gives clear responders and clear non-responders among obstructive patients, never a post FEV1/FVC of 0.92 or more', () => {
    const outcomes = { responders: 0, nonResponders: 0 };
    for (let seed = 1; seed <= 400; seed++) {
      const session = simulateSession({ ...person, ageYears: 30 + (seed % 50), sex: seed % 2 ? 'male' : 'female', heightCm: 150 + (seed % 35) }, new Date('2026-11-25T02:00:00Z'), seed);
      const change = bronchodilatorChange(session)!;
      const predicted = session.predicted.fev1L;
      expect(session.post!.best.ratio).toBeLessThanOrEqual(0.92 + 1e-9);
      expect(session.post!.blows).toHaveLength(3);
      expect(session.post!.at.getTime() - session.pre.at.getTime()).toBe(20 * 60_000);
      if (session.responder) {
        // Positive by the 2005 rule (≥ 12 % and ≥ 200 mL) and by ATS/ERS 2022 (> 10 % of predicted).
        expect(change.fev1Pct).toBeGreaterThanOrEqual(12);
        expect(change.fev1Ml).toBeGreaterThanOrEqual(200);
        expect(change.fev1Ml / 1000 / predicted).toBeGreaterThan(0.1);
        expect(session.conclusion).toContain('支气管舒张试验阳性');
      } else {
        expect(change.fev1Ml).toBeLessThan(150);
        expect(change.fev1Ml / 1000 / predicted).toBeLessThan(0.1);
        expect(session.conclusion).toContain('支气管舒张试验阴性');
      }
      if (session.pattern === 'obstruction') outcomes[session.responder ? 'responders' : 'nonResponders'] += 1;
    }
    expect(outcomes.responders).toBeGreaterThan(10);
    expect(outcomes.nonResponders).toBeGreaterThan(10);
  });

  it('lifts a small baseline enough to pass both rules when the patient responds', () => {
    const r = seededRandom(3);
    for (let i = 0; i < 200; i++) {
      const pre = simulatedValues({ sex: 'female', ageYears: 80, heightCm: 148 }, 'obstruction', r);
      const response = bronchodilatorResponse('obstruction', pre, roughPredicted({ sex: 'female', ageYears: 80, heightCm: 148 }).fev1L, r);
      if (response.responder) expect(pre.fev1L * (response.fev1Factor - 1)).toBeGreaterThanOrEqual(0.2);
    }
  });
});

describe('the demo devices', () => {
  it('answer a GDT 6302 request with a 6310 result for the same patient after the delay, and print a PDF it references', async () => {
    const f = await folders();
    const request = writeGdtRequest(entry, { receiverId: 'SPIRO', senderId: 'PFTIS', version: '3.5', encoding: 'gbk' });
    if (!request.ok) throw new Error(request.reason);
    await writeFile(path.join(f.worklistFolder, 'MAIN202611250001.gdt'), request.value);
    let clock = Date.parse('2026-11-25T02:00:00Z');
    const simulator = createDeviceSimulator({ devices: [{ channel: 'gdt', ...f }], delayMs: 30_000, now: () => new Date(clock) });
    expect(await simulator.pollOnce()).toBe(0);
    expect(await readdir(f.worklistFolder)).toEqual(['done']);
    clock += 31_000;
    expect(await simulator.pollOnce()).toBe(1);
    expect((await readdir(f.resultFolder)).sort()).toEqual(['MAIN202611250001-result.gdt', 'MAIN202611250001-result.pdf']);
    const result = readGdtExamResult(new Uint8Array(await readFile(path.join(f.resultFolder, 'MAIN202611250001-result.gdt'))), 'gbk');
    if (!result.ok) throw new Error(result.reason);
    expect(result.value).toMatchObject({ patientId: 'P00000042', requestId: 'MAIN202611250001', examDate: '2026-11-25', problems: [], fileReference: path.join(f.resultFolder, 'MAIN202611250001-result.pdf') });
    expect(result.value.measurements.map((m) => m.testId)).toEqual(['FVC', 'FEV1', 'FEV1/FVC', 'PEF']);
    const fev1 = result.value.measurements.find((m) => m.testId === 'FEV1')!.value!;
    expect(fev1).toBeGreaterThan(0.5);
    expect(fev1).toBeLessThan(5);
    const pdf = await readFile(result.value.fileReference!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('answer a GDT request for the bronchodilator exam code with post values in _POST groups and the change in the findings', async () => {
    const f = await folders();
    const request = writeGdtRequest(bronchodilatorEntry, { receiverId: 'SPIRO', senderId: 'PFTIS', version: '3.5', encoding: 'gbk', examCodes: { bronchodilator: 'BDT' } });
    if (!request.ok) throw new Error(request.reason);
    await writeFile(path.join(f.worklistFolder, 'MAIN202611250002.gdt'), request.value);
    const simulator = createDeviceSimulator({ devices: [{ channel: 'gdt', ...f, printout: null }], delayMs: 0 });
    expect(await simulator.pollOnce()).toBe(1);
    expect(await readdir(f.resultFolder)).toEqual(['MAIN202611250002-result.gdt']);
    const result = readGdtExamResult(new Uint8Array(await readFile(path.join(f.resultFolder, 'MAIN202611250002-result.gdt'))), 'gbk');
    if (!result.ok) throw new Error(result.reason);
    const byId = new Map(result.value.measurements.map((m) => [m.testId, m]));
    expect([...byId.keys()]).toEqual(['FVC', 'FEV1', 'FEV1/FVC', 'PEF', 'FVC_POST', 'FEV1_POST', 'FEV1/FVC_POST', 'PEF_POST']);
    expect(byId.get('FEV1_POST')).toMatchObject({ name: '舒张后 FEV1', unit: 'L' });
    expect(result.value.findings.join('\n')).toMatch(/支气管舒张试验(阳性|阴性)（FEV1 改善 -?\d+ mL，-?\d+\.\d%）/);
  });

  it('answer an ndd PerformTest with a TestResult carrying the OrderID, three trials with curves, and the printed PDF', async () => {
    const f = await folders();
    const command = writeNddPerformTest(entry);
    if (!command.ok) throw new Error(command.reason);
    await writeFile(path.join(f.worklistFolder, 'MAIN202611250001.xml'), command.value);
    const simulator = createDeviceSimulator({ devices: [{ channel: 'ndd_xml', ...f }], delayMs: 0 });
    expect(await simulator.pollOnce()).toBe(1);
    const result = readNddEasyOneXml(new Uint8Array(await readFile(path.join(f.resultFolder, 'MAIN202611250001-result.xml'))));
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.tests).toHaveLength(1);
    const test = result.value.tests[0]!;
    expect(test.orderId).toBe('MAIN202611250001');
    expect(result.value.patient.id).toBe('P00000042');
    expect(test.trials).toHaveLength(3);
    for (const trial of test.trials) expect(trial.flow!.samples.length).toBe(trial.volume!.samples.length);
    const fvc = test.bestValues.find((p) => p.id === 'FVC')!.value!;
    const fev1 = test.bestValues.find((p) => p.id === 'FEV1')!.value!;
    expect(fev1 / fvc).toBeGreaterThan(0.3);
    expect(fev1 / fvc).toBeLessThan(0.95);
    expect((await readFile(path.join(f.resultFolder, 'MAIN202611250001-result.pdf'))).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('run the post-test on an ndd device when the order sheet asks for a bronchodilator test: a second FVC test with its own trials and curves', async () => {
    const f = await folders();
    const command = writeNddPerformTest(bronchodilatorEntry);
    if (!command.ok) throw new Error(command.reason);
    await writeFile(path.join(f.worklistFolder, 'MAIN202611250002.xml'), command.value);
    const asked: string[] = [];
    const simulator = createDeviceSimulator({
      devices: [{ channel: 'ndd_xml', ...f, printout: null }],
      delayMs: 0,
      orderDetails: async ({ accessionNo }) => {
        asked.push(accessionNo!);
        return { bronchodilator: accessionNo === 'MAIN202611250002' };
      },
    });
    expect(await simulator.pollOnce()).toBe(1);
    expect(asked).toEqual(['MAIN202611250002']);
    const result = readNddEasyOneXml(new Uint8Array(await readFile(path.join(f.resultFolder, 'MAIN202611250002-result.xml'))));
    if (!result.ok) throw new Error(result.reason);
    const [pre, post] = result.value.tests;
    expect(result.value.tests).toHaveLength(2);
    expect([pre!.typeOfTest, post!.typeOfTest]).toEqual(['FVC', 'FVC']);
    expect(post!.orderId).toBe('MAIN202611250002');
    expect(Date.parse(post!.testDate!) - Date.parse(pre!.testDate!)).toBe(20 * 60_000);
    expect(post!.trials).toHaveLength(3);
    for (const trial of post!.trials) {
      expect(trial.flow!.samples.length).toBeGreaterThan(500);
      expect(trial.flow!.samples.length).toBe(trial.volume!.samples.length);
    }
    const value = (test: typeof pre, id: string) => test!.bestValues.find((p) => p.id === id)!.value!;
    // Same patient, same predicted values; the post FEV1 within what salbutamol can do.
    expect(post!.bestValues.find((p) => p.id === 'FEV1')!.predicted).toBe(pre!.bestValues.find((p) => p.id === 'FEV1')!.predicted);
    expect(value(post, 'FEV1') / value(pre, 'FEV1')).toBeGreaterThan(0.95);
    expect(value(post, 'FEV1') / value(pre, 'FEV1')).toBeLessThan(1.6);
  });

  it('take HL7 orders over MLLP and send the ORU^R01, with post OBX rows, to PFTIS’s listener, resending the same bytes until it is acknowledged', async () => {
    // PFTIS's device listener, played by a socket that refuses the first ORU and accepts the second.
    const received: Uint8Array[] = [];
    const pftis = net.createServer((socket) => {
      const reader = new MllpFrameReader();
      socket.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) {
          received.push(frame);
          const controlId = new TextDecoder().decode(frame).split('\r')[0]!.split('|')[9];
          const code = received.length === 1 ? 'AR' : 'AA';
          socket.write(frameMllp(new TextEncoder().encode(`MSH|^~\\&|PFTIS||SPIRO-HL7||20261125100000||ACK^R01^ACK|A${received.length}|P|2.4\rMSA|${code}|${controlId}|test\r`)));
        }
      });
    });
    await new Promise<void>((resolve) => pftis.listen(0, '127.0.0.1', resolve));
    const f = await folders();
    let clock = Date.parse('2026-11-25T02:00:00Z');
    const simulator = createDeviceSimulator({
      devices: [{ channel: 'hl7_mllp', application: 'SPIRO-HL7', encoding: 'gbk', orders: { host: '127.0.0.1', port: 0 }, results: { host: '127.0.0.1', port: (pftis.address() as net.AddressInfo).port }, resultFolder: f.resultFolder }],
      delayMs: 10_000,
      now: () => new Date(clock),
    });
    try {
      const [listening] = await simulator.listen();
      const dispatcher = new MllpClient({ host: '127.0.0.1', port: listening!.port });
      const order = buildOrmNewOrder(bronchodilatorEntry, { sendingApplication: 'PFTIS', receivingApplication: 'SPIRO-HL7', controlId: 'ORM-1', charset: 'gbk' });
      if (!order.ok) throw new Error(order.reason);
      const orderBytes = encodeHl7Message(order.value, 'gbk');
      if (!orderBytes.ok) throw new Error(orderBytes.reason);
      const orderAck = await dispatcher.send(orderBytes.value);
      await dispatcher.close();
      if (!orderAck.ok) throw new Error(orderAck.reason);
      expect(parseHl7Ack(orderAck.value)).toMatchObject({ ok: true, value: { code: 'AA', acknowledgedControlId: 'ORM-1' } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await simulator.pollOnce()).toBe(0); // the test takes its time
      expect(simulator.pending()).toBe(1);
      clock += 10_000;
      expect(await simulator.pollOnce()).toBe(0); // AR: kept for a resend
      expect(received).toHaveLength(1);
      clock += 2_000;
      expect(await simulator.pollOnce()).toBe(1);
      expect(simulator.pending()).toBe(0);
      expect(received).toHaveLength(2);
      expect(Buffer.from(received[1]!).equals(Buffer.from(received[0]!))).toBe(true);
      // The copy in the result folder is the same message.
      expect(Buffer.from(await readFile(path.join(f.resultFolder, 'MAIN202611250002-result.hl7'))).equals(Buffer.from(received[0]!))).toBe(true);

      const oru = readOru(received[1]!);
      if (!oru.ok) throw new Error(oru.reason);
      expect(oru.value).toMatchObject({ sendingApplication: 'SPIRO-HL7', declaredCharset: 'GB 18030-2000', patientId: 'P00000042', patientName: '张三丰', placerOrderNo: 'SQ2', fillerOrderNo: 'MAIN202611250002' });
      const measured = oru.value.observations.filter((o) => o.kind === 'measured').map((o) => [o.param, o.stage]);
      expect(measured).toEqual([
        ['FVC', 'pre'], ['FEV1', 'pre'], ['FEV1FVC', 'pre'], ['PEF', 'pre'],
        ['FVC', 'post'], ['FEV1', 'post'], ['FEV1FVC', 'post'], ['PEF', 'post'],
      ]);
      expect(oru.value.observations.find((o) => o.kind === 'change')).toMatchObject({ code: 'FEV1_CHANGE', stage: 'post', unit: '%' });
      expect(oru.value.interpretation).toMatch(/支气管舒张试验(阳性|阴性)/);
      expect(new TextDecoder().decode(received[1]!).split('\r')[3]).toMatch(/^OBR\|1\|SQ2\|MAIN202611250002\|FG003\^.+\^L\|/);
    } finally {
      await simulator.stop();
      await new Promise<void>((resolve) => pftis.close(() => resolve()));
    }
  });
});
