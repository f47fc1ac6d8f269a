import { type Kysely, sql } from 'kysely';

// Frozen in time: never edited after release; no application imports.

const statements = [
  // Every file or message received from a device, kept raw (content-addressed on disk) before parsing.
  `create table raw_file (
     id uuid primary key default gen_random_uuid(),
     sha256 text not null unique,
     sm3 text not null,
     size_bytes integer not null,
     original_name text not null,
     source text not null check (source in ('upload', 'folder', 'mllp', 'api')),
     device_id uuid references device(id),
     campus_id uuid references campus(id),
     received_at timestamptz not null,
     received_by uuid references app_user(id),
     format text,
     status text not null check (status in ('received', 'imported', 'unmatched', 'quarantined')),
     reason text,
     exam_id uuid references exam(id),
     attempts integer not null default 0,
     updated_at timestamptz not null
   )`,
  `create index raw_file_status_idx on raw_file (status, received_at)`,
  `create table measurement_set (
     id uuid primary key default gen_random_uuid(),
     exam_id uuid not null references exam(id),
     raw_file_id uuid not null unique references raw_file(id),
     format text not null,
     test_type text,
     measured_at text,
     quality_grade text,
     device_serial text,
     created_at timestamptz not null default now()
   )`,
  `create index measurement_set_exam_idx on measurement_set (exam_id)`,
  `create table measurement (
     id bigserial primary key,
     set_id uuid not null references measurement_set(id) on delete cascade,
     param text,
     device_param text not null,
     stage text not null default 'pre' check (stage in ('pre', 'post')),
     value double precision,
     raw_value text,
     unit text,
     device_predicted double precision,
     device_lln double precision
   )`,
  `create index measurement_set_idx on measurement (set_id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
