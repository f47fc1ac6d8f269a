import { createAnnouncedCache } from '../../platform/announced-cache.js';
import type { SessionWithUser } from './auth.repo.js';

/** The channel on which the database announces changes to what the session check reads (migration 202612071300). */
export const SESSION_CHANNEL = 'pftis_session';

const KEEP_MS = 60_000;

export type SessionCache = ReturnType<typeof createSessionCache>;

/**
 * The session check's answers as last read, saving the database round trip that every request would otherwise make.
 * An answer is kept only while the database can say it changed (platform/announced-cache.ts): its triggers announce
 * every change to a session, a user, their roles, permissions or campuses, and each announcement drops what it
 * touches before the next request is checked.
 */
export function createSessionCache(read: (sessionId: string) => Promise<SessionWithUser | undefined>) {
  const cache = createAnnouncedCache(read, { keepMs: KEEP_MS });
  return {
    get: cache.get,
    /** The session's answer straight from the database, kept for the next request. */
    reread(sessionId: string) {
      cache.forget(sessionId);
      return cache.get(sessionId);
    },
    /** An announcement: one session's id, or '*' for a change that may touch any session. */
    onMessage(payload: string) {
      cache.forget(payload === '*' ? undefined : payload);
    },
    onListening: cache.onListening,
    forget: cache.forget,
    /** This process wrote the session's last_seen_at (which is not announced). */
    touched(sessionId: string, at: Date) {
      cache.update(sessionId, (session) => ({ ...session, lastSeenAt: at }));
    },
  };
}
