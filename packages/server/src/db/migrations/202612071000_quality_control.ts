import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // How a record came in: typed by hand, transcribed from an uploaded report (PDF or photo), or from a device export.
  `alter table calibration add column source text not null default 'manual' check (source in ('manual', 'document', 'device'))`,
  // The biological-control baseline the session was judged against (mean of the subject's earlier sessions).
  `alter table calibration add column baseline_fev1_l numeric(5, 3)`,
  `alter table calibration add column baseline_fvc_l numeric(5, 3)`,
  `alter table calibration add column baseline_sessions integer`,
  // The device's own calibration reports (PDF, photo) kept raw in the file store under their SHA-256. A document is
  // uploaded first and linked to the record it supports when the record is saved (or attached to it later).
  `create table calibration_document (
     id uuid primary key default gen_random_uuid(),
     calibration_id uuid references calibration(id),
     campus_id uuid references campus(id),
     sha256 text not null,
     name text not null,
     media_type text not null check (media_type in ('application/pdf', 'image/jpeg', 'image/png')),
     size_bytes integer not null,
     uploaded_by uuid references app_user(id),
     uploaded_at timestamptz not null default now()
   )`,
  `create index calibration_document_calibration_idx on calibration_document (calibration_id)`,
  // Corrective actions on a check (a failed check puts the device out of use until corrected; every action is logged).
  `create table calibration_action (
     id uuid primary key default gen_random_uuid(),
     calibration_id uuid not null references calibration(id),
     action text not null,
     performed_by uuid references app_user(id),
     operator_name text not null,
     created_at timestamptz not null default now()
   )`,
  `create index calibration_action_calibration_idx on calibration_action (calibration_id)`,
  `create index calibration_device_time_idx on calibration (device_id, performed_at)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
