import { apiRequest } from '../../../api/client.ts';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  disabled: boolean;
  lockedUntil: string | null;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  lastLoginAt: string | null;
  roles: Array<{ id: string; code: string; name: string }>;
  campuses: Array<{ id: string; code: string; name: string }>;
}

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  roleIds: string[];
  campusIds: string[];
}

export type UserChanges = Partial<Pick<NewUser, 'displayName' | 'roleIds' | 'campusIds'>> & { disabled?: boolean };

export const usersApi = {
  list: (q?: string) => apiRequest<UserView[]>('/api/users', { query: { q } }),
  create: (body: NewUser) => apiRequest<UserView>('/api/users', { method: 'POST', body }),
  update: (id: string, body: UserChanges) => apiRequest<UserView>(`/api/users/${id}`, { method: 'PATCH', body }),
  resetPassword: (id: string, password: string) => apiRequest<UserView>(`/api/users/${id}/password`, { method: 'POST', body: { password } }),
  lock: (id: string) => apiRequest<UserView>(`/api/users/${id}/lock`, { method: 'POST' }),
  unlock: (id: string) => apiRequest<UserView>(`/api/users/${id}/unlock`, { method: 'POST' }),
  resetTotp: (id: string) => apiRequest<UserView>(`/api/users/${id}/totp/reset`, { method: 'POST' }),
};
