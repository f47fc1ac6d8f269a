import type { FieldError } from '../../../api/client.ts';
import type { Translate } from '../../../i18n/I18nProvider.tsx';
import {
  type DeliveryDocument,
  type DeliveryKind,
  type DeliveryTargetInput,
  type DeliveryTargetStatus,
  type DeliveryTargetView,
  type FileTargetConfig,
  type Hl7TargetConfig,
  type HttpTargetConfig,
  isKind,
  KINDS_WITH_SECRET,
} from './api.ts';

/** The campus selector's value for a target that serves every campus (the server's campusId null). */
export const ALL_CAMPUSES = 'all';
export const DEFAULT_NAME_PATTERN = '{requestNo}_{accessionNo}_v{version}';
export const DEFAULT_TIMEOUT_S = 15;
export const DEFAULT_MAX_ATTEMPTS = 8;
export const MAX_STATEMENTS = 5;
/** Waiting longer than this is shown as 积压 on the monitor. */
export const DELAYED_MINUTES = 30;

/** The :parameters offered for SQL write-back statements (what the server binds; see sqlParameters in the delivery adapters). */
export const SQL_PARAMETERS = [
  'requestNo', 'accessionNo', 'visitSerialNo', 'version', 'idempotencyKey', 'action', 'conclusion', 'summary', 'reviewer', 'reporter', 'technician', 'approvedAt',
  'signatureSerial', 'verificationUrl', 'patientId', 'patientName', 'itemName', 'examDate', 'pdf', 'pdfSha256', 'pdfSm3', 'jpg',
] as const;
/** Also bound by the server, seldom needed: not listed in the help, but no warning either. */
const OTHER_SQL_PARAMETERS = ['reportId', 'supersedesVersion', 'visitType'];
/** Placeholders a file name pattern may use (mirrors FILE_NAME_PLACEHOLDERS in @pftis/formats). */
export const FILE_NAME_PLACEHOLDERS = ['requestNo', 'accessionNo', 'visitSerialNo', 'patientId', 'examDate', 'version', 'reportId', 'ext'] as const;

export interface HeaderRow {
  name?: string;
  value?: string;
}

/** The configuration of every kind as the form edits it (only the chosen kind's fields are shown and sent). */
export interface ConfigForm {
  statements?: string[];
  url?: string;
  format?: HttpTargetConfig['format'];
  template?: string;
  authHeader?: string;
  headers?: HeaderRow[];
  host?: string;
  port?: number | null;
  encoding?: Hl7TargetConfig['encoding'];
  sendingApplication?: string;
  sendingFacility?: string;
  receivingApplication?: string;
  receivingFacility?: string;
  baseUrl?: string;
  folder?: string;
  namePattern?: string;
  sidecar?: FileTargetConfig['sidecar'];
  /** Seconds in the form; the server keeps milliseconds (timeoutMs). */
  timeoutS?: number | null;
}

export interface TargetForm {
  kind: DeliveryKind;
  name: string;
  /** A campus id, or ALL_CAMPUSES. */
  campusId: string;
  document: DeliveryDocument;
  updateStatus: boolean;
  maxAttempts: number;
  enabled: boolean;
  /** A new token or password; empty keeps the stored one. */
  secret?: string;
  /** Remove the stored secret. */
  clearSecret?: boolean;
  config: ConfigForm;
}

/** The form fields of each kind, in display order ('timeoutS' stands for the server's timeoutMs). */
export const CONFIG_FIELDS: Record<DeliveryKind, ReadonlyArray<keyof ConfigForm>> = {
  sql: ['statements', 'timeoutS'],
  http: ['url', 'format', 'template', 'authHeader', 'headers', 'timeoutS'],
  hl7: ['host', 'port', 'encoding', 'sendingApplication', 'sendingFacility', 'receivingApplication', 'receivingFacility', 'timeoutS'],
  fhir: ['baseUrl', 'timeoutS'],
  file: ['folder', 'namePattern', 'sidecar'],
};

export function defaultConfig(kind: DeliveryKind): ConfigForm {
  switch (kind) {
    case 'sql':
      return { statements: [''], timeoutS: DEFAULT_TIMEOUT_S };
    case 'http':
      return { url: '', format: 'json', template: '', authHeader: 'Authorization', headers: [], timeoutS: DEFAULT_TIMEOUT_S };
    case 'hl7':
      return { host: '', port: null, encoding: 'gbk', sendingApplication: 'PFTIS', sendingFacility: '', receivingApplication: 'HIS', receivingFacility: '', timeoutS: DEFAULT_TIMEOUT_S };
    case 'fhir':
      return { baseUrl: '', timeoutS: DEFAULT_TIMEOUT_S };
    case 'file':
      return { folder: '', namePattern: DEFAULT_NAME_PATTERN, sidecar: 'json' };
  }
}

export function newTargetForm(kind: DeliveryKind = 'http'): TargetForm {
  return { kind, name: '', campusId: ALL_CAMPUSES, document: 'pdf', updateStatus: false, maxAttempts: DEFAULT_MAX_ATTEMPTS, enabled: true, secret: '', clearSecret: false, config: defaultConfig(kind) };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function headersToRows(headers: unknown): HeaderRow[] {
  return isRecord(headers) ? Object.entries(headers).map(([name, value]) => ({ name, value: String(value ?? '') })) : [];
}

/** Rows with a name, trimmed; a later row with the same name (any case) replaces an earlier one. */
export function rowsToHeaders(rows: readonly HeaderRow[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const row of rows ?? []) {
    const name = row?.name?.trim();
    if (!name) continue;
    for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
    headers[name] = (row.value ?? '').trim();
  }
  return headers;
}

/** A stored configuration as the form shows it: the kind's defaults, overlaid with what is stored. */
export function configToForm(kind: DeliveryKind, config: unknown): ConfigForm {
  const stored = isRecord(config) ? config : {};
  const form: ConfigForm = defaultConfig(kind);
  const target = form as Record<string, unknown>;
  for (const field of CONFIG_FIELDS[kind]) {
    if (field === 'timeoutS') {
      if (typeof stored.timeoutMs === 'number') form.timeoutS = stored.timeoutMs / 1000;
    } else if (field === 'headers') {
      form.headers = headersToRows(stored.headers);
    } else if (field === 'statements') {
      const statements = Array.isArray(stored.statements) ? stored.statements.map(String) : [];
      form.statements = statements.length ? statements : [''];
    } else if (stored[field] !== undefined && stored[field] !== null) {
      target[field] = stored[field];
    }
  }
  return form;
}

export function targetToForm(target: DeliveryTargetView): TargetForm {
  const kind = isKind(target.kind) ? target.kind : 'http';
  return {
    kind,
    name: target.name,
    campusId: target.campusId ?? ALL_CAMPUSES,
    document: target.document === 'jpg' ? 'jpg' : 'pdf',
    updateStatus: target.updateStatus,
    maxAttempts: target.maxAttempts,
    enabled: target.enabled,
    secret: '',
    clearSecret: false,
    config: configToForm(kind, target.config),
  };
}

const text = (value: string | undefined | null) => (value ?? '').trim();
const timeoutMs = (seconds: number | null | undefined) => (typeof seconds === 'number' && Number.isFinite(seconds) ? Math.round(seconds * 1000) : DEFAULT_TIMEOUT_S * 1000);

/**
 * The body for POST/PUT /api/delivery/targets. When editing a target of the same kind, configuration the form does not
 * edit (fields added to the server later) is sent back as stored, so saving the form never drops it. The secret is
 * sent only when a new one was typed ('' when it is to be removed), and only for kinds that use one.
 */
export function formToBody(form: TargetForm, original?: DeliveryTargetView | null): DeliveryTargetInput {
  const c = form.config;
  const kept = original && original.kind === form.kind && isRecord(original.config) ? original.config : {};
  const newSecret = text(form.secret);
  const secret = !KINDS_WITH_SECRET.includes(form.kind) ? undefined : form.clearSecret ? '' : newSecret || undefined;
  const common = {
    name: text(form.name),
    campusId: !form.campusId || form.campusId === ALL_CAMPUSES ? null : form.campusId,
    document: form.document,
    updateStatus: form.kind === 'sql' ? false : form.updateStatus,
    maxAttempts: form.maxAttempts,
    enabled: form.enabled,
    ...(secret !== undefined && { secret }),
  };
  switch (form.kind) {
    case 'sql':
      return { ...common, kind: 'sql', config: { ...kept, statements: (c.statements ?? []).map(text).filter(Boolean), timeoutMs: timeoutMs(c.timeoutS) } };
    case 'http':
      return {
        ...common,
        kind: 'http',
        config: {
          ...kept,
          url: text(c.url),
          format: c.format ?? 'json',
          template: text(c.template) ? (c.template ?? '') : '',
          authHeader: text(c.authHeader) || 'Authorization',
          headers: rowsToHeaders(c.headers),
          timeoutMs: timeoutMs(c.timeoutS),
        },
      };
    case 'hl7':
      return {
        ...common,
        kind: 'hl7',
        config: {
          ...kept,
          host: text(c.host),
          port: c.port ?? 0,
          encoding: c.encoding ?? 'gbk',
          sendingApplication: text(c.sendingApplication),
          sendingFacility: text(c.sendingFacility),
          receivingApplication: text(c.receivingApplication),
          receivingFacility: text(c.receivingFacility),
          timeoutMs: timeoutMs(c.timeoutS),
        },
      };
    case 'fhir':
      return { ...common, kind: 'fhir', config: { ...kept, baseUrl: text(c.baseUrl), timeoutMs: timeoutMs(c.timeoutS) } };
    case 'file':
      return { ...common, kind: 'file', config: { ...kept, folder: text(c.folder), namePattern: text(c.namePattern) || DEFAULT_NAME_PATTERN, sidecar: c.sidecar ?? 'json' } };
  }
}

const COMMON_FIELDS = new Set(['kind', 'name', 'campusId', 'document', 'secret', 'updateStatus', 'maxAttempts', 'enabled']);
const ALL_CONFIG_FIELDS = new Set<string>(Object.values(CONFIG_FIELDS).flat());

export interface FormFieldErrors {
  /** For form.setFields: errors on the fields they belong to. */
  fields: Array<{ name: Array<string | number>; errors: string[] }>;
  /** Errors no field of the form shows. */
  rest: FieldError[];
}

/**
 * The server's field errors ("body.config.url", "body.config.statements.1", "body.config.headers.X-Token", "body.name")
 * placed on the form's fields: one statement's error on its textarea, a header's on the header list, the timeout's on
 * the seconds field.
 */
export function fieldErrorsToForm(errors: readonly FieldError[] | undefined): FormFieldErrors {
  const byName = new Map<string, { name: Array<string | number>; errors: string[] }>();
  const rest: FieldError[] = [];
  for (const error of errors ?? []) {
    const path = error.field.replace(/^body\./, '').split('.').filter(Boolean);
    let name: Array<string | number> | null = null;
    const [head, field, index] = path;
    if (head && path.length === 1 && COMMON_FIELDS.has(head)) name = [head];
    else if (head === 'config' && field === 'timeoutMs') name = ['config', 'timeoutS'];
    else if (head === 'config' && field === 'statements' && index !== undefined && /^\d+$/.test(index)) name = ['config', 'statements', Number(index)];
    else if (head === 'config' && field && ALL_CONFIG_FIELDS.has(field)) name = ['config', field];
    if (!name) {
      rest.push(error);
      continue;
    }
    const key = name.join('.');
    const entry = byName.get(key) ?? { name, errors: [] };
    entry.errors.push(error.message);
    byName.set(key, entry);
  }
  return { fields: [...byName.values()], rest };
}

/**
 * The :named parameters of a statement, as the server finds them: string literals, quoted identifiers, comments and
 * PostgreSQL casts (::date) are skipped.
 */
export function sqlParameterNames(sql: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const close = sql.indexOf(c, i + 1);
      i = close < 0 ? sql.length : close + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const close = sql.indexOf('\n', i);
      i = close < 0 ? sql.length : close + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === ':' && sql[i + 1] === ':') {
      i += 2;
    } else if (c === ':' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      if (!names.includes(name)) names.push(name);
      i += 1 + name.length;
    } else {
      i += 1;
    }
  }
  return names;
}

/** Parameters the server will not bind: the statement would be refused at the first delivery. */
export function unknownSqlParameters(sql: string): string[] {
  const known = new Set<string>([...SQL_PARAMETERS, ...OTHER_SQL_PARAMETERS]);
  return sqlParameterNames(sql).filter((name) => !known.has(name));
}

/** Only INSERT and UPDATE may reach the HIS (leading comments aside). */
export function isWriteStatement(sql: string): boolean {
  const body = sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  return /^(insert|update)\b/i.test(body);
}

export type NamePatternProblem = { kind: 'unknown'; placeholder: string } | { kind: 'unbalanced' } | { kind: 'noKey' };

/** What makes a file name pattern unusable at delivery time (mirrors checkFileNamePattern in @pftis/formats). */
export function namePatternProblems(pattern: string): NamePatternProblem[] {
  const problems: NamePatternProblem[] = [];
  const placeholder = /\{([^{}]*)\}/g;
  for (const match of pattern.matchAll(placeholder)) {
    const name = match[1] ?? '';
    if (!(FILE_NAME_PLACEHOLDERS as readonly string[]).includes(name)) problems.push({ kind: 'unknown', placeholder: `{${name}}` });
  }
  if (/[{}]/.test(pattern.replace(placeholder, ''))) problems.push({ kind: 'unbalanced' });
  if (!/\{(requestNo|accessionNo|reportId)\}/.test(pattern)) problems.push({ kind: 'noKey' });
  return problems;
}

/** An HTTP header name: an RFC 9110 token. */
export const isHeaderName = (name: string) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name);
/** Set by the server on every request; a configured value would be overwritten. */
export const RESERVED_HEADERS = ['content-type', 'idempotency-key', 'content-length', 'host'];

/** Header names that appear more than once (any case). */
export function duplicateHeaders(rows: readonly HeaderRow[] | undefined): string[] {
  const seen = new Map<string, number>();
  for (const row of rows ?? []) {
    const name = row?.name?.trim().toLowerCase();
    if (name) seen.set(name, (seen.get(name) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([name]) => name);
}

export type TargetHealth = 'disabled' | 'failed' | 'delayed' | 'ok';

/** The colour of a target on the monitor: dead letters first, then a queue that has waited too long. */
export function targetHealth(status: Pick<DeliveryTargetStatus, 'enabled' | 'failed' | 'oldestPendingMinutes'>): TargetHealth {
  if (status.failed > 0) return 'failed';
  if (status.oldestPendingMinutes !== null && status.oldestPendingMinutes >= DELAYED_MINUTES) return 'delayed';
  if (!status.enabled) return 'disabled';
  return 'ok';
}

/** How long the oldest job has waited: "—", "不到 1 分钟", "12 分钟", "2 小时 5 分钟", "3 天 4 小时". */
export function formatWaiting(minutes: number | null, t: Translate): string {
  if (minutes === null) return '—';
  if (minutes < 1) return t('delivery.wait.lessThanMinute');
  if (minutes < 60) return t('delivery.wait.minutes', { m: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('delivery.wait.hours', { h: hours, m: minutes % 60 });
  return t('delivery.wait.days', { d: Math.floor(hours / 24), h: hours % 24 });
}

/** A revocation job (the review's withdrawal of an approved report) rather than a delivery. */
export const isRevocation = (jobKey: string) => jobKey.startsWith('revoke:');
