import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { given, signIn, TEST_PASSWORD } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';
import { totp } from './totp.js';

describe.each(backends)('sign-in and sessions on %s', (kind) => {
  let t: TestApp;
  let clock = new Date('2026-11-25T08:00:00Z');
  const now = () => clock;
  const advance = (minutes: number) => (clock = new Date(clock.getTime() + minutes * 60_000));

  beforeAll(async () => {
    t = await testApp(kind, { now });
  });
  afterAll(() => t?.close());

  const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });

  it('signs in, sets an httpOnly SameSite=Strict cookie and reports the user', async () => {
    const user = await given(t).user({ roles: ['technician'] });
    const response = await login(user.username, TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'pftis_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const client = await signIn(t, user.username);
    const me = (await client.request('GET', '/api/auth/me')).json();
    expect(me.user.username).toBe(user.username);
    expect(me.state).toBe('active');
    expect(me.permissions).toContain('exam.register');
    expect(me.permissions).not.toContain('audit.read');
    expect(me.campuses).toHaveLength(1);
    expect(me.campusId).toBe(me.campuses[0].id);
  });

  it('counts wrong passwords down, locks after five for fifteen minutes, and says until when', async () => {
    const user = await given(t).user({ roles: ['technician'] });
    for (let remaining = 4; remaining >= 1; remaining--) {
      const response = await login(user.username, 'Wrong-password-1');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'auth.invalid-credentials', remainingAttempts: remaining });
      expect(response.json().title).toContain(`再输错 ${remaining} 次`);
    }
    const locked = await login(user.username, 'Wrong-password-1');
    expect(locked.statusCode).toBe(423);
    expect(locked.json().lockedUntil).toBe(new Date(clock.getTime() + 15 * 60_000).toISOString());
    expect(locked.json().title).toMatch(/^账户已锁定，请于 2026\/11\/25 16:15 后重试$/);
    // The right password does not help while locked…
    expect((await login(user.username, TEST_PASSWORD)).statusCode).toBe(423);
    // …but does once the lock has run out.
    advance(16);
    expect((await login(user.username, TEST_PASSWORD)).statusCode).toBe(200);
    const audit = await t.database.db.selectFrom('auditLog').select(['action', 'outcome']).where('entityId', '=', user.id).orderBy('id').execute();
    expect(audit.filter((a) => a.action === 'auth.login' && a.outcome === 'failure')).toHaveLength(5);
    expect(audit.some((a) => a.action === 'auth.locked')).toBe(true);
  });

  it('gives the same answer for an unknown user, without a counter', async () => {
    const response = await login('nobody-here', 'whatever');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'auth.invalid-credentials', title: '用户名或密码错误' });
    expect(response.json().remainingAttempts).toBeUndefined();
  });

  it('rejects a change without the CSRF token of the session', async () => {
    const user = await given(t).user({ roles: ['technician'] });
    const client = await signIn(t, user.username);
    const forged = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: client.cookie } });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe('auth.csrf');
    expect((await client.request('POST', '/api/auth/logout')).statusCode).toBe(200);
    expect((await client.request('GET', '/api/auth/me')).statusCode).toBe(401);
  });

  it('ends a session after 30 idle minutes, not while it is in use', async () => {
    const user = await given(t).user({ roles: ['technician'] });
    const client = await signIn(t, user.username);
    for (let i = 0; i < 3; i++) {
      advance(20);
      expect((await client.request('GET', '/api/auth/me')).statusCode).toBe(200);
    }
    advance(31);
    const expired = await client.request('GET', '/api/auth/me');
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ code: 'auth.session-expired', title: '登录已超时，请重新登录' });
  });

  it('forces a password change at first login before anything else', async () => {
    const user = await given(t).user({ roles: ['technician'], mustChangePassword: true });
    const client = await signIn(t, user.username);
    expect((await client.request('GET', '/api/auth/me')).json().state).toBe('password_change');
    const blocked = await client.request('GET', '/api/org/campuses');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toMatchObject({ code: 'auth.session-incomplete', state: 'password_change' });

    const weak = await client.request('POST', '/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'abc' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors.map((e: { field: string }) => e.field)).toContain('newPassword');
    const same = await client.request('POST', '/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD });
    expect(same.json().title).toContain('新密码不能与当前密码相同');

    const changed = await client.request('POST', '/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'New-Password-2026' });
    expect(changed.json()).toEqual({ state: 'active' });
    expect((await client.request('GET', '/api/org/campuses')).statusCode).toBe(200);
  });

  it('forces a change of an expired password', async () => {
    const user = await given(t).user({ roles: ['technician'] });
    advance(91 * 24 * 60);
    const client = await signIn(t, user.username);
    expect((await client.request('GET', '/api/auth/me')).json().state).toBe('password_change');
  });

  it('enrols TOTP, then asks for the code at login and refuses a wrong one', async () => {
    const user = await given(t).user({ roles: ['technician'] });
    const client = await signIn(t, user.username);
    const { secret, otpauthUri } = (await client.request('POST', '/api/auth/totp/enrolment')).json();
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect((await client.request('POST', '/api/auth/totp/confirm', { code: '000000' })).statusCode).toBe(401);
    expect((await client.request('POST', '/api/auth/totp/confirm', { code: totp(secret, clock.getTime()) })).statusCode).toBe(200);
    const stored = await t.database.db.selectFrom('appUser').select('totpSecret').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored.totpSecret).not.toContain(secret);

    const second = await signIn(t, user.username);
    expect((await second.request('GET', '/api/auth/me')).json().state).toBe('mfa');
    expect((await second.request('GET', '/api/org/campuses')).statusCode).toBe(403);
    const ok = await second.request('POST', '/api/auth/login/totp', { code: totp(secret, clock.getTime()) });
    expect(ok.json()).toEqual({ state: 'active' });

    const third = await signIn(t, user.username);
    expect((await third.request('POST', '/api/auth/login/totp', { code: '123456' })).statusCode).toBe(401);
    expect((await third.request('GET', '/api/auth/me')).statusCode).toBe(401);
  });

  it('makes administrators enrol TOTP when the policy requires it', async () => {
    const security = await given(t).user({ roles: ['security_admin'] });
    const officer = await signIn(t, security.username);
    const policy = (await officer.request('GET', '/api/security/policy')).json();
    expect((await officer.request('PUT', '/api/security/policy', { ...policy, mfaRequiredForAdmins: true })).statusCode).toBe(200);
    try {
      const admin = await given(t).user({ roles: ['system_admin'] });
      const client = await signIn(t, admin.username);
      expect((await client.request('GET', '/api/auth/me')).json().state).toBe('mfa_enroll');
      const { secret } = (await client.request('POST', '/api/auth/totp/enrolment')).json();
      expect((await client.request('POST', '/api/auth/totp/confirm', { code: totp(secret, clock.getTime()) })).json()).toEqual({ state: 'active' });
      // Clinical staff are not affected.
      const tech = await given(t).user({ roles: ['technician'] });
      expect((await (await signIn(t, tech.username)).request('GET', '/api/auth/me')).json().state).toBe('active');
    } finally {
      await officer.request('PUT', '/api/security/policy', policy);
    }
  });

  it('answers a malformed request with 400 and field errors, never a stack trace', async () => {
    const missing = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: '' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json().errors).toEqual([
      { field: 'body.username', message: '请输入用户名' },
      { field: 'body.password', message: expect.stringMatching(/[\u4e00-\u9fa5]/) },
    ]);
    const broken = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).not.toMatch(/at .*\.(ts|js):\d+/);
    const form = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=a&password=b' });
    expect(form.statusCode).toBe(415);
  });

  it('switches the working campus only to one of the user’s campuses', async () => {
    const [a, b, other] = [await given(t).campus(), await given(t).campus(), await given(t).campus()];
    const user = await given(t).user({ roles: ['technician'], campusIds: [a.id, b.id] });
    const client = await signIn(t, user.username);
    expect((await client.request('POST', '/api/auth/campus', { campusId: b.id })).statusCode).toBe(200);
    expect((await client.request('GET', '/api/auth/me')).json().campusId).toBe(b.id);
    expect((await client.request('POST', '/api/auth/campus', { campusId: other.id })).statusCode).toBe(403);
  });
});
