import { CompiledQuery, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AuditLogTable, DB } from '../db/types.js';
import { sm3Hex } from './crypto.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** Who did it: a person with a session, or the system itself (CLI, jobs). */
export interface AuditActor {
  userId: string | null;
  name: string;
  ip: string | null;
}

export const systemActor = (name = 'system'): AuditActor => ({ userId: null, name, ip: null });

export interface AuditInput {
  action: string;
  outcome?: 'success' | 'failure' | 'denied';
  entityType?: string;
  entityId?: string;
  campusId?: string | null;
  before?: unknown;
  after?: unknown;
  detail?: unknown;
}

export type AuditEntry = Selectable<AuditLogTable>;

export const GENESIS_HASH = '0'.repeat(64);

/** Deterministic JSON: object keys sorted at every level, so the hash survives a jsonb round trip. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

type HashedFields = Omit<AuditEntry, 'id' | 'hash'>;

/** SM3 over the previous entry's hash and this entry's canonical content. */
export function entryHash(e: HashedFields): string {
  const content = [e.occurredAt, e.actorId, e.actorName, e.ip, e.action, e.outcome, e.entityType, e.entityId, e.campusId, e.before, e.after, e.detail];
  return sm3Hex(`${e.prevHash}\n${canonicalJson(content)}`);
}

const toJson = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
// jsonb drops undefined members and normalises numbers; hash what the database will give back.
const normalise = (value: unknown) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

type Content = Omit<HashedFields, 'prevHash'>;

function contentOf(actor: AuditActor, input: AuditInput, now: Date): Content {
  return {
    occurredAt: now,
    actorId: actor.userId,
    actorName: actor.name,
    ip: actor.ip,
    action: input.action,
    outcome: input.outcome ?? 'success',
    entityType: input.entityType ?? null,
    entityId: input.entityId ?? null,
    campusId: input.campusId ?? null,
    before: normalise(input.before),
    after: normalise(input.after),
    detail: normalise(input.detail),
  };
}

/**
 * The chain head as this process last wrote it: a guess that saves reading the head before every entry.
 * The database decides (trigger audit_log_chain, migration 202611252200): under the chain lock it refuses
 * an entry whose prev_hash is not the current head, so a stale guess (another server process wrote since,
 * or the transaction that wrote the guess rolled back) costs one more statement, never a fork.
 */
let headGuess = GENESIS_HASH;

// Written out once rather than built per entry: building and compiling the query cost more than hashing the entry,
// and a patient look-up waits for this statement.
const COLUMNS = 'occurred_at, actor_id, actor_name, ip, action, outcome, entity_type, entity_id, campus_id, before, after, detail, prev_hash, hash';
const VALUES = '$1::timestamptz, $2::uuid, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::uuid, $10::jsonb, $11::jsonb, $12::jsonb, $13::text, $14::text';
const APPEND = `insert into audit_log (${COLUMNS}) values (${VALUES}) returning id`;
// The same entry, committed before the statement returns but without waiting for its WAL to reach the disk
// (asynchronous commit, for this one transaction): the WAL writer flushes it within 3 × wal_writer_delay, 0.6 s by
// default. Only a crash of the database server in that window can lose it, and then with every entry after it, so
// the chain stays whole (any later synchronous commit flushes all that came before).
const APPEND_FLUSHED_SOON = `with flushed_soon as (select set_config('synchronous_commit', 'off', true))
  insert into audit_log (${COLUMNS}) select ${VALUES} from flushed_soon returning id`;

type Flush = 'at-commit' | 'soon';

/** One INSERT of the entry chained to `prevHash`; false when the database refused it (not the head). */
async function tryAppend(db: Executor, content: Content, prevHash: string, flush: Flush = 'at-commit'): Promise<boolean> {
  const e: HashedFields = { ...content, prevHash };
  const hash = entryHash(e);
  const parameters = [e.occurredAt, e.actorId, e.actorName, e.ip, e.action, e.outcome, e.entityType, e.entityId, e.campusId, toJson(e.before), toJson(e.after), toJson(e.detail), prevHash, hash];
  const { rows } = await db.executeQuery(CompiledQuery.raw(flush === 'soon' ? APPEND_FLUSHED_SOON : APPEND, parameters));
  if (!rows.length) return false;
  headGuess = hash;
  return true;
}

const readHead = async (db: Executor) => (await db.selectFrom('auditLog').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst())?.hash ?? GENESIS_HASH;

class ChainRefused extends Error {
  constructor() {
    super('audit entry refused by the chain guard although the chain lock is held');
  }
}

/** Appends under the chain lock of `trx`'s transaction: one statement when the guess is right, three when not. */
async function appendInTransaction(trx: Transaction<DB>, content: Content, flush: Flush = 'at-commit'): Promise<void> {
  if (await tryAppend(trx, content, headGuess, flush)) return;
  // Refused, but the guard took the chain lock for this transaction: the head read now stays the head.
  if (!(await tryAppend(trx, content, await readHead(trx), flush))) throw new ChainRefused();
}

/**
 * Appends one entry, inside the caller's transaction so the change and its audit record commit together.
 * The chain lock (taken by the database's guard on insert) serialises the chain across processes and is
 * held until commit, so record the audit entry as the last step of a transaction.
 */
export async function recordAudit(trx: Transaction<DB>, actor: AuditActor, input: AuditInput, now = new Date()): Promise<void> {
  await appendInTransaction(trx, contentOf(actor, input, now));
}

/**
 * Records an entry in a transaction of its own (logins, denials, patient look-ups: events with no other change):
 * a single autocommitted INSERT when this process's guess of the head is right, else a fresh read of the head and
 * one more try, and only then a transaction that holds the chain lock.
 */
export async function recordAuditAlone(db: Kysely<DB>, actor: AuditActor, input: AuditInput, now = new Date(), flush: Flush = 'at-commit'): Promise<void> {
  const content = contentOf(actor, input, now);
  if (await tryAppend(db, content, headGuess, flush)) return;
  if (await tryAppend(db, content, await readHead(db), flush)) return;
  await db.transaction().execute((trx) => appendInTransaction(trx, content, flush));
}

/**
 * Records that someone was shown personal data (a patient look-up): committed and chained before the caller goes
 * on, as every entry is, but flushed to disk soon after rather than waited for. The reply that shows the data waits
 * on this entry, and the disk flush was the largest part of that wait; what it risks is a look-up's record in the
 * fraction of a second before a database server crash. Changes, sign-ins and refusals are flushed at commit.
 */
export function recordDataShown(db: Kysely<DB>, actor: AuditActor, input: AuditInput, now = new Date()): Promise<void> {
  return recordAuditAlone(db, actor, input, now, 'soon');
}

export type ChainVerdict =
  | { ok: true; checked: number; headHash: string }
  | { ok: false; checked: number; brokenAtId: number; reason: 'content-altered' | 'link-broken' };

/** Walks the whole chain in id order and reports the first entry whose hash or link does not hold. */
export async function verifyAuditChain(db: Executor, batchSize = 2000): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let afterId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db.selectFrom('auditLog').selectAll().where('id', '>', afterId).orderBy('id').limit(batchSize).execute();
    for (const row of rows) {
      const entry = row as unknown as AuditEntry;
      if (entry.prevHash !== prevHash) return { ok: false, checked, brokenAtId: entry.id, reason: 'link-broken' };
      if (entryHash(entry) !== entry.hash) return { ok: false, checked, brokenAtId: entry.id, reason: 'content-altered' };
      prevHash = entry.hash;
      afterId = entry.id;
      checked += 1;
    }
    if (rows.length < batchSize) return { ok: true, checked, headHash: prevHash };
  }
}
