import { apiRequest } from '../../../api/client.ts';
import type { NewUser, UserChanges, UserView } from '@pftis/server/api-types';

export type { NewUser, UserChanges, UserView };

export const usersApi = {
  list: (q?: string) => apiRequest<UserView[]>('/api/users', { query: { q } }),
  create: (body: NewUser) => apiRequest<UserView>('/api/users', { method: 'POST', body }),
  update: (id: string, body: UserChanges) => apiRequest<UserView>(`/api/users/${id}`, { method: 'PATCH', body }),
  resetPassword: (id: string, password: string) => apiRequest<UserView>(`/api/users/${id}/password`, { method: 'POST', body: { password } }),
  lock: (id: string) => apiRequest<UserView>(`/api/users/${id}/lock`, { method: 'POST' }),
  unlock: (id: string) => apiRequest<UserView>(`/api/users/${id}/unlock`, { method: 'POST' }),
  resetTotp: (id: string) => apiRequest<UserView>(`/api/users/${id}/totp/reset`, { method: 'POST' }),
};
