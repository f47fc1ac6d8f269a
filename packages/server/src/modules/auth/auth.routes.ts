import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../platform/access.js';
import { unauthenticated } from '../../platform/access.js';
import { route } from '../../platform/http.js';
import * as s from './auth.schemas.js';
import type { AuthService } from './auth.service.js';

export const SESSION_COOKIE = 'pftis_session';

export function actorOf(request: { actor: Actor | null }): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}

const client = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

export function authRoutes(app: FastifyInstance, auth: AuthService, secureCookies: boolean) {
  const tags = ['auth'];
  const setSessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: secureCookies, path: '/' });

  route(app, { method: 'POST', url: '/api/auth/login', access: 'public', summary: 'Sign in with username and password', tags, body: s.LoginBody, response: s.LoginReply }, async (req, reply) => {
    const result = await auth.login(req.body, client(req));
    setSessionCookie(reply, result.token);
    return { state: result.state, csrfToken: result.csrfToken };
  });

  route(app, { method: 'POST', url: '/api/auth/login/totp', access: 'session', summary: 'Second login step: TOTP code', tags, body: s.TotpCodeBody, response: s.StateReply }, (req) =>
    auth.completeTotp(actorOf(req), req.body.code),
  );

  route(app, { method: 'POST', url: '/api/auth/logout', access: 'session', summary: 'Sign out', tags, response: s.Ok }, async (req, reply) => {
    await auth.logout(actorOf(req));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  route(app, { method: 'GET', url: '/api/auth/me', access: 'session', summary: 'The signed-in user, permissions and campuses', tags, response: s.MeReply }, (req) => auth.me(actorOf(req)));

  route(app, { method: 'POST', url: '/api/auth/password', access: 'session', summary: 'Change own password', tags, body: s.ChangePasswordBody, response: s.StateReply }, (req) =>
    auth.changePassword(actorOf(req), req.body),
  );

  route(app, { method: 'POST', url: '/api/auth/totp/enrolment', access: 'session', summary: 'Start TOTP enrolment (returns the secret once)', tags, response: s.TotpEnrolmentReply }, (req) =>
    auth.beginTotpEnrolment(actorOf(req)),
  );

  route(app, { method: 'POST', url: '/api/auth/totp/confirm', access: 'session', summary: 'Confirm TOTP enrolment with a code', tags, body: s.TotpCodeBody, response: s.StateReply }, (req) =>
    auth.confirmTotpEnrolment(actorOf(req), req.body.code),
  );

  route(app, { method: 'POST', url: '/api/auth/totp/disable', access: 'authenticated', summary: 'Turn off own TOTP', tags, body: s.PasswordBody, response: s.Ok }, async (req) => {
    await auth.disableTotp(actorOf(req), req.body.password);
    return { ok: true as const };
  });

  route(app, { method: 'POST', url: '/api/auth/campus', access: 'authenticated', summary: 'Switch the working campus of this session', tags, body: s.CampusBody, response: s.CampusBody }, (req) =>
    auth.switchCampus(actorOf(req), req.body.campusId),
  );
}
