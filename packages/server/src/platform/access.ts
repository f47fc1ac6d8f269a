import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { SessionState } from '../db/types.js';
import { AppError } from './errors.js';
import type { Access } from './http.js';
import { isPermission, type Permission } from './permission-catalog.js';

export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  sessionId: string;
  sessionState: SessionState;
  csrfToken: string;
  permissions: ReadonlySet<Permission>;
  campusIds: string[];
  /** The campus the user is working at in this session (院区). */
  campusId: string | null;
  ip: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  access: Access;
}

export interface AccessControl {
  /** Resolves the request's session to an actor, or null. Throws an AppError for an expired session. */
  authenticate(request: FastifyRequest): Promise<Actor | null>;
  /** Records a refused request in the audit log. */
  recordDenial(request: FastifyRequest, actor: Actor, needed: Permission): Promise<void>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

export const unauthenticated = () => new AppError({ code: 'auth.required', status: 401, title: '请先登录' });

/**
 * The first door of every request: each route must declare who may call it (the server refuses to
 * start otherwise), and this hook enforces it before the body is even validated. Services check again
 * where patients are protected.
 */
export function registerAccessControl(app: FastifyInstance, control: AccessControl): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.decorateRequest('actor', null);

  app.addHook('onRoute', (options) => {
    const access = options.config?.access;
    const methods = ([] as string[]).concat(options.method);
    if (!access || !(['public', 'session', 'authenticated'].includes(access) || isPermission(access))) {
      throw new Error(`${methods.join(',')} ${options.url}: route declares no valid access rule (config.access)`);
    }
    for (const method of methods) routes.push({ method, url: options.url, access });
    const guard: onRequestHookHandler = async (request) => {
      const actor = await control.authenticate(request);
      request.actor = actor;
      if (access === 'public') return;
      if (!actor) throw unauthenticated();
      if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== actor.csrfToken) {
        throw new AppError({ code: 'auth.csrf', status: 403, title: '页面已过期，请刷新后重试', message: 'missing or wrong CSRF token' });
      }
      if (access === 'session') return;
      if (actor.sessionState !== 'active') {
        throw new AppError({ code: 'auth.session-incomplete', status: 403, title: '请先完成登录步骤', extra: { state: actor.sessionState } });
      }
      if (access === 'authenticated' || actor.permissions.has(access)) return;
      await control.recordDenial(request, actor, access);
      throw new AppError({ code: 'auth.forbidden', status: 403, title: '没有权限执行此操作', extra: { permission: access } });
    };
    options.onRequest = [guard, ...([] as onRequestHookHandler[]).concat(options.onRequest ?? [])];
  });
  return routes;
}
