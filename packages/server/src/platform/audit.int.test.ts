import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../db/types.js';
import { withDatabase } from '../test/global-setup.js';
import { given } from '../test/given.js';
import { backends, type TestApp, testApp } from '../test/harness.js';
import { entryHash, GENESIS_HASH, recordAudit, recordAuditAlone, recordDataShown, systemActor, verifyAuditChain } from './audit.js';

const head = async (db: Kysely<DB>) => (await db.selectFrom('auditLog').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst())?.hash ?? GENESIS_HASH;

/** An entry written straight into the table, as a server process other than this one would: this process's guess of the head goes stale. */
async function insertChainedTo(db: Kysely<DB>, prevHash: string, action: string) {
  const fields = { occurredAt: new Date(), actorId: null, actorName: 'other process', ip: null, action, outcome: 'success' as const, entityType: null, entityId: null, campusId: null, before: null, after: null, detail: null, prevHash };
  return db.insertInto('auditLog').values({ ...fields, hash: entryHash(fields) }).returning('id').executeTakeFirst();
}

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

  it('refuses, in the database, an entry that does not continue the newest one', async () => {
    const rows = await entries();
    const before = rows.length;
    // Chained to an older entry (a fork), to genesis, to nothing that exists: not inserted, no error, no row back.
    expect(await insertChainedTo(db(), rows[0]!.hash, 'test.fork')).toBeUndefined();
    expect(await insertChainedTo(db(), GENESIS_HASH, 'test.fork')).toBeUndefined();
    expect(await insertChainedTo(db(), 'f'.repeat(64), 'test.fork')).toBeUndefined();
    expect(await entries()).toHaveLength(before);
    const appended = await insertChainedTo(db(), await head(db()), 'test.continues');
    expect(appended?.id).toBeGreaterThan(rows.at(-1)!.id);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, checked: before + 1 });
  });

  it('retries when another process has appended since (a stale head), alone and inside a transaction', async () => {
    await recordAuditAlone(db(), systemActor(), { action: 'test.before-other' });
    await insertChainedTo(db(), await head(db()), 'test.other-process');
    await recordAuditAlone(db(), systemActor(), { action: 'test.stale-alone' });
    await insertChainedTo(db(), await head(db()), 'test.other-process');
    await db().transaction().execute((trx) => recordAudit(trx, systemActor(), { action: 'test.stale-in-transaction' }));
    const actions = (await entries()).map((r) => r.action);
    expect(actions.slice(-5)).toEqual(['test.before-other', 'test.other-process', 'test.stale-alone', 'test.other-process', 'test.stale-in-transaction']);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it('records data shown like any entry (chained, also after another process appended), flushing it soon instead of at commit', async () => {
    await recordDataShown(db(), systemActor(), { action: 'test.shown', entityType: 'his_patient', entityId: 'P1' });
    await insertChainedTo(db(), await head(db()), 'test.other-process');
    await recordDataShown(db(), systemActor(), { action: 'test.shown-after-other', entityType: 'his_patient', entityId: 'P2' });
    expect((await entries()).map((r) => r.action).slice(-3)).toEqual(['test.shown', 'test.other-process', 'test.shown-after-other']);
    expect((await verifyAuditChain(db())).ok).toBe(true);
    // Asynchronous commit holds for the entry's own transaction only: never for what the connection does next.
    const settings = await db()
      .connection()
      .execute(async (connection) => {
        const commitSetting = async (on: Kysely<DB>) => (await sql<{ synchronousCommit: string }>`show synchronous_commit`.execute(on)).rows[0]!.synchronousCommit;
        const inside = await connection.transaction().execute(async (trx) => {
          await recordDataShown(trx, systemActor(), { action: 'test.shown-in-transaction' });
          return commitSetting(trx);
        });
        return { inside, after: await commitSetting(connection) };
      });
    expect(settings).toEqual({ inside: 'off', after: 'on' });
  });

  it('does not chain to an entry whose transaction rolled back', async () => {
    await expect(
      db().transaction().execute(async (trx) => {
        await recordAudit(trx, systemActor(), { action: 'test.rolled-back' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await recordAuditAlone(db(), systemActor(), { action: 'test.after-rollback' });
    await db().transaction().execute((trx) => recordAudit(trx, systemActor(), { action: 'test.after-rollback-2' }));
    const actions = (await entries()).map((r) => r.action);
    expect(actions).not.toContain('test.rolled-back');
    expect(actions.slice(-2)).toEqual(['test.after-rollback', 'test.after-rollback-2']);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it.skipIf(kind !== 'postgres')('keeps one chain while two other server processes append at the same time', async () => {
    const { name } = (await sql<{ name: string }>`select current_database() as name`.execute(db())).rows[0]!;
    const url = withDatabase(process.env.PFTIS_TEST_DATABASE_URL!, name);
    const writer = path.resolve(import.meta.dirname, '../test/audit-writer.mjs');
    const before = (await entries()).length;
    const run = (label: string) => promisify(execFile)(process.execPath, [writer, url, '60', label], { timeout: 60_000 });
    await Promise.all([
      run('a'),
      run('b'),
      (async () => {
        for (let i = 0; i < 30; i++) await recordAuditAlone(db(), systemActor(), { action: `test.process.self.${i}` });
      })(),
    ]);
    const rows = await entries();
    expect(rows.length).toBe(before + 150);
    for (const label of ['a', 'b']) expect(rows.filter((r) => r.action.startsWith(`test.process.${label}.`))).toHaveLength(60);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, checked: rows.length });
  }, 90_000);

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
