import type { HisDialect } from './schema.js';

/** Anything that runs one parameterised statement: a mysql2 connection, pg, or PGlite wrapped. */
export type Execute = (sql: string, params: unknown[]) => Promise<unknown>;

const COLUMN_ORDER: Record<string, string[]> = {};

/** Inserts rows in multi-row batches; placeholders in the dialect's own style. */
export async function insertRows(execute: Execute, dialect: HisDialect, table: string, rows: Array<Record<string, unknown>>, batchSize = 500): Promise<void> {
  if (rows.length === 0) return;
  const columns = (COLUMN_ORDER[table] ??= Object.keys(rows[0]!));
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const params: unknown[] = [];
    const tuples = batch.map((row) => {
      const marks = columns.map((column) => {
        params.push(row[column] ?? null);
        return dialect === 'mysql' ? '?' : `$${params.length}`;
      });
      return `(${marks.join(',')})`;
    });
    await execute(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${tuples.join(',')}`, params);
  }
}
