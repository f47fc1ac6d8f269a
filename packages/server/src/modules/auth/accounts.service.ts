import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { AppError, Conflict, NotFound } from '../../platform/errors.js';
import { isPermission, officersTouched, permissionCatalog } from '../../platform/permission-catalog.js';
import { readSetting, writeSetting } from '../../platform/settings.js';
import { separationOfDuties, weakPassword } from './auth.errors.js';
import * as repo from './auth.repo.js';
import { POLICY_KEY, type AuthService } from './auth.service.js';
import { hashPassword, passwordProblems, type SecurityPolicy, SecurityPolicySchema } from './password.js';

/**
 * What the security administrator (安全管理员) manages: accounts, roles and the security policy.
 * Every change is audited with its before and after; password hashes never enter the audit log.
 */
export type AccountsService = ReturnType<typeof createAccountsService>;

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  roleIds: string[];
  campusIds: string[];
}

export interface UserChanges {
  displayName?: string;
  roleIds?: string[];
  campusIds?: string[];
  disabled?: boolean;
}

export interface RoleInput {
  code: string;
  name: string;
  nameEn: string;
  description?: string;
  permissions: string[];
}

export function createAccountsService({ db, auth, now = () => new Date() }: { db: Kysely<DB>; auth: AuthService; now?: () => Date }) {
  async function userView(trx: Kysely<DB> | Transaction<DB>, userId: string) {
    const user = await repo.findUserById(trx, userId);
    if (!user) throw new NotFound('user', userId);
    const [roles, campuses] = await Promise.all([repo.rolesOfUser(trx, userId), repo.campusesOfUser(trx, userId)]);
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      disabled: user.disabled,
      lockedUntil: user.lockedUntil && user.lockedUntil > now() ? user.lockedUntil.toISOString() : null,
      mustChangePassword: user.mustChangePassword,
      totpEnabled: user.totpEnabled,
      lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
      roles: roles.map((r) => ({ id: r.id, code: r.code, name: r.name })),
      campuses: campuses.map((c) => ({ id: c.id, code: c.code, name: c.name })),
    };
  }

  async function assertSeparation(trx: Transaction<DB>, roleIds: string[]) {
    if (roleIds.length === 0) return;
    const rows = await trx.selectFrom('rolePermission').select('permission').where('roleId', 'in', roleIds).execute();
    const officers = officersTouched(rows.map((r) => r.permission));
    if (officers.length > 1) throw separationOfDuties(officers);
  }

  async function assertKnown(trx: Transaction<DB>, roleIds: string[], campusIds: string[]) {
    if (roleIds.length) {
      const found = await trx.selectFrom('role').select('id').where('id', 'in', roleIds).execute();
      if (found.length !== new Set(roleIds).size) throw new AppError({ code: 'auth.unknown-role', status: 400, title: '角色不存在' });
    }
    if (campusIds.length) {
      const found = await trx.selectFrom('campus').select('id').where('id', 'in', campusIds).execute();
      if (found.length !== new Set(campusIds).size) throw new AppError({ code: 'org.unknown-campus', status: 400, title: '院区不存在' });
    }
  }

  async function setMemberships(trx: Transaction<DB>, userId: string, roleIds?: string[], campusIds?: string[]) {
    if (roleIds) {
      await trx.deleteFrom('userRole').where('userId', '=', userId).execute();
      if (roleIds.length) await trx.insertInto('userRole').values([...new Set(roleIds)].map((roleId) => ({ userId, roleId }))).execute();
    }
    if (campusIds) {
      await trx.deleteFrom('userCampus').where('userId', '=', userId).execute();
      if (campusIds.length) await trx.insertInto('userCampus').values([...new Set(campusIds)].map((campusId) => ({ userId, campusId }))).execute();
    }
  }

  async function checkedPasswordHash(password: string, username: string) {
    const problems = passwordProblems(await auth.policy(), password, username);
    if (problems.length) throw weakPassword(problems);
    return hashPassword(password);
  }

  async function listUsers(query: { q?: string }) {
    let select = db.selectFrom('appUser').select('id').orderBy('username');
    if (query.q) {
      const like = `%${query.q.toLowerCase()}%`;
      select = select.where((eb) => eb.or([eb(eb.fn('lower', ['username']), 'like', like), eb('displayName', 'like', `%${query.q}%`)]));
    }
    const ids = await select.execute();
    return Promise.all(ids.map((r) => userView(db, r.id)));
  }

  /** Creates an account; the person must choose their own password at first login. */
  async function createUser(actor: AuditActor, input: NewUser, options: { mustChangePassword?: boolean } = {}) {
    if (await repo.findUserByUsername(db, input.username)) {
      throw new Conflict('auth.username-taken', '用户名已存在', { errors: [{ field: 'username', message: '用户名已存在' }] });
    }
    const passwordHash = await checkedPasswordHash(input.password, input.username);
    return auth.changeAccess(async (trx) => {
      await assertKnown(trx, input.roleIds, input.campusIds);
      await assertSeparation(trx, input.roleIds);
      const { id } = await trx
        .insertInto('appUser')
        .values({ username: input.username, displayName: input.displayName, passwordHash, passwordChangedAt: now(), mustChangePassword: options.mustChangePassword ?? true, updatedAt: now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await setMemberships(trx, id, input.roleIds, input.campusIds);
      const after = await userView(trx, id);
      await recordAudit(trx, actor, { action: 'user.created', entityType: 'user', entityId: id, after }, now());
      return after;
    });
  }

  async function updateUser(actor: AuditActor, userId: string, changes: UserChanges) {
    return auth.changeAccess(async (trx) => {
      const before = await userView(trx, userId);
      if (changes.roleIds || changes.campusIds) await assertKnown(trx, changes.roleIds ?? [], changes.campusIds ?? []);
      if (changes.roleIds) await assertSeparation(trx, changes.roleIds);
      const set = { updatedAt: now(), ...(changes.displayName !== undefined && { displayName: changes.displayName }), ...(changes.disabled !== undefined && { disabled: changes.disabled }) };
      await trx.updateTable('appUser').set(set).where('id', '=', userId).execute();
      await setMemberships(trx, userId, changes.roleIds, changes.campusIds);
      if (changes.disabled) await repo.deleteSessionsOfUser(trx, userId);
      const after = await userView(trx, userId);
      await recordAudit(trx, actor, { action: 'user.updated', entityType: 'user', entityId: userId, before, after }, now());
      return after;
    });
  }

  /** Sets a temporary password (the person must change it at next login) and ends their sessions. */
  async function resetPassword(actor: AuditActor, userId: string, password: string) {
    const target = await repo.findUserById(db, userId);
    if (!target) throw new NotFound('user', userId);
    const passwordHash = await checkedPasswordHash(password, target.username);
    return auth.changeAccess(async (trx) => {
      await trx
        .updateTable('appUser')
        .set({ passwordHash, mustChangePassword: true, passwordChangedAt: now(), failedAttempts: 0, lockedUntil: null, updatedAt: now() })
        .where('id', '=', userId)
        .execute();
      await repo.deleteSessionsOfUser(trx, userId);
      await recordAudit(trx, actor, { action: 'user.password-reset', entityType: 'user', entityId: userId }, now());
      return userView(trx, userId);
    });
  }

  /** Locks an account until unlocked by hand (a far-future lock), ending its sessions. */
  async function setLocked(actor: AuditActor, userId: string, locked: boolean) {
    return auth.changeAccess(async (trx) => {
      const before = await userView(trx, userId);
      const lockedUntil = locked ? new Date('9999-12-31T00:00:00Z') : null;
      await trx.updateTable('appUser').set({ lockedUntil, failedAttempts: 0, updatedAt: now() }).where('id', '=', userId).execute();
      if (locked) await repo.deleteSessionsOfUser(trx, userId);
      const after = await userView(trx, userId);
      await recordAudit(trx, actor, { action: locked ? 'user.locked' : 'user.unlocked', entityType: 'user', entityId: userId, before, after }, now());
      return after;
    });
  }

  async function resetTotp(actor: AuditActor, userId: string) {
    return auth.changeAccess(async (trx) => {
      await userView(trx, userId);
      await trx.updateTable('appUser').set({ totpEnabled: false, totpSecret: null, updatedAt: now() }).where('id', '=', userId).execute();
      await recordAudit(trx, actor, { action: 'user.totp-reset', entityType: 'user', entityId: userId }, now());
      return userView(trx, userId);
    });
  }

  async function roleView(trx: Kysely<DB> | Transaction<DB>, roleId: string) {
    const role = await trx.selectFrom('role').selectAll().where('id', '=', roleId).executeTakeFirst();
    if (!role) throw new NotFound('role', roleId);
    const [permissions, users] = await Promise.all([
      trx.selectFrom('rolePermission').select('permission').where('roleId', '=', roleId).orderBy('permission').execute(),
      trx.selectFrom('userRole').select((eb) => eb.fn.countAll<number>().as('n')).where('roleId', '=', roleId).executeTakeFirstOrThrow(),
    ]);
    return {
      id: role.id,
      code: role.code,
      name: role.name,
      nameEn: role.nameEn,
      description: role.description,
      builtin: role.builtin,
      administrative: role.administrative,
      permissions: permissions.map((p) => p.permission).filter(isPermission),
      userCount: Number(users.n),
    };
  }

  function checkPermissions(permissions: string[]) {
    const unknown = permissions.filter((p) => !isPermission(p));
    if (unknown.length) throw new AppError({ code: 'auth.unknown-permission', status: 400, title: `未知权限：${unknown.join('、')}` });
    const officers = officersTouched(permissions);
    if (officers.length > 1) throw separationOfDuties(officers);
  }

  async function setRolePermissions(trx: Transaction<DB>, roleId: string, permissions: string[]) {
    await trx.deleteFrom('rolePermission').where('roleId', '=', roleId).execute();
    if (permissions.length) await trx.insertInto('rolePermission').values([...new Set(permissions)].map((permission) => ({ roleId, permission }))).execute();
  }

  async function listRoles() {
    const roles = await db.selectFrom('role').select('id').orderBy('builtin', 'desc').orderBy('createdAt').execute();
    return Promise.all(roles.map((r) => roleView(db, r.id)));
  }

  function listPermissions() {
    return Object.entries(permissionCatalog).map(([code, p]) => ({ code, group: p.group, name: p.zh, nameEn: p.en }));
  }

  async function createRole(actor: AuditActor, input: RoleInput) {
    checkPermissions(input.permissions);
    return auth.changeAccess(async (trx) => {
      const taken = await trx.selectFrom('role').select('id').where('code', '=', input.code).executeTakeFirst();
      if (taken) throw new Conflict('auth.role-code-taken', '角色代码已存在', { errors: [{ field: 'code', message: '角色代码已存在' }] });
      const administrative = officersTouched(input.permissions).length > 0;
      const { id } = await trx
        .insertInto('role')
        .values({ code: input.code, name: input.name, nameEn: input.nameEn, description: input.description ?? '', administrative, updatedAt: now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await setRolePermissions(trx, id, input.permissions);
      const after = await roleView(trx, id);
      await recordAudit(trx, actor, { action: 'role.created', entityType: 'role', entityId: id, after }, now());
      return after;
    });
  }

  async function updateRole(actor: AuditActor, roleId: string, changes: Partial<Omit<RoleInput, 'code'>>) {
    if (changes.permissions) checkPermissions(changes.permissions);
    return auth.changeAccess(async (trx) => {
      const before = await roleView(trx, roleId);
      const { permissions, ...names } = changes;
      const administrative = permissions ? officersTouched(permissions).length > 0 : before.administrative;
      await trx.updateTable('role').set({ ...names, administrative, updatedAt: now() }).where('id', '=', roleId).execute();
      if (permissions) {
        await setRolePermissions(trx, roleId, permissions);
        // The new bundle must not break the separation for anyone who holds this role with others.
        const holders = await trx.selectFrom('userRole').select('userId').where('roleId', '=', roleId).execute();
        for (const { userId } of holders) {
          const roleIds = (await trx.selectFrom('userRole').select('roleId').where('userId', '=', userId).execute()).map((r) => r.roleId);
          await assertSeparation(trx, roleIds);
        }
      }
      const after = await roleView(trx, roleId);
      await recordAudit(trx, actor, { action: 'role.updated', entityType: 'role', entityId: roleId, before, after }, now());
      return after;
    });
  }

  async function deleteRole(actor: AuditActor, roleId: string) {
    await auth.changeAccess(async (trx) => {
      const before = await roleView(trx, roleId);
      if (before.builtin) throw new Conflict('auth.role-builtin', '内置角色不能删除');
      if (before.userCount > 0) throw new Conflict('auth.role-in-use', '仍有用户使用该角色，不能删除');
      await trx.deleteFrom('role').where('id', '=', roleId).execute();
      await recordAudit(trx, actor, { action: 'role.deleted', entityType: 'role', entityId: roleId, before }, now());
    });
  }

  async function updatePolicy(actor: AuditActor, policy: SecurityPolicy) {
    const saved = await auth.changeAccess(async (trx) => {
      const before = await readSetting(trx, POLICY_KEY, SecurityPolicySchema);
      await writeSetting(trx, POLICY_KEY, policy, actor.userId);
      await recordAudit(trx, actor, { action: 'security.policy-updated', entityType: 'setting', entityId: POLICY_KEY, before, after: policy }, now());
      return policy;
    });
    auth.forgetPolicy();
    return saved;
  }

  const findUserId = async (username: string) => {
    const user = await repo.findUserByUsername(db, username);
    if (!user) throw new NotFound('user', username);
    return user.id;
  };

  return {
    listUsers,
    getUser: (userId: string) => userView(db, userId),
    findUserId,
    createUser,
    updateUser,
    resetPassword,
    setLocked,
    resetTotp,
    listRoles,
    listPermissions,
    createRole,
    updateRole,
    deleteRole,
    updatePolicy,
  };
}
