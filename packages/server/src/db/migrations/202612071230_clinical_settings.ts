import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // 判读设置 (reference equations, patient groups, interpretation scheme, narrative templates): a clinical choice of the
  // head of department, and kept with the built-in system administrator who maintains the other lab settings.
  `insert into role_permission (role_id, permission)
     select id, 'clinical.settings' from role where code in ('department_head', 'system_admin') and builtin
     on conflict do nothing`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
