import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.js';
import { createPoller } from './poller.js';

export interface OutboxMessage {
  topic: string;
  /** Idempotency key: the same key is only ever queued once. */
  key: string;
  payload: unknown;
  campusId?: string | null;
  /** Attempts before the message is parked as failed (default: the worker's). */
  maxAttempts?: number;
}

/** Queues a message in the caller's transaction, so it exists exactly when the change that caused it does. */
export async function enqueue(trx: Transaction<DB>, message: OutboxMessage, now = new Date()): Promise<void> {
  await trx
    .insertInto('outbox')
    .values({ topic: message.topic, key: message.key, payload: JSON.stringify(message.payload), campusId: message.campusId ?? null, nextAttemptAt: now, maxAttempts: message.maxAttempts ?? null })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** A failure that retrying cannot fix (bad configuration, refused by the receiver): goes straight to failed. */
export class PermanentFailure extends Error {}

export type OutboxHandler = (payload: any, context: { key: string; attempt: number }) => Promise<string | void>;

export interface OutboxWorkerOptions {
  db: Kysely<DB>;
  handlers: Record<string, OutboxHandler>;
  now?: () => Date;
  maxAttempts?: number;
  /** How long a claimed message stays invisible to other workers; a crashed worker's claim expires. */
  leaseMs?: number;
  onError?: (error: unknown) => void;
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>;

/** Delivers due messages: retries with exponential back-off, and parks a message as failed after maxAttempts. */
export function createOutboxWorker({ db, handlers, now = () => new Date(), maxAttempts = 8, leaseMs = 60_000, onError }: OutboxWorkerOptions) {
  const backoffMs = (attempt: number) => Math.min(5_000 * 2 ** (attempt - 1), 15 * 60_000);

  async function claim(limit: number) {
    const topics = Object.keys(handlers);
    return db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('nextAttemptAt', '<=', now())
        .where('topic', 'in', topics)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      return trx
        .updateTable('outbox')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), nextAttemptAt: new Date(now().getTime() + leaseMs) }))
        .where('id', 'in', due.map((d) => d.id))
        .returning(['id', 'topic', 'key', 'payload', 'attempts', 'maxAttempts'])
        .execute();
    });
  }

  /** Processes the messages due now; returns how many it handled. */
  async function runOnce(limit = 20): Promise<number> {
    const claimed = await claim(limit);
    for (const [index, message] of claimed.entries()) {
      // A batch can outlast its lease (a slow receiver): renew it before each message, and skip a message that
      // another worker has claimed since (its attempt count moved on), so no message is sent by two workers at once.
      if (index > 0) {
        const renewed = await db
          .updateTable('outbox')
          .set({ nextAttemptAt: new Date(now().getTime() + leaseMs) })
          .where('id', '=', message.id).where('attempts', '=', message.attempts).where('status', '=', 'pending')
          .returning('id')
          .executeTakeFirst();
        if (!renewed) continue;
      }
      const started = performance.now();
      let ok = false;
      let detail: string | undefined;
      let permanent = false;
      try {
        detail = (await handlers[message.topic]!(message.payload, { key: message.key, attempt: message.attempts })) ?? undefined;
        ok = true;
      } catch (error) {
        detail = error instanceof Error ? error.message : String(error);
        permanent = error instanceof PermanentFailure;
      }
      const durationMs = performance.now() - started;
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('outboxAttempt').values({ outboxId: message.id, attemptedAt: now(), ok, durationMs, detail: detail ?? null }).execute();
        if (ok) {
          await trx.updateTable('outbox').set({ status: 'done', doneAt: now(), lastError: null }).where('id', '=', message.id).execute();
        } else {
          const failed = permanent || message.attempts >= (message.maxAttempts ?? maxAttempts);
          await trx
            .updateTable('outbox')
            .set({ status: failed ? 'failed' : 'pending', lastError: detail ?? 'unknown error', nextAttemptAt: new Date(now().getTime() + backoffMs(message.attempts)) })
            .where('id', '=', message.id)
            .execute();
        }
      });
    }
    return claimed.length;
  }

  let stopping = false;
  // A tick works until nothing is due, so a backlog drains as fast as the handlers go (not one batch per tick) and a
  // job queued by a handler (report.approved fans out into report.deliver) is sent in the same tick. Stopping ends
  // the tick after the batch in hand.
  const poller = createPoller(async () => {
    while (!stopping && (await runOnce()) > 0);
  }, onError);
  return {
    runOnce,
    /** Drains everything due now (tests, and the manual "send now"). */
    async drain() {
      while ((await runOnce()) > 0);
    },
    start: (intervalMs = 1000) => {
      stopping = false;
      poller.start(intervalMs);
    },
    async stop() {
      stopping = true;
      await poller.stop();
    },
  };
}

/** Puts a failed or waiting message back in the queue for an immediate attempt. */
export async function retryNow(trx: Transaction<DB>, key: string, now = new Date()) {
  await trx.updateTable('outbox').set({ status: 'pending', nextAttemptAt: now }).where('key', '=', key).where('status', '!=', 'done').execute();
}

export const outboxState = (db: Kysely<DB> | Transaction<DB>, keys: string[]) =>
  keys.length === 0
    ? Promise.resolve([])
    : db.selectFrom('outbox').select(['key', 'status', 'attempts', 'lastError', 'nextAttemptAt']).where('key', 'in', keys).execute();

