import { type Kysely, sql } from 'kysely';

// Frozen in time: never edited after release; no application imports.

const statements = [
  // Patients are shared by all campuses. Identity number, phone and address are SM4-sealed; the
  // identity number also has a keyed hash (HMAC-SM3) so it can be looked up without decrypting.
  `create table patient (
     id uuid primary key default gen_random_uuid(),
     his_patient_id text unique,
     name text not null,
     sex text not null check (sex in ('male', 'female', 'unknown')),
     birth_date date not null,
     id_number_sealed text,
     id_number_hash text,
     phone_sealed text,
     address_sealed text,
     card_no text,
     outpatient_no text,
     inpatient_no text,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index patient_id_number_idx on patient (id_number_hash)`,
  `create index patient_card_idx on patient (card_no)`,
  `create table device (
     id uuid primary key default gen_random_uuid(),
     campus_id uuid not null references campus(id),
     name text not null,
     room text not null default '',
     vendor text not null default '',
     model text not null default '',
     channel text not null check (channel in ('gdt', 'ndd_xml', 'hl7_mllp')),
     folder text,
     host text,
     port integer,
     encoding text not null default 'gbk',
     gdt_version text not null default '2.1',
     enabled boolean not null default true,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create table exam (
     id uuid primary key default gen_random_uuid(),
     accession_no text not null unique,
     campus_id uuid not null references campus(id),
     patient_id uuid not null references patient(id),
     request_no text,
     item_code text,
     item_name text not null,
     test_kind text not null,
     visit_type text not null check (visit_type in ('outpatient', 'inpatient', 'emergency', 'physical')),
     visit_serial_no text,
     ward text,
     bed text,
     requesting_department text,
     requesting_doctor text,
     clinical_diagnosis text,
     requested_at timestamptz,
     height_cm numeric(5, 1),
     weight_kg numeric(5, 1),
     status text not null default 'registered'
       check (status in ('registered', 'in_progress', 'results', 'draft', 'pending_review', 'approved', 'delivered', 'cancelled')),
     his_verified boolean not null default true,
     device_id uuid references device(id),
     room text,
     exam_date date not null,
     registered_by uuid references app_user(id),
     registered_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  // One live exam per HIS order: registering an order twice finds the first exam.
  `create unique index exam_request_no_key on exam (request_no) where request_no is not null and status <> 'cancelled'`,
  `create index exam_day_idx on exam (exam_date, campus_id, status)`,
  `create index exam_patient_idx on exam (patient_id)`,
  `create table accession_counter (
     campus_id uuid not null references campus(id),
     day date not null,
     last integer not null,
     primary key (campus_id, day)
   )`,
  // Everything that crosses to another system goes out through here: retried, idempotent, visible.
  `create table outbox (
     id bigserial primary key,
     topic text not null,
     key text not null unique,
     payload jsonb not null,
     campus_id uuid,
     status text not null default 'pending' check (status in ('pending', 'done', 'failed')),
     attempts integer not null default 0,
     next_attempt_at timestamptz not null default now(),
     last_error text,
     created_at timestamptz not null default now(),
     done_at timestamptz
   )`,
  `create index outbox_due_idx on outbox (next_attempt_at) where status = 'pending'`,
  `create table outbox_attempt (
     id bigserial primary key,
     outbox_id bigint not null references outbox(id),
     attempted_at timestamptz not null,
     ok boolean not null,
     duration_ms real not null,
     detail text
   )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
