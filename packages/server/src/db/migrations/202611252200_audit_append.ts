import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // The audit chain is guarded where every writer has to pass, so an entry can be appended in one statement
  // (its SM3 hash is computed by the server from the head it expects) and no two writers, in one process or
  // in several, can fork the chain:
  //  - the chain lock (the transaction-scoped advisory lock 0x70667469 the server took itself until now) is taken
  //    for the rest of the transaction;
  //  - an entry whose prev_hash is not the hash of the newest entry is not inserted (the row is skipped, the
  //    statement succeeds with no row returned): the writer reads the head, now stable under the lock, and
  //    tries again, in the same transaction;
  //  - the id is drawn under the lock, so id order is chain order (what `pftis audit verify` walks).
  `alter table audit_log alter column id drop default`,
  `create function audit_log_chain() returns trigger language plpgsql as $$
   declare
     head text;
   begin
     perform pg_advisory_xact_lock(1885762665);
     select hash into head from audit_log order by id desc limit 1;
     if new.prev_hash is distinct from coalesce(head, repeat('0', 64)) then
       return null;
     end if;
     new.id := nextval('audit_log_id_seq');
     return new;
   end $$`,
  `create trigger audit_log_chain before insert on audit_log
     for each row execute function audit_log_chain()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
