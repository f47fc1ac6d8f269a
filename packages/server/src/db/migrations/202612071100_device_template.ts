import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // Administrators' versions of the device-report layout templates (报告模板). A saved version of a built-in template's
  // name overrides the built-in while it is enabled; at most one version per name is enabled at a time.
  `create table device_template (
     id uuid primary key default gen_random_uuid(),
     name text not null,
     version integer not null check (version >= 1),
     template jsonb not null,
     enabled boolean not null default false,
     comment text not null default '',
     created_by uuid references app_user(id),
     created_by_name text not null,
     created_at timestamptz not null default now(),
     unique (name, version)
   )`,
  `create unique index device_template_one_enabled on device_template (name) where enabled`,
  // Template maintenance is a system officer's duty (三员分立): granted to the built-in system administrator.
  `insert into role_permission (role_id, permission)
     select id, 'device.template' from role where code = 'system_admin' and builtin
     on conflict do nothing`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
