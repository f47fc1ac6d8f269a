import pg from 'pg';
import { generateHisRows } from './his-db/generate.js';
import { insertRows } from './his-db/load.js';
import { hisSchema } from './his-db/schema.js';

/** The demo HIS on a PostgreSQL server (a database of its own), for the PostgreSQL HIS driver's tests. */
export async function createPostgresHis(adminUrl: string, name: string, o: { patients: number; today: Date }) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const his = new pg.Client({ connectionString: url.toString() });
  await his.connect();
  try {
    for (const statement of hisSchema('postgres')) await his.query(statement);
    const rows = generateHisRows({ from: 1, count: o.patients, today: o.today });
    for (const table of ['HIS_BRXX', 'HIS_JZK', 'HIS_JZJL', 'HIS_JCSQ'] as const) await insertRows((sql, params) => his.query(sql, params), 'postgres', table, rows[table]);
  } finally {
    await his.end();
  }
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
