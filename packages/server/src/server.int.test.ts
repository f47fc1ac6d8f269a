import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUse, openPglite } from './db/database.js';
import { loadConfig } from './platform/config.js';
import { ListenFailed, startServer } from './server.js';

const config = (dataDir: string, overrides: Record<string, unknown> = {}) =>
  loadConfig({}, { dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent', ...overrides });

async function usernames(dataDir: string) {
  const database = await openPglite(dataDir);
  try {
    return (await database.db.selectFrom('appUser').select('username').orderBy('username').execute()).map((u) => u.username);
  } finally {
    await database.close();
  }
}

describe('starting the server on the embedded database', () => {
  it('seeds the demo hospital once, serves health over real HTTP, and keeps data across restarts', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pftis-start-'));
    const first = await startServer(config(dataDir), { logger: false });
    try {
      const health = await fetch(`${first.url}/api/health`);
      expect(health.status).toBe(200);
      expect((await health.json()).database).toMatchObject({ reachable: true, kind: 'pglite' });
      const login = await fetch(`${first.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'secadmin', password: 'Pftis@2026' }),
      });
      expect(login.status).toBe(200);
      expect(login.headers.get('set-cookie')).toMatch(/pftis_session=.*HttpOnly.*SameSite=Strict/i);
      await expect(openPglite(dataDir)).rejects.toThrow(DataDirInUse);
    } finally {
      await first.close();
    }
    const second = await startServer(config(dataDir), { logger: false });
    await second.close();
    expect(await usernames(dataDir)).toEqual(['auditor', 'director', 'doctor', 'reviewer', 'secadmin', 'sysadmin', 'tech', 'trainee']);
  }, 60_000);

  it('seeds nothing with PFTIS_DEMO=0', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pftis-start-'));
    const server = await startServer(config(dataDir, { demo: false }), { logger: false });
    await server.close();
    expect(await usernames(dataDir)).toEqual([]);
  }, 60_000);

  it('says which address it could not listen on', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pftis-start-'));
    const first = await startServer(config(dataDir, { demo: false }), { logger: false });
    try {
      const port = Number(new URL(first.url).port);
      const otherDir = await mkdtemp(path.join(os.tmpdir(), 'pftis-start-'));
      await expect(startServer(config(otherDir, { demo: false, port }), { logger: false })).rejects.toThrow(ListenFailed);
      await expect(startServer(config(otherDir, { demo: false, port }), { logger: false })).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      await first.close();
    }
  }, 60_000);
});
