export { createAuthService, actorRef, type AuthService } from './auth.service.js';
export { createAccountsService, type AccountsService } from './accounts.service.js';
export { authRoutes, actorOf, SESSION_COOKIE } from './auth.routes.js';
export { accountsRoutes } from './accounts.routes.js';
