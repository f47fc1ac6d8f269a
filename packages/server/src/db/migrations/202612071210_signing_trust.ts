import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // The certificates a report signature may chain to, besides the department CA (always trusted): CA certificates of
  // certification authorities the hospital accepts for personal certificates, or a single personal certificate the
  // system administrator trusts explicitly. Verification trusts exactly these and the department CAs.
  `create table signing_trust (
     id uuid primary key default gen_random_uuid(),
     certificate_pem text not null,
     sha256 text not null unique,
     subject text not null,
     issuer text not null,
     is_ca boolean not null,
     not_after timestamptz not null,
     comment text not null default '',
     added_by uuid references app_user(id),
     added_by_name text not null,
     created_at timestamptz not null default now()
   )`,
  // The certificate that signed the final PDF, kept with the version so verification can name the signer.
  `alter table report_version add column signer_certificate_pem text`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
