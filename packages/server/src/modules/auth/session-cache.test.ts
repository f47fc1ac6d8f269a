import { describe, expect, it } from 'vitest';
import type { SessionWithUser } from './auth.repo.js';
import { createSessionCache } from './session-cache.js';

const row = (id: string, permissions = ['exam.register']): SessionWithUser => ({
  id,
  userId: 'u1',
  state: 'active',
  csrfToken: 'c',
  campusId: null,
  lastSeenAt: new Date('2026-12-07T08:00:00Z'),
  expiresAt: new Date('2026-12-07T20:00:00Z'),
  username: 'tech',
  displayName: '技师',
  disabled: false,
  lockedUntil: null,
  permissions,
  campusIds: [],
});

/** A database of sessions whose reads are counted, and can be held open to change things mid-read. */
function fakeDatabase() {
  const rows = new Map([['s1', row('s1')], ['s2', row('s2')]]);
  let reads = 0;
  let during: (() => void) | undefined;
  return {
    rows,
    reads: () => reads,
    duringNextRead: (f: () => void) => (during = f),
    read: async (id: string) => {
      reads += 1;
      const answer = rows.get(id);
      await Promise.resolve();
      during?.();
      during = undefined;
      return answer;
    },
  };
}

describe('session cache', () => {
  it('keeps nothing until it listens, and nothing once it stops', async () => {
    const db = fakeDatabase();
    const cache = createSessionCache(db.read);
    await cache.get('s1');
    await cache.get('s1');
    expect(db.reads()).toBe(2);
    cache.onListening(true);
    await cache.get('s1');
    await cache.get('s1');
    expect(db.reads()).toBe(3);
    cache.onListening(false);
    await cache.get('s1');
    expect(db.reads()).toBe(4);
  });

  it('forgets one session on its id, every session on *', async () => {
    const db = fakeDatabase();
    const cache = createSessionCache(db.read);
    cache.onListening(true);
    await cache.get('s1');
    await cache.get('s2');
    db.rows.delete('s1');
    expect(await cache.get('s1')).toBeDefined(); // kept: nothing was announced
    cache.onMessage('s1');
    expect(await cache.get('s1')).toBeUndefined();
    expect(db.reads()).toBe(3);
    db.rows.set('s2', row('s2', []));
    cache.onMessage('*');
    expect((await cache.get('s2'))?.permissions).toEqual([]);
  });

  it('does not keep an answer read while a change was announced (it may be the old one)', async () => {
    const db = fakeDatabase();
    const cache = createSessionCache(db.read);
    cache.onListening(true);
    db.duringNextRead(() => {
      db.rows.set('s1', row('s1', []));
      cache.onMessage('s1');
    });
    expect((await cache.get('s1'))?.permissions).toEqual(['exam.register']);
    expect((await cache.get('s1'))?.permissions).toEqual([]);
    expect(db.reads()).toBe(2);
  });

  it('does not keep an unknown session, re-reads on demand, and records its own touches', async () => {
    const db = fakeDatabase();
    const cache = createSessionCache(db.read);
    cache.onListening(true);
    await cache.get('nope');
    await cache.get('nope');
    expect(db.reads()).toBe(2);
    await cache.get('s1');
    const touchedAt = new Date('2026-12-07T09:00:00Z');
    cache.touched('s1', touchedAt);
    expect((await cache.get('s1'))?.lastSeenAt).toEqual(touchedAt);
    expect(db.reads()).toBe(3);
    await cache.reread('s1');
    expect(db.reads()).toBe(4);
  });
});
