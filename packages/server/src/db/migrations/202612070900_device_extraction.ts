import { type Kysely, sql } from 'kysely';

// Frozen in time: never edited after release; no application imports.

const statements = [
  // What the device printed beside each value, kept next to our own reference values for comparison.
  `alter table measurement
     add column device_uln double precision,
     add column device_zscore double precision,
     add column device_pct_pred double precision,
     add column device_change_pct double precision`,
  // What the device said about the patient, the test and its conclusion; what we noticed reading it; our own
  // reference values and interpretation computed on import, with the differences from the device's.
  `alter table measurement_set
     add column vendor text,
     add column template text,
     add column operator text,
     add column device_name text,
     add column device_conclusion text,
     add column device_patient jsonb not null default '{}',
     add column identifiers jsonb not null default '{}',
     add column warnings jsonb not null default '[]',
     add column comparison jsonb`,
  // The last reading of a file, kept so the 待匹配 queue can rank exams for it without reading it again (OCR is slow).
  `alter table raw_file add column extraction jsonb`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
