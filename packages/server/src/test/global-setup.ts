import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { PGlite } from '@electric-sql/pglite';
import { createKysely, parsers } from '../db/database.js';
import { pglitePool } from '../db/pglite-pool.js';
import { migrateToLatest } from '../db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string | null;
  }
}

/**
 * Migrates one database per backend once per run; every test database is then a copy of it
 * (a PGlite data-dir dump, or CREATE DATABASE … TEMPLATE on a server), not a fresh initdb.
 */
export default async function setup(project: TestProject) {
  const dir = path.resolve(import.meta.dirname, '../../../../.tmp');
  await mkdir(dir, { recursive: true });
  const instance = await PGlite.create({ parsers });
  const db = createKysely(pglitePool(instance));
  await migrateToLatest(db);
  const dump = await (await instance.dumpDataDir('gzip')).arrayBuffer();
  await db.destroy();
  await instance.close();
  const file = path.join(dir, `pglite-template-${process.pid}.tar.gz`);
  await writeFile(file, Buffer.from(dump));
  project.provide('pgliteTemplate', file);

  const url = process.env.PFTIS_TEST_DATABASE_URL;
  let postgresTemplate: string | null = null;
  if (url) {
    postgresTemplate = `pftis_tpl_${process.pid}`;
    await adminQuery(url, `drop database if exists ${postgresTemplate}`);
    await adminQuery(url, `create database ${postgresTemplate}`);
    const { openPostgres } = await import('../db/database.js');
    const db = await openPostgres(withDatabase(url, postgresTemplate), 2);
    await migrateToLatest(db.db);
    await db.close();
  }
  project.provide('postgresTemplate', postgresTemplate);

  return async () => {
    if (url && postgresTemplate) {
      const leftovers = await adminQuery(url, `select datname from pg_database where datname like 'pftis_t_${process.pid}_%'`);
      for (const { datname } of leftovers) await adminQuery(url, `drop database if exists ${datname} with (force)`);
      await adminQuery(url, `drop database if exists ${postgresTemplate} with (force)`);
    }
  };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function adminQuery(url: string, text: string): Promise<Array<Record<string, string>>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}
