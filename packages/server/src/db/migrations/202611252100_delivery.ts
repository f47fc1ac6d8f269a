import { type Kysely, sql } from 'kysely';

// Frozen in time: never edited after release; no application imports.

const statements = [
  // Where approved reports go: per campus (null: every campus), one adapter kind each. Secrets (tokens) sealed.
  `create table delivery_target (
     id uuid primary key default gen_random_uuid(),
     campus_id uuid references campus(id),
     name text not null,
     kind text not null check (kind in ('sql', 'http', 'hl7', 'fhir', 'file')),
     document text not null default 'pdf' check (document in ('pdf', 'jpg')),
     config jsonb not null,
     secret_sealed text,
     update_status boolean not null default false,
     max_attempts integer not null default 8 check (max_attempts between 1 and 100),
     enabled boolean not null default true,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null
   )`,
  `alter table outbox add column max_attempts integer`,
  `create index outbox_topic_status_idx on outbox (topic, status)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
