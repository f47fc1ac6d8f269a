import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

describe.each(backends)('campuses and departments on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t?.close());

  it('lets the system administrator maintain campuses and departments, audited per campus', async () => {
    const admin = await signIn(t, (await given(t).user({ roles: ['system_admin'] })).username);
    const campus = await admin.request('POST', '/api/org/campuses', { code: 'SOUTH', name: '南院区', nameEn: 'South campus' });
    expect(campus.statusCode).toBe(201);
    const dept = await admin.request('POST', '/api/org/departments', { campusId: campus.json().id, code: 'PFT', name: '肺功能室', kind: 'pft_lab' });
    expect(dept.statusCode).toBe(201);
    expect((await admin.request('POST', '/api/org/departments', { campusId: campus.json().id, code: 'PFT', name: '重复' })).statusCode).toBe(409);
    const renamed = await admin.request('PATCH', `/api/org/departments/${dept.json().id}`, { name: '肺功能检查室' });
    expect(renamed.json().name).toBe('肺功能检查室');
    const closed = await admin.request('PATCH', `/api/org/campuses/${campus.json().id}`, { active: false });
    expect(closed.json()).toMatchObject({ active: false, departments: [{ code: 'PFT' }] });
    const entries = await t.database.db.selectFrom('auditLog').select(['action', 'campusId']).where('campusId', '=', campus.json().id).orderBy('id').execute();
    expect(entries.map((e) => e.action)).toEqual(['campus.created', 'department.created', 'department.updated', 'campus.updated']);
  });

  it('shows campuses to every signed-in user but lets only org.manage change them', async () => {
    const tech = await signIn(t, (await given(t).user({ roles: ['technician'] })).username);
    const list = await tech.request('GET', '/api/org/campuses');
    expect(list.statusCode).toBe(200);
    expect(list.json().length).toBeGreaterThan(0);
    expect((await tech.request('POST', '/api/org/campuses', { code: 'NO', name: '不行' })).statusCode).toBe(403);
  });

  it('explains invalid input field by field', async () => {
    const admin = await signIn(t, (await given(t).user({ roles: ['system_admin'] })).username);
    const bad = await admin.request('POST', '/api/org/campuses', { code: '有空格 的代码', name: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([
      { field: 'body.code', message: '代码只能包含字母、数字、下划线和连字符（最多 32 位）' },
      { field: 'body.name', message: '请输入院区名称' },
    ]);
  });
});
