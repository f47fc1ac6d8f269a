import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // 问卷调查: the pre-test questionnaire of the lab (campus_id null: every campus without its own) or of one campus,
  // as numbered versions; the newest version of a scope is the one filled in. Versions are never changed or deleted,
  // so every answer set can be read against the questions it answered.
  `create table questionnaire_definition (
     id uuid primary key default gen_random_uuid(),
     campus_id uuid references campus(id),
     version integer not null check (version >= 1),
     content jsonb not null,
     comment text not null default '',
     created_by uuid references app_user(id),
     created_by_name text not null,
     created_at timestamptz not null default now(),
     unique nulls not distinct (campus_id, version)
   )`,
  `create trigger questionnaire_definition_no_update before update or delete on questionnaire_definition
     for each row execute function audit_log_append_only()`,
  // The answers of an exam, one row per saving (revision 1, 2, …); the newest is in force, earlier ones are kept.
  // flags: the contraindications and warnings the answers raised, with their counts for the worklist.
  `create table questionnaire_answer (
     id uuid primary key default gen_random_uuid(),
     exam_id uuid not null references exam(id),
     campus_id uuid not null references campus(id),
     revision integer not null check (revision >= 1),
     definition_id uuid not null references questionnaire_definition(id),
     answers jsonb not null,
     flags jsonb not null default '[]',
     contraindications integer not null default 0,
     warnings integer not null default 0,
     answered_by uuid references app_user(id),
     answered_by_name text not null,
     answered_at timestamptz not null,
     unique (exam_id, revision)
   )`,
  `create trigger questionnaire_answer_no_update before update or delete on questionnaire_answer
     for each row execute function audit_log_append_only()`,
  // Editing the questionnaire is a system officer's duty (三员分立): granted to the built-in system administrator.
  `insert into role_permission (role_id, permission)
     select id, 'questionnaire.manage' from role where code = 'system_admin' and builtin
     on conflict do nothing`,

  // 常用语 by scope: personal (owner_id), one campus (院区, campus_id) or the whole department. The lab-wide phrases
  // so far (no owner) become department-wide.
  `alter table phrase add column scope text not null default 'personal' check (scope in ('personal', 'campus', 'department'))`,
  `alter table phrase add column campus_id uuid references campus(id)`,
  `alter table phrase add column created_by uuid references app_user(id)`,
  `update phrase set scope = 'department' where owner_id is null`,
  `update phrase set created_by = owner_id`,
  `alter table phrase add constraint phrase_scope_fits check (
     ((scope = 'personal') = (owner_id is not null)) and ((scope = 'campus') = (campus_id is not null)))`,
  `create index phrase_campus_idx on phrase (campus_id) where campus_id is not null`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
