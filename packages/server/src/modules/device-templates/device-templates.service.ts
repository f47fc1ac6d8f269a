import { createHash } from 'node:crypto';
import { BUILTIN_TEMPLATES, chooseTemplate, type DeviceReportTemplate, type TextItem } from '@pftis/formats/device-report/index';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { DB, DeviceTemplateTable } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { AppError, NotFound, zodFieldErrors } from '../../platform/errors.js';
import { lineDiff } from '../his/line-diff.js';
import { readTraced, scoreAll } from './engine.js';
import { TemplateSchema, type TryDraftBody, type TryReply } from './device-templates.schemas.js';
import { readSample, type SampleText } from './sample.js';

type Executor = Kysely<DB> | Transaction<DB>;
type Row = Selectable<DeviceTemplateTable>;
type Source = 'builtin' | 'saved' | 'draft';
export type TryResult = z.input<typeof TryReply>;

export class TemplateInvalid extends AppError {
  constructor(error: z.ZodError, prefix = 'template') {
    super({ code: 'device-template.invalid', status: 400, title: '模板格式不正确，未保存', extra: { errors: zodFieldErrors(error, prefix) } });
  }
}

/** Parses a template as an administrator wrote it; refuses one that does not fit the template type. */
export function parseTemplate(value: unknown, override: { name?: string; version?: number } = {}): DeviceReportTemplate {
  const input = value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>), ...override } : value;
  const parsed = TemplateSchema.safeParse(input);
  if (!parsed.success) throw new TemplateInvalid(parsed.error);
  return parsed.data;
}

/** A template with its members in the order the type lists them (jsonb keeps its own key order), for people and diffs. */
const ordered = (template: unknown): Record<string, unknown> => {
  const parsed = TemplateSchema.safeParse(template);
  return (parsed.success ? parsed.data : template) as Record<string, unknown>;
};

/** The template as text for diffs: pretty JSON without the version number (which differs in every version). */
const diffText = (template: unknown) => {
  const { version: _version, ...rest } = ordered(template);
  return JSON.stringify(rest, null, 2);
};

export type DeviceTemplatesService = ReturnType<typeof createDeviceTemplatesService>;

/**
 * 报告模板维护: the layout templates that read printed and scanned device reports. The built-in templates ship with the
 * engine; administrators save their own versions (of a built-in's name, which then overrides it while enabled, or
 * under a new name), enable and disable them, roll back, and try any template on a sample report.
 */
export function createDeviceTemplatesService({
  db,
  now = () => new Date(),
  builtins = BUILTIN_TEMPLATES,
  ocrLanguages,
  read = (bytes) => readSample(bytes, { languages: ocrLanguages }),
}: {
  db: Kysely<DB>;
  now?: () => Date;
  builtins?: readonly DeviceReportTemplate[];
  /** OCR languages for scanned samples (the import's, config.ocrLanguages). */
  ocrLanguages?: string[];
  /** How a sample's text is read (tests may replace OCR). */
  read?: (bytes: Uint8Array) => Promise<SampleText>;
}) {
  const builtin = (name: string) => builtins.find((t) => t.name === name) ?? null;

  /** A stored template, as the engine takes it; null when a stored row no longer parses (never expected). */
  const fromRow = (row: Pick<Row, 'name' | 'version' | 'template'>): DeviceReportTemplate | null => {
    const parsed = TemplateSchema.safeParse(row.template);
    return parsed.success ? { ...parsed.data, name: row.name, version: row.version } : null;
  };

  // Templates change rarely and only through this service; the import reads them for every report. Each process keeps
  // the active set for a few seconds and forgets it at once when it changes one.
  const ACTIVE_TTL_MS = 5000;
  let cache: { value: DeviceReportTemplate[]; until: number } | null = null;

  async function loadActive(executor: Executor = db): Promise<Array<{ template: DeviceReportTemplate; source: 'builtin' | 'saved' }>> {
    const enabled = await executor.selectFrom('deviceTemplate').selectAll().where('enabled', '=', true).orderBy('name').execute();
    const saved = enabled.map(fromRow).filter((t): t is DeviceReportTemplate => t !== null);
    const names = new Set(saved.map((t) => t.name));
    return [
      ...builtins.filter((t) => !names.has(t.name)).map((template) => ({ template, source: 'builtin' as const })),
      ...saved.map((template) => ({ template, source: 'saved' as const })),
    ];
  }

  /** What the import reads reports with: the built-in templates, each overridden by its enabled saved version, and the administrators' own. */
  async function activeTemplates(): Promise<DeviceReportTemplate[]> {
    if (cache && cache.until > Date.now()) return cache.value;
    const value = (await loadActive()).map((a) => a.template);
    cache = { value, until: Date.now() + ACTIVE_TTL_MS };
    return value;
  }

  async function list() {
    const [rows, active] = await Promise.all([
      db.selectFrom('deviceTemplate').select(['name', 'version', 'template', 'enabled', 'createdAt']).orderBy('name').orderBy('version').execute(),
      loadActive(),
    ]);
    const names = [...new Set([...builtins.map((t) => t.name), ...rows.map((r) => r.name)])];
    return names.map((name) => {
      const own = rows.filter((r) => r.name === name);
      const latest = own[own.length - 1];
      const current = active.find((a) => a.template.name === name);
      const shown = current?.template ?? (latest ? fromRow(latest) : null) ?? builtin(name);
      return {
        name,
        vendor: shown?.vendor ?? '',
        language: shown?.language ?? '',
        description: shown?.description ?? null,
        builtin: builtin(name) !== null,
        activeSource: current?.source ?? null,
        activeVersion: current?.template.version ?? null,
        latestVersion: latest?.version ?? builtin(name)?.version ?? 0,
        savedVersions: own.length,
        updatedAt: latest ? latest.createdAt.toISOString() : null,
      };
    });
  }

  /** One template: what is active and every version, newest first, each with its diff from the one before. */
  async function detail(name: string) {
    const rows = await db.selectFrom('deviceTemplate').selectAll().where('name', '=', name).orderBy('version').execute();
    const base = builtin(name);
    if (!rows.length && !base) throw new NotFound('device template', name);
    const enabled = rows.find((r) => r.enabled);
    const activeVersion = enabled ? enabled.version : base ? base.version : null;
    const versions = [
      ...(base ? [{ version: base.version, builtin: true, enabled: !enabled, comment: '内置模板', createdByName: 'PFTIS', createdAt: null as string | null, template: base as unknown }] : []),
      ...rows.map((r) => ({ version: r.version, builtin: false, enabled: r.enabled, comment: r.comment, createdByName: r.createdByName, createdAt: r.createdAt.toISOString() as string | null, template: r.template as unknown })),
    ];
    const summary = (await list()).find((s) => s.name === name)!;
    return {
      ...summary,
      active: (enabled ? fromRow(enabled) : base) as Record<string, unknown> | null,
      versions: versions
        .map((v, i) => ({
          ...v,
          active: v.version === activeVersion,
          template: { ...ordered(v.template), version: v.version },
          // the oldest version has nothing before it: its lines are listed unchanged
          diff: i === 0 ? diffText(v.template).split('\n').map((text) => ({ kind: 'same' as const, text })) : lineDiff(diffText(versions[i - 1]!.template), diffText(v.template)),
        }))
        .reverse(),
    };
  }

  /** Serialises changes to one template name (PostgreSQL and PGlite alike): version numbers stay gapless and unique. */
  const lockName = (trx: Transaction<DB>, name: string) => sql`select pg_advisory_xact_lock(hashtext(${`device_template:${name}`}))`.execute(trx);

  async function nextVersion(trx: Executor, name: string) {
    const row = await trx.selectFrom('deviceTemplate').select((eb) => eb.fn.max('version').as('v')).where('name', '=', name).executeTakeFirstOrThrow();
    return Math.max(Number(row.v ?? 0), builtin(name)?.version ?? 0) + 1;
  }

  async function insertVersion(trx: Transaction<DB>, actor: AuditActor, template: DeviceReportTemplate, comment: string, enable: boolean) {
    if (enable) await trx.updateTable('deviceTemplate').set({ enabled: false }).where('name', '=', template.name).where('enabled', '=', true).execute();
    await trx
      .insertInto('deviceTemplate')
      .values({ name: template.name, version: template.version, template: JSON.stringify(template), enabled: enable, comment, createdBy: actor.userId, createdByName: actor.name, createdAt: now() })
      .execute();
  }

  /** The template imports use for this name right now, inside a transaction. */
  async function activeOf(trx: Executor, name: string): Promise<DeviceReportTemplate | null> {
    const row = await trx.selectFrom('deviceTemplate').selectAll().where('name', '=', name).where('enabled', '=', true).executeTakeFirst();
    return row ? fromRow(row) : builtin(name);
  }

  /** Saves a template as the next version of its name (enabled at once unless told otherwise). */
  async function save(actor: AuditActor, name: string, value: unknown, comment: string, enable = true) {
    // validated before the transaction, so a template that does not parse leaves no trace but the refusal
    parseTemplate(value, { name, version: 1 });
    cache = null;
    const result = await db.transaction().execute(async (trx) => {
      await lockName(trx, name);
      const version = await nextVersion(trx, name);
      const template = parseTemplate(value, { name, version });
      const before = await activeOf(trx, name);
      await insertVersion(trx, actor, template, comment, enable);
      await recordAudit(trx, actor, { action: 'device-template.saved', entityType: 'device_template', entityId: name, before, after: template, detail: { version, comment, enabled: enable } }, now());
      return { name, version };
    });
    cache = null;
    return result;
  }

  /** Makes an earlier version (or the built-in) current again, as a new version, so the history stays a straight line. */
  async function rollback(actor: AuditActor, name: string, toVersion: number) {
    cache = null;
    const result = await db.transaction().execute(async (trx) => {
      await lockName(trx, name);
      const row = await trx.selectFrom('deviceTemplate').selectAll().where('name', '=', name).where('version', '=', toVersion).executeTakeFirst();
      const base = builtin(name);
      const source = row ? fromRow(row) : base && base.version === toVersion ? base : null;
      if (!source) throw new NotFound('device template version', `${name} v${toVersion}`);
      const version = await nextVersion(trx, name);
      const before = await activeOf(trx, name);
      const template = { ...source, name, version };
      await insertVersion(trx, actor, template, `回滚到 v${toVersion}`, true);
      await recordAudit(trx, actor, { action: 'device-template.rolled-back', entityType: 'device_template', entityId: name, before, after: template, detail: { version, copiedFrom: toVersion } }, now());
      return { name, version };
    });
    cache = null;
    return result;
  }

  /** Enables one saved version (the name's other versions are disabled) or disables it (the built-in, if any, applies again). */
  async function setEnabled(actor: AuditActor, name: string, version: number, enabled: boolean) {
    cache = null;
    const result = await db.transaction().execute(async (trx) => {
      await lockName(trx, name);
      const row = await trx.selectFrom('deviceTemplate').select(['version', 'enabled']).where('name', '=', name).where('version', '=', version).executeTakeFirst();
      if (!row) {
        if (builtin(name)?.version === version) throw new AppError({ code: 'device-template.builtin', status: 409, title: '内置模板不能单独启用或停用：停用已保存的版本即恢复内置模板' });
        throw new NotFound('device template version', `${name} v${version}`);
      }
      const before = await trx.selectFrom('deviceTemplate').select('version').where('name', '=', name).where('enabled', '=', true).executeTakeFirst();
      if (enabled) await trx.updateTable('deviceTemplate').set({ enabled: false }).where('name', '=', name).where('enabled', '=', true).execute();
      await trx.updateTable('deviceTemplate').set({ enabled }).where('name', '=', name).where('version', '=', version).execute();
      await recordAudit(
        trx,
        actor,
        { action: enabled ? 'device-template.enabled' : 'device-template.disabled', entityType: 'device_template', entityId: name, before: { enabledVersion: before?.version ?? null }, after: { enabledVersion: enabled ? version : before?.version === version ? null : (before?.version ?? null) }, detail: { version } },
        now(),
      );
      return { enabled };
    });
    cache = null;
    return result;
  }

  /** A template by name and version: a saved version, the built-in, or (no version) the active one. */
  async function resolve(name: string, version?: number): Promise<{ template: DeviceReportTemplate; source: 'builtin' | 'saved' }> {
    if (version === undefined) {
      const active = (await loadActive()).find((a) => a.template.name === name);
      if (!active) throw new NotFound('device template', name);
      return active;
    }
    const row = await db.selectFrom('deviceTemplate').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst();
    const saved = row ? fromRow(row) : null;
    if (saved) return { template: saved, source: 'saved' };
    const base = builtin(name);
    if (base && base.version === version) return { template: base, source: 'builtin' };
    throw new NotFound('device template version', `${name} v${version}`);
  }

  /** Reads text with a template (or the best-fitting active one), tracing each value to the text it came from. */
  async function evaluate(text: SampleText, sha256: string | null, use: { template: DeviceReportTemplate; source: Source } | null, seconds: number): Promise<TryResult> {
    const active = await loadActive();
    // the template tried stands in for the active one of its name in the scores
    const pool = [...active.filter((a) => a.template.name !== use?.template.name), ...(use ? [use] : [])];
    const scores = text.items.length
      ? scoreAll(text.items, pool.map((p) => p.template)).map((s, i) => ({ name: s.template.name, version: s.template.version, source: pool[i]!.source, score: round(s.score), minScore: s.minScore, fits: s.fits, missing: s.missing }))
      : [];
    scores.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
    const chosenTemplate = text.items.length ? chooseTemplate(text.items, pool.map((p) => p.template))?.template ?? null : null;
    const chosen = chosenTemplate ? (pool.find((p) => p.template === chosenTemplate) ?? null) : null;
    const applied = use ?? chosen;
    const read = applied && text.items.length ? readTraced(text.items, applied.template, text.format) : null;
    return {
      format: text.format,
      sha256,
      reason: text.reason,
      pages: text.pages,
      items: text.items,
      template: applied ? { name: applied.template.name, version: applied.template.version, source: applied.source } : null,
      chosen: chosen?.template.name ?? null,
      extraction: (read?.extraction ?? null) as Record<string, unknown> | null,
      trace: read?.trace ?? null,
      scores,
      seconds: round(seconds),
    };
  }

  /** Reads an uploaded sample (PDF or image) with a saved template, the built-in, or whichever active template fits best. */
  async function trySample(actor: AuditActor, bytes: Uint8Array, options: { name?: string; version?: number }) {
    if (!bytes.length) throw new AppError({ code: 'device-template.empty-sample', status: 400, title: '样例文件为空' });
    const use = options.name ? await resolve(options.name, options.version) : null;
    const t0 = performance.now();
    const text = await read(bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const result = await evaluate(text, sha256, use, (performance.now() - t0) / 1000);
    // who looked at which sample with which template; the sample itself (patient data) is not kept
    await db.transaction().execute((trx) =>
      recordAudit(trx, actor, { action: 'device-template.tried', entityType: 'device_template', entityId: result.template?.name ?? options.name ?? '', detail: { sha256, bytes: bytes.length, format: text.format, template: result.template, items: text.items.length, reason: text.reason } }, now()),
    );
    return result;
  }

  /** Re-reads a sample's text (as trySample returned it) with a template being edited, not saved. */
  async function tryDraft(body: z.output<typeof TryDraftBody>) {
    const template = parseTemplate(body.template);
    const t0 = performance.now();
    const text: SampleText = { format: body.format, pages: body.pages, items: body.items as TextItem[], reason: null };
    return evaluate(text, null, { template, source: 'draft' }, (performance.now() - t0) / 1000);
  }

  return { list, detail, save, rollback, setEnabled, trySample, tryDraft, activeTemplates };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
