import { type Kysely, sql } from 'kysely';

// Frozen in time: never edited after release; no application imports.

export async function up(db: Kysely<any>): Promise<void> {
  // Where the device software writes its results for PFTIS to pick up (the worklist goes to `folder`).
  await sql.raw('alter table device add column result_folder text').execute(db);
}
