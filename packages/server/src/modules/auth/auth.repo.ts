import type { Kysely, Transaction } from 'kysely';
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

export async function permissionsOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('userRole')
    .innerJoin('rolePermission', 'rolePermission.roleId', 'userRole.roleId')
    .select('rolePermission.permission')
    .distinct()
    .where('userRole.userId', '=', userId)
    .execute();
  return rows.map((r) => r.permission);
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

export function findSessionWithUser(db: Db, sessionId: string) {
  return db
    .selectFrom('session')
    .innerJoin('appUser', 'appUser.id', 'session.userId')
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
