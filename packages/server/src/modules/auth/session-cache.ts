import type { SessionWithUser } from './auth.repo.js';

/** The channel on which the database announces changes to what the session check reads (migration 202612071300). */
export const SESSION_CHANNEL = 'pftis_session';

const KEEP_MS = 60_000;
const MAX_ENTRIES = 10_000;

export type SessionCache = ReturnType<typeof createSessionCache>;

/**
 * The session check's answers as last read, saving the database round trip that every request would otherwise make.
 * An answer is kept only while the database can say it changed: its triggers announce every change to a session, a
 * user, their roles, permissions or campuses, and each announcement drops what it touches before the next request is
 * checked. While nobody listens (not started, or the listening connection lost) nothing is kept. A change made by
 * this process also forgets at once (`forget`), so that its own next request need not wait for the announcement.
 */
export function createSessionCache(read: (sessionId: string) => Promise<SessionWithUser | undefined>) {
  const kept = new Map<string, { session: SessionWithUser; until: number }>();
  let listening = false;
  // Bumped by every forget: an answer read while something changed may be the old one, so it is not kept.
  let generation = 0;

  function forget(sessionId?: string) {
    generation += 1;
    if (sessionId === undefined) kept.clear();
    else kept.delete(sessionId);
  }

  async function get(sessionId: string): Promise<SessionWithUser | undefined> {
    const hit = kept.get(sessionId);
    if (listening && hit && hit.until > Date.now()) return hit.session;
    const seen = generation;
    const session = await read(sessionId);
    if (session && listening && seen === generation) {
      if (kept.size >= MAX_ENTRIES) kept.clear();
      kept.set(sessionId, { session, until: Date.now() + KEEP_MS });
    }
    return session;
  }

  return {
    get,
    /** The session's answer straight from the database, kept for the next request. */
    reread(sessionId: string) {
      forget(sessionId);
      return get(sessionId);
    },
    /** An announcement: one session's id, or '*' for a change that may touch any session. */
    onMessage(payload: string) {
      forget(payload === '*' ? undefined : payload);
    },
    onListening(on: boolean) {
      listening = on;
      forget();
    },
    forget,
    /** This process wrote the session's last_seen_at (which is not announced). */
    touched(sessionId: string, at: Date) {
      const hit = kept.get(sessionId);
      if (hit) hit.session = { ...hit.session, lastSeenAt: at };
    },
  };
}
