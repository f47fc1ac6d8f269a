import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  `create table campus (
     id uuid primary key default gen_random_uuid(),
     code text not null unique,
     name text not null,
     name_en text,
     address text,
     active boolean not null default true,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create table department (
     id uuid primary key default gen_random_uuid(),
     campus_id uuid not null references campus(id),
     code text not null,
     name text not null,
     name_en text,
     kind text not null default 'clinical' check (kind in ('pft_lab', 'clinical', 'administrative')),
     active boolean not null default true,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     unique (campus_id, code)
   )`,
  `create table role (
     id uuid primary key default gen_random_uuid(),
     code text not null unique,
     name text not null,
     name_en text not null,
     description text not null default '',
     builtin boolean not null default false,
     administrative boolean not null default false,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create table role_permission (
     role_id uuid not null references role(id) on delete cascade,
     permission text not null,
     primary key (role_id, permission)
   )`,
  `create table app_user (
     id uuid primary key default gen_random_uuid(),
     username text not null,
     display_name text not null,
     password_hash text not null,
     password_changed_at timestamptz not null default now(),
     must_change_password boolean not null default true,
     failed_attempts integer not null default 0,
     locked_until timestamptz,
     disabled boolean not null default false,
     totp_secret text,
     totp_enabled boolean not null default false,
     last_login_at timestamptz,
     last_login_ip text,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create unique index app_user_username_key on app_user (lower(username))`,
  `create table user_role (
     user_id uuid not null references app_user(id) on delete cascade,
     role_id uuid not null references role(id),
     primary key (user_id, role_id)
   )`,
  `create table user_campus (
     user_id uuid not null references app_user(id) on delete cascade,
     campus_id uuid not null references campus(id),
     primary key (user_id, campus_id)
   )`,
  `create table session (
     id text primary key,
     user_id uuid not null references app_user(id) on delete cascade,
     state text not null check (state in ('mfa', 'password_change', 'mfa_enroll', 'active')),
     csrf_token text not null,
     campus_id uuid references campus(id),
     ip text,
     user_agent text,
     created_at timestamptz not null default now(),
     last_seen_at timestamptz not null default now(),
     expires_at timestamptz not null
   )`,
  `create index session_user_idx on session (user_id)`,
  `create table setting (
     key text primary key,
     value jsonb not null,
     updated_at timestamptz not null default now(),
     updated_by uuid references app_user(id)
   )`,
  `create table audit_log (
     id bigserial primary key,
     occurred_at timestamptz not null,
     actor_id uuid,
     actor_name text not null,
     ip text,
     action text not null,
     outcome text not null check (outcome in ('success', 'failure', 'denied')),
     entity_type text,
     entity_id text,
     campus_id uuid,
     before jsonb,
     after jsonb,
     detail jsonb,
     prev_hash text not null,
     hash text not null unique
   )`,
  `create index audit_log_occurred_idx on audit_log (occurred_at)`,
  `create index audit_log_actor_idx on audit_log (actor_id, occurred_at)`,
  `create index audit_log_entity_idx on audit_log (entity_type, entity_id)`,
  // Append-only: no role of the application may change or remove an audit entry. A database superuser
  // can still disable the trigger; the SM3 hash chain is what exposes that (pftis audit verify).
  `create function audit_log_append_only() returns trigger language plpgsql as $$
   begin
     raise exception 'audit_log is append-only (% refused)', tg_op;
   end $$`,
  `create trigger audit_log_no_update before update or delete on audit_log
     for each row execute function audit_log_append_only()`,
  `create trigger audit_log_no_truncate before truncate on audit_log
     for each statement execute function audit_log_append_only()`,
];

const builtinRoles: Array<[code: string, name: string, nameEn: string, administrative: boolean, permissions: string[]]> = [
  ['technician', '技师', 'Technician', false,
    ['exam.register', 'exam.read', 'questionnaire.fill', 'device.import', 'calibration.write', 'calibration.read', 'report.draft', 'report.print']],
  ['reporting_physician', '报告医师', 'Reporting physician', false,
    ['exam.read', 'calibration.read', 'report.draft', 'report.write', 'report.approve.level1', 'report.print', 'stats.read', 'trend.read']],
  ['reviewing_physician', '审核医师', 'Reviewing physician', false,
    ['exam.read', 'calibration.read', 'report.write', 'report.approve.level1', 'report.approve.level2', 'report.print', 'stats.read', 'stats.export', 'trend.read']],
  ['department_head', '科主任', 'Head of department', false,
    ['exam.read', 'calibration.read', 'report.write', 'report.approve.level1', 'report.approve.level2', 'report.approve.level3', 'report.print',
     'stats.read', 'stats.export', 'trend.read', 'workload.read', 'workload.export', 'patient.identity.view']],
  ['system_admin', '系统管理员', 'System administrator', true,
    ['org.manage', 'his.views.read', 'his.views.edit', 'device.manage', 'system.settings', 'ops.manage', 'delivery.manage']],
  ['security_admin', '安全管理员', 'Security administrator', true,
    ['user.manage', 'role.manage', 'security.policy.edit']],
  ['audit_admin', '审计管理员', 'Audit administrator', true, ['audit.read']],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
  for (const [code, name, nameEn, administrative, permissions] of builtinRoles) {
    const { id } = await db
      .insertInto('role')
      .values({ code, name, name_en: nameEn, builtin: true, administrative })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('role_permission')
      .values(permissions.map((permission) => ({ role_id: id, permission })))
      .execute();
  }
}
