import { type Kysely, sql } from 'kysely';

// Frozen in time: never edited after release; no application imports.

const statements = [
  // Calibration and verification records per device: the basis of the lab's quality control (定标报告存储).
  `create table calibration (
     id uuid primary key default gen_random_uuid(),
     device_id uuid not null references device(id),
     campus_id uuid not null references campus(id),
     kind text not null check (kind in ('volume_check', 'calibration', 'biological_control')),
     performed_at timestamptz not null,
     check_date date not null,
     performed_by uuid references app_user(id),
     operator_name text not null,
     syringe_volume_l numeric(6, 3),
     syringe_serial text,
     temperature_c numeric(4, 1),
     pressure_hpa numeric(6, 1),
     humidity_pct numeric(4, 1),
     injections jsonb not null default '[]',
     subject text,
     fev1_l numeric(5, 3),
     fvc_l numeric(5, 3),
     passed boolean not null,
     problems jsonb not null default '[]',
     attachment_sha256 text,
     attachment_name text,
     notes text not null default '',
     created_at timestamptz not null default now()
   )`,
  `create index calibration_device_day_idx on calibration (device_id, check_date)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
