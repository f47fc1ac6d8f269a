import { sql } from 'kysely';
import { createMysqlHis, createPostgresHis, type MysqlHis, openDemoHis, type DemoHis } from '@pftis/his-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';
import type { HisConnection } from './drivers.js';

const hisKinds = ['demo PGlite', ...(process.env.PFTIS_TEST_MARIADB_URL ? ['MariaDB'] : []), ...(process.env.PFTIS_TEST_DATABASE_URL ? ['PostgreSQL'] : [])] as const;
const combos = backends.flatMap((db) => hisKinds.map((his) => [db, his] as const));
const today = new Date('2026-11-25T00:00:00Z');

describe.each(combos)('HIS interface views (PFTIS on %s, HIS on %s)', (kind, hisKind) => {
  let t: TestApp;
  let admin: Client;
  let demo: DemoHis | undefined;
  let mariadb: MysqlHis | undefined;

  beforeAll(async () => {
    let connection: HisConnection;
    if (hisKind === 'MariaDB') {
      mariadb = await createMysqlHis(process.env.PFTIS_TEST_MARIADB_URL!, `pftis_his_${process.pid}_${kind}`, { patients: 40, today });
      connection = { kind: 'mysql', url: mariadb.url };
    } else if (hisKind === 'PostgreSQL') {
      mariadb = await createPostgresHis(process.env.PFTIS_TEST_DATABASE_URL!, `pftis_his_${process.pid}_${kind}`, { patients: 40, today });
      connection = { kind: 'postgres', url: mariadb.url };
    } else {
      demo = await openDemoHis(undefined, new Date('2026-11-25T02:00:00Z'));
      connection = { kind: 'pglite', instance: demo.pglite };
    }
    t = await testApp(kind, { his: connection });
    admin = await signIn(t, (await given(t).user({ roles: ['system_admin'] })).username);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await demo?.close();
    await mariadb?.drop();
  });

  const current = async (code: string) => ((await admin.request('GET', '/api/his/views')).json() as Array<{ code: string; version: number; sql: string; mapping: unknown; timeoutMs: number; enabled: boolean }>).find((v) => v.code === code)!;

  it('finds a patient by card and their pending PFT orders through the configured views', async () => {
    const patient = await t.services.his.lookup('patient.by-card', '9000000007');
    expect(patient.problems).toEqual([]);
    expect(patient.records[0]).toMatchObject({ hisPatientId: 'P00000007', cardNo: '9000000007', outpatientNo: 'MZ00000007', sex: expect.stringMatching(/^(male|female)$/), birthDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const orders = await t.services.his.lookup('orders.by-patient', 'P00000007');
    for (const order of orders.records) expect(order).toMatchObject({ hisPatientId: 'P00000007', status: 'pending', itemCode: expect.stringMatching(/^FG00\d$/), visitSerialNo: expect.any(String) });
    const none = await t.services.his.lookup('patient.by-card', 'no-such-card');
    expect(none.problems).toEqual([{ kind: 'no-rows', message: '没有查到数据' }]);
  });

  it('keeps view definitions until the database announces a change, by whatever writer', async () => {
    const lookup = () => t.services.his.lookup('patient.by-card', '9000000007').then(() => 'answered', (error: Error) => error.message);
    expect(await lookup()).toBe('answered');
    // Written without the announcement, the change goes unseen: proof that the definition is kept…
    await sql`alter table his_view disable trigger his_view_changed`.execute(t.database.db);
    try {
      await sql`update his_view set enabled = false where code = 'patient.by-card'`.execute(t.database.db);
    } finally {
      await sql`alter table his_view enable trigger his_view_changed`.execute(t.database.db);
    }
    expect(await lookup()).toBe('answered');
    // …and any announcement forgets it; a change written in plain SQL (a DBA, another server) announces itself.
    await sql`select pg_notify('pftis_his_view', '*')`.execute(t.database.db);
    const within = async (expected: RegExp) => {
      const until = Date.now() + 1000;
      while (!expected.test(await lookup()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      return lookup();
    };
    expect(await within(/disabled/)).toMatch(/disabled/);
    await sql`update his_view set enabled = true where code = 'patient.by-card'`.execute(t.database.db);
    expect(await within(/^answered$/)).toBe('answered');
  });

  it('tests a draft: raw rows beside mapped records, and each problem named', async () => {
    const view = await current('patient.by-card');
    const ok = await admin.request('POST', '/api/his/views/patient.by-card/test', { sql: view.sql, mapping: view.mapping, timeoutMs: 3000, sampleKey: '9000000003' });
    expect(ok.statusCode).toBe(200);
    const good = ok.json();
    expect(good).toMatchObject({ ok: true, problems: [] });
    expect(good.rows[0][good.columns.find((c: string) => c.toLowerCase() === 'brid')]).toBe('P00000003');
    expect(good.records[0].hisPatientId).toBe('P00000003');

    const typo = await admin.request('POST', '/api/his/views/patient.by-card/test', {
      sql: view.sql, mapping: { ...(view.mapping as object), columns: { ...(view.mapping as { columns: object }).columns, birthDate: 'CHUSHENG' } }, timeoutMs: 3000, sampleKey: '9000000003',
    });
    expect(typo.json().problems).toEqual([expect.objectContaining({ kind: 'missing-column', field: 'birthDate', column: 'CHUSHENG' }), expect.objectContaining({ kind: 'missing-value', field: 'birthDate' })].slice(0, 1));

    const wrongType = await admin.request('POST', '/api/his/views/patient.by-card/test', {
      sql: view.sql.replace('CSRQ', 'BRXM AS CSRQ'), mapping: view.mapping, timeoutMs: 3000, sampleKey: '9000000003',
    });
    expect(wrongType.json().problems[0]).toMatchObject({ kind: 'wrong-type', field: 'birthDate' });

    const empty = await admin.request('POST', '/api/his/views/patient.by-card/test', { sql: view.sql, mapping: view.mapping, timeoutMs: 3000, sampleKey: 'nobody' });
    expect(empty.json().problems).toEqual([{ kind: 'no-rows', message: '没有查到数据' }]);

    const evil = await admin.request('POST', '/api/his/views/patient.by-card/test', { sql: `${view.sql}; DROP TABLE HIS_BRXX`, mapping: view.mapping, timeoutMs: 3000, sampleKey: '9000000003' });
    expect(evil.json()).toMatchObject({ ok: false, problems: [{ kind: 'error', message: expect.stringMatching(/只允许一条/) }] });

    const badSql = await admin.request('POST', '/api/his/views/patient.by-card/test', { sql: 'SELECT NO_SUCH_COLUMN FROM V_PFT_PATIENT WHERE JZKH = :key', mapping: view.mapping, timeoutMs: 3000, sampleKey: '1' });
    expect(badSql.json().problems[0]).toMatchObject({ kind: 'error', message: expect.stringMatching(/^数据库报错：/) });
  });

  it.skipIf(hisKind === 'demo PGlite')('reports a query that runs past its timeout', async () => {
    const view = await current('patient.by-card');
    const slow = 'SELECT count(*) AS c FROM HIS_BRXX a, HIS_BRXX b, HIS_BRXX c, HIS_BRXX d, HIS_BRXX e, HIS_BRXX f WHERE a.BRID <> :key';
    const response = await admin.request('POST', '/api/his/views/patient.by-card/test', { sql: slow, mapping: view.mapping, timeoutMs: 300, sampleKey: 'x' });
    expect(response.json().problems).toEqual([{ kind: 'timeout', message: '查询超过 300 毫秒未返回' }]);
  });

  it.skipIf(hisKind === 'demo PGlite')('runs look-ups read-only in the database itself, whatever SQL reaches the driver', async () => {
    const { createHisDriver } = await import('./drivers.js');
    const driver = createHisDriver(hisKind === 'MariaDB' ? { kind: 'mysql', url: mariadb!.url } : { kind: 'postgres', url: mariadb!.url });
    try {
      await expect(driver.query("UPDATE HIS_JCSQ SET ZT = '9' WHERE SQDH = :key", { key: 'x' }, 2000)).rejects.toThrow(/read.only/i);
    } finally {
      await driver.close();
    }
  });

  it('saves only a version that passes its test, keeps history with diffs, and rolls back', async () => {
    const view = await current('order.by-request-no');
    const broken = await admin.request('POST', '/api/his/views/order.by-request-no/versions', { sql: view.sql.replace('SQDH,', 'SQDH_TYPO,'), mapping: view.mapping, timeoutMs: 2000, sampleKey: 'SQ202611250000000100', comment: '坏的修改' });
    expect(broken.statusCode).toBe(422);
    expect(broken.json().title).toBe('测试未通过，未保存：当前版本继续生效');
    expect((await current('order.by-request-no')).version).toBe(view.version);

    const orders = await t.services.his.lookup('orders.by-patient', 'P00000001');
    const requestNo = String(orders.records[0]?.requestNo ?? (await t.services.his.lookup('orders.by-patient', 'P00000002')).records[0]!.requestNo);
    const saved = await admin.request('POST', '/api/his/views/order.by-request-no/versions', { sql: `${view.sql}\n  AND ZT <> '9'`, mapping: view.mapping, timeoutMs: view.timeoutMs, sampleKey: requestNo, comment: '排除作废申请单' });
    expect(saved.statusCode).toBe(201);
    expect(saved.json().version).toBe(view.version + 1);

    const history = (await admin.request('GET', '/api/his/views/order.by-request-no/versions')).json();
    expect(history[0]).toMatchObject({ version: view.version + 1, current: true, comment: '排除作废申请单', createdByName: expect.any(String) });
    expect(history[0].diff.filter((d: { kind: string }) => d.kind !== 'same')).toEqual([{ kind: 'added', text: "  AND ZT <> '9'" }]);

    const rolled = await admin.request('POST', '/api/his/views/order.by-request-no/rollback', { version: view.version });
    expect(rolled.json().version).toBe(view.version + 2);
    expect((await current('order.by-request-no')).sql).toBe(view.sql);
    const audit = await t.database.db.selectFrom('auditLog').select('action').where('entityId', '=', 'order.by-request-no').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['his.view-tested', 'his.view-tested', 'his.view-saved', 'his.view-rolled-back']);
  });

  it('refuses lookups on a disabled view, and shows live status', async () => {
    expect((await admin.request('POST', '/api/his/views/patient.by-id-number/enabled', { enabled: false })).statusCode).toBe(200);
    await expect(t.services.his.lookup('patient.by-id-number', '110101199003074514')).rejects.toMatchObject({ code: 'his.unavailable' });
    await admin.request('POST', '/api/his/views/patient.by-id-number/enabled', { enabled: true });
    const list = (await admin.request('GET', '/api/his/views')).json();
    const byCard = list.find((v: { code: string }) => v.code === 'patient.by-card');
    expect(byCard.status.calls).toBeGreaterThanOrEqual(2);
    expect(byCard.status.lastSuccessAt).not.toBeNull();
    expect(byCard.status.medianLatencyMs).toBeGreaterThan(0);
  });

  it('lets only the interface permissions see or change views', async () => {
    const tech = await signIn(t, (await given(t).user({ roles: ['technician'] })).username);
    expect((await tech.request('GET', '/api/his/views')).statusCode).toBe(403);
    expect((await tech.request('POST', '/api/his/views/patient.by-card/enabled', { enabled: false })).statusCode).toBe(403);
  });
});

describe('a HIS that cannot be reached', () => {
  it('answers lookups with a clear unavailable error and records the failure', async () => {
    const t = await testApp('pglite', { his: { kind: 'mysql', url: 'mysql://pftis_ro@127.0.0.1:1/his' } });
    try {
      await expect(t.services.his.lookup('patient.by-card', '9000000001')).rejects.toMatchObject({ code: 'his.unavailable', status: 503 });
      await t.services.his.flushCalls();
      const failures = await t.database.db.selectFrom('hisViewCall').select(['ok', 'error']).execute();
      expect(failures).toEqual([{ ok: false, error: expect.stringMatching(/ECONNREFUSED|connect/) }]);
    } finally {
      await t.close();
    }
  });
});
