import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { systemActor } from '../platform/audit.js';
import type { TestApp } from './harness.js';

export const TEST_PASSWORD = 'Correct-Horse-9';
let sequence = 0;
const unique = (prefix: string) => `${prefix}${process.pid}x${++sequence}`;

/** Fixtures made through the real services, with unique names per call. */
export function given(t: TestApp) {
  const actor = systemActor('test');
  return {
    async campus(code = unique('C')) {
      return t.services.org.createCampus(actor, { code, name: `院区${code}` });
    },
    /** A user holding the built-in roles named by code, at a new campus unless campusIds are given. */
    async user(options: { roles: string[]; campusIds?: string[]; password?: string; mustChangePassword?: boolean; username?: string }) {
      const roles = await t.services.accounts.listRoles();
      const campusIds = options.campusIds ?? [(await this.campus()).id];
      const user = await t.services.accounts.createUser(
        actor,
        {
          username: options.username ?? unique('u'),
          displayName: '测试用户',
          password: options.password ?? TEST_PASSWORD,
          roleIds: options.roles.map((code) => roles.find((r) => r.code === code)!.id),
          campusIds,
        },
        { mustChangePassword: options.mustChangePassword ?? false },
      );
      return user;
    },
  };
}

export interface Client {
  csrfToken: string;
  cookie: string;
  request(method: InjectOptions['method'], url: string, payload?: unknown): Promise<LightMyRequestResponse>;
}

/** Signs in through the HTTP API and returns a client that sends the session cookie and CSRF header. */
export async function signIn(t: TestApp, username: string, password = TEST_PASSWORD): Promise<Client> {
  const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (response.statusCode !== 200) throw new Error(`login of ${username} failed: ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'pftis_session')!;
  const client: Client = {
    csrfToken: response.json().csrfToken,
    cookie: `pftis_session=${cookie.value}`,
    request: (method, url, payload) =>
      t.app.inject({ method, url, payload: payload as InjectOptions['payload'], headers: { cookie: client.cookie, 'x-csrf-token': client.csrfToken } }),
  };
  return client;
}
