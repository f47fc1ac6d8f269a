import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { type AuditActor, recordAuditAlone, verifyAuditChain } from '../../platform/audit.js';

export interface AuditQuery {
  from?: Date;
  to?: Date;
  actor?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  outcome?: 'success' | 'failure' | 'denied';
  page: number;
  pageSize: number;
}

export type AuditService = ReturnType<typeof createAuditService>;

/** The audit administrator's view of the log: search and chain verification. Reading it is itself audited. */
export function createAuditService({ db }: { db: Kysely<DB> }) {
  async function search(actor: AuditActor, q: AuditQuery) {
    let query = db.selectFrom('auditLog');
    if (q.from) query = query.where('occurredAt', '>=', q.from);
    if (q.to) query = query.where('occurredAt', '<', q.to);
    if (q.actor) query = query.where('actorName', 'ilike', `%${q.actor}%`);
    if (q.action) query = query.where('action', 'like', `${q.action}%`);
    if (q.entityType) query = query.where('entityType', '=', q.entityType);
    if (q.entityId) query = query.where('entityId', '=', q.entityId);
    if (q.outcome) query = query.where('outcome', '=', q.outcome);
    const [rows, total] = await Promise.all([
      query.selectAll().orderBy('id', 'desc').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const { page, pageSize, ...filters } = q;
    await recordAuditAlone(db, actor, { action: 'audit.searched', detail: { filters, page } });
    return {
      total: Number(total.n),
      page,
      pageSize,
      items: rows.map((r) => ({ ...r, occurredAt: r.occurredAt.toISOString() })),
    };
  }

  async function verify(actor: AuditActor) {
    const verdict = await verifyAuditChain(db);
    await recordAuditAlone(db, actor, { action: 'audit.verified', detail: verdict });
    return verdict;
  }

  return { search, verify };
}
