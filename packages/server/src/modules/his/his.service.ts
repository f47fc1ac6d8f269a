import { type Kysely, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { createAnnouncedCache } from '../../platform/announced-cache.js';
import { AppError, NotFound } from '../../platform/errors.js';
import { hospitalWallClock } from '../../platform/hospital-time.js';
import { PermanentFailure } from '../../platform/outbox.js';
import { readSetting, writeSetting } from '../../platform/settings.js';
import { createHisDriver, type HisConnection, HisQueryFailed, type Row } from './drivers.js';
import { lineDiff } from './line-diff.js';
import { type Mapping, MappingSchema, mapRows, type Problem } from './mapping.js';
import { checkSelectOnly, checkWriteBack } from './sql-guard.js';

export const WRITE_BACK_KEY = 'his.writeBack';

/** How the order status goes back to the HIS (已登记 / 已检查 / 已报告 / 作废), where the hospital wants it. */
export const WriteBackSchema = z.object({
  enabled: z.boolean().default(false),
  /** One UPDATE or INSERT with :requestNo, :status (the HIS's code) and optionally :changedAt. */
  sql: z.string().max(4000).default(''),
  codes: z.record(z.enum(['registered', 'examined', 'reported', 'cancelled']), z.string().max(20)).default({ registered: '1', examined: '2', reported: '3', cancelled: '9' }),
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
});
export type WriteBack = z.infer<typeof WriteBackSchema>;

/** The lookups intake needs; each is one configured view definition (接口视图). */
export const lookupCodes = [
  'patient.by-card',
  'patient.by-outpatient-no',
  'patient.by-inpatient-no',
  'patient.by-id-number',
  'patient.by-his-id',
  'orders.by-patient',
  'order.by-request-no',
] as const;
export type LookupCode = (typeof lookupCodes)[number];

export interface ViewDraft {
  sql: string;
  mapping: Mapping;
  timeoutMs: number;
}

export class HisUnavailable extends AppError {
  constructor(reason: string, kind: 'timeout' | 'error' | 'not-configured' | 'disabled') {
    super({ code: 'his.unavailable', status: 503, title: `HIS 暂时无法查询（${reason}），可手工登记，标记为待核对`, message: `HIS lookup failed: ${kind}`, extra: { kind } });
  }
}

export type HisService = ReturnType<typeof createHisService>;

const SAMPLE_ROWS = 20;

/** The channel on which the database announces changed view definitions (migration 202612071410). */
export const HIS_VIEW_CHANNEL = 'pftis_his_view';

export function createHisService({ db, connection, now = () => new Date() }: { db: Kysely<DB>; connection: HisConnection | null; now?: () => Date }) {
  const driver = connection ? createHisDriver(connection) : null;

  async function currentDefinition(code: string) {
    const row = await db
      .selectFrom('hisView')
      .innerJoin('hisViewVersion', (join) => join.onRef('hisViewVersion.viewId', '=', 'hisView.id').onRef('hisViewVersion.version', '=', 'hisView.currentVersion'))
      .select(['hisView.id', 'hisView.code', 'hisView.name', 'hisView.enabled', 'hisView.currentVersion', 'hisViewVersion.sql', 'hisViewVersion.mapping', 'hisViewVersion.timeoutMs'])
      .where('hisView.code', '=', code)
      .executeTakeFirst();
    if (!row) throw new NotFound('his view', code);
    return { ...row, mapping: MappingSchema.parse(row.mapping) };
  }

  async function run(draft: ViewDraft, key: string): Promise<{ rows: Row[]; latencyMs: number }> {
    if (!driver) throw new HisUnavailable('未配置 HIS 数据库连接', 'not-configured');
    const t0 = performance.now();
    const rows = await driver.query(draft.sql, { key }, draft.timeoutMs);
    return { rows, latencyMs: performance.now() - t0 };
  }

  // Call statistics are written in batches, off the scan's path; list() flushes first so the status is current.
  let pendingCalls: Array<{ viewId: string; ok: boolean; latencyMs: number; error: string | null; calledAt: Date }> = [];
  let flushTimer: NodeJS.Timeout | undefined;
  async function flushCalls() {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    const batch = pendingCalls;
    pendingCalls = [];
    if (batch.length) await db.insertInto('hisViewCall').values(batch).execute();
  }
  function recordCall(viewId: string, ok: boolean, latencyMs: number, error?: string) {
    pendingCalls.push({ viewId, ok, latencyMs, error: error ?? null, calledAt: now() });
    flushTimer ??= setTimeout(() => void flushCalls().catch(() => {}), 2000).unref();
  }

  // Definitions are kept while the database announces their changes (migration 202612071410, any writer); this
  // process's own saves forget at once. (HIS data itself is never cached.)
  const definitions = createAnnouncedCache(currentDefinition);
  /** A transaction that changes view definitions: once it ends, this process forgets them without waiting for the announcement. */
  async function changeDefinitions<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    try {
      return await db.transaction().execute(work);
    } finally {
      definitions.forget();
    }
  }
  /** Follows the database's announcements of changed view definitions until the returned stop. */
  const followDefinitionChanges = (database: { listen: Database['listen'] }) => database.listen(HIS_VIEW_CHANNEL, () => definitions.forget(), definitions.onListening);

  /** Runs one configured lookup against the HIS; every call counts towards the view's live status. */
  async function lookup(code: LookupCode, key: string) {
    const view = await definitions.get(code);
    if (!view.enabled) throw new HisUnavailable(`接口视图「${view.name}」已停用`, 'disabled');
    const t0 = performance.now();
    try {
      const { rows, latencyMs } = await run(view, key);
      recordCall(view.id, true, latencyMs);
      return mapRows(rows, view.mapping);
    } catch (error) {
      if (error instanceof HisUnavailable) throw error;
      const failed = error instanceof HisQueryFailed ? error : new HisQueryFailed('error', String(error));
      recordCall(view.id, false, performance.now() - t0, failed.message);
      throw new HisUnavailable(failed.kind === 'timeout' ? '查询超时' : '数据库错误', failed.kind);
    }
  }

  /** Tries a draft definition with a sample key: raw rows beside the mapped records, each problem named. */
  async function test(actor: AuditActor, code: string, draft: ViewDraft, sampleKey: string) {
    await currentDefinition(code);
    const problems: Problem[] = [];
    let rows: Row[] = [];
    let latencyMs: number | null = null;
    const guard = checkSelectOnly(draft.sql, driver?.dialect ?? 'postgres');
    if (!guard.ok) problems.push({ kind: 'error', message: guard.reason });
    else if (guard.params.some((p) => p !== 'key')) problems.push({ kind: 'error', message: `只支持参数 :key，发现 ${guard.params.map((p) => `:${p}`).join('、')}` });
    else {
      try {
        ({ rows, latencyMs } = await run(draft, sampleKey));
      } catch (error) {
        if (error instanceof HisUnavailable) throw error;
        const failed = error as HisQueryFailed;
        problems.push({ kind: failed.kind === 'timeout' ? 'timeout' : 'error', message: failed.kind === 'timeout' ? `查询超过 ${draft.timeoutMs} 毫秒未返回` : `数据库报错：${failed.message}` });
      }
    }
    const mapped = problems.length ? { records: [], problems: [], skipped: 0 } : mapRows(rows, draft.mapping);
    await db.transaction().execute((trx) => recordAudit(trx, actor, { action: 'his.view-tested', entityType: 'his_view', entityId: code, detail: { sampleKey, rows: rows.length } }, now()));
    const all = [...problems, ...mapped.problems];
    return {
      ok: all.length === 0,
      latencyMs: latencyMs === null ? null : Math.round(latencyMs * 10) / 10,
      columns: rows[0] ? Object.keys(rows[0]) : [],
      rows: rows.slice(0, SAMPLE_ROWS).map(stringifyValues),
      records: mapped.records.slice(0, SAMPLE_ROWS),
      skipped: mapped.skipped,
      problems: all,
    };
  }

  /** Saves a new version, but only one that passes its test with the given sample key. */
  async function saveVersion(actor: AuditActor, code: string, draft: ViewDraft, sampleKey: string, comment: string) {
    const result = await test(actor, code, draft, sampleKey);
    if (!result.ok) {
      throw new AppError({ code: 'his.view-test-failed', status: 422, title: '测试未通过，未保存：当前版本继续生效', extra: { problems: result.problems } });
    }
    return changeDefinitions(async (trx) => {
      const view = await trx.selectFrom('hisView').selectAll().where('code', '=', code).forUpdate().executeTakeFirstOrThrow();
      const before = await trx.selectFrom('hisViewVersion').select(['sql', 'mapping', 'timeoutMs']).where('viewId', '=', view.id).where('version', '=', view.currentVersion).executeTakeFirstOrThrow();
      const version = (await maxVersion(trx, view.id)) + 1;
      await trx
        .insertInto('hisViewVersion')
        .values({ viewId: view.id, version, sql: draft.sql, mapping: JSON.stringify(draft.mapping), timeoutMs: draft.timeoutMs, comment, sampleKey, createdBy: actor.userId, createdByName: actor.name, createdAt: now() })
        .execute();
      await trx.updateTable('hisView').set({ currentVersion: version, updatedAt: now() }).where('id', '=', view.id).execute();
      await recordAudit(trx, actor, { action: 'his.view-saved', entityType: 'his_view', entityId: code, before: { version: view.currentVersion, ...before }, after: { version, ...draft }, detail: { comment } }, now());
      return { version };
    });
  }

  /** Makes an earlier version current again, as a new version, so the history stays a straight line. */
  async function rollback(actor: AuditActor, code: string, toVersion: number) {
    return changeDefinitions(async (trx) => {
      const view = await trx.selectFrom('hisView').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
      if (!view) throw new NotFound('his view', code);
      const target = await trx.selectFrom('hisViewVersion').selectAll().where('viewId', '=', view.id).where('version', '=', toVersion).executeTakeFirst();
      if (!target) throw new NotFound('his view version', `${code} v${toVersion}`);
      const version = (await maxVersion(trx, view.id)) + 1;
      await trx
        .insertInto('hisViewVersion')
        .values({ viewId: view.id, version, sql: target.sql, mapping: JSON.stringify(target.mapping), timeoutMs: target.timeoutMs, comment: `回滚到 v${toVersion}`, sampleKey: target.sampleKey, createdBy: actor.userId, createdByName: actor.name, createdAt: now() })
        .execute();
      await trx.updateTable('hisView').set({ currentVersion: version, updatedAt: now() }).where('id', '=', view.id).execute();
      await recordAudit(trx, actor, { action: 'his.view-rolled-back', entityType: 'his_view', entityId: code, before: { version: view.currentVersion }, after: { version, copiedFrom: toVersion } }, now());
      return { version };
    });
  }

  async function setEnabled(actor: AuditActor, code: string, enabled: boolean) {
    return changeDefinitions(async (trx) => {
      const view = await trx.selectFrom('hisView').selectAll().where('code', '=', code).executeTakeFirst();
      if (!view) throw new NotFound('his view', code);
      await trx.updateTable('hisView').set({ enabled, updatedAt: now() }).where('id', '=', view.id).execute();
      await recordAudit(trx, actor, { action: enabled ? 'his.view-enabled' : 'his.view-disabled', entityType: 'his_view', entityId: code, before: { enabled: view.enabled }, after: { enabled } }, now());
      return { enabled };
    });
  }

  /** Every view with its current definition and live status over the last 24 hours. */
  async function list() {
    await flushCalls();
    const since = new Date(now().getTime() - 86_400_000);
    const [views, stats] = await Promise.all([
      Promise.all(lookupCodes.map(currentDefinition)),
      sql<{ viewId: string; lastSuccessAt: Date | null; calls: number; failures: number; medianLatencyMs: number | null }>`
        select view_id, max(called_at) filter (where ok) as last_success_at, count(*)::int as calls,
               count(*) filter (where not ok)::int as failures,
               percentile_cont(0.5) within group (order by latency_ms) as median_latency_ms
        from his_view_call where called_at > ${since} group by view_id`.execute(db),
    ]);
    return views.map((v) => {
      const s = stats.rows.find((r) => r.viewId === v.id);
      return {
        code: v.code,
        name: v.name,
        enabled: v.enabled,
        version: v.currentVersion,
        sql: v.sql,
        mapping: v.mapping,
        timeoutMs: v.timeoutMs,
        status: {
          lastSuccessAt: s?.lastSuccessAt ? new Date(s.lastSuccessAt).toISOString() : null,
          calls: s?.calls ?? 0,
          errorRate: s && s.calls ? s.failures / s.calls : 0,
          medianLatencyMs: s?.medianLatencyMs === null || s?.medianLatencyMs === undefined ? null : Math.round(Number(s.medianLatencyMs) * 10) / 10,
        },
      };
    });
  }

  /** Versions, newest first, each with who, when and its diff from the version before. */
  async function history(code: string) {
    const view = await currentDefinition(code);
    const versions = await db.selectFrom('hisViewVersion').selectAll().where('viewId', '=', view.id).orderBy('version').execute();
    const text = (v: (typeof versions)[number]) => `${v.sql}\n-- timeout ${v.timeoutMs} ms\n${JSON.stringify(MappingSchema.parse(v.mapping), null, 2)}`;
    return versions
      .map((v, i) => ({
        version: v.version,
        current: v.version === view.currentVersion,
        comment: v.comment,
        createdByName: v.createdByName,
        createdAt: v.createdAt.toISOString(),
        sql: v.sql,
        mapping: MappingSchema.parse(v.mapping),
        timeoutMs: v.timeoutMs,
        diff: lineDiff(i === 0 ? '' : text(versions[i - 1]!), text(v)),
      }))
      .reverse();
  }

  /** Outbox handler for `his.status`: runs the configured write-back statement. */
  async function writeStatus(payload: { requestNo: string; status: 'registered' | 'examined' | 'reported' | 'cancelled'; changedAt: string }) {
    const config = await readSetting(db, WRITE_BACK_KEY, WriteBackSchema);
    if (!config.enabled) return 'status write-back not configured; nothing sent';
    if (!driver) throw new PermanentFailure('no HIS connection configured');
    const guard = checkWriteBack(config.sql, driver.dialect);
    if (!guard.ok) throw new PermanentFailure(`write-back statement refused: ${guard.reason}`);
    const code = config.codes[payload.status];
    if (code === undefined) throw new PermanentFailure(`no HIS code configured for status ${payload.status}`);
    const values: Record<string, unknown> = { requestNo: payload.requestNo, status: code, changedAt: hospitalWallClock(new Date(payload.changedAt)) };
    const changed = await driver.execute(config.sql, Object.fromEntries(guard.params.map((p) => [p, values[p]])), config.timeoutMs);
    if (changed === 0) throw new PermanentFailure(`HIS has no order ${payload.requestNo} to update`);
    return `HIS order ${payload.requestNo} set to ${code} (${changed} row)`;
  }

  /**
   * Report write-back (delivery target): configured INSERT/UPDATE statements with named parameters, checked like the
   * status write-back and run together in one HIS transaction.
   */
  async function writeReport(statements: Array<{ sql: string; values: Record<string, unknown> }>, timeoutMs: number) {
    if (!driver) throw new PermanentFailure('no HIS connection configured');
    const bound = statements.map((statement) => {
      const guard = checkWriteBack(statement.sql, driver.dialect);
      if (!guard.ok) throw new PermanentFailure(`report write-back statement refused: ${guard.reason}`);
      const missing = guard.params.filter((p) => !(p in statement.values));
      if (missing.length) throw new PermanentFailure(`report write-back statement uses unknown parameters: ${missing.join(', ')}`);
      return { sql: statement.sql, values: Object.fromEntries(guard.params.map((p) => [p, statement.values[p]])) };
    });
    return driver.executeAll(bound, timeoutMs);
  }

  async function updateWriteBack(actor: AuditActor, config: WriteBack) {
    if (config.enabled) {
      const guard = checkWriteBack(config.sql, driver?.dialect ?? 'postgres');
      if (!guard.ok) throw new AppError({ code: 'his.write-back-invalid', status: 400, title: guard.reason, extra: { errors: [{ field: 'sql', message: guard.reason }] } });
    }
    return db.transaction().execute(async (trx) => {
      const before = await readSetting(trx, WRITE_BACK_KEY, WriteBackSchema);
      await writeSetting(trx, WRITE_BACK_KEY, config, actor.userId);
      await recordAudit(trx, actor, { action: 'his.write-back-updated', entityType: 'setting', entityId: WRITE_BACK_KEY, before, after: config }, now());
      return config;
    });
  }

  return {
    lookup,
    followDefinitionChanges,
    writeReport,
    test,
    saveVersion,
    rollback,
    setEnabled,
    list,
    history,
    writeStatus,
    writeBack: () => readSetting(db, WRITE_BACK_KEY, WriteBackSchema),
    updateWriteBack,
    flushCalls,
    async close() {
      await flushCalls().catch(() => {});
      await driver?.close();
    },
  };
}

async function maxVersion(trx: Kysely<DB>, viewId: string) {
  const row = await trx.selectFrom('hisViewVersion').select((eb) => eb.fn.max('version').as('v')).where('viewId', '=', viewId).executeTakeFirstOrThrow();
  return Number(row.v ?? 0);
}

function stringifyValues(row: Row): Record<string, string | null> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v)]));
}
