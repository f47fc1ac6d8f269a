import { apiRequest } from '../../../api/client.ts';
import type { PermissionInfo, RoleInput, RoleView } from '@pftis/server/api-types';

export type { PermissionInfo, RoleInput, RoleView };

export const rolesApi = {
  list: () => apiRequest<RoleView[]>('/api/roles'),
  permissions: () => apiRequest<PermissionInfo[]>('/api/permissions'),
  create: (body: RoleInput) => apiRequest<RoleView>('/api/roles', { method: 'POST', body }),
  update: (id: string, body: Partial<Omit<RoleInput, 'code'>>) => apiRequest<RoleView>(`/api/roles/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => apiRequest<{ ok: true }>(`/api/roles/${id}`, { method: 'DELETE' }),
};
