import { apiRequest } from '../../../api/client.ts';

export interface RoleView {
  id: string;
  code: string;
  name: string;
  nameEn: string;
  description: string;
  builtin: boolean;
  administrative: boolean;
  permissions: string[];
  userCount: number;
}

export interface PermissionInfo {
  code: string;
  group: string;
  name: string;
  nameEn: string;
}

export interface RoleInput {
  code: string;
  name: string;
  nameEn: string;
  description?: string;
  permissions: string[];
}

export const rolesApi = {
  list: () => apiRequest<RoleView[]>('/api/roles'),
  permissions: () => apiRequest<PermissionInfo[]>('/api/permissions'),
  create: (body: RoleInput) => apiRequest<RoleView>('/api/roles', { method: 'POST', body }),
  update: (id: string, body: Partial<Omit<RoleInput, 'code'>>) => apiRequest<RoleView>(`/api/roles/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => apiRequest<{ ok: true }>(`/api/roles/${id}`, { method: 'DELETE' }),
};
