import type { FastifyInstance } from 'fastify';
import { route } from '../../platform/http.js';
import type { AccountsService } from './accounts.service.js';
import { actorOf } from './auth.routes.js';
import * as s from './auth.schemas.js';
import { actorRef, type AuthService } from './auth.service.js';

export function accountsRoutes(app: FastifyInstance, accounts: AccountsService, auth: AuthService) {
  const users = ['users'];
  const by = (req: { actor: Parameters<typeof actorOf>[0]['actor'] }) => actorRef(actorOf(req));

  route(app, { method: 'GET', url: '/api/users', access: 'user.manage', summary: 'List accounts', tags: users, query: s.UserQuery, response: s.UserList }, (req) =>
    accounts.listUsers(req.query),
  );
  route(app, { method: 'POST', url: '/api/users', access: 'user.manage', summary: 'Create an account', tags: users, body: s.CreateUserBody, response: s.UserView, status: 201 }, (req) =>
    accounts.createUser(by(req), req.body),
  );
  route(app, { method: 'GET', url: '/api/users/:id', access: 'user.manage', summary: 'One account', tags: users, params: s.IdParams, response: s.UserView }, (req) =>
    accounts.getUser(req.params.id),
  );
  route(app, { method: 'PATCH', url: '/api/users/:id', access: 'user.manage', summary: 'Change name, roles, campuses or disable', tags: users, params: s.IdParams, body: s.UpdateUserBody, response: s.UserView }, (req) =>
    accounts.updateUser(by(req), req.params.id, req.body),
  );
  route(app, { method: 'POST', url: '/api/users/:id/password', access: 'user.manage', summary: 'Reset to a temporary password', tags: users, params: s.IdParams, body: s.PasswordBody, response: s.UserView }, (req) =>
    accounts.resetPassword(by(req), req.params.id, req.body.password),
  );
  route(app, { method: 'POST', url: '/api/users/:id/lock', access: 'user.manage', summary: 'Lock an account', tags: users, params: s.IdParams, response: s.UserView }, (req) =>
    accounts.setLocked(by(req), req.params.id, true),
  );
  route(app, { method: 'POST', url: '/api/users/:id/unlock', access: 'user.manage', summary: 'Unlock an account', tags: users, params: s.IdParams, response: s.UserView }, (req) =>
    accounts.setLocked(by(req), req.params.id, false),
  );
  route(app, { method: 'POST', url: '/api/users/:id/totp/reset', access: 'user.manage', summary: "Remove an account's TOTP", tags: users, params: s.IdParams, response: s.UserView }, (req) =>
    accounts.resetTotp(by(req), req.params.id),
  );

  const roles = ['roles'];
  route(app, { method: 'GET', url: '/api/roles', access: 'role.manage', summary: 'Roles with their permissions', tags: roles, response: s.RoleList }, () => accounts.listRoles());
  route(app, { method: 'GET', url: '/api/permissions', access: 'authenticated', summary: 'The permission catalogue (names of permissions; not secret)', tags: roles, response: s.PermissionList }, () => accounts.listPermissions());
  route(app, { method: 'POST', url: '/api/roles', access: 'role.manage', summary: 'Create a role', tags: roles, body: s.CreateRoleBody, response: s.RoleView, status: 201 }, (req) =>
    accounts.createRole(by(req), req.body),
  );
  route(app, { method: 'PATCH', url: '/api/roles/:id', access: 'role.manage', summary: 'Rename a role or change its permissions', tags: roles, params: s.IdParams, body: s.UpdateRoleBody, response: s.RoleView }, (req) =>
    accounts.updateRole(by(req), req.params.id, req.body),
  );
  route(app, { method: 'DELETE', url: '/api/roles/:id', access: 'role.manage', summary: 'Delete an unused custom role', tags: roles, params: s.IdParams, response: s.Ok }, async (req) => {
    await accounts.deleteRole(by(req), req.params.id);
    return { ok: true as const };
  });

  const security = ['security'];
  route(app, { method: 'GET', url: '/api/security/policy', access: 'security.policy.edit', summary: 'Password, lockout, session and 2FA policy', tags: security, response: s.PolicyBody }, () => auth.policy());
  route(app, { method: 'PUT', url: '/api/security/policy', access: 'security.policy.edit', summary: 'Change the security policy', tags: security, body: s.PolicyBody, response: s.PolicyBody }, (req) =>
    accounts.updatePolicy(by(req), req.body),
  );
}
