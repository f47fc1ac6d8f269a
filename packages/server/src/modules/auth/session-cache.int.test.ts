import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/audit.js';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, secondServer, type TestApp, testApp } from '../../test/harness.js';

// Session checks are kept in each server process (session-cache.ts) while the database announces what changes them.
// What must hold: a change made anywhere — this process, another server process, plain SQL — is obeyed by the
// next request, and a session is read once rather than on every request.

const admin = systemActor('test');

/** The same signed-in browser, talking to another server process. */
const on = (t: TestApp, client: Client): Client => ({
  ...client,
  request: (method, url, payload) => t.app.inject({ method, url, payload: payload as never, headers: { cookie: client.cookie, 'x-csrf-token': client.csrfToken } }),
});

/** Messages between processes take a moment: the answer within a second, else the last one. */
async function within(f: () => Promise<number>, expected: number) {
  const until = Date.now() + 1000;
  let last = await f();
  while (last !== expected && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    last = await f();
  }
  return last;
}

describe.each(backends)('kept session checks on %s, one process', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(kind);
  });
  afterAll(() => t?.close());

  const worklist = async (client: Client) => (await client.request('GET', '/api/exams/worklist')).statusCode;

  it('obeys its own changes at once: sign-out, a permission taken from the role, a disabled account', async () => {
    const user = await given(t).user({ roles: ['technician'] });
    const client = await signIn(t, user.username);
    expect(await worklist(client)).toBe(200);
    await client.request('POST', '/api/auth/logout');
    expect(await worklist(client)).toBe(401);

    const role = await t.services.accounts.createRole(admin, { code: `r${Date.now()}`, name: '临时角色', nameEn: 'Temporary', permissions: ['exam.read'] });
    const other = await given(t).user({ roles: [] });
    await t.services.accounts.updateUser(admin, other.id, { roleIds: [role.id] });
    const second = await signIn(t, other.username);
    expect(await worklist(second)).toBe(200);
    await t.services.accounts.updateRole(admin, role.id, { permissions: [] });
    expect(await worklist(second)).toBe(403);
    await t.services.accounts.updateRole(admin, role.id, { permissions: ['exam.read'] });
    expect(await worklist(second)).toBe(200);
    await t.services.accounts.updateUser(admin, other.id, { disabled: true });
    expect(await worklist(second)).toBe(401);
  });

  it('obeys a change written in SQL by someone else (a DBA, the CLI)', async () => {
    const user = await given(t).user({ roles: ['technician'] });
    const client = await signIn(t, user.username);
    expect(await worklist(client)).toBe(200);
    await sql`update app_user set disabled = true where id = ${user.id}`.execute(t.database.db);
    expect(await within(() => worklist(client), 401)).toBe(401);
  });

  it('reads a session once, not on every request, while nothing changes', async () => {
    const user = await given(t).user({ roles: ['technician'] });
    const client = await signIn(t, user.username);
    // The sign-in's own announcement (last login written) may arrive after the first request: let it pass.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await worklist(client)).toBe(200);
    // Without the announcement (trigger off), a removed session stays usable here: proof that it is kept…
    await sql`alter table session disable trigger session_changed`.execute(t.database.db);
    try {
      await sql`delete from session where user_id = ${user.id}`.execute(t.database.db);
      expect(await worklist(client)).toBe(200);
    } finally {
      await sql`alter table session enable trigger session_changed`.execute(t.database.db);
    }
    // …and any announcement drops it.
    await sql`select pg_notify('pftis_session', '*')`.execute(t.database.db);
    expect(await within(() => worklist(client), 401)).toBe(401);
  });
});

describe.skipIf(!backends.includes('postgres'))('kept session checks across server processes on postgres', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await testApp('postgres');
    b = await secondServer(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const worklist = async (client: Client) => (await client.request('GET', '/api/exams/worklist')).statusCode;

  it('a campus added, a permission taken and a sign-out on one server reach the other', async () => {
    const role = await a.services.accounts.createRole(admin, { code: `r${Date.now()}`, name: '临时角色', nameEn: 'Temporary', permissions: ['exam.read'] });
    const user = await given(a).user({ roles: [] });
    await a.services.accounts.updateUser(admin, user.id, { roleIds: [role.id] });
    const client = await signIn(a, user.username);
    const elsewhere = on(b, client);
    expect(await worklist(elsewhere)).toBe(200);

    const campus = await given(a).campus();
    await a.services.accounts.updateUser(admin, user.id, { campusIds: [user.campuses[0]!.id, campus.id] });
    const campuses = async () => ((await elsewhere.request('GET', '/api/auth/me')).json().campuses as unknown[]).length;
    expect(await within(campuses, 2)).toBe(2);

    await a.services.accounts.updateRole(admin, role.id, { permissions: [] });
    expect(await within(() => worklist(elsewhere), 403)).toBe(403);
    await a.services.accounts.updateRole(admin, role.id, { permissions: ['exam.read'] });
    expect(await within(() => worklist(elsewhere), 200)).toBe(200);

    await client.request('POST', '/api/auth/logout');
    expect(await within(() => worklist(elsewhere), 401)).toBe(401);
  });

  it('keeps nothing while its listening connection is lost, and keeps again once it is back', async () => {
    const user = await given(a).user({ roles: ['technician'] });
    const elsewhere = on(b, await signIn(a, user.username));
    expect(await worklist(elsewhere)).toBe(200);
    const listeners = async () => (await sql`select pid from pg_stat_activity where datname = current_database() and query = 'listen pftis_session'`.execute(a.database.db)).rows.length;
    expect(await listeners()).toBe(2);
    const silently = async (statement: ReturnType<typeof sql>) => {
      await sql`alter table session disable trigger session_changed`.execute(a.database.db);
      try {
        await statement.execute(a.database.db);
      } finally {
        await sql`alter table session enable trigger session_changed`.execute(a.database.db);
      }
    };
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = 'listen pftis_session'`.execute(a.database.db);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Deaf, a server may not answer from what it kept: a change nobody announces is obeyed at once.
    await silently(sql`update session set state = 'mfa' where user_id = ${user.id}`);
    expect(await worklist(elsewhere)).toBe(403);
    await silently(sql`update session set state = 'active' where user_id = ${user.id}`);
    expect(await worklist(elsewhere)).toBe(200);

    const until = Date.now() + 5000;
    while ((await listeners()) < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await listeners()).toBe(2);
    // Listening again, it keeps again (a silent removal goes unnoticed until something is announced).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await worklist(elsewhere)).toBe(200);
    await silently(sql`delete from session where user_id = ${user.id}`);
    expect(await worklist(elsewhere)).toBe(200);
    await sql`select pg_notify('pftis_session', '*')`.execute(a.database.db);
    expect(await within(() => worklist(elsewhere), 401)).toBe(401);
  });
});
