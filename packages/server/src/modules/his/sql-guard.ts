import sqlParser from 'node-sql-parser';

export type HisSqlDialect = 'mysql' | 'postgres';

export type GuardResult = { ok: true; params: string[] } | { ok: false; reason: string };

const WRITE_TYPES = new Set(['insert', 'update', 'delete', 'replace', 'create', 'drop', 'alter', 'truncate', 'rename', 'grant', 'revoke', 'set', 'call', 'exec', 'execute', 'lock', 'unlock', 'merge', 'load_data', 'use', 'transaction', 'declare']);
// Functions that change state or reach outside the database even inside a SELECT.
const DENIED_FUNCTIONS = new Set([
  'pg_sleep', 'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_advisory_lock', 'pg_advisory_xact_lock', 'set_config', 'setval', 'nextval',
  'lo_import', 'lo_export', 'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'dblink', 'dblink_exec', 'sleep', 'benchmark', 'get_lock', 'load_file', 'sys_exec', 'sys_eval',
]);

const parser = new sqlParser.Parser();

/**
 * Accepts exactly one plain SELECT (CTEs of SELECTs allowed) and nothing that writes, locks, exports or
 * sleeps, by parsing the statement and walking its syntax tree — never by matching strings. Execution
 * runs it in a read-only transaction with a timeout as well: this check is the first line, not the only.
 */
export function checkSelectOnly(sql: string, dialect: HisSqlDialect): GuardResult {
  const params = namedParameters(sql);
  const parsed = parseStatements(sql, dialect);
  if (!parsed.ok) return { ok: false, reason: `SQL 无法解析，只允许单条 SELECT 语句（${parsed.error}）` };
  const { statements } = parsed;
  if (statements.length !== 1) return { ok: false, reason: '只允许一条 SELECT 语句，不能用分号连接多条语句' };
  const statement = statements[0] as { type?: string };
  if (statement.type !== 'select') return { ok: false, reason: `只允许 SELECT 语句，不允许 ${String(statement.type).toUpperCase()}` };
  const problem = findWrite(statement);
  return problem ? { ok: false, reason: problem } : { ok: true, params };
}

function findWrite(node: unknown): string | null {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findWrite(item);
      if (found) return found;
    }
    return null;
  }
  if (!node || typeof node !== 'object') return null;
  const n = node as Record<string, unknown>;
  if (typeof n.type === 'string' && WRITE_TYPES.has(n.type.toLowerCase())) return `语句中包含不允许的 ${n.type.toUpperCase()} 操作`;
  if (n.into && typeof n.into === 'object' && (n.into as { expr?: unknown }).expr) return '不允许 SELECT … INTO（写入表或文件）';
  if (n.locking_read) return '不允许加锁读取（FOR UPDATE / FOR SHARE）';
  if (n.type === 'function' || n.type === 'aggr_func') {
    const name = functionName(n).toLowerCase();
    if (DENIED_FUNCTIONS.has(name)) return `不允许调用函数 ${name}`;
  }
  for (const value of Object.values(n)) {
    const found = findWrite(value);
    if (found) return found;
  }
  return null;
}

function functionName(n: Record<string, unknown>): string {
  const name = n.name as unknown;
  if (typeof name === 'string') return name;
  const parts = (name as { name?: Array<{ value?: string }> })?.name;
  return Array.isArray(parts) ? parts.map((p) => p.value ?? '').join('.').split('.').pop() ?? '' : '';
}

/** The status write-back must be exactly one UPDATE or INSERT; nothing else may reach the HIS. */
export function checkWriteBack(sql: string, dialect: HisSqlDialect): GuardResult {
  const params = namedParameters(sql);
  const parsed = parseStatements(sql, dialect);
  if (!parsed.ok) return { ok: false, reason: `SQL 无法解析（${parsed.error}）` };
  const { statements } = parsed;
  if (statements.length !== 1) return { ok: false, reason: '只允许一条 UPDATE 或 INSERT 语句' };
  const type = String((statements[0] as { type?: string }).type);
  if (type !== 'update' && type !== 'insert') return { ok: false, reason: `状态回写只允许 UPDATE 或 INSERT，不允许 ${type.toUpperCase()}` };
  return { ok: true, params };
}

function parseStatements(sql: string, dialect: HisSqlDialect): { ok: true; statements: unknown[] } | { ok: false; error: string } {
  try {
    const ast: unknown = parser.astify(sql, { database: dialect === 'mysql' ? 'MariaDB' : 'PostgresQL' });
    return { ok: true, statements: Array.isArray(ast) ? ast : [ast] };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0]!.slice(0, 120) };
  }
}

/**
 * Named parameters (`:cardNo`) in order of appearance, skipping string literals, quoted identifiers,
 * comments and PostgreSQL casts (`::date`).
 */
export function namedParameters(sql: string): string[] {
  return [...scanParameters(sql)].map((p) => p.name).filter((name, i, all) => all.indexOf(name) === i);
}

function* scanParameters(sql: string): Generator<{ name: string; start: number; end: number }> {
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
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      yield { name: match[0], start: i, end: i + 1 + match[0].length };
      i += 1 + match[0].length;
    } else {
      i += 1;
    }
  }
}

/** Rewrites `:name` parameters into the driver's placeholders and orders the values to match. */
export function bindParameters(sql: string, dialect: HisSqlDialect | 'pglite', values: Record<string, unknown>): { text: string; values: unknown[] } {
  let text = '';
  let last = 0;
  const ordered: unknown[] = [];
  for (const p of scanParameters(sql)) {
    if (!(p.name in values)) throw new Error(`no value for parameter :${p.name}`);
    ordered.push(values[p.name]);
    text += sql.slice(last, p.start) + (dialect === 'mysql' ? '?' : `$${ordered.length}`);
    last = p.end;
  }
  return { text: text + sql.slice(last), values: ordered };
}
