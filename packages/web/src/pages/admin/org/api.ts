import { apiRequest } from '../../../api/client.ts';
import type { CampusView as Campus, CampusInput, DepartmentView as Department, DepartmentInput, DepartmentKind } from '@pftis/server/api-types';

export type { Campus, CampusInput, Department, DepartmentInput, DepartmentKind };

export const orgApi = {
  campuses: () => apiRequest<Campus[]>('/api/org/campuses'),
  createCampus: (body: CampusInput) => apiRequest<Campus>('/api/org/campuses', { method: 'POST', body }),
  updateCampus: (id: string, body: Partial<Omit<CampusInput, 'code'>>) => apiRequest<Campus>(`/api/org/campuses/${id}`, { method: 'PATCH', body }),
  createDepartment: (body: DepartmentInput) => apiRequest<Department>('/api/org/departments', { method: 'POST', body }),
  updateDepartment: (id: string, body: Partial<Omit<DepartmentInput, 'campusId' | 'code'>>) =>
    apiRequest<Department>(`/api/org/departments/${id}`, { method: 'PATCH', body }),
};
