import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseHl7Ack } from '@pftis/formats/hl7/ack';
import { frameMllp, MllpFrameReader } from '@pftis/formats/hl7/mllp';
import { type DemoHis, openDemoHis } from '@pftis/his-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/audit.js';
import { sha256Hex } from '../../platform/crypto.js';
import { createFileStore } from '../../platform/files.js';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';
import { createDeviceImportService } from './device-import.service.js';
import { buildAck, createMllpListener, MllpDeframer, readMshHeader } from './mllp-listener.js';

const samples = path.resolve(import.meta.dirname, '../../../../../../shared/samples/hl7v2');
const haveSamples = existsSync(samples);
if (!haveSamples) console.warn(`${samples} is missing: the HL7 sample messages over MLLP are not tested (../shared/samples sits beside the repository in CI).`);
const sample = (name: string) => new Uint8Array(readFileSync(path.join(samples, name)));

const encoder = new TextEncoder();
const crJoin = (lines: string[]) => encoder.encode(`${lines.join('\r')}\r`);

/** A device end of an MLLP connection: raw writes, and ACK frames read with the formats package's own reader. */
async function device(port: number) {
  const socket = net.createConnection({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const reader = new MllpFrameReader();
  const frames: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    frames.push(...reader.push(chunk));
    wake?.();
  });
  const closed = once(socket, 'close');
  return {
    socket,
    closed,
    write: (bytes: Uint8Array) => new Promise<void>((resolve, reject) => socket.write(bytes, (error) => (error ? reject(error) : resolve()))),
    async ack(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (frames.length === 0) {
        if (Date.now() > deadline) throw new Error('no ACK from the listener');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      const bytes = frames.shift()!;
      const raw = new TextDecoder().decode(bytes);
      const parsed = parseHl7Ack(bytes);
      if (!parsed.ok) throw new Error(`unreadable ACK: ${parsed.reason}: ${raw}`);
      return { ...parsed.value, raw };
    },
    /** The next frame's text, for ACKs our own reader refuses (an AR to a message without MSH-10). */
    async rawAck(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (frames.length === 0) {
        if (Date.now() > deadline) throw new Error('no ACK from the listener');
        await sleep(20);
      }
      return new TextDecoder().decode(frames.shift()!);
    },
    pendingFrames: () => frames.length,
    close: () => socket.destroy(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('MLLP de-framing and ACKs (no database)', () => {
  const frame = (text: string) => frameMllp(encoder.encode(text));

  it('reassembles a frame split anywhere, including between the end block and its CR', () => {
    const bytes = frame('MSH|^~\\&|A|B|C|D|20261207||ORU^R01|X1|P|2.4\rOBX|1\r');
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new MllpDeframer(1 << 20);
      const events = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut)), ...d.push(frame('MSH|^~\\&|Z'))];
      expect(events.map((e) => e.kind === 'frame' && new TextDecoder().decode(e.payload))).toEqual(['MSH|^~\\&|A|B|C|D|20261207||ORU^R01|X1|P|2.4\rOBX|1\r', 'MSH|^~\\&|Z']);
      expect(d.discardedBytes).toBe(0);
    }
  });

  it('splits coalesced frames, drops garbage between them, and restarts on a new start block', () => {
    const d = new MllpDeframer(1 << 20);
    const chunk = new Uint8Array([...encoder.encode('noise'), ...frame('MSH|1'), 0x0a, ...encoder.encode('GET / HTTP/1.1\r\n'), ...frame('MSH|2'), 0x0b, ...encoder.encode('abandoned'), ...frame('MSH|3')]);
    const events = d.push(chunk);
    expect(events.map((e) => e.kind === 'frame' && new TextDecoder().decode(e.payload))).toEqual(['MSH|1', 'MSH|2', 'MSH|3']);
    expect(d.discardedBytes).toBe('noise'.length + 1 + 'GET / HTTP/1.1\r\n'.length + 1 + 'abandoned'.length);
  });

  it('stops buffering a frame over the limit and keeps only its head', () => {
    const d = new MllpDeframer(100);
    const big = `MSH|^~\\&|A|B|C|D|20261207||ORU^R01|BIG1|P|2.5\r${'OBX|1|ED|PDF||'.padEnd(500, 'x')}\r`;
    const bytes = frame(big);
    const events = [...d.push(bytes.subarray(0, 60)), ...d.push(bytes.subarray(60, 300)), ...d.push(bytes.subarray(300))];
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event.kind).toBe('oversized');
    if (event.kind !== 'oversized') return;
    expect(event.sizeBytes).toBe(big.length);
    expect(readMshHeader(event.head)?.controlId).toBe('BIG1');
  });

  it('answers in the message’s own delimiters, version and charset, echoing MSH-10', () => {
    const msh = readMshHeader(encoder.encode('MSH#$~\\%#LUNGTEST#MES#SZPM##20220401092000##ORU$R01#LT_WYN_001#P#2.3###AL#AL#PL#CP1250#PL\rPID#1'))!;
    const ack = new TextDecoder().decode(buildAck({ code: 'AE', msh, text: 'could not store | retry', error: 'internal', ackControlId: 'A1', at: new Date('2026-12-07T02:00:00Z') }));
    expect(ack.split('\r')).toEqual([
      'MSH#$~\\%#SZPM##LUNGTEST#MES#20261207100000##ACK$R01#A1#P#2.3#####PL#CP1250',
      'MSA#AE#LT_WYN_001#could not store | retry',
      'ERR#$$$207%Application internal error%HL70357',
      '',
    ]);
    const modern = new TextDecoder().decode(buildAck({ code: 'AR', msh: null, text: 'not HL7', ackControlId: 'A2', at: new Date('2026-12-07T02:00:00Z') }));
    expect(modern.split('\r').slice(1)).toEqual(['MSA|AR||not HL7', 'ERR|||100^Segment sequence error^HL70357|E||||not HL7', '']);
  });
});

describe.each(backends)('the MLLP listener for device results (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let demo: DemoHis;
  let tech: Client;
  let port: number;
  let lungtestId: string;
  const fileOf = (bytes: Uint8Array) => t.database.db.selectFrom('rawFile').selectAll().where('sha256', '=', sha256Hex(bytes)).executeTakeFirst();

  beforeAll(async () => {
    demo = await openDemoHis(undefined, new Date());
    t = await testApp(kind, { his: { kind: 'pglite', instance: demo.pglite }, config: { deviceMllpPort: 0, deviceMllpHost: '127.0.0.1' } });
    port = t.mllpListener!.address()!.port;
    const campus = await given(t).campus('MAIN');
    tech = await signIn(t, (await given(t).user({ roles: ['technician'], campusIds: [campus.id] })).username);
    // The Polish LUNGTEST system, registered by its MSH-3; its host is elsewhere so only the name can find it.
    lungtestId = (await t.services.devices.create(systemActor('test'), { campusId: campus.id, name: 'LUNGTEST 肺功能系统', model: 'LUNGTEST', channel: 'hl7_mllp', host: '192.0.2.10', port: 2575, encoding: 'utf-8' })).id;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await demo?.close();
  });

  it('is started by the app when a port is configured', () => {
    expect(t.mllpListener).not.toBeNull();
    expect(port).toBeGreaterThan(0);
  });

  it.skipIf(!haveSamples)('stores the CP1250-declared bronchodilator sample (really UTF-8) and answers AA in its version and charset', async () => {
    const bytes = sample('pl_mes_lungtest_oru_r01_bronchodilator_cp1250.hl7');
    const d = await device(port);
    await d.write(frameMllp(bytes));
    const ack = await d.ack();
    d.close();
    expect(ack).toMatchObject({ code: 'AA', acknowledgedControlId: 'LT_WYN_001' });
    expect(ack.raw).toMatch(/^MSH\|\^~\\&\|SZPM\|\|LUNGTEST\|MES\|\d{14}\|\|ACK\^R01\|[^|]+\|P\|2\.3\|\|\|\|\|PL\|CP1250\r/);
    const file = await fileOf(bytes);
    // No exam has order 778899: it waits in 待匹配, bound to the device found by MSH-3.
    expect(file).toMatchObject({ source: 'mllp', status: 'unmatched', format: 'hl7', deviceId: lungtestId, originalName: 'LUNGTEST-LT_WYN_001.hl7', sizeBytes: bytes.length });
  });

  it.skipIf(!haveSamples)('stores the Irish LOINC sample with its wrong labels and the LF-separated ORU, each answered AA', async () => {
    const irish = sample('ie_pulmsys_oru_r01_spirometry_loinc.hl7');
    const lf = sample('ORU-multiline-short-mixed.hl7');
    expect(lf.includes(0x0d)).toBe(false);
    const d = await device(port);
    await d.write(frameMllp(irish));
    expect(await d.ack()).toMatchObject({ code: 'AA', acknowledgedControlId: 'MSG20250730110530001' });
    await d.write(frameMllp(lf));
    const lfAck = await d.ack();
    d.close();
    expect(lfAck).toMatchObject({ code: 'AA', acknowledgedControlId: 'MSGID00231' });
    expect(lfAck.raw).toContain('|ACK^R01^ACK|'); // 2.6: message structure in MSH-9.3
    expect(await fileOf(irish)).toMatchObject({ source: 'mllp', status: 'unmatched', format: 'hl7', deviceId: null });
    // An echocardiogram, not a lung function result: kept, with a reason or for a person to bind, never lost.
    const echo = await fileOf(lf);
    expect(echo).toMatchObject({ source: 'mllp', format: 'hl7' });
    expect(['unmatched', 'quarantined']).toContain(echo!.status);
  });

  it.skipIf(!haveSamples)('answers every HL7 sample: AA with MSA-2 = MSH-10 for each message it stores (ORU to 待匹配, anything else to quarantine), nothing for an ACK', async () => {
    const { readdirSync } = await import('node:fs');
    const names = readdirSync(samples).filter((n) => n.endsWith('.hl7')).sort();
    expect(names.length).toBeGreaterThanOrEqual(8);
    const d = await device(port);
    for (const name of names) {
      const bytes = sample(name);
      const msh = readMshHeader(bytes)!;
      await d.write(frameMllp(bytes));
      if (msh.messageType.startsWith('ACK')) continue;
      const ack = await d.ack();
      expect(ack, name).toMatchObject({ code: 'AA', acknowledgedControlId: msh.controlId });
      const file = await fileOf(bytes);
      expect(file, name).toMatchObject({ source: 'mllp', format: 'hl7' });
      if (msh.messageType.startsWith('ORU')) expect(['unmatched', 'quarantined'], name).toContain(file!.status);
      else expect(file, name).toMatchObject({ status: 'quarantined', reason: expect.stringContaining('ORM^O01') });
      if (msh.sendingApplication === 'LUNGTEST') expect(file!.deviceId, name).toBe(lungtestId);
    }
    // The ACK sample got no answer: the next message's ACK is the next frame.
    const last = crJoin(['MSH|^~\\&|LUNGTEST|MES|PFTIS|HOSP|20261207100000||ORU^R01|AFTER-SAMPLES|P|2.4', 'PID|1||NOBODY-S', 'OBX|1|NM|FEV1^FEV1^L||2.0|L|||||F']);
    await d.write(frameMllp(last));
    expect((await d.ack()).acknowledgedControlId).toBe('AFTER-SAMPLES');
    d.close();
    const spiro = await fileOf(sample('pl_mes_lungtest_oru_r01_spiro_result.hl7'));
    expect(spiro).toMatchObject({ status: 'unmatched' });
  });

  it('imports a result bound to its exam, pre and post values, and says so in the ACK', async () => {
    const order = (await demo.pglite.query<{ sqdh: string; brid: string }>(`SELECT sqdh, brid FROM V_PFT_APPLY WHERE zt = '0' ORDER BY sqdh LIMIT 1`)).rows[0]!;
    const { exams } = (await tech.request('POST', '/api/exams', { requestNos: [order.sqdh] })).json();
    const exam = exams[0] as { examId: string; accessionNo: string };
    const message = crJoin([
      `MSH|^~\\&|LUNGTEST|MES|PFTIS|HOSP|20261207100000||ORU^R01^ORU_R01|BD-${exam.accessionNo}|P|2.5.1|||||CHN|UNICODE UTF-8`,
      `PID|1||${order.brid}^^^HIS^PI`,
      `ORC|RE|${order.sqdh}|${exam.accessionNo}`,
      `OBR|1|${order.sqdh}|${exam.accessionNo}|FG003^支气管舒张试验^L|||20261207093000`,
      'OBX|1|NM|FEV1_PRE^FEV1 舒张前^L||2.10|L|||||F',
      'OBX|2|NM|FVC_PRE^FVC 舒张前^L||3.40|L|||||F',
      'OBX|3|NM|FEV1_POST^FEV1 舒张后^L||2.45|L|||||F',
      'OBX|4|NM|FVC_POST^FVC 舒张后^L||3.52|L|||||F',
    ]);
    const d = await device(port);
    await d.write(frameMllp(message));
    const ack = await d.ack();
    d.close();
    expect(ack).toMatchObject({ code: 'AA', acknowledgedControlId: `BD-${exam.accessionNo}`, text: 'Message stored in PFTIS, imported' });
    expect(await fileOf(message)).toMatchObject({ status: 'imported', examId: exam.examId, deviceId: lungtestId });
    const values = (await tech.request('GET', `/api/exams/${exam.examId}/measurements`)).json() as Array<{ param: string; stage: string; value: number }>;
    expect(values.map((v) => [v.param, v.stage, v.value])).toEqual([
      ['FEV1', 'pre', 2.1],
      ['FVC', 'pre', 3.4],
      ['FEV1', 'post', 2.45],
      ['FVC', 'post', 3.52],
    ]);
  });

  it('takes a frame trickled in small pieces, and two frames coalesced with garbage between them, answering each in order', async () => {
    const one = crJoin(['MSH|^~\\&|LUNGTEST|MES|PFTIS|HOSP|20261207100000||ORU^R01|SPLIT-1|P|2.4', 'PID|1||NOBODY-1', 'OBX|1|NM|FEV1^FEV1^L||2.01|L|||||F']);
    const two = crJoin(['MSH|^~\\&|LUNGTEST|MES|PFTIS|HOSP|20261207100001||ORU^R01|COAL-2|P|2.4', 'PID|1||NOBODY-2', 'OBX|1|NM|FEV1^FEV1^L||2.02|L|||||F']);
    const three = crJoin(['MSH|^~\\&|LUNGTEST|MES|PFTIS|HOSP|20261207100002||ORU^R01|COAL-3|P|2.4', 'PID|1||NOBODY-3', 'OBX|1|NM|FEV1^FEV1^L||2.03|L|||||F']);
    const d = await device(port);
    const framed = frameMllp(one);
    for (let i = 0; i < framed.length; i += 7) {
      await d.write(framed.subarray(i, i + 7));
      await sleep(2);
    }
    expect(await d.ack()).toMatchObject({ code: 'AA', acknowledgedControlId: 'SPLIT-1' });
    await d.write(new Uint8Array([...encoder.encode('\r\n'), ...frameMllp(two), ...encoder.encode('garbage'), ...frameMllp(three)]));
    expect((await d.ack()).acknowledgedControlId).toBe('COAL-2');
    expect((await d.ack()).acknowledgedControlId).toBe('COAL-3');
    d.close();
    for (const bytes of [one, two, three]) expect(await fileOf(bytes)).toMatchObject({ source: 'mllp', status: 'unmatched' });
  });

  it('answers AR to a frame that is not HL7, and keeps it in quarantine with the reason', async () => {
    const junk = encoder.encode('{"fev1": 2.3, "note": "this is JSON, not HL7"}');
    const d = await device(port);
    await d.write(frameMllp(junk));
    const ack = (await d.rawAck()).split('\r');
    d.close();
    // No MSH, so no MSH-10 to echo: MSA-2 stays empty.
    expect(ack[1]).toBe('MSA|AR||Not an HL7 v2 message: it does not start with an MSH segment');
    expect(ack[2]).toMatch(/^ERR\|\|\|100\^Segment sequence error\^HL70357\|E\|/);
    expect(await fileOf(junk)).toMatchObject({ source: 'mllp', status: 'quarantined', reason: 'not a recognised device file' });
  });

  it('stores the same message sent twice (a lost ACK) as one file, and acknowledges both', async () => {
    const message = crJoin(['MSH|^~\\&|LUNGTEST|MES|PFTIS|HOSP|20261207110000||ORU^R01|TWICE-1|P|2.4', 'PID|1||NOBODY-T', 'OBX|1|NM|FVC^FVC^L||3.9|L|||||F']);
    const first = await device(port);
    await first.write(frameMllp(message));
    expect(await first.ack()).toMatchObject({ code: 'AA', text: 'Message stored in PFTIS, waiting to be matched to an exam' });
    first.close();
    const again = await device(port);
    await again.write(frameMllp(message));
    expect(await again.ack()).toMatchObject({ code: 'AA', acknowledgedControlId: 'TWICE-1', text: 'Message already stored in PFTIS, waiting to be matched to an exam' });
    again.close();
    const rows = await t.database.db.selectFrom('rawFile').select('id').where('sha256', '=', sha256Hex(message)).execute();
    expect(rows).toHaveLength(1);
    const audits = await t.database.db.selectFrom('auditLog').select(['actorName', 'detail']).where('action', '=', 'device-file.received').where('entityId', '=', rows[0]!.id).execute();
    expect(audits).toEqual([{ actorName: `mllp:${lungtestId}`, detail: expect.objectContaining({ source: 'mllp', name: 'LUNGTEST-TWICE-1.hl7' }) }]);
  });

  it('answers AE over the size limit and when the message cannot be stored, and closes idle connections', async () => {
    const small = createMllpListener({ db: t.database.db, imports: t.services.deviceImport, host: '127.0.0.1', port: 0, maxMessageBytes: 2048, idleTimeoutMs: 400 });
    const notAFolder = path.join(await mkdtemp(path.join(os.tmpdir(), 'pftis-mllp-')), 'files');
    await writeFile(notAFolder, 'a file where the file store expects a folder');
    const broken = createMllpListener({ db: t.database.db, imports: createDeviceImportService({ db: t.database.db, files: createFileStore(notAFolder) }), host: '127.0.0.1', port: 0 });
    try {
      const big = crJoin(['MSH|^~\\&|LUNGTEST|MES|PFTIS|HOSP|20261207120000||ORU^R01|BIG-1|P|2.5', `OBX|1|ED|PDF^Report^L||^AP^PDF^Base64^${'QUJD'.repeat(2000)}|||||F`]);
      const d = await device((await small.start()).port);
      await d.write(frameMllp(big));
      const ack = await d.ack();
      expect(ack).toMatchObject({ code: 'AE', acknowledgedControlId: 'BIG-1' });
      expect(ack.text).toMatch(/exceeds the limit of 2048 bytes/);
      expect(await fileOf(big)).toBeUndefined();
      // The connection is still in step: the next message is taken.
      const after = crJoin(['MSH|^~\\&|LUNGTEST|MES|PFTIS|HOSP|20261207120001||ORU^R01|AFTER-BIG|P|2.5', 'PID|1||NOBODY-B', 'OBX|1|NM|FVC^FVC^L||3.1|L|||||F']);
      await d.write(frameMllp(after));
      expect(await d.ack()).toMatchObject({ code: 'AA', acknowledgedControlId: 'AFTER-BIG' });
      // A sender that stops in the middle of a frame is cut off once idle, without an ACK.
      await d.write(frameMllp(after).subarray(0, 40));
      await d.closed;
      expect(d.pendingFrames()).toBe(0);
      const refused = await t.database.db.selectFrom('auditLog').select(['outcome', 'detail']).where('action', '=', 'device-message.refused').execute();
      expect(refused).toContainEqual({ outcome: 'failure', detail: expect.objectContaining({ controlId: 'BIG-1' }) });

      const unstorable = crJoin(['MSH|^~\\&|LUNGTEST|MES|PFTIS|HOSP|20261207120002||ORU^R01|NO-STORE|P|2.3', 'OBX|1|NM|FVC^FVC^L||3.2|L|||||F']);
      const e = await device((await broken.start()).port);
      await e.write(frameMllp(unstorable));
      const nak = await e.ack();
      e.close();
      expect(nak).toMatchObject({ code: 'AE', acknowledgedControlId: 'NO-STORE', text: 'Message could not be stored in PFTIS, please resend later' });
      expect(nak.errors[0]).toMatchObject({ code: '207' });
      expect(await fileOf(unstorable)).toBeUndefined();
    } finally {
      await small.stop();
      await broken.stop();
    }
  });
});
