import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { DEMO_PATIENTS, openDemoHis } from './demo-his.js';
import { generateHisRows } from './his-db/generate.js';
import { insertRows } from './his-db/load.js';
import { hisSchema } from './his-db/schema.js';
import { isValidIdNumber } from './people.js';

describe('the demo HIS on embedded PostgreSQL', () => {
  it('creates 600 patients with orders for today, and a new day brings new orders without duplicates', async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'pftis-his-')), 'his');
    const day1 = new Date('2026-11-25T01:00:00Z');
    let his = await openDemoHis(dir, day1);
    const count = async (sql: string) => (await his.pglite.query<{ n: number }>(sql)).rows[0]!.n;
    expect(await count('SELECT count(*)::int AS n FROM V_PFT_PATIENT WHERE JZKH LIKE \'9%\'')).toBe(DEMO_PATIENTS);
    const today1 = await count("SELECT count(*)::int AS n FROM V_PFT_APPLY WHERE SQSJ >= '2026-11-25' AND ZT = '0'");
    expect(today1).toBeGreaterThan(450);
    const sample = (await his.pglite.query<Record<string, unknown>>("SELECT * FROM V_PFT_APPLY WHERE BRID = 'P00000001'")).rows;
    expect(Object.keys(sample[0] ?? { sqdh: 1 })).toContain('sqdh'); // PostgreSQL folds unquoted names to lower case
    const ids = (await his.pglite.query<{ sfzh: string }>('SELECT SFZH FROM HIS_BRXX WHERE SFZH IS NOT NULL')).rows;
    expect(ids.every((r) => isValidIdNumber(r.sfzh))).toBe(true);
    await his.close();

    his = await openDemoHis(dir, day1);
    expect(await count("SELECT count(*)::int AS n FROM V_PFT_APPLY WHERE SQSJ >= '2026-11-25'")).toBeGreaterThanOrEqual(today1);
    const before = await count('SELECT count(*)::int AS n FROM HIS_JCSQ');
    await his.close();
    his = await openDemoHis(dir, new Date('2026-11-26T01:00:00Z'));
    expect(await count("SELECT count(*)::int AS n FROM V_PFT_APPLY WHERE SQSJ >= '2026-11-26' AND ZT = '0'")).toBeGreaterThan(350);
    expect(await count('SELECT count(*)::int AS n FROM HIS_JCSQ')).toBeGreaterThan(before);
    await his.close();
  }, 60_000);
});

const mariadbUrl = process.env.PFTIS_TEST_MARIADB_URL;

describe.skipIf(!mariadbUrl)('the same HIS on MariaDB', () => {
  it('loads and serves the views with upper-case column names', async () => {
    const admin = await mysql.createConnection(mariadbUrl!);
    const name = `pftis_his_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    await admin.query(`USE ${name}`);
    try {
      for (const statement of hisSchema('mysql')) await admin.query(statement);
      const rows = generateHisRows({ from: 1, count: 50, today: new Date('2026-11-25T00:00:00Z') });
      for (const table of ['HIS_BRXX', 'HIS_JZK', 'HIS_JZJL', 'HIS_JCSQ'] as const) await insertRows((sql, params) => admin.query(sql, params), 'mysql', table, rows[table]);
      const [patients] = await admin.query<mysql.RowDataPacket[]>("SELECT * FROM V_PFT_PATIENT WHERE JZKH = '9000000007'");
      expect(patients).toHaveLength(1);
      expect(patients[0]).toMatchObject({ BRID: 'P00000007', XB: expect.stringMatching(/^[12]$/) });
      expect(patients[0]!.BRXM).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
  });
});
if (!mariadbUrl) console.warn('PFTIS_TEST_MARIADB_URL is not set: the MariaDB HIS tests are skipped (CI sets it).');
