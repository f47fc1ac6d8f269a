import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // Server processes keep the HIS interface view definitions while the database can say they changed: any change to
  // a view or its versions, by any writer, announces itself on the channel pftis_his_view.
  `create function his_view_changed() returns trigger language plpgsql as $$
   begin
     perform pg_notify('pftis_his_view', '*');
     return null;
   end $$`,
  ...['his_view', 'his_view_version'].map(
    (table) => `create trigger his_view_changed after insert or update or delete or truncate on ${table}
       for each statement execute function his_view_changed()`,
  ),
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
