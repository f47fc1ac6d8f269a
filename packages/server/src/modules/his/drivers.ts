import type { PGlite } from '@electric-sql/pglite';
import type { Connection as CallbackConnection } from 'mysql2';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { bindParameters, type HisSqlDialect } from './sql-guard.js';

/** How PFTIS reaches a hospital's HIS database: by URL with a read-only account, or the embedded demo HIS. */
export type HisConnection = { kind: 'mysql'; url: string } | { kind: 'postgres'; url: string } | { kind: 'pglite'; instance: PGlite };

export type Row = Record<string, unknown>;

export class HisQueryFailed extends Error {
  constructor(
    readonly kind: 'timeout' | 'error',
    message: string,
  ) {
    super(message);
  }
}

export interface HisDriver {
  dialect: HisSqlDialect;
  /** Runs one SELECT with `:named` parameters inside a read-only transaction, bounded by a timeout. */
  query(sql: string, values: Record<string, unknown>, timeoutMs: number): Promise<Row[]>;
  /** Runs the configured status write-back statement in a transaction of its own; returns the rows changed. */
  execute(sql: string, values: Record<string, unknown>, timeoutMs: number): Promise<number>;
  /** Runs several write statements in one transaction (all or nothing); returns the rows changed by each. */
  executeAll(statements: HisWrite[], timeoutMs: number): Promise<number[]>;
  close(): Promise<void>;
}

export interface HisWrite {
  sql: string;
  values: Record<string, unknown>;
}

// Dates and times come back as the HIS wrote them; the mapping decides what they mean.
const RAW_DATES = { 1082: (v: string) => v, 1114: (v: string) => v, 1184: (v: string) => v };

export function createHisDriver(connection: HisConnection): HisDriver {
  switch (connection.kind) {
    case 'mysql':
      return mysqlDriver(connection.url);
    case 'postgres':
      return postgresDriver(connection.url);
    case 'pglite':
      return pgliteDriver(connection.instance);
  }
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new HisQueryFailed('timeout', `HIS query exceeded ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const failure = (error: unknown) => (error instanceof HisQueryFailed ? error : new HisQueryFailed('error', (error as Error).message ?? String(error)));

// Through the callback API underneath: the promise wrapper captures a stack trace for every query, a cost paid on each scan.
const selectRows = (c: mysql.PoolConnection, text: string, values: unknown[]) =>
  new Promise<Row[]>((resolve, reject) =>
    (c.connection as unknown as CallbackConnection).query<mysql.RowDataPacket[]>(text, values, (error, rows) => (error ? reject(error) : resolve(rows as Row[]))),
  );

function mysqlDriver(url: string): HisDriver {
  const pool = mysql.createPool({ uri: url, dateStrings: true, connectionLimit: 5, connectTimeout: 5000, supportBigNumbers: true, bigNumberStrings: true });
  // Look-ups run on connections whose every transaction is read-only (set once per connection, saving two
  // round trips per query); the status write-back has a pool of its own.
  const writePool = mysql.createPool({ uri: url, dateStrings: true, connectionLimit: 2, connectTimeout: 5000 });
  pool.on('connection', (connection) => {
    connection.query('SET SESSION TRANSACTION READ ONLY');
  });
  let mariadb: Promise<boolean> | undefined;
  return {
    dialect: 'mysql',
    async query(sql, values, timeoutMs) {
      const { text, values: ordered } = bindParameters(sql, 'mysql', values);
      let connection: mysql.PoolConnection | undefined;
      try {
        connection = await pool.getConnection();
        const c = connection;
        mariadb ??= c.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v').then(([r]) => /mariadb/i.test(String(r[0]?.v)));
        // Server-side limit as well as our own: MariaDB's max_statement_time, MySQL's optimizer hint.
        const limited = (await mariadb)
          ? `SET STATEMENT max_statement_time=${Math.max(timeoutMs / 1000, 0.001)} FOR ${text}`
          : text.replace(/^\s*select\b/i, `SELECT /*+ MAX_EXECUTION_TIME(${Math.round(timeoutMs)}) */`);
        return await withTimeout(selectRows(c, limited, ordered), timeoutMs + 200, () => c.destroy());
      } catch (error) {
        const e = error as { errno?: number };
        // 1969: MariaDB "Query execution was interrupted (max_statement_time exceeded)"; 3024: MySQL's.
        if (e.errno === 1969 || e.errno === 3024) throw new HisQueryFailed('timeout', `HIS query exceeded ${timeoutMs} ms`);
        throw failure(error);
      } finally {
        connection?.release();
      }
    },
    async execute(sql, values, timeoutMs) {
      const { text, values: ordered } = bindParameters(sql, 'mysql', values);
      try {
        const [result] = await withTimeout(writePool.query<mysql.ResultSetHeader>({ sql: text, timeout: timeoutMs }, ordered), timeoutMs + 200, () => {});
        return result.affectedRows;
      } catch (error) {
        throw failure(error);
      }
    },
    async executeAll(statements, timeoutMs) {
      let connection: mysql.PoolConnection | undefined;
      try {
        connection = await writePool.getConnection();
        const c = connection;
        const run = async () => {
          await c.beginTransaction();
          try {
            const changed: number[] = [];
            for (const statement of statements) {
              const { text, values: ordered } = bindParameters(statement.sql, 'mysql', statement.values);
              const [result] = await c.query<mysql.ResultSetHeader>({ sql: text, timeout: timeoutMs }, ordered);
              changed.push(result.affectedRows);
            }
            await c.commit();
            return changed;
          } catch (error) {
            await c.rollback().catch(() => {});
            throw error;
          }
        };
        return await withTimeout(run(), timeoutMs + 200, () => connection?.destroy());
      } catch (error) {
        throw failure(error);
      } finally {
        connection?.release();
      }
    },
    close: async () => {
      await pool.end();
      await writePool.end();
    },
  };
}

function postgresDriver(url: string): HisDriver {
  const pool = new pg.Pool({
    connectionString: url,
    max: 5,
    connectionTimeoutMillis: 5000,
    types: { getTypeParser: (oid: number, format?: string) => (RAW_DATES as Record<number, (v: string) => unknown>)[oid] ?? pg.types.getTypeParser(oid, format as 'text') },
  });
  pool.on('error', () => {});
  return {
    dialect: 'postgres',
    async query(sql, values, timeoutMs) {
      const { text, values: ordered } = bindParameters(sql, 'postgres', values);
      let client: pg.PoolClient | undefined;
      try {
        client = await pool.connect();
        const c = client;
        const run = async () => {
          await c.query('BEGIN READ ONLY');
          try {
            await c.query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
            return (await c.query(text, ordered)).rows as Row[];
          } finally {
            await c.query('ROLLBACK').catch(() => {});
          }
        };
        return await withTimeout(run(), timeoutMs + 200, () => {});
      } catch (error) {
        if ((error as { code?: string }).code === '57014') throw new HisQueryFailed('timeout', `HIS query exceeded ${timeoutMs} ms`);
        throw failure(error);
      } finally {
        client?.release();
      }
    },
    async execute(sql, values, timeoutMs) {
      const { text, values: ordered } = bindParameters(sql, 'postgres', values);
      try {
        const result = await withTimeout(pool.query({ text, values: ordered }), timeoutMs, () => {});
        return result.rowCount ?? 0;
      } catch (error) {
        throw failure(error);
      }
    },
    async executeAll(statements, timeoutMs) {
      let client: pg.PoolClient | undefined;
      try {
        client = await pool.connect();
        const c = client;
        const run = async () => {
          await c.query('BEGIN');
          try {
            await c.query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
            const changed: number[] = [];
            for (const statement of statements) {
              const { text, values: ordered } = bindParameters(statement.sql, 'postgres', statement.values);
              changed.push((await c.query(text, ordered)).rowCount ?? 0);
            }
            await c.query('COMMIT');
            return changed;
          } catch (error) {
            await c.query('ROLLBACK').catch(() => {});
            throw error;
          }
        };
        return await withTimeout(run(), timeoutMs + 200, () => {});
      } catch (error) {
        throw failure(error);
      } finally {
        client?.release();
      }
    },
    close: () => pool.end(),
  };
}

function pgliteDriver(instance: PGlite): HisDriver {
  return {
    dialect: 'postgres',
    async query(sql, values, timeoutMs) {
      const { text, values: ordered } = bindParameters(sql, 'pglite', values);
      try {
        const run = instance.transaction(async (tx) => {
          await tx.exec('SET TRANSACTION READ ONLY');
          return (await tx.query<Row>(text, ordered, { parsers: RAW_DATES })).rows;
        });
        return await withTimeout(run, timeoutMs, () => {});
      } catch (error) {
        throw failure(error);
      }
    },
    async execute(sql, values, timeoutMs) {
      const { text, values: ordered } = bindParameters(sql, 'pglite', values);
      try {
        return (await withTimeout(instance.query(text, ordered), timeoutMs, () => {})).affectedRows ?? 0;
      } catch (error) {
        throw failure(error);
      }
    },
    async executeAll(statements, timeoutMs) {
      try {
        const run = instance.transaction(async (tx) => {
          const changed: number[] = [];
          for (const statement of statements) {
            const { text, values: ordered } = bindParameters(statement.sql, 'pglite', statement.values);
            changed.push((await tx.query(text, ordered)).affectedRows ?? 0);
          }
          return changed;
        });
        return await withTimeout(run, timeoutMs, () => {});
      } catch (error) {
        throw failure(error);
      }
    },
    // The demo HIS belongs to whoever opened it.
    close: async () => {},
  };
}
