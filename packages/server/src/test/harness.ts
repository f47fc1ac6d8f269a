import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { type BuiltApp, buildApp } from '../app.js';
import { type Database, type DatabaseKind, openPglite, openPostgres } from '../db/database.js';
import type { HisConnection } from '../modules/his/module.js';
import { loadConfig, type Config } from '../platform/config.js';
import { adminQuery, withDatabase } from './global-setup.js';

/** PGlite always; a PostgreSQL server too when PFTIS_TEST_DATABASE_URL is set. Use with describe.each. */
export const backends: DatabaseKind[] = process.env.PFTIS_TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

let counter = 0;
const urls = new WeakMap<Database, string>();

/** A fresh, migrated database: a copy of the run's template, dropped again by close(). */
export async function testDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') {
    const dump = await readFile(inject('pgliteTemplate'));
    return openPglite(undefined, new Blob([dump]));
  }
  const url = process.env.PFTIS_TEST_DATABASE_URL!;
  const name = `pftis_t_${inject('postgresTemplate')!.slice('pftis_tpl_'.length)}_${process.pid}_${++counter}`;
  await adminQuery(url, `create database ${name} template ${inject('postgresTemplate')}`);
  const database = await openPostgres(withDatabase(url, name), 5);
  const test: Database = {
    ...database,
    async close() {
      await database.close();
      await adminQuery(url, `drop database if exists ${name} with (force)`);
    },
  };
  urls.set(test, withDatabase(url, name));
  return test;
}

export function testConfig(overrides: Record<string, unknown> = {}): Config {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pftis-test-'));
  return loadConfig({}, { logLevel: 'silent', demo: false, hospitalName: '测试医院', dataDir, ...overrides });
}

export interface TestApp extends BuiltApp {
  database: Database;
  close(): Promise<void>;
}

export async function testApp(kind: DatabaseKind, options: AppOnOptions = {}): Promise<TestApp> {
  return appOn(await testDatabase(kind), options);
}

/** Another server process on the PostgreSQL database of `t` (a pool and an app of its own); closing it leaves `t` open. */
export async function secondServer(t: TestApp): Promise<TestApp> {
  const url = urls.get(t.database);
  if (!url) throw new Error('a second server needs a PostgreSQL test database');
  return appOn(await openPostgres(url, 5));
}

type AppOnOptions = { now?: () => Date; config?: Record<string, unknown>; his?: HisConnection };

async function appOn(database: Database, options: AppOnOptions = {}): Promise<TestApp> {
  const built = await buildApp({ config: testConfig(options.config), database, secretKey: randomBytes(32).toString('hex'), his: options.his ?? null, logger: false, now: options.now });
  await built.app.ready();
  return {
    ...built,
    database,
    async close() {
      await built.app.close();
      await database.close();
    },
  };
}
