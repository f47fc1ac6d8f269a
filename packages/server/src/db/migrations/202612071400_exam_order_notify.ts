import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // Server processes keep in memory which 申请单号 may have an exam (a filter that is never wrong when it says no),
  // so that a scan asks the database only about those. Every exam that gets a request number, from any writer,
  // announces it on the channel pftis_exam_order.
  `create function exam_order_announced() returns trigger language plpgsql as $$
   begin
     perform pg_notify('pftis_exam_order', new.request_no);
     return null;
   end $$`,
  `create trigger exam_order_announced after insert or update of request_no on exam
     for each row when (new.request_no is not null) execute function exam_order_announced()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
