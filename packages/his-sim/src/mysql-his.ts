import mysql from 'mysql2/promise';
import { generateHisRows } from './his-db/generate.js';
import { insertRows } from './his-db/load.js';
import { hisSchema } from './his-db/schema.js';

export interface MysqlHis {
  /** URL of the HIS database (same account as the admin URL). */
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates the demo HIS on a MariaDB/MySQL server: used by integration tests and benchmarks, where
 * MariaDB stands in for a hospital's HIS database. Generated in batches, so millions of patients fit.
 */
export async function createMysqlHis(adminUrl: string, name: string, o: { patients: number; today: Date; historicalOrders?: number; todayShare?: number; onProgress?: (done: number) => void }): Promise<MysqlHis> {
  const admin = await mysql.createConnection({ uri: adminUrl, multipleStatements: false });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.query(`USE \`${name}\``);
    for (const statement of hisSchema('mysql')) await admin.query(statement);
    const batch = 5000;
    for (let from = 1; from <= o.patients; from += batch) {
      const rows = generateHisRows({ from, count: Math.min(batch, o.patients - from + 1), today: o.today, historicalOrders: o.historicalOrders, todayShare: o.todayShare });
      await admin.query('START TRANSACTION');
      for (const table of ['HIS_BRXX', 'HIS_JZK', 'HIS_JZJL', 'HIS_JCSQ'] as const) await insertRows((sql, params) => admin.query(sql, params), 'mysql', table, rows[table], 1000);
      await admin.query('COMMIT');
      o.onProgress?.(Math.min(from + batch - 1, o.patients));
    }
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = await mysql.createConnection(adminUrl);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}
