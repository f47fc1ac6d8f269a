import { apiRequest } from '../../../api/client.ts';

export type DepartmentKind = 'pft_lab' | 'clinical' | 'administrative';

export interface Department {
  id: string;
  campusId: string;
  code: string;
  name: string;
  nameEn: string | null;
  kind: DepartmentKind;
  active: boolean;
}

export interface Campus {
  id: string;
  code: string;
  name: string;
  nameEn: string | null;
  address: string | null;
  active: boolean;
  departments: Department[];
}

export interface CampusInput {
  code: string;
  name: string;
  nameEn?: string | null;
  address?: string | null;
  active?: boolean;
}

export interface DepartmentInput {
  campusId: string;
  code: string;
  name: string;
  nameEn?: string | null;
  kind?: DepartmentKind;
  active?: boolean;
}

export const orgApi = {
  campuses: () => apiRequest<Campus[]>('/api/org/campuses'),
  createCampus: (body: CampusInput) => apiRequest<Campus>('/api/org/campuses', { method: 'POST', body }),
  updateCampus: (id: string, body: Partial<Omit<CampusInput, 'code'>>) => apiRequest<Campus>(`/api/org/campuses/${id}`, { method: 'PATCH', body }),
  createDepartment: (body: DepartmentInput) => apiRequest<Department>('/api/org/departments', { method: 'POST', body }),
  updateDepartment: (id: string, body: Partial<Omit<DepartmentInput, 'campusId' | 'code'>>) =>
    apiRequest<Department>(`/api/org/departments/${id}`, { method: 'PATCH', body }),
};
