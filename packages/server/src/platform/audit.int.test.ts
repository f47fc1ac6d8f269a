import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { given } from '../test/given.js';
import { backends, type TestApp, testApp } from '../test/harness.js';
import { recordAudit, systemActor, verifyAuditChain } from './audit.js';

describe.each(backends)('audit log on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
    // Some history: users, campuses, and entries with awkward content.
    await given(t).user({ roles: ['technician'] });
    await t.database.db.transaction().execute((trx) =>
      recordAudit(trx, { userId: null, name: '张三', ip: '10.0.0.1' }, { action: 'test.awkward', before: { b: 1.5, a: [1, 'é', null], nested: { z: true, y: '肺功能' } }, detail: { n: 0.1 + 0.2 } }),
    );
  });
  afterAll(() => t?.close());

  const db = () => t.database.db;
  const entries = () => db().selectFrom('auditLog').select(['id', 'action', 'prevHash', 'hash']).orderBy('id').execute();

  it('chains every entry to the one before it, from genesis', async () => {
    const rows = await entries();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows[0]!.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, checked: rows.length });
  });

  it('refuses updates, deletes and truncation', async () => {
    await expect(sql`update audit_log set action = 'x'`.execute(db())).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(db())).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(db())).rejects.toThrow(/append-only/);
  });

  it('keeps the chain under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => db().transaction().execute((trx) => recordAudit(trx, systemActor(), { action: `test.concurrent.${i}` }))),
    );
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it('finds the first altered entry after someone bypasses the trigger', async () => {
    const rows = await entries();
    const victim = rows[2]!;
    await tamper(`update audit_log set actor_name = 'someone else' where id = ${victim.id}`);
    expect(await verifyAuditChain(db())).toEqual({ ok: false, checked: 2, brokenAtId: victim.id, reason: 'content-altered' });
  });

  it('finds a deleted entry by the broken link of the next one', async () => {
    const fresh = await testApp(kind);
    try {
      await given(fresh).user({ roles: ['technician'] });
      await given(fresh).user({ roles: ['technician'] });
      const rows = await fresh.database.db.selectFrom('auditLog').select('id').orderBy('id').execute();
      const deleted = rows[1]!.id;
      await tamper(`delete from audit_log where id = ${deleted}`, fresh);
      const verdict = await verifyAuditChain(fresh.database.db);
      expect(verdict).toEqual({ ok: false, checked: 1, brokenAtId: rows[2]!.id, reason: 'link-broken' });
    } finally {
      await fresh.close();
    }
  });

  /** What a database superuser could do: switch the append-only trigger off, change history, switch it on. */
  async function tamper(statement: string, target = t) {
    const d = target.database.db;
    await sql.raw('alter table audit_log disable trigger audit_log_no_update').execute(d);
    await sql.raw(statement).execute(d);
    await sql.raw('alter table audit_log enable trigger audit_log_no_update').execute(d);
  }
});
