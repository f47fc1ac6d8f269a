import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseGdtLines, gdtField } from '@pftis/formats/gdt/parse';
import { frameMllp, MllpFrameReader } from '@pftis/formats/hl7/mllp';
import { type DemoHis, openDemoHis } from '@pftis/his-sim';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor, verifyAuditChain } from '../../platform/audit.js';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

describe.each(backends)('scan intake and registration (PFTIS on %s, demo HIS)', (kind) => {
  let t: TestApp;
  let demo: DemoHis;
  let tech: Client;
  let campusId: string;
  const his = async (sql: string) => (await demo.pglite.query<Record<string, string>>(sql)).rows;
  // A patient with a pending order today, and that order.
  const pendingOrder = async (offset = 0) => (await his(`SELECT sqdh, brid FROM V_PFT_APPLY WHERE zt = '0' ORDER BY sqdh LIMIT 1 OFFSET ${offset}`))[0]!;

  beforeAll(async () => {
    demo = await openDemoHis(undefined, new Date());
    t = await testApp(kind, { his: { kind: 'pglite', instance: demo.pglite } });
    const campus = await given(t).campus('MAIN');
    campusId = campus.id;
    await t.services.his.updateWriteBack(systemActor('test'), { enabled: true, sql: 'UPDATE HIS_JCSQ SET ZT = :status, GXSJ = :changedAt WHERE SQDH = :requestNo', codes: { registered: '1', examined: '2', reported: '3', cancelled: '9' }, timeoutMs: 3000 });
    tech = await signIn(t, (await given(t).user({ roles: ['technician'], campusIds: [campusId] })).username);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await demo?.close();
  });

  it('shows the patient card (masked) and pending orders for a scanned visit card', async () => {
    const { brid } = await pendingOrder();
    const card = (await his(`SELECT jzkh FROM HIS_JZK WHERE brid = '${brid}' AND klx = '就诊卡'`))[0]!.jzkh;
    const response = await tech.request('POST', '/api/exams/scan', { code: card });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.kind).toBe('card');
    expect(body.patient).toMatchObject({ hisPatientId: brid, cardNo: card, age: expect.stringMatching(/岁|月/) });
    expect(body.patient.idNumber ?? '110101********0000').toMatch(/^\d{6}\*{8}[\dX]{4}$/);
    expect(body.patient.phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
    expect(body.orders.length).toBeGreaterThan(0);
    expect(body.orders.every((o: { registrable: boolean }) => o.registrable)).toBe(true);
  });

  it('tells apart 申请单号, 门诊号 and ID numbers by the configured patterns', async () => {
    const { sqdh, brid } = await pendingOrder(1);
    const byRequest = (await tech.request('POST', '/api/exams/scan', { code: sqdh })).json();
    expect(byRequest.kind).toBe('requestNo');
    expect(byRequest.orders[0].requestNo).toBe(sqdh);
    const mzh = (await his(`SELECT mzh FROM HIS_BRXX WHERE brid = '${brid}'`))[0]!.mzh;
    expect((await tech.request('POST', '/api/exams/scan', { code: mzh })).json()).toMatchObject({ kind: 'outpatientNo', patient: { hisPatientId: brid } });
    const id = (await his(`SELECT sfzh FROM HIS_BRXX WHERE sfzh IS NOT NULL AND brid = (SELECT brid FROM V_PFT_APPLY WHERE zt = '0' AND brid IN (SELECT brid FROM HIS_BRXX WHERE sfzh IS NOT NULL) LIMIT 1)`))[0]!.sfzh;
    expect((await tech.request('POST', '/api/exams/scan', { code: id })).json().kind).toBe('idNumber');
    expect((await tech.request('POST', '/api/exams/scan', { code: '9999999999' })).json()).toMatchObject({ code: 'exams.patient-not-found' });
  });

  it('records each patient look-up in the audit log once, and nothing for a code that finds no one', async () => {
    const { sqdh, brid } = await pendingOrder(7);
    const card = (await his(`SELECT jzkh FROM HIS_JZK WHERE brid = '${brid}' AND klx = '就诊卡'`))[0]!.jzkh;
    const lookups = () => t.database.db.selectFrom('auditLog').select(['entityType', 'entityId', 'campusId', 'detail']).where('action', '=', 'patient.looked-up').orderBy('id').execute();
    const before = (await lookups()).length;
    expect((await tech.request('POST', '/api/exams/scan', { code: card })).statusCode).toBe(200);
    expect((await tech.request('POST', '/api/exams/scan', { code: sqdh })).statusCode).toBe(200);
    expect((await tech.request('POST', '/api/exams/scan', { code: '9999999999' })).statusCode).toBe(404);
    expect((await lookups()).slice(before)).toEqual([
      { entityType: 'his_patient', entityId: brid, campusId, detail: { kind: 'card' } },
      { entityType: 'his_patient', entityId: brid, campusId, detail: { kind: 'requestNo' } },
    ]);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('shows nothing of the patient when the look-up cannot be written to the audit log', async () => {
    const { brid } = await pendingOrder(8);
    const card = (await his(`SELECT jzkh FROM HIS_JZK WHERE brid = '${brid}' AND klx = '就诊卡'`))[0]!.jzkh;
    const name = (await his(`SELECT brxm FROM V_PFT_PATIENT WHERE brid = '${brid}'`))[0]!.brxm!;
    // The audit entry is written while the orders are read: make it fail and the scan must fail with it.
    await sql`create function refuse_lookup() returns trigger language plpgsql as $$ begin
                if new.action = 'patient.looked-up' then raise exception 'audit log full'; end if; return new; end $$`.execute(t.database.db);
    await sql`create trigger refuse_lookup before insert on audit_log for each row execute function refuse_lookup()`.execute(t.database.db);
    try {
      const response = await tech.request('POST', '/api/exams/scan', { code: card });
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain(name);
      expect(response.body).not.toContain(brid);
    } finally {
      await sql`drop trigger refuse_lookup on audit_log`.execute(t.database.db);
      await sql`drop function refuse_lookup()`.execute(t.database.db);
    }
    expect((await tech.request('POST', '/api/exams/scan', { code: card })).json().patient.name).toBe(name);
  });

  it('registers an order once, binds it to the 申请单号 and visit, and writes 已登记 back to the HIS', async () => {
    const { sqdh } = await pendingOrder(2);
    const first = await tech.request('POST', '/api/exams', { requestNos: [sqdh], heightCm: 172.5, weightKg: 68 });
    expect(first.statusCode).toBe(201);
    const [exam] = first.json().exams;
    expect(exam).toMatchObject({ requestNo: sqdh, created: true, accessionNo: expect.stringMatching(/^MAIN\d{8}\d{4}$/) });
    const again = await tech.request('POST', '/api/exams', { requestNos: [sqdh] });
    expect(again.json().exams[0]).toEqual({ ...exam, created: false });
    const row = await t.database.db.selectFrom('exam').selectAll().where('id', '=', exam.examId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ requestNo: sqdh, heightCm: 172.5, weightKg: 68, status: 'registered', hisVerified: true, campusId });
    expect(row.visitSerialNo).toMatch(/^[MZ]L\d+/);
    expect((await tech.request('POST', '/api/exams/scan', { code: sqdh })).json().orders[0]).toMatchObject({ registrable: false, reason: expect.stringMatching(/^已登记/) });

    expect((await his(`SELECT zt FROM HIS_JCSQ WHERE sqdh = '${sqdh}'`))[0]!.zt).toBe('0');
    await t.services.outbox.drain();
    expect((await his(`SELECT zt FROM HIS_JCSQ WHERE sqdh = '${sqdh}'`))[0]!.zt).toBe('1');
  });

  it('shows an order as registered when another writer gave an exam its 申请单号 (another server process, a DBA)', async () => {
    const [{ sqdh: registered }, { sqdh: rebound }] = [await pendingOrder(20), await pendingOrder(21)];
    const { exams } = (await tech.request('POST', '/api/exams', { requestNos: [registered] })).json();
    expect((await tech.request('POST', '/api/exams/scan', { code: rebound })).json().orders[0]).toMatchObject({ requestNo: rebound, registrable: true });
    await sql`update exam set request_no = ${rebound} where id = ${exams[0].examId}`.execute(t.database.db);
    const reason = async () => (await tech.request('POST', '/api/exams/scan', { code: rebound })).json().orders[0].reason as string | null;
    const until = Date.now() + 1000;
    while (!(await reason()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await reason()).toBe(`已登记（检查号 ${exams[0].accessionNo}）`);
  });

  it('refuses a cancelled order with the reason, and implausible measurements', async () => {
    const { sqdh } = await pendingOrder(3);
    await demo.pglite.query(`UPDATE HIS_JCSQ SET ZT = '9' WHERE SQDH = '${sqdh}'`);
    const refused = await tech.request('POST', '/api/exams', { requestNos: [sqdh] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().title).toBe(`申请单 ${sqdh} 已作废，不能登记`);
    const tall = await tech.request('POST', '/api/exams', { requestNos: [sqdh], heightCm: 400 });
    expect(tall.json().errors).toEqual([{ field: 'body.heightCm', message: '身高不能超过 230 cm' }]);
  });

  it('writes the GDT worklist file for the chosen device, with the patient in it', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'pftis-gdt-'));
    const device = await t.services.devices.create(systemActor('test'), { campusId, name: 'GDT 肺功能仪', channel: 'gdt', folder, encoding: 'gbk', model: 'SPIRO' });
    const { sqdh, brid } = await pendingOrder(4);
    const { exams } = (await tech.request('POST', '/api/exams', { requestNos: [sqdh], deviceId: device.id, heightCm: 165 })).json();
    await t.services.outbox.drain();
    const files = await readdir(folder);
    expect(files).toEqual([`${exams[0].accessionNo}.gdt`]);
    const { lines, problems } = parseGdtLines(new Uint8Array(await readFile(path.join(folder, files[0]!))), 'gbk');
    expect(problems).toEqual([]);
    const name = (await his(`SELECT xm FROM HIS_BRXX WHERE brid = '${brid}'`))[0]!.xm;
    expect(gdtField(lines, '8000')).toBe('6302');
    expect(gdtField(lines, '3000')).toBe(brid);
    expect(gdtField(lines, '3101')).toBe(name);
    expect(gdtField(lines, '3622')).toBe('165');
    const worklist = (await tech.request('GET', '/api/exams/worklist')).json();
    expect(worklist.find((e: { id: string }) => e.id === exams[0].examId)).toMatchObject({ deviceName: 'GDT 肺功能仪', dispatch: { status: 'done', attempts: 1 } });
  });

  it('sends an HL7 ORM to an MLLP device, retries while it answers AE, and succeeds on AA', async () => {
    const received: string[] = [];
    let answer = 'AE';
    const server = net.createServer((socket) => {
      const reader = new MllpFrameReader();
      socket.on('data', (chunk) => {
        for (const frame of reader.push(chunk)) {
          const text = iconv.decode(Buffer.from(frame), 'gbk');
          received.push(text);
          const controlId = text.split('\r')[0]!.split('|')[9];
          socket.write(frameMllp(new Uint8Array(iconv.encode(`MSH|^~\\&|DEVICE||PFTIS||20261125120000||ACK^O01|A${received.length}|P|2.4\rMSA|${answer}|${controlId}|${answer === 'AA' ? 'OK' : '暂时无法处理'}\r`, 'gbk'))));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const device = await t.services.devices.create(systemActor('test'), { campusId, name: 'HL7 肺功能仪', channel: 'hl7_mllp', host: '127.0.0.1', port, encoding: 'gbk', model: 'LUNGTEST' });
      const { sqdh, brid } = await pendingOrder(5);
      const { exams } = (await tech.request('POST', '/api/exams', { requestNos: [sqdh], deviceId: device.id })).json();
      await t.services.outbox.runOnce();
      const key = `device:${exams[0].examId}:${device.id}`;
      const waiting = await t.database.db.selectFrom('outbox').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
      expect(waiting).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/AE/) });
      answer = 'AA';
      await t.database.db.updateTable('outbox').set({ nextAttemptAt: new Date(0) }).where('key', '=', key).execute();
      await t.services.outbox.runOnce();
      expect(await t.database.db.selectFrom('outbox').select(['status', 'attempts']).where('key', '=', key).executeTakeFirstOrThrow()).toEqual({ status: 'done', attempts: 2 });
      expect(received).toHaveLength(2);
      expect(received[1]).toMatch(new RegExp(`^MSH\\|.*ORM\\^O01`));
      expect(received[1]).toContain(`|${sqdh}`);
      expect(received[1]).toContain(brid);
    } finally {
      server.close();
    }
  });

  it('registers by hand while the HIS cannot answer (待核对) and reconciles when it can', async () => {
    const { sqdh, brid } = await pendingOrder(6);
    await t.services.his.setEnabled(systemActor('test'), 'order.by-request-no', false);
    const down = await tech.request('POST', '/api/exams/scan', { code: sqdh });
    expect(down.statusCode).toBe(503);
    expect(down.json().title).toMatch(/HIS 暂时无法查询.*可手工登记/);
    const manual = await tech.request('POST', '/api/exams/manual', { patient: { name: '临时患者', sex: 'female', birthDate: '1970-05-06' }, requestNo: sqdh, heightCm: 160 });
    expect(manual.statusCode).toBe(201);
    const waiting = (await tech.request('GET', '/api/exams/worklist')).json().find((e: { id: string }) => e.id === manual.json().examId);
    expect(waiting).toMatchObject({ hisVerified: false, patientName: '临时患者' });
    expect((await t.services.exams.reconcile(systemActor('test'))).reconciled).toBe(0);

    await t.services.his.setEnabled(systemActor('test'), 'order.by-request-no', true);
    expect(await t.services.exams.reconcile(systemActor('test'))).toMatchObject({ reconciled: 1 });
    const exam = await t.database.db.selectFrom('exam').innerJoin('patient', 'patient.id', 'exam.patientId').select(['exam.hisVerified', 'patient.hisPatientId', 'patient.name']).where('exam.id', '=', manual.json().examId).executeTakeFirstOrThrow();
    expect(exam).toMatchObject({ hisVerified: true, hisPatientId: brid });
    expect(exam.name).not.toBe('临时患者');
  });

  it('lets the reporting physician see the worklist but not register', async () => {
    const doctor = await signIn(t, (await given(t).user({ roles: ['reporting_physician'], campusIds: [campusId] })).username);
    expect((await doctor.request('GET', '/api/exams/worklist')).statusCode).toBe(200);
    expect((await doctor.request('POST', '/api/exams/scan', { code: '9000000001' })).statusCode).toBe(403);
  });

  it('keeps identity numbers sealed at rest', async () => {
    const rows = await t.database.db.selectFrom('patient').select(['idNumberSealed', 'idNumberHash']).where('idNumberSealed', 'is not', null).execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.idNumberSealed).toMatch(/^v1\./);
  });
});
