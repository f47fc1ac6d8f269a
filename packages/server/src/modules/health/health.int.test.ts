import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

describe.each(backends)('health and API documents on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t?.close());

  it('reports the database, migrations, version and uptime without login', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      database: { reachable: true, kind },
      migrations: { current: true, pending: [], latest: expect.stringMatching(/^\d{12}_/) },
    });
    expect(response.json().uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('answers 503 when the database is gone', async () => {
    const other = await testApp(kind);
    await other.database.close();
    const response = await other.app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json().database.reachable).toBe(false);
    await other.app.close();
  });

  it('documents every API route with its permission in OpenAPI', async () => {
    const client = await signIn(t, (await given(t).user({ roles: ['technician'] })).username);
    const doc = (await client.request('GET', '/api/docs')).json();
    expect(doc.openapi).toBe('3.0.3');
    const apiRoutes = t.routes.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD');
    for (const r of apiRoutes) {
      const operation = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
      expect(operation, `${r.method} ${r.url}`).toBeDefined();
      expect(operation['x-permission']).toBe(r.access);
    }
    const login = doc.paths['/api/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
    expect((await t.app.inject({ method: 'GET', url: '/api/docs' })).statusCode).toBe(401);
  });

  it('answers an unknown API path with a Chinese problem, not the web app', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'route-not-found', title: '接口不存在' });
  });
});
