import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { given, signIn } from '../test/given.js';
import { backends, type TestApp, testApp } from '../test/harness.js';
import { registerAccessControl } from './access.js';

// The only routes anyone may call without signing in: sign-in, health, the web app, and report verification (which
// shows no patient data) with the department CA certificate it is checked against.
const PUBLIC_ROUTES = [
  'POST /api/auth/login', 'GET /api/health', 'HEAD /api/health', 'GET /*', 'HEAD /*',
  'GET /api/verify/:code', 'HEAD /api/verify/:code', 'POST /api/verify/:code', 'GET /api/signing/ca/:algorithm', 'HEAD /api/signing/ca/:algorithm',
];

describe.each(backends)('route access on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t?.close());

  it('every registered route declares its access rule, and only the known ones are public', () => {
    expect(t.routes.length).toBeGreaterThan(20);
    for (const r of t.routes) expect(r.access, `${r.method} ${r.url}`).toBeTruthy();
    const publicRoutes = t.routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
    expect(publicRoutes.sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('every non-public route refuses a caller without a session', async () => {
    for (const r of t.routes.filter((r) => r.access !== 'public')) {
      const url = r.url.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');
      const response = await t.app.inject({ method: r.method as 'GET', url });
      expect(response.statusCode, `${r.method} ${r.url}`).toBe(401);
      if (r.method !== 'HEAD') expect(response.json().code).toBe('auth.required');
    }
  });

  it('every permission-guarded route refuses a signed-in user without that permission, and audits it', async () => {
    const user = await given(t).user({ roles: [] });
    const client = await signIn(t, user.username);
    const guarded = t.routes.filter((r) => !['public', 'session', 'authenticated'].includes(r.access));
    expect(guarded.length).toBeGreaterThan(10);
    for (const r of guarded) {
      const url = r.url.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');
      const response = await client.request(r.method as 'GET', url);
      expect(response.statusCode, `${r.method} ${r.url}`).toBe(403);
      if (r.method !== 'HEAD') expect(response.json()).toMatchObject({ code: 'auth.forbidden', permission: r.access });
    }
    const denials = await t.database.db.selectFrom('auditLog').select('detail').where('actorId', '=', user.id).where('outcome', '=', 'denied').execute();
    expect(denials).toHaveLength(guarded.length);
  });

  it('refuses to start when a route declares no access rule', async () => {
    const app = Fastify();
    registerAccessControl(app, { authenticate: async () => null, recordDenial: async () => {} });
    expect(() => app.get('/api/forgotten', async () => 'x')).toThrow(/declares no valid access rule/);
    expect(() => app.get('/api/typo', { config: { access: 'report.aprove' as 'public' } }, async () => 'x')).toThrow(/declares no valid access rule/);
    await app.close();
  });
});
