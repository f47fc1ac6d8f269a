import { type Kysely, sql } from 'kysely';

// Frozen in time: never edited after release; no application imports.

const statements = [
  // Raw forced-expiration curves per trial, kept for the report's flow–volume and volume–time graphs and for grading.
  `create table trial_curve (
     id bigserial primary key,
     set_id uuid not null references measurement_set(id) on delete cascade,
     stage text not null check (stage in ('pre', 'post')),
     number integer not null,
     accepted boolean,
     sample_interval_s double precision not null check (sample_interval_s > 0),
     time_zero_offset_s double precision,
     flow_lps real[] not null,
     volume_l real[] not null
   )`,
  `create index trial_curve_set_idx on trial_curve (set_id)`,

  // The department's own certificate authority (one active per algorithm); its key sealed with the server key.
  `create table signing_ca (
     id uuid primary key default gen_random_uuid(),
     algorithm text not null check (algorithm in ('rsa', 'sm2')),
     subject text not null,
     certificate_pem text not null,
     private_key_sealed text not null,
     active boolean not null default true,
     created_at timestamptz not null default now()
   )`,
  `create unique index signing_ca_active_idx on signing_ca (algorithm) where active`,
  // A person's handwritten signature image and signing key; the key is sealed with the person's PIN, so signing
  // needs the PIN (intent) and the server alone cannot sign.
  `create table user_signature (
     user_id uuid primary key references app_user(id),
     image_png bytea,
     algorithm text check (algorithm in ('rsa', 'sm2')),
     source text check (source in ('department_ca', 'pkcs12')),
     certificate_pem text,
     chain_pem text not null default '',
     private_key_sealed text,
     subject text,
     serial text,
     not_after timestamptz,
     failed_pin_attempts integer not null default 0,
     pin_locked_until timestamptz,
     updated_at timestamptz not null,
     check ((certificate_pem is null) = (private_key_sealed is null))
   )`,

  // 常用语: a lab-wide phrase has no owner; a personal one belongs to its user.
  `create table phrase (
     id uuid primary key default gen_random_uuid(),
     owner_id uuid references app_user(id),
     category text not null default '',
     text text not null check (length(text) between 1 and 2000),
     sort integer not null default 0,
     created_at timestamptz not null default now()
   )`,
  `create index phrase_owner_idx on phrase (owner_id)`,

  `create table report (
     id uuid primary key default gen_random_uuid(),
     exam_id uuid not null unique references exam(id),
     campus_id uuid not null references campus(id),
     current_version integer not null default 1,
     created_at timestamptz not null default now()
   )`,
  // One row per version. Approved versions are immutable; a correction is a new version with a reason.
  // chain: the review levels this submission must pass, fixed when it is submitted.
  `create table report_version (
     report_id uuid not null references report(id),
     version integer not null check (version >= 1),
     status text not null default 'draft' check (status in ('draft', 'pending', 'approved', 'superseded', 'revoked')),
     submission integer not null default 0,
     chain jsonb not null default '[]',
     approved_levels integer not null default 0,
     content jsonb not null,
     conclusion_text text not null default '',
     pattern text,
     severity text,
     bdr text check (bdr in ('positive', 'negative')),
     author_id uuid references app_user(id),
     author_name text not null,
     submitted_by uuid references app_user(id),
     submitted_at timestamptz,
     returned_comment text,
     correction_reason text,
     approved_at timestamptz,
     signer_id uuid references app_user(id),
     signature_algorithm text,
     final_sha256 text,
     final_sm3 text,
     verification_code text unique,
     print_count integer not null default 0,
     revoked_at timestamptz,
     revocation_reason text,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null,
     primary key (report_id, version),
     check (version = 1 or length(trim(coalesce(correction_reason, ''))) > 0),
     check (status in ('approved', 'superseded', 'revoked') or (final_sha256 is null and final_sm3 is null and verification_code is null)),
     check (status <> 'revoked' or (revoked_at is not null and length(trim(coalesce(revocation_reason, ''))) > 0)),
     check (status not in ('approved', 'superseded', 'revoked') or (
       final_sha256 is not null and final_sm3 is not null and verification_code is not null and approved_at is not null
       and jsonb_array_length(chain) >= 1 and approved_levels = jsonb_array_length(chain)))
   )`,
  `create index report_version_pending_idx on report_version (status, submitted_at) where status = 'pending'`,
  // Every review action, append-only.
  `create table review_step (
     id bigserial primary key,
     report_id uuid not null,
     version integer not null,
     submission integer not null,
     action text not null check (action in ('submit', 'approve', 'return', 'correct', 'print', 'revoke')),
     level integer,
     actor_id uuid references app_user(id),
     actor_name text not null,
     comment text,
     at timestamptz not null,
     foreign key (report_id, version) references report_version (report_id, version)
   )`,
  `create index review_step_version_idx on review_step (report_id, version)`,
  `create trigger review_step_no_update before update or delete on review_step
     for each row execute function audit_log_append_only()`,

  // The never-leaves-unreviewed guarantee, where no application path can step around it:
  // a version becomes approved only from pending and only with one recorded approval per level of its chain in its
  // current submission; approved content never changes (it can only be superseded or revoked); versions are never deleted.
  `create function report_version_guard() returns trigger language plpgsql as $$
   declare
     approvals integer;
   begin
     if tg_op = 'DELETE' then
       raise exception 'report versions are never deleted';
     end if;
     if tg_op = 'INSERT' then
       if new.status <> 'draft' then
         raise exception 'a report version starts as a draft';
       end if;
       return new;
     end if;
     if old.status in ('approved', 'superseded', 'revoked') then
       if (to_jsonb(new) - 'status' - 'print_count' - 'updated_at' - 'revoked_at' - 'revocation_reason')
            <> (to_jsonb(old) - 'status' - 'print_count' - 'updated_at' - 'revoked_at' - 'revocation_reason')
          or (old.status in ('superseded', 'revoked') and new.status <> old.status)
          or (old.status = 'approved' and new.status not in ('approved', 'superseded', 'revoked'))
          or (old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at) then
         raise exception 'an approved report version is locked; a correction is a new version';
       end if;
       return new;
     end if;
     if new.status in ('approved', 'superseded', 'revoked') then
       if old.status <> 'pending' or new.status <> 'approved' then
         raise exception 'only a report under review can be approved';
       end if;
       select count(distinct level) into approvals from review_step
        where report_id = new.report_id and version = new.version and submission = new.submission and action = 'approve';
       if approvals < jsonb_array_length(new.chain) or jsonb_array_length(new.chain) < 1 then
         raise exception 'report % version % has % of % review approvals', new.report_id, new.version, approvals, jsonb_array_length(new.chain);
       end if;
     end if;
     return new;
   end $$`,
  `create trigger report_version_guard before insert or update or delete on report_version
     for each row execute function report_version_guard()`,
  // Nothing about a report may be queued for another system unless that version completed its review.
  `create function outbox_report_guard() returns trigger language plpgsql as $$
   begin
     if new.topic like 'report.%' and not exists (
       select 1 from report_version
        where report_id = (new.payload->>'reportId')::uuid and version = (new.payload->>'version')::integer
          and status in ('approved', 'superseded', 'revoked')) then
       raise exception 'report % version % has not completed review; it cannot leave the system', new.payload->>'reportId', new.payload->>'version';
     end if;
     return new;
   end $$`,
  `create trigger outbox_report_guard before insert or update on outbox
     for each row execute function outbox_report_guard()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
