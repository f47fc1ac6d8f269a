import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, setCsrfToken, setUnauthorizedHandler } from '../api/client.ts';
import { authApi, type Me } from './api.ts';

export interface Session {
  /** null: signed out. */
  me: Me | null;
  loading: boolean;
  /** Why the user was sent back to the sign-in form (session timed out, wrong second factor, ...). */
  notice: SessionNotice | null;
  refresh(): Promise<Me | null>;
  login(username: string, password: string): Promise<Me | null>;
  logout(): Promise<void>;
  /** Forget the session locally, e.g. after the server ended it. */
  endSession(notice?: SessionNotice | null): void;
}

/** 'session-expired' is translated on the sign-in page; other notices carry the server's (Chinese) title. */
export type SessionNotice = 'session-expired' | { title: string };

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState<SessionNotice | null>(null);

  const endSession = useCallback((next: SessionNotice | null = null) => {
    setCsrfToken(null);
    setMe(null);
    setNotice(next);
  }, []);

  const refresh = useCallback(async () => {
    try {
      const current = await authApi.me();
      setCsrfToken(current.csrfToken);
      setMe(current);
      return current;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      endSession(error.code === 'auth.session-expired' ? 'session-expired' : null);
      return null;
    } finally {
      setLoading(false);
    }
  }, [endSession]);

  const login = useCallback(
    async (username: string, password: string) => {
      const reply = await authApi.login({ username, password });
      setCsrfToken(reply.csrfToken);
      setNotice(null);
      return refresh();
    },
    [refresh],
  );

  const logout = useCallback(async () => {
    try {
      await authApi.logout();
    } catch {
      // Signed out locally whatever the server says.
    }
    setCsrfToken(null);
    // A fresh page load: nothing of this user stays in memory, and the next user starts at the dashboard.
    window.location.replace('/login');
  }, []);

  useEffect(() => {
    setUnauthorizedHandler((error) => endSession(error.code === 'auth.session-expired' ? 'session-expired' : { title: error.title }));
    void refresh().catch(() => setLoading(false));
    return () => setUnauthorizedHandler(null);
  }, [refresh, endSession]);

  const value = useMemo<Session>(() => ({ me, loading, notice, refresh, login, logout, endSession }), [me, loading, notice, refresh, login, logout, endSession]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const context = useContext(SessionContext);
  if (!context) throw new Error('useSession outside SessionProvider');
  return context;
}

/** A permission, or a list of which any one will do. */
export type PermissionNeed = string | readonly string[];

export function holds(permissions: readonly string[], need: PermissionNeed): boolean {
  return typeof need === 'string' ? permissions.includes(need) : need.some((p) => permissions.includes(p));
}

/** Whether the signed-in user holds a permission (or any of a list). Only decides what to show: the server enforces. */
export function useCan(permission: PermissionNeed | undefined): boolean {
  const { me } = useSession();
  if (!permission) return me !== null;
  return me ? holds(me.permissions, permission) : false;
}
