import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, given, signIn, TEST_PASSWORD } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

describe.each(backends)('accounts, roles and three-officer separation on %s', (kind) => {
  let t: TestApp;
  let security: Client;
  let campusId: string;
  let roleIds: Record<string, string>;

  beforeAll(async () => {
    t = await testApp(kind);
    campusId = (await given(t).campus()).id;
    const officer = await given(t).user({ roles: ['security_admin'], campusIds: [campusId] });
    security = await signIn(t, officer.username);
    const roles = (await security.request('GET', '/api/roles')).json() as Array<{ id: string; code: string }>;
    roleIds = Object.fromEntries(roles.map((r) => [r.code, r.id]));
  });
  afterAll(() => t?.close());

  it('seeds the seven built-in roles with their Chinese names', async () => {
    const roles = (await security.request('GET', '/api/roles')).json() as Array<{ code: string; name: string; builtin: boolean }>;
    expect(roles.filter((r) => r.builtin).map((r) => r.name)).toEqual(['技师', '报告医师', '审核医师', '科主任', '系统管理员', '安全管理员', '审计管理员', '规培/进修医师']);
  });

  it('keeps the system, security and audit officers apart', async () => {
    const roles = (await security.request('GET', '/api/roles')).json() as Array<{ code: string; permissions: string[] }>;
    const of = (code: string) => roles.find((r) => r.code === code)!.permissions;
    expect(of('audit_admin')).toEqual(['audit.read']);
    expect(of('system_admin')).not.toContain('audit.read');
    expect(of('system_admin')).not.toContain('user.manage');
    expect(of('security_admin')).not.toContain('audit.read');
  });

  it('creates an account that must change its password, audited without the hash', async () => {
    const created = await security.request('POST', '/api/users', {
      username: 'wang.li',
      displayName: '王丽',
      password: 'Initial-Pass-1',
      roleIds: [roleIds.technician],
      campusIds: [campusId],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ username: 'wang.li', mustChangePassword: true, roles: [{ code: 'technician' }] });
    const entry = await t.database.db.selectFrom('auditLog').selectAll().where('action', '=', 'user.created').where('entityId', '=', created.json().id).executeTakeFirstOrThrow();
    expect(JSON.stringify(entry.after)).not.toMatch(/argon2|Initial-Pass/);
    expect(entry.actorName).not.toBe('system');
    const duplicate = await security.request('POST', '/api/users', { username: 'WANG.LI', displayName: 'x', password: 'Initial-Pass-1', campusIds: [campusId] });
    expect(duplicate.statusCode).toBe(409);
    const weak = await security.request('POST', '/api/users', { username: 'weak', displayName: 'x', password: 'weak', campusIds: [campusId] });
    expect(weak.json().code).toBe('auth.weak-password');
  });

  it('refuses to give one user the duties of two officers', async () => {
    const response = await security.request('POST', '/api/users', {
      username: 'both.hats',
      displayName: '双重身份',
      password: 'Initial-Pass-1',
      roleIds: [roleIds.system_admin, roleIds.audit_admin],
      campusIds: [campusId],
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('auth.separation-of-duties');
    const user = await given(t).user({ roles: ['audit_admin'], campusIds: [campusId] });
    const patch = await security.request('PATCH', `/api/users/${user.id}`, { roleIds: [roleIds.audit_admin, roleIds.security_admin] });
    expect(patch.statusCode).toBe(409);
    // Clinical roles may sit with any one officer.
    expect((await security.request('PATCH', `/api/users/${user.id}`, { roleIds: [roleIds.audit_admin, roleIds.department_head] })).statusCode).toBe(200);
  });

  it('refuses a role that mixes officers, or an edit that would break it for a holder', async () => {
    const mixed = await security.request('POST', '/api/roles', { code: 'superuser', name: '超级用户', nameEn: 'Superuser', permissions: ['user.manage', 'audit.read'] });
    expect(mixed.json().code).toBe('auth.separation-of-duties');
    const qc = await security.request('POST', '/api/roles', { code: 'qc_lead', name: '质控组长', nameEn: 'QC lead', permissions: ['calibration.read', 'stats.read'] });
    expect(qc.statusCode).toBe(201);
    const holder = await given(t).user({ roles: ['system_admin'], campusIds: [campusId] });
    await security.request('PATCH', `/api/users/${holder.id}`, { roleIds: [roleIds.system_admin, qc.json().id] });
    const edit = await security.request('PATCH', `/api/roles/${qc.json().id}`, { permissions: ['calibration.read', 'audit.read'] });
    expect(edit.statusCode).toBe(409);
    const unknown = await security.request('PATCH', `/api/roles/${qc.json().id}`, { permissions: ['report.aprove'] });
    expect(unknown.statusCode).toBe(400);
  });

  it('edits a role’s permissions and the change takes effect at the next request', async () => {
    const role = (await security.request('POST', '/api/roles', { code: 'visiting', name: '进修医师', nameEn: 'Visiting physician', permissions: ['exam.read'] })).json();
    const user = await given(t).user({ roles: [], campusIds: [campusId] });
    await security.request('PATCH', `/api/users/${user.id}`, { roleIds: [role.id] });
    const client = await signIn(t, user.username);
    expect((await client.request('GET', '/api/auth/me')).json().permissions).toEqual(['exam.read']);
    await security.request('PATCH', `/api/roles/${role.id}`, { permissions: ['exam.read', 'stats.read'] });
    expect((await client.request('GET', '/api/auth/me')).json().permissions).toEqual(['exam.read', 'stats.read']);
    expect((await security.request('DELETE', `/api/roles/${role.id}`)).json().code).toBe('auth.role-in-use');
    expect((await security.request('DELETE', `/api/roles/${roleIds.technician}`)).json().code).toBe('auth.role-builtin');
  });

  it('locks, unlocks, disables and resets, ending the person’s sessions', async () => {
    const user = await given(t).user({ roles: ['technician'], campusIds: [campusId] });
    const client = await signIn(t, user.username);
    expect((await security.request('POST', `/api/users/${user.id}/lock`)).json().lockedUntil).toBeTruthy();
    expect((await client.request('GET', '/api/auth/me')).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: TEST_PASSWORD } })).statusCode).toBe(423);
    await security.request('POST', `/api/users/${user.id}/unlock`);
    const again = await signIn(t, user.username);
    await security.request('PATCH', `/api/users/${user.id}`, { disabled: true });
    expect((await again.request('GET', '/api/auth/me')).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: TEST_PASSWORD } })).json().code).toBe('auth.disabled');
    await security.request('PATCH', `/api/users/${user.id}`, { disabled: false });
    const reset = await security.request('POST', `/api/users/${user.id}/password`, { password: 'Temporary-Pass-7' });
    expect(reset.json().mustChangePassword).toBe(true);
    const after = await signIn(t, user.username, 'Temporary-Pass-7');
    expect((await after.request('GET', '/api/auth/me')).json().state).toBe('password_change');
  });

  it('audits every change with before and after', async () => {
    const user = await given(t).user({ roles: ['technician'], campusIds: [campusId] });
    await security.request('PATCH', `/api/users/${user.id}`, { displayName: '新名字' });
    const entry = await t.database.db.selectFrom('auditLog').selectAll().where('action', '=', 'user.updated').where('entityId', '=', user.id).executeTakeFirstOrThrow();
    expect(entry.before).toMatchObject({ displayName: '测试用户' });
    expect(entry.after).toMatchObject({ displayName: '新名字' });
    expect(entry.ip).toBeTruthy();
  });
});

describe.each(backends)('who may read the audit log on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t?.close());

  it('only the audit administrator, and reading it is audited too', async () => {
    for (const role of ['system_admin', 'security_admin', 'department_head']) {
      const user = await given(t).user({ roles: [role] });
      const client = await signIn(t, user.username);
      expect((await client.request('GET', '/api/audit/entries')).statusCode, role).toBe(403);
    }
    const auditor = await given(t).user({ roles: ['audit_admin'] });
    const client = await signIn(t, auditor.username);
    const page = (await client.request('GET', '/api/audit/entries?action=auth.permission-denied')).json();
    expect(page.total).toBe(3);
    expect(page.items[0]).toMatchObject({ outcome: 'denied', detail: { permission: 'audit.read' } });
    const verdict = (await client.request('GET', '/api/audit/verify')).json();
    expect(verdict).toMatchObject({ ok: true });
    const own = (await client.request('GET', `/api/audit/entries?actor=${auditor.username}&action=audit.`)).json();
    expect(own.items.map((i: { action: string }) => i.action)).toEqual(['audit.verified', 'audit.searched']);
    // The audit administrator can do nothing else.
    expect((await client.request('GET', '/api/users')).statusCode).toBe(403);
    expect((await client.request('POST', '/api/org/campuses', { code: 'X', name: 'x' })).statusCode).toBe(403);
  });

  it('validates search filters', async () => {
    const auditor = await given(t).user({ roles: ['audit_admin'] });
    const client = await signIn(t, auditor.username);
    const bad = await client.request('GET', '/api/audit/entries?from=yesterday&pageSize=100000');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['querystring.from', 'querystring.pageSize']);
  });
});
