import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // Server processes keep the session check's answer (session_actor) while the database says nothing it reads has
  // changed. Every change that can alter that answer announces itself on the channel pftis_session: the session's id
  // when one session changed, '*' when a user, role, permission or campus did. A touch of last_seen_at alone says
  // nothing (it happens every minute per user and each server decides idleness on the row itself).
  `create function session_changed() returns trigger language plpgsql as $$
   begin
     if tg_op = 'UPDATE' and (new.id, new.user_id, new.state, new.csrf_token, new.campus_id, new.expires_at)
        is not distinct from (old.id, old.user_id, old.state, old.csrf_token, old.campus_id, old.expires_at) then
       return null;
     end if;
     perform pg_notify('pftis_session', old.id);
     return null;
   end $$`,
  `create trigger session_changed after update or delete on session
     for each row execute function session_changed()`,
  `create function session_access_changed() returns trigger language plpgsql as $$
   begin
     perform pg_notify('pftis_session', '*');
     return null;
   end $$`,
  `create trigger session_truncated after truncate on session
     for each statement execute function session_access_changed()`,
  `create trigger session_access_changed after insert or delete or truncate or update of username, display_name, disabled, locked_until on app_user
     for each statement execute function session_access_changed()`,
  ...['user_role', 'role_permission', 'user_campus', 'campus'].map(
    (table) => `create trigger session_access_changed after insert or update or delete or truncate on ${table}
       for each statement execute function session_access_changed()`,
  ),
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
