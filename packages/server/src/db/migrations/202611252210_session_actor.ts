import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // The session check that runs on every request: the session, its user, the user's permissions and active campuses.
  // As a function its query is planned once per connection and the plan kept (as PL/pgSQL does), instead of being
  // planned again for every request.
  `create function session_actor(p_session_id text)
   returns table (
     id text, user_id uuid, state text, csrf_token text, campus_id uuid, last_seen_at timestamptz, expires_at timestamptz,
     username text, display_name text, disabled boolean, locked_until timestamptz, permissions text[], campus_ids text[]
   )
   language plpgsql stable as $$
   begin
     return query
       select s.id, s.user_id, s.state, s.csrf_token, s.campus_id, s.last_seen_at, s.expires_at,
              u.username, u.display_name, u.disabled, u.locked_until,
              array(select distinct rp.permission from user_role ur join role_permission rp on rp.role_id = ur.role_id
                     where ur.user_id = s.user_id),
              array(select uc.campus_id::text from user_campus uc join campus c on c.id = uc.campus_id
                     where uc.user_id = s.user_id and c.active order by c.code)
         from session s join app_user u on u.id = s.user_id
        where s.id = p_session_id;
   end $$`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
