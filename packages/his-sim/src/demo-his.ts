import { existsSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { beijingDay, generateDayOrders, generateHisRows, type HisRows } from './his-db/generate.js';
import { insertRows } from './his-db/load.js';
import { hisSchema } from './his-db/schema.js';

export interface DemoHis {
  /** The demo HIS database; PFTIS reads it through its interface views like any HIS. */
  pglite: PGlite;
  close(): Promise<void>;
}

export const DEMO_PATIENTS = 600;

/**
 * Opens (creating on first use) the demo hospital's HIS on an embedded PostgreSQL (PGlite), with 600
 * patients, and makes sure today's PFT orders exist: on a new day, about 500 patients get new orders.
 */
export async function openDemoHis(dataDir: string | undefined, now = new Date()): Promise<DemoHis> {
  const isNew = !dataDir || !existsSync(dataDir);
  const pglite = await PGlite.create({ dataDir });
  const execute = (sql: string, params: unknown[]) => pglite.query(sql, params);
  const today = beijingDay(now);
  if (isNew) {
    for (const statement of hisSchema('postgres')) await pglite.exec(statement);
    await load(execute, generateHisRows({ from: 1, count: DEMO_PATIENTS, today, todayShare: 0.85 }));
  } else {
    const { rows } = await pglite.query<{ n: number }>(`SELECT count(*)::int AS n FROM HIS_JCSQ WHERE SQSJ >= $1`, [isoDay(today)]);
    if (rows[0]!.n === 0) {
      const patients = Array.from({ length: DEMO_PATIENTS }, (_, i) => i + 1).filter((n) => (n * 7919 + today.getTime() / 86_400_000) % 6 !== 0);
      await load(execute, { HIS_BRXX: [], HIS_JZK: [], ...generateDayOrders({ patients, today }) });
    }
  }
  return { pglite, close: () => pglite.close() };
}

async function load(execute: (sql: string, params: unknown[]) => Promise<unknown>, rows: HisRows) {
  for (const table of ['HIS_BRXX', 'HIS_JZK', 'HIS_JZJL', 'HIS_JCSQ'] as const) await insertRows(execute, 'postgres', table, rows[table]);
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
