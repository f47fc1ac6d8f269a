import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB, SessionState } from '../../db/types.js';
import type { Actor } from '../../platform/access.js';
import { type AuditActor, recordAudit, recordAuditAlone } from '../../platform/audit.js';
import { randomToken, sha256Hex, type Sm4Sealer } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { isPermission, type Permission } from '../../platform/permission-catalog.js';
import { readSetting } from '../../platform/settings.js';
import * as repo from './auth.repo.js';
import {
  accountDisabled,
  accountLocked,
  invalidCredentials,
  invalidTotp,
  sessionExpired,
  weakPassword,
  wrongState,
} from './auth.errors.js';
import { burnPasswordCheck, hashPassword, passwordExpiresAt, passwordProblems, type SecurityPolicy, SecurityPolicySchema, verifyPassword } from './password.js';
import { createSessionCache, SESSION_CHANNEL } from './session-cache.js';
import { newTotpSecret, otpauthUri, verifyTotp } from './totp.js';

export const POLICY_KEY = 'security.policy';

export interface AuthDeps {
  db: Kysely<DB>;
  sealer: Sm4Sealer;
  issuer: string;
  now?: () => Date;
}

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

export const actorRef = (actor: Actor): AuditActor => ({ userId: actor.userId, name: actor.username, ip: actor.ip });

// Touching last_seen_at on every request would write on every read; a minute of slack is harmless
// against a timeout counted in tens of minutes.
const TOUCH_INTERVAL_MS = 60_000;

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService({ db, sealer, issuer, now = () => new Date() }: AuthDeps) {
  // Read on every request; kept for a few seconds (the security administrator's change forgets it at once).
  let cachedPolicy: { value: Promise<SecurityPolicy>; until: number } | undefined;
  const policy = (): Promise<SecurityPolicy> => {
    if (!cachedPolicy || cachedPolicy.until < Date.now()) cachedPolicy = { value: readSetting(db, POLICY_KEY, SecurityPolicySchema), until: Date.now() + 5000 };
    return cachedPolicy.value;
  };
  const forgetPolicy = () => {
    cachedPolicy = undefined;
  };

  const sessions = createSessionCache((sessionId) => repo.findSessionWithUser(db, sessionId));
  /** Keeps session checks while the database announces their changes; without this, every request reads the database. */
  const followSessionChanges = (database: { listen: Database['listen'] }) => database.listen(SESSION_CHANNEL, sessions.onMessage, sessions.onListening);
  /**
   * A transaction that may change what a session check answers (sessions, users, roles, permissions, campuses). Once
   * it commits, this process forgets every kept session at once; other processes hear of it from the database.
   */
  async function changeAccess<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    try {
      return await db.transaction().execute(work);
    } finally {
      sessions.forget();
    }
  }

  /** The step a session must pass next once the password (and the second factor, if any) is accepted. */
  async function stateAfterSecondFactor(user: { id: string; mustChangePassword: boolean; passwordChangedAt: Date; totpEnabled: boolean }, p: SecurityPolicy): Promise<SessionState> {
    const expires = passwordExpiresAt(p, user.passwordChangedAt);
    if (user.mustChangePassword || (expires && expires <= now())) return 'password_change';
    if (p.mfaRequiredForAdmins && !user.totpEnabled) {
      const roles = await repo.rolesOfUser(db, user.id);
      if (roles.some((r) => r.administrative)) return 'mfa_enroll';
    }
    return 'active';
  }

  async function failLogin(user: { id: string; username: string; failedAttempts: number }, client: ClientInfo, p: SecurityPolicy, reason: string): Promise<never> {
    const attempts = user.failedAttempts + 1;
    const who: AuditActor = { userId: user.id, name: user.username, ip: client.ip };
    if (attempts >= p.lockoutThreshold) {
      const lockedUntil = new Date(now().getTime() + p.lockoutMinutes * 60_000);
      await changeAccess(async (trx) => {
        await trx.updateTable('appUser').set({ failedAttempts: 0, lockedUntil }).where('id', '=', user.id).execute();
        await recordAudit(trx, who, { action: 'auth.locked', outcome: 'failure', entityType: 'user', entityId: user.id, detail: { reason, attempts, lockedUntil } }, now());
      });
      throw accountLocked(lockedUntil);
    }
    await changeAccess(async (trx) => {
      await trx.updateTable('appUser').set({ failedAttempts: attempts }).where('id', '=', user.id).execute();
      await recordAudit(trx, who, { action: 'auth.login', outcome: 'failure', entityType: 'user', entityId: user.id, detail: { reason, attempts } }, now());
    });
    throw invalidCredentials(p.lockoutThreshold - attempts);
  }

  async function login(input: { username: string; password: string }, client: ClientInfo) {
    const p = await policy();
    const user = await repo.findUserByUsername(db, input.username);
    if (!user) {
      await burnPasswordCheck(input.password);
      await recordAuditAlone(db, { userId: null, name: input.username, ip: client.ip }, { action: 'auth.login', outcome: 'failure', detail: { reason: 'unknown-user' } });
      throw invalidCredentials();
    }
    const who: AuditActor = { userId: user.id, name: user.username, ip: client.ip };
    if (user.disabled) {
      await recordAuditAlone(db, who, { action: 'auth.login', outcome: 'failure', entityType: 'user', entityId: user.id, detail: { reason: 'disabled' } });
      throw accountDisabled();
    }
    if (user.lockedUntil && user.lockedUntil > now()) {
      await recordAuditAlone(db, who, { action: 'auth.login', outcome: 'failure', entityType: 'user', entityId: user.id, detail: { reason: 'locked' } });
      throw accountLocked(user.lockedUntil);
    }
    if (!(await verifyPassword(user.passwordHash, input.password))) return failLogin(user, client, p, 'wrong-password');

    const state: SessionState = user.totpEnabled ? 'mfa' : await stateAfterSecondFactor(user, p);
    const campuses = await repo.campusesOfUser(db, user.id);
    const token = randomToken();
    const csrfToken = randomToken(24);
    await changeAccess(async (trx) => {
      await trx
        .updateTable('appUser')
        .set({ failedAttempts: 0, lockedUntil: null, lastLoginAt: now(), lastLoginIp: client.ip })
        .where('id', '=', user.id)
        .execute();
      await repo.insertSession(trx, {
        id: sha256Hex(token),
        userId: user.id,
        state,
        csrfToken,
        campusId: campuses[0]?.id ?? null,
        ip: client.ip,
        userAgent: client.userAgent,
        lastSeenAt: now(),
        expiresAt: new Date(now().getTime() + p.sessionMaxHours * 3_600_000),
      });
      await recordAudit(trx, who, { action: 'auth.login', entityType: 'user', entityId: user.id, detail: { state } }, now());
    });
    return { token, state, csrfToken };
  }

  /** Resolves a session cookie; an idle or over-age session is ended and reported as expired. */
  async function authenticate(token: string | undefined, ip: string): Promise<Actor | null> {
    if (!token) return null;
    const sessionId = sha256Hex(token);
    let session = await sessions.get(sessionId);
    if (!session) return null;
    const p = await policy();
    const t = now();
    const idleLimit = new Date(t.getTime() - p.idleTimeoutMinutes * 60_000);
    const over = (s: repo.SessionWithUser) => s.expiresAt <= t || s.lastSeenAt <= idleLimit;
    // Another server process may have touched the session since it was kept here: decide on the row itself.
    if (over(session)) session = await sessions.reread(sessionId);
    if (!session) return null;
    if (over(session)) {
      await repo.deleteSession(db, session.id);
      sessions.forget(session.id);
      await recordAuditAlone(db, { userId: session.userId, name: session.username, ip }, { action: 'auth.session-expired', entityType: 'user', entityId: session.userId });
      throw sessionExpired();
    }
    if (session.disabled || (session.lockedUntil && session.lockedUntil > t)) {
      await repo.deleteSession(db, session.id);
      sessions.forget(session.id);
      return null;
    }
    if (t.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      await repo.updateSession(db, session.id, { lastSeenAt: t });
      sessions.touched(session.id, t);
    }
    return {
      userId: session.userId,
      username: session.username,
      displayName: session.displayName,
      sessionId: session.id,
      sessionState: session.state,
      csrfToken: session.csrfToken,
      permissions: new Set(session.permissions.filter(isPermission)),
      campusIds: session.campusIds,
      campusId: session.campusId,
      ip,
    };
  }

  async function setState(actor: Actor, state: SessionState, action: string) {
    await changeAccess(async (trx) => {
      await repo.updateSession(trx, actor.sessionId, { state });
      await recordAudit(trx, actorRef(actor), { action, entityType: 'user', entityId: actor.userId, detail: { state } }, now());
    });
    return { state };
  }

  async function loadUser(userId: string) {
    const user = await repo.findUserById(db, userId);
    if (!user) throw new AppError({ code: 'auth.required', status: 401, title: '请先登录' });
    return user;
  }

  async function completeTotp(actor: Actor, code: string) {
    if (actor.sessionState !== 'mfa') throw wrongState();
    const user = await loadUser(actor.userId);
    if (!user.totpSecret || !verifyTotp(sealer.open(user.totpSecret), code, now().getTime())) {
      await changeAccess(async (trx) => {
        await repo.deleteSession(trx, actor.sessionId);
        await trx.updateTable('appUser').set({ failedAttempts: user.failedAttempts + 1 }).where('id', '=', user.id).execute();
        await recordAudit(trx, actorRef(actor), { action: 'auth.totp', outcome: 'failure', entityType: 'user', entityId: user.id }, now());
      });
      throw invalidTotp();
    }
    return setState(actor, await stateAfterSecondFactor(user, await policy()), 'auth.totp');
  }

  async function logout(actor: Actor) {
    await changeAccess(async (trx) => {
      await repo.deleteSession(trx, actor.sessionId);
      await recordAudit(trx, actorRef(actor), { action: 'auth.logout', entityType: 'user', entityId: actor.userId }, now());
    });
  }

  async function me(actor: Actor) {
    const [user, roles, campuses, p] = await Promise.all([loadUser(actor.userId), repo.rolesOfUser(db, actor.userId), repo.campusesOfUser(db, actor.userId), policy()]);
    return {
      user: {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        totpEnabled: user.totpEnabled,
        passwordExpiresAt: passwordExpiresAt(p, user.passwordChangedAt)?.toISOString() ?? null,
      },
      state: actor.sessionState,
      csrfToken: actor.csrfToken,
      permissions: [...actor.permissions].sort(),
      roles: roles.map((r) => ({ code: r.code, name: r.name, nameEn: r.nameEn })),
      campuses,
      campusId: actor.campusId,
      idleTimeoutMinutes: p.idleTimeoutMinutes,
      passwordPolicy: { minLength: p.passwordMinLength, minClasses: p.passwordMinClasses },
    };
  }

  async function changePassword(actor: Actor, input: { currentPassword: string; newPassword: string }) {
    const user = await loadUser(actor.userId);
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      throw new AppError({ code: 'auth.wrong-current-password', status: 400, title: '当前密码不正确', extra: { errors: [{ field: 'currentPassword', message: '当前密码不正确' }] } });
    }
    const p = await policy();
    const problems = passwordProblems(p, input.newPassword, user.username);
    if (input.newPassword === input.currentPassword) problems.push('新密码不能与当前密码相同');
    if (problems.length) throw weakPassword(problems);
    const passwordHash = await hashPassword(input.newPassword);
    const changed = { ...user, mustChangePassword: false, passwordChangedAt: now() };
    const state = actor.sessionState === 'password_change' ? await stateAfterSecondFactor(changed, p) : actor.sessionState;
    await changeAccess(async (trx) => {
      await trx.updateTable('appUser').set({ passwordHash, mustChangePassword: false, passwordChangedAt: now(), updatedAt: now() }).where('id', '=', user.id).execute();
      // Other sessions may belong to whoever knew the old password.
      await repo.deleteSessionsOfUser(trx, user.id, actor.sessionId);
      await repo.updateSession(trx, actor.sessionId, { state });
      await recordAudit(trx, actorRef(actor), { action: 'auth.password-changed', entityType: 'user', entityId: user.id }, now());
    });
    return { state };
  }

  async function beginTotpEnrolment(actor: Actor) {
    const user = await loadUser(actor.userId);
    if (user.totpEnabled) throw new AppError({ code: 'auth.totp-enabled', status: 409, title: '已启用动态验证码，如需更换请先停用' });
    const secret = newTotpSecret();
    await changeAccess(async (trx) => {
      await trx.updateTable('appUser').set({ totpSecret: sealer.seal(secret), updatedAt: now() }).where('id', '=', user.id).execute();
      await recordAudit(trx, actorRef(actor), { action: 'auth.totp-enrolment-started', entityType: 'user', entityId: user.id }, now());
    });
    return { secret, otpauthUri: otpauthUri(secret, user.username, issuer) };
  }

  async function confirmTotpEnrolment(actor: Actor, code: string) {
    const user = await loadUser(actor.userId);
    if (user.totpEnabled || !user.totpSecret) throw wrongState();
    if (!verifyTotp(sealer.open(user.totpSecret), code, now().getTime())) throw invalidTotp();
    const state = actor.sessionState === 'mfa_enroll' ? 'active' : actor.sessionState;
    await changeAccess(async (trx) => {
      await trx.updateTable('appUser').set({ totpEnabled: true, updatedAt: now() }).where('id', '=', user.id).execute();
      await repo.updateSession(trx, actor.sessionId, { state });
      await recordAudit(trx, actorRef(actor), { action: 'auth.totp-enabled', entityType: 'user', entityId: user.id }, now());
    });
    return { state };
  }

  async function disableTotp(actor: Actor, password: string) {
    const user = await loadUser(actor.userId);
    if (!(await verifyPassword(user.passwordHash, password))) {
      throw new AppError({ code: 'auth.wrong-current-password', status: 400, title: '密码不正确' });
    }
    const p = await policy();
    const roles = await repo.rolesOfUser(db, user.id);
    if (p.mfaRequiredForAdmins && roles.some((r) => r.administrative)) {
      throw new AppError({ code: 'auth.totp-required', status: 409, title: '安全策略要求管理员必须启用动态验证码' });
    }
    await changeAccess(async (trx) => {
      await trx.updateTable('appUser').set({ totpEnabled: false, totpSecret: null, updatedAt: now() }).where('id', '=', user.id).execute();
      await recordAudit(trx, actorRef(actor), { action: 'auth.totp-disabled', entityType: 'user', entityId: user.id }, now());
    });
  }

  async function switchCampus(actor: Actor, campusId: string) {
    if (!actor.campusIds.includes(campusId)) {
      throw new AppError({ code: 'auth.campus-not-allowed', status: 403, title: '您不属于该院区' });
    }
    await changeAccess(async (trx) => {
      await repo.updateSession(trx, actor.sessionId, { campusId });
      await recordAudit(trx, actorRef(actor), { action: 'auth.campus-switched', entityType: 'campus', entityId: campusId, campusId }, now());
    });
    return { campusId };
  }

  function recordDenial(actor: Actor, permission: Permission, method: string, url: string) {
    return recordAuditAlone(db, actorRef(actor), { action: 'auth.permission-denied', outcome: 'denied', detail: { permission, method, url } });
  }

  return {
    policy,
    forgetPolicy,
    followSessionChanges,
    changeAccess,
    login,
    authenticate,
    completeTotp,
    logout,
    me,
    changePassword,
    beginTotpEnrolment,
    confirmTotpEnrolment,
    disableTotp,
    switchCampus,
    recordDenial,
  };
}
