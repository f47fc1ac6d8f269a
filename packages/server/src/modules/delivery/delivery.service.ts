import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import type { Sm4Sealer } from '../../platform/crypto.js';
import { NotFound } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import { enqueue, PermanentFailure, retryNow } from '../../platform/outbox.js';
import type { HisService } from '../his/his.service.js';
import type { ReportsService } from '../reports/reports.service.js';
import { REPORT_APPROVED_TOPIC, REPORT_REVOKED_TOPIC, type Renderer } from '../review/review.service.js';
import { sendToTarget } from './adapters.js';
import { loadDeliveredReport } from './delivered.js';
import { reasonZh, type TargetConfig, type TargetInput } from './targets.js';

/** The review writes APPROVED_TOPIC when a version is approved (same transaction); fanned out here to every target. */
export const APPROVED_TOPIC = REPORT_APPROVED_TOPIC;
export const REVOKED_TOPIC = REPORT_REVOKED_TOPIC;
export const DELIVER_TOPIC = 'report.deliver';

export interface ApprovedEvent {
  reportId: string;
  version: number;
  campusId: string;
}
interface DeliverJob {
  reportId: string;
  version: number;
  targetId: string;
  /** Absent on jobs for an approval. */
  action?: 'revoke';
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;

/**
 * 报告上传: approved reports to every configured target of their campus through the outbox — retried with back-off,
 * idempotent per report version and target, parked for an administrator after too many failures.
 */
export function createDeliveryService({ db, files, his, reports, renderer, sealer, publicUrl, hospitalName, now = () => new Date() }: {
  db: Kysely<DB>; files: FileStore; his: HisService; reports: ReportsService; renderer: Renderer; sealer: Sm4Sealer; publicUrl: string; hospitalName: string; now?: () => Date;
}) {
  const view = (t: { id: string; campusId: string | null; name: string; kind: string; document: string; config: unknown; secretSealed: string | null; updateStatus: boolean; maxAttempts: number; enabled: boolean; updatedAt: Date }) => ({
    id: t.id, campusId: t.campusId, name: t.name, kind: t.kind, document: t.document, config: t.config, hasSecret: t.secretSealed !== null,
    updateStatus: t.updateStatus, maxAttempts: t.maxAttempts, enabled: t.enabled, updatedAt: t.updatedAt.toISOString(),
  });

  async function listTargets() {
    return (await db.selectFrom('deliveryTarget').selectAll().orderBy('createdAt').execute()).map(view);
  }

  async function saveTarget(actor: AuditActor, input: TargetInput, id?: string) {
    const { secret, config, kind, ...rest } = input;
    return db.transaction().execute(async (trx) => {
      const values = { ...rest, kind, config: JSON.stringify(config), updatedAt: now(), ...(secret !== undefined && { secretSealed: secret === '' ? null : sealer.seal(secret) }) };
      const before = id ? await trx.selectFrom('deliveryTarget').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
      if (id && !before) throw new NotFound('delivery target', id);
      const row = id
        ? await trx.updateTable('deliveryTarget').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
        : await trx.insertInto('deliveryTarget').values(values).returningAll().executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: id ? 'delivery.target-updated' : 'delivery.target-created', entityType: 'delivery_target', entityId: row.id, before: before && { ...view(before), config: before.config }, after: { ...view(row), secretChanged: secret !== undefined } }, now());
      return view(row);
    });
  }

  /** 'report.approved' (or 'report.revoked') → one delivery job per enabled target of the report's campus. */
  async function fanOut(event: ApprovedEvent, action?: 'revoke') {
    return db.transaction().execute(async (trx) => {
      const targets = await trx
        .selectFrom('deliveryTarget')
        .select(['id', 'maxAttempts'])
        .where('enabled', '=', true)
        .where((w) => w.or([w('campusId', 'is', null), w('campusId', '=', event.campusId)]))
        .execute();
      for (const target of targets) {
        const payload: DeliverJob = { reportId: event.reportId, version: event.version, targetId: target.id, ...(action && { action }) };
        await enqueue(trx, { topic: DELIVER_TOPIC, key: `${action ?? 'deliver'}:${event.reportId}:${event.version}:${target.id}`, payload, campusId: event.campusId, maxAttempts: target.maxAttempts }, now());
      }
      return targets.length ? `queued for ${targets.length} target(s)` : 'no delivery target configured';
    });
  }

  /** One delivery attempt. Checks again that the version completed review before anything leaves. */
  async function deliver(job: DeliverJob) {
    const target = await db.selectFrom('deliveryTarget').selectAll().where('id', '=', job.targetId).executeTakeFirst();
    if (!target) throw new PermanentFailure(`delivery target ${job.targetId} no longer exists`);
    if (!target.enabled) throw new PermanentFailure(`delivery target ${target.name} is disabled`);
    const loaded = await loadDeliveredReport(db, files, { reportId: job.reportId, version: job.version, publicUrl, hospitalName });
    if (!loaded) throw new PermanentFailure(`report ${job.reportId} version ${job.version} not found`);
    const report = loaded.report;
    if (job.action === 'revoke') {
      if (loaded.status !== 'revoked') throw new PermanentFailure(`report ${job.reportId} version ${job.version} is ${loaded.status}, not revoked: no withdrawal sent`);
      report.action = 'revoke';
      report.revocationReason = loaded.revocationReason;
    } else {
      if (loaded.status !== 'approved' && loaded.status !== 'superseded') throw new PermanentFailure(`report ${job.reportId} version ${job.version} is ${loaded.status}, not approved: not sent`);
      const newer = await db.selectFrom('reportVersion').select('version').where('reportId', '=', job.reportId).where('version', '>', job.version).where('status', '=', 'approved').executeTakeFirst();
      if (newer) return `superseded by version ${newer.version} before delivery; that version replaces it`;
    }
    if (target.document === 'jpg') {
      const layout = await reports.layout();
      report.jpgPages = await renderer.jpg(report.pdf.bytes, { dpi: layout.jpgDpi, quality: layout.jpgQuality });
    }
    const secret = target.secretSealed ? sealer.open(target.secretSealed) : null;
    const outcome = await sendToTarget({ kind: target.kind, config: target.config } as TargetConfig, report, { secret, document: target.document, his, now: now() });
    if (job.action === 'revoke') return outcome;
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('exam').set({ status: 'delivered', updatedAt: now() }).where('id', '=', loaded.examId).where('status', '=', 'approved').execute();
      if (target.updateStatus && target.kind !== 'sql' && loaded.requestNo) {
        await enqueue(trx, { topic: 'his.status', key: `his:${loaded.examId}:reported:v${job.version}`, payload: { requestNo: loaded.requestNo, status: 'reported', changedAt: now().toISOString() } }, now());
      }
    });
    return outcome;
  }

  /** 上传监控: per target, what waits, what failed, what went through in the last 24 hours. */
  async function overview() {
    const targets = await db.selectFrom('deliveryTarget').select(['id', 'name', 'kind', 'enabled', 'campusId']).orderBy('createdAt').execute();
    const since = new Date(now().getTime() - 24 * 3_600_000);
    const stats = await db
      .selectFrom('outbox')
      .select([
        sql<string>`payload->>'targetId'`.as('targetId'),
        sql<number>`count(*) filter (where status = 'pending')`.as('pending'),
        sql<number>`count(*) filter (where status = 'failed')`.as('failed'),
        sql<number>`count(*) filter (where status = 'done' and done_at >= ${since})`.as('doneLastDay'),
        sql<Date | null>`min(created_at) filter (where status = 'pending')`.as('oldestPending'),
      ])
      .where('topic', '=', DELIVER_TOPIC)
      .groupBy(sql`payload->>'targetId'`)
      .execute();
    const waitingFanOut = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('topic', '=', APPROVED_TOPIC).where('status', '=', 'pending').executeTakeFirstOrThrow();
    return {
      awaitingFanOut: Number(waitingFanOut.n),
      targets: targets.map((t) => {
        const s = stats.find((x) => x.targetId === t.id);
        const oldest = s?.oldestPending ? new Date(s.oldestPending) : null;
        return { ...t, pending: Number(s?.pending ?? 0), failed: Number(s?.failed ?? 0), doneLastDay: Number(s?.doneLastDay ?? 0), oldestPendingMinutes: oldest ? Math.round((now().getTime() - oldest.getTime()) / 60_000) : null };
      }),
    };
  }

  async function jobs(q: { status?: 'pending' | 'failed' | 'done'; targetId?: string; limit: number }) {
    let query = db
      .selectFrom('outbox')
      .leftJoin('report', (join) => join.on(sql`report.id::text`, '=', sql`outbox.payload->>'reportId'`))
      .leftJoin('exam', 'exam.id', 'report.examId')
      .leftJoin('patient', 'patient.id', 'exam.patientId')
      .select([
        'outbox.id', 'outbox.key', 'outbox.status', 'outbox.attempts', 'outbox.lastError', 'outbox.createdAt', 'outbox.doneAt', 'outbox.nextAttemptAt',
        sql<string>`outbox.payload->>'targetId'`.as('targetId'), sql<number>`(outbox.payload->>'version')::int`.as('version'),
        'exam.accessionNo', 'exam.requestNo', 'patient.name as patientName',
      ])
      .where('outbox.topic', '=', DELIVER_TOPIC)
      .orderBy('outbox.id', 'desc')
      .limit(q.limit);
    if (q.status) query = query.where('outbox.status', '=', q.status);
    if (q.targetId) query = query.where(sql`outbox.payload->>'targetId'`, '=', q.targetId);
    const rows = await query.execute();
    return rows.map((r) => ({ ...r, reasonZh: reasonZh(r.lastError), createdAt: r.createdAt.toISOString(), doneAt: r.doneAt?.toISOString() ?? null, nextAttemptAt: r.nextAttemptAt.toISOString() }));
  }

  async function attempts(jobId: number) {
    const rows = await db.selectFrom('outboxAttempt').select(['attemptedAt', 'ok', 'durationMs', 'detail']).where('outboxId', '=', jobId).orderBy('id').execute();
    return rows.map((r) => ({ ...r, attemptedAt: r.attemptedAt.toISOString(), reasonZh: r.ok ? null : reasonZh(r.detail) }));
  }

  /** Manual resend (after fixing the cause): back in the queue for an immediate attempt. Audited. */
  async function resend(actor: AuditActor, jobId: number) {
    return db.transaction().execute(async (trx) => {
      const job = await trx.selectFrom('outbox').select(['key', 'status', 'payload']).where('id', '=', jobId).where('topic', '=', DELIVER_TOPIC).executeTakeFirst();
      if (!job) throw new NotFound('delivery job', String(jobId));
      await trx.updateTable('outbox').set({ attempts: 0 }).where('id', '=', jobId).where('status', '=', 'failed').execute();
      await retryNow(trx, job.key, now());
      await recordAudit(trx, actor, { action: 'delivery.resent', entityType: 'outbox', entityId: String(jobId), detail: { key: job.key, previousStatus: job.status } }, now());
      return { status: job.status === 'done' ? ('done' as const) : ('pending' as const) };
    });
  }

  return { listTargets, saveTarget, fanOut, deliver, overview, jobs, attempts, resend };
}
