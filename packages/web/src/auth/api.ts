import { apiRequest } from '../api/client.ts';

export type SessionState = 'mfa' | 'password_change' | 'mfa_enroll' | 'active';

export interface Me {
  user: { id: string; username: string; displayName: string; totpEnabled: boolean; passwordExpiresAt: string | null };
  state: SessionState;
  csrfToken: string;
  permissions: string[];
  roles: Array<{ code: string; name: string; nameEn: string }>;
  campuses: Array<{ id: string; code: string; name: string; nameEn: string | null }>;
  campusId: string | null;
  idleTimeoutMinutes: number;
  passwordPolicy: { minLength: number; minClasses: number };
}

export const authApi = {
  me: () => apiRequest<Me>('/api/auth/me'),
  login: (body: { username: string; password: string }) =>
    apiRequest<{ state: SessionState; csrfToken: string }>('/api/auth/login', { method: 'POST', body }),
  loginTotp: (code: string) => apiRequest<{ state: SessionState }>('/api/auth/login/totp', { method: 'POST', body: { code } }),
  logout: () => apiRequest<{ ok: true }>('/api/auth/logout', { method: 'POST' }),
  changePassword: (body: { currentPassword: string; newPassword: string }) =>
    apiRequest<{ state: SessionState }>('/api/auth/password', { method: 'POST', body }),
  beginTotpEnrolment: () => apiRequest<{ secret: string; otpauthUri: string }>('/api/auth/totp/enrolment', { method: 'POST' }),
  confirmTotp: (code: string) => apiRequest<{ state: SessionState }>('/api/auth/totp/confirm', { method: 'POST', body: { code } }),
  disableTotp: (password: string) => apiRequest<{ ok: true }>('/api/auth/totp/disable', { method: 'POST', body: { password } }),
  switchCampus: (campusId: string) => apiRequest<{ campusId: string }>('/api/auth/campus', { method: 'POST', body: { campusId } }),
};
