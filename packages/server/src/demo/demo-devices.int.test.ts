import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type DemoHis, openDemoHis } from '@pftis/his-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../platform/audit.js';
import { type Client, given, signIn } from '../test/given.js';
import { backends, type TestApp, testApp } from '../test/harness.js';
import { DEMO_HL7_DEVICE, startDemoDevices } from './demo-devices.js';

/**
 * The whole device loop with the demo devices: an exam registered for a bronchodilator test (支气管舒张试验) on a
 * GDT, an ndd and an HL7 device goes out as that device's worklist entry; the simulated device answers in its own
 * format (files in the result folder, or an ORU^R01 over MLLP to PFTIS's listener); PFTIS imports the pre and
 * the post values.
 */
describe.each(backends)('the demo devices against PFTIS (on %s)', (kind) => {
  let t: TestApp;
  let demo: DemoHis;
  let tech: Client;
  let devices: Awaited<ReturnType<typeof startDemoDevices>>;
  const ids: Record<'gdt' | 'ndd' | 'hl7', string> = { gdt: '', ndd: '', hl7: '' };

  beforeAll(async () => {
    demo = await openDemoHis(undefined, new Date());
    t = await testApp(kind, { his: { kind: 'pglite', instance: demo.pglite }, config: { deviceMllpPort: 0, deviceMllpHost: '127.0.0.1' } });
    const campus = await given(t).campus('MAIN');
    tech = await signIn(t, (await given(t).user({ roles: ['technician'], campusIds: [campus.id] })).username);
    const root = await mkdtemp(path.join(os.tmpdir(), 'pftis-demo-devices-'));
    const actor = systemActor('test');
    ids.gdt = (await t.services.devices.create(actor, { campusId: campus.id, name: '肺功能仪 1 号', model: 'SPIRO-GDT', channel: 'gdt', folder: path.join(root, 'gdt'), resultFolder: path.join(root, 'gdt-results'), encoding: 'gbk' })).id;
    ids.ndd = (await t.services.devices.create(actor, { campusId: campus.id, name: 'EasyOne 肺功能仪', vendor: 'ndd', model: 'EasyOne Pro', channel: 'ndd_xml', folder: path.join(root, 'ndd'), resultFolder: path.join(root, 'ndd-results'), encoding: 'utf-8' })).id;
    devices = await startDemoDevices({ db: t.database.db, services: t.services, listener: t.mllpListener, delayMs: 0, intervalMs: 50 });
    const hl7 = await t.database.db.selectFrom('device').select(['id', 'host', 'port', 'model']).where('channel', '=', 'hl7_mllp').executeTakeFirstOrThrow();
    ids.hl7 = hl7.id;
    expect(hl7).toMatchObject({ host: '127.0.0.1', model: DEMO_HL7_DEVICE.model });
    expect(hl7.port).toBeGreaterThan(1);
    expect(devices.results.port).toBe(t.mllpListener!.address()!.port);
  }, 120_000);
  afterAll(async () => {
    await devices?.close();
    await t?.close();
    await demo?.close();
  });

  it('each device answers a bronchodilator order with pre and post values that PFTIS reads back as such', async () => {
    const orders = (await demo.pglite.query<{ sqdh: string }>(`SELECT sqdh FROM V_PFT_APPLY WHERE zt = '0' AND xmdm = 'FG002' ORDER BY sqdh LIMIT 3`)).rows;
    expect(orders).toHaveLength(3);
    const exams: Record<string, { examId: string; accessionNo: string }> = {};
    for (const [index, channel] of (['gdt', 'ndd', 'hl7'] as const).entries()) {
      const response = await tech.request('POST', '/api/exams', { requestNos: [orders[index]!.sqdh], deviceId: ids[channel], heightCm: 168 });
      expect(response.statusCode, response.body).toBe(201);
      exams[channel] = response.json().exams[0];
    }
    await t.services.outbox.drain();
    const dispatched = await t.database.db.selectFrom('outbox').select(['key', 'status', 'lastError']).where('topic', '=', 'device.worklist').execute();
    expect(dispatched.map((d) => d.status)).toEqual(['done', 'done', 'done']);

    // The devices take their time; the folder watcher takes a file once its size has settled.
    const deadline = Date.now() + 60_000;
    const sets = () =>
      t.database.db
        .selectFrom('measurementSet')
        .select(['examId', 'format', 'id'])
        .where('examId', 'in', Object.values(exams).map((e) => e.examId))
        .where('format', 'in', ['gdt', 'ndd_xml', 'hl7'])
        .execute();
    while ((await sets()).length < 3 && Date.now() < deadline) {
      await t.services.folderWatcher.pollOnce();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const found = await sets();
    const files = await t.database.db.selectFrom('rawFile').select(['originalName', 'status', 'reason', 'examId']).execute();
    expect(found.map((s) => [s.examId, s.format]).sort(), JSON.stringify(files)).toEqual(
      [
        [exams.gdt!.examId, 'gdt'],
        [exams.ndd!.examId, 'ndd_xml'],
        [exams.hl7!.examId, 'hl7'],
      ].sort(),
    );

    for (const set of found) {
      const values = await t.database.db.selectFrom('measurement').select(['param', 'stage', 'value']).where('setId', '=', set.id).orderBy('id').execute();
      const of = (param: string, stage: 'pre' | 'post') => values.find((v) => v.param === param && v.stage === stage)?.value;
      expect({ format: set.format, params: values.filter((v) => v.stage === 'post').map((v) => v.param).filter(Boolean) }).toMatchObject({ params: expect.arrayContaining(['FEV1', 'FVC']) });
      const ratio = of('FEV1', 'post')! / of('FEV1', 'pre')!;
      expect(ratio, set.format).toBeGreaterThan(0.95);
      expect(ratio, set.format).toBeLessThan(1.6);
      expect(of('FEV1FVC', 'post'), set.format).toBeGreaterThan(0.2);
      expect(of('FEV1FVC', 'post'), set.format).toBeLessThan(0.95);
    }
    // ndd carries the post blows with their raw curves.
    const nddSet = found.find((s) => s.format === 'ndd_xml')!;
    const curves = await t.database.db.selectFrom('trialCurve').select(['stage', 'number']).where('setId', '=', nddSet.id).orderBy('id').execute();
    expect(curves.map((c) => `${c.stage}${c.number}`)).toEqual(['pre1', 'pre2', 'pre3', 'post1', 'post2', 'post3']);
    // The HL7 result came over MLLP, from the device found by its MSH-3.
    const hl7File = await t.database.db.selectFrom('rawFile').select(['source', 'deviceId', 'status']).where('examId', '=', exams.hl7!.examId).where('format', '=', 'hl7').executeTakeFirstOrThrow();
    expect(hl7File).toEqual({ source: 'mllp', deviceId: ids.hl7, status: 'imported' });
    // The GDT and ndd devices printed their PDF beside the result; PFTIS keeps it too (what it makes of it is the PDF reader's business).
    const pdfs = await t.database.db.selectFrom('rawFile').select(['originalName', 'source']).where('format', '=', 'pdf').orderBy('originalName').execute();
    expect(pdfs).toEqual([exams.gdt!, exams.ndd!].map((e) => ({ originalName: `${e.accessionNo}-result.pdf`, source: 'folder' })).sort((a, b) => a.originalName.localeCompare(b.originalName)));
  }, 90_000);
});
