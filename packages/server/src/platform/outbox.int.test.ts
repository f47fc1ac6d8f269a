import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { backends, testDatabase } from '../test/harness.js';
import { createOutboxWorker, enqueue, PermanentFailure } from './outbox.js';

describe.each(backends)('outbox (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await testDatabase(kind);
  });
  afterAll(() => database?.close());

  const queue = (topic: string, key: string, maxAttempts?: number) => database.db.transaction().execute((trx) => enqueue(trx, { topic, key, payload: { key }, maxAttempts }));
  const row = (key: string) => database.db.selectFrom('outbox').selectAll().where('key', '=', key).executeTakeFirstOrThrow();

  it('skips a message of its batch that another worker has claimed since, so none is sent twice', async () => {
    await queue('t.skip', 'skip-1');
    await queue('t.skip', 'skip-2');
    const handled: string[] = [];
    const worker = createOutboxWorker({
      db: database.db,
      leaseMs: 1000,
      handlers: {
        't.skip': async (payload: { key: string }) => {
          handled.push(payload.key);
          // While this worker is busy, its lease on skip-2 runs out and another worker claims it.
          if (payload.key === 'skip-1') await database.db.updateTable('outbox').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('key', '=', 'skip-2').execute();
        },
      },
    });
    await worker.runOnce();
    expect(handled).toEqual(['skip-1']);
    expect((await row('skip-2')).status).toBe('pending');
  });

  it('drains a backlog, and the jobs its handlers queue, in one tick of the poller, and stops after the batch in hand', async () => {
    for (let i = 0; i < 45; i++) await queue('t.first', `first-${i}`);
    const worker = createOutboxWorker({
      db: database.db,
      handlers: {
        't.first': (p: { key: string }) => database.db.transaction().execute((trx) => enqueue(trx, { topic: 't.next', key: `next-${p.key}`, payload: {} })),
        't.next': async () => {},
      },
    });
    // An hour between ticks: everything below is the work of the first one.
    worker.start(3_600_000);
    const open = () => database.db.selectFrom('outbox').select('key').where('topic', 'in', ['t.first', 't.next']).where('status', '<>', 'done').execute();
    for (let waited = 0; (await open()).length > 0 && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    await worker.stop();
    expect(await open()).toEqual([]);
    expect((await database.db.selectFrom('outbox').select('key').where('topic', '=', 't.next').execute()).length).toBe(45);

    for (let i = 0; i < 45; i++) await queue('t.slow', `slow-${i}`);
    const slow = createOutboxWorker({ db: database.db, handlers: { 't.slow': () => new Promise((r) => setTimeout(r, 20)) } });
    slow.start(3_600_000);
    await slow.stop();
    const left = await database.db.selectFrom('outbox').select('key').where('topic', '=', 't.slow').where('status', '=', 'pending').execute();
    expect(left.length).toBeGreaterThanOrEqual(45 - 20);
  });

  it('keeps a crashed worker’s claim invisible until its lease passes, then retries it', async () => {
    let clock = new Date('2026-11-25T08:00:00Z');
    await database.db.transaction().execute((trx) => enqueue(trx, { topic: 't.lease', key: 'lease-1', payload: { key: 'lease-1' } }, clock));
    const sent: string[] = [];
    const worker = (fail: boolean) => createOutboxWorker({ db: database.db, leaseMs: 60_000, now: () => clock, handlers: { 't.lease': async (p: { key: string }) => { if (fail) throw new Error('crashed'); sent.push(p.key); } } });
    // A worker claims it and "dies" before recording anything: emulate by claiming and not finishing.
    await database.db.updateTable('outbox').set({ attempts: 1, nextAttemptAt: new Date(clock.getTime() + 60_000) }).where('key', '=', 'lease-1').execute();
    expect(await worker(false).runOnce()).toBe(0);
    clock = new Date(clock.getTime() + 61_000);
    expect(await worker(false).runOnce()).toBe(1);
    expect(sent).toEqual(['lease-1']);
    expect((await row('lease-1')).status).toBe('done');
  });

  it('parks a message as failed after its own attempt limit, or at once for a permanent failure', async () => {
    let clock = new Date('2026-11-25T09:00:00Z');
    await queue('t.limit', 'limit-1', 2);
    await queue('t.permanent', 'perm-1');
    const worker = createOutboxWorker({
      db: database.db,
      now: () => clock,
      handlers: { 't.limit': async () => { throw new Error('HIS down'); }, 't.permanent': async () => { throw new PermanentFailure('refused'); } },
    });
    for (let i = 0; i < 3; i++) {
      await database.db.updateTable('outbox').set({ nextAttemptAt: new Date(0) }).where('status', '=', 'pending').where('topic', 'like', 't.%').execute();
      await worker.runOnce();
      clock = new Date(clock.getTime() + 3_600_000);
    }
    expect(await row('limit-1')).toMatchObject({ status: 'failed', attempts: 2, lastError: 'HIS down' });
    expect(await row('perm-1')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'refused' });
    const attempts = await database.db.selectFrom('outboxAttempt').select('ok').where('outboxId', '=', (await row('limit-1')).id).execute();
    expect(attempts).toHaveLength(2);
  });
});
