import type { Kysely, Transaction } from 'kysely';
import type { z, ZodType } from 'zod';
import type { DB } from '../db/types.js';

/** Reads a setting, falling back to the schema's defaults for anything missing or unreadable. */
export async function readSetting<S extends ZodType>(db: Kysely<DB> | Transaction<DB>, key: string, schema: S): Promise<z.output<S>> {
  const row = await db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst();
  // The stored value if it is readable; otherwise the defaults (an object schema's, or a .default()).
  for (const candidate of row ? [row.value, undefined, {}] : [undefined, {}]) {
    const parsed = schema.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  throw new Error(`setting ${key} has no usable value and no defaults`);
}

export async function writeSetting(trx: Transaction<DB>, key: string, value: unknown, userId: string | null): Promise<void> {
  const json = JSON.stringify(value);
  await trx
    .insertInto('setting')
    .values({ key, value: json, updatedBy: userId, updatedAt: new Date() })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updatedBy: userId, updatedAt: new Date() }))
    .execute();
}
