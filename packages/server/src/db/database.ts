import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { OperatorError } from '../platform/errors.js';
import { pglitePool } from './pglite-pool.js';
import type { DB } from './types.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  /** Human-readable description of where the data lives, password masked. */
  location: string;
  /**
   * Follows NOTIFY messages on `channel`: `onMessage` gets each payload, `onListening(true)` once listening and
   * `onListening(false)` while the listening connection is lost (messages may then be missed). Returns the stop.
   */
  listen(channel: string, onMessage: (payload: string) => void, onListening: (listening: boolean) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

// int8 → number (ids and counts stay far below 2^53), numeric → number, date → 'YYYY-MM-DD' string
// so that a calendar date never shifts with the server's time zone. Same on both drivers.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
export const parsers = {
  [INT8]: (v: string) => Number(v),
  [NUMERIC]: (v: string) => Number(v),
  [DATE]: (v: string) => v,
};

export function createKysely(pool: pg.Pool | ReturnType<typeof pglitePool>): Kysely<DB> {
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: pool as pg.Pool }),
    plugins: [new CamelCasePlugin()],
  });
}

/**
 * Opens the embedded database kept in `dataDir/pglite` (created when missing), holding the folder's lock
 * file while open; or an in-memory database, from a dump when `loadDataDir` is given.
 */
export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database> {
  const releaseLock = dataDir ? await lockDataDir(dataDir) : async () => {};
  try {
    const instance = await PGlite.create({ dataDir: dataDir && path.join(dataDir, 'pglite'), loadDataDir, parsers });
    const db = createKysely(pglitePool(instance));
    return {
      db,
      kind: 'pglite',
      location: dataDir ? `PGlite ${path.resolve(dataDir)}` : 'PGlite (in memory)',
      // One in-process session: a notification is delivered before the statement that caused it returns.
      async listen(channel, onMessage, onListening) {
        const stop = await instance.listen(channel, onMessage);
        onListening(true);
        return async () => {
          onListening(false);
          await stop();
        };
      },
      async close() {
        await db.destroy();
        await instance.close();
        await releaseLock();
      },
    };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}

export class DataDirInUse extends OperatorError {}

/** PGlite corrupts a data folder opened by two processes at once, so each holder leaves its pid in a lock file. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'pftis.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(file, 'utf8').catch(() => ''));
      if (holder && isAlive(holder)) {
        throw new DataDirInUse(`data folder ${path.resolve(dataDir)} is in use by process ${holder}; stop it first`);
      }
      await rm(file, { force: true }); // left behind by a process that no longer runs
    }
  }
  throw new DataDirInUse(`cannot lock data folder ${path.resolve(dataDir)}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/** Connects to a PostgreSQL server and checks that it answers, so a wrong URL fails at start, not at first use. */
export async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    types: { getTypeParser: (oid: number, format?: string) => (parsers as Record<number, (v: string) => unknown>)[oid] ?? pg.types.getTypeParser(oid, format as 'text') },
  });
  // An idle client losing its server connection must not crash the process.
  pool.on('error', () => {});
  const db = createKysely(pool);
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw new DatabaseUnreachable(maskUrl(url), error);
  }
  return { db, kind: 'postgres', location: `PostgreSQL ${maskUrl(url)}`, listen: (...args) => listenOnPostgres(url, ...args), close: () => db.destroy() };
}

const LISTEN_RETRY_MS = 1000;

/** A connection of its own that LISTENs on `channel`, opened again a second after it is lost, for as long as it is wanted. */
async function listenOnPostgres(url: string, channel: string, onMessage: (payload: string) => void, onListening: (listening: boolean) => void) {
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const connect = async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (current === client) {
        current = undefined;
        onListening(false);
      }
      client.end().catch(() => {});
      if (!stopped) retry ??= setTimeout(() => ((retry = undefined), void connect()), LISTEN_RETRY_MS).unref();
    };
    client.on('notification', (message) => message.channel === channel && onMessage(message.payload ?? ''));
    client.on('error', onLost);
    client.on('end', onLost);
    try {
      await client.connect();
      await client.query(`listen ${channel}`);
    } catch {
      return onLost();
    }
    if (stopped || lost) return void client.end().catch(() => {});
    current = client;
    onListening(true);
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const client = current;
    current = undefined;
    if (client) {
      onListening(false);
      await client.end().catch(() => {});
    }
  };
}

export class DatabaseUnreachable extends OperatorError {
  constructor(
    readonly target: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? (cause as NodeJS.ErrnoException).code ?? cause.message : String(cause);
    super(`cannot connect to PostgreSQL at ${target}: ${reason}`);
  }
}
