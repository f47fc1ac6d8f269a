import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB, SessionState } from '../../db/types.js';

type Db = Kysely<DB> | Transaction<DB>;

export function findUserByUsername(db: Db, username: string) {
  return db
    .selectFrom('appUser')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
    .executeTakeFirst();
}

export function findUserById(db: Db, id: string) {
  return db.selectFrom('appUser').selectAll().where('id', '=', id).executeTakeFirst();
}

export function rolesOfUser(db: Db, userId: string) {
  return db
    .selectFrom('userRole')
    .innerJoin('role', 'role.id', 'userRole.roleId')
    .select(['role.id', 'role.code', 'role.name', 'role.nameEn', 'role.administrative'])
    .where('userRole.userId', '=', userId)
    .orderBy('role.code')
    .execute();
}

export function campusesOfUser(db: Db, userId: string) {
  return db
    .selectFrom('userCampus')
    .innerJoin('campus', 'campus.id', 'userCampus.campusId')
    .select(['campus.id', 'campus.code', 'campus.name', 'campus.nameEn'])
    .where('userCampus.userId', '=', userId)
    .where('campus.active', '=', true)
    .orderBy('campus.code')
    .execute();
}

export function insertSession(
  db: Db,
  session: { id: string; userId: string; state: SessionState; csrfToken: string; campusId: string | null; ip: string | null; userAgent: string | null; lastSeenAt: Date; expiresAt: Date },
) {
  return db.insertInto('session').values(session).execute();
}

export interface SessionWithUser {
  id: string;
  userId: string;
  state: SessionState;
  csrfToken: string;
  campusId: string | null;
  lastSeenAt: Date;
  expiresAt: Date;
  username: string;
  displayName: string;
  disabled: boolean;
  lockedUntil: Date | null;
  permissions: string[];
  /** The user's active campuses, ordered by campus code. */
  campusIds: string[];
}

/**
 * The session with its user, permissions and active campuses, in one round trip (it runs on every request).
 * The query is the database function session_actor (migration 202611252210), whose plan each connection keeps.
 */
export async function findSessionWithUser(db: Db, sessionId: string): Promise<SessionWithUser | undefined> {
  const { rows } = await sql<SessionWithUser>`select * from session_actor(${sessionId})`.execute(db);
  return rows[0];
}

export function updateSession(db: Db, sessionId: string, changes: { state?: SessionState; lastSeenAt?: Date; campusId?: string }) {
  return db.updateTable('session').set(changes).where('id', '=', sessionId).execute();
}

export function deleteSession(db: Db, sessionId: string) {
  return db.deleteFrom('session').where('id', '=', sessionId).execute();
}

export function deleteSessionsOfUser(db: Db, userId: string, exceptSessionId?: string) {
  let query = db.deleteFrom('session').where('userId', '=', userId);
  if (exceptSessionId) query = query.where('id', '!=', exceptSessionId);
  return query.execute();
}
