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

/** The session with its user, permissions and active campuses, in one round trip (it runs on every request). */
export function findSessionWithUser(db: Db, sessionId: string) {
  return db
    .selectFrom('session')
    .innerJoin('appUser', 'appUser.id', 'session.userId')
    .select((eb) => [
      sql<string[]>`array(select distinct rp.permission from user_role ur join role_permission rp on rp.role_id = ur.role_id where ur.user_id = ${eb.ref('session.userId')})`.as('permissions'),
      sql<string[]>`array(select uc.campus_id::text from user_campus uc join campus c on c.id = uc.campus_id where uc.user_id = ${eb.ref('session.userId')} and c.active order by c.code)`.as('campusIds'),
    ])
    .select([
      'session.id',
      'session.userId',
      'session.state',
      'session.csrfToken',
      'session.campusId',
      'session.lastSeenAt',
      'session.expiresAt',
      'appUser.username',
      'appUser.displayName',
      'appUser.disabled',
      'appUser.lockedUntil',
    ])
    .where('session.id', '=', sessionId)
    .executeTakeFirst();
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
