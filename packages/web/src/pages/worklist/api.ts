import { apiRequest } from '../../api/client.ts';

export type ExamStatus = 'registered' | 'in_progress' | 'results' | 'draft' | 'pending_review' | 'approved' | 'delivered' | 'cancelled';

export const EXAM_STATUSES: ExamStatus[] = ['registered', 'in_progress', 'results', 'draft', 'pending_review', 'approved', 'delivered', 'cancelled'];

export interface WorklistEntry {
  id: string;
  accessionNo: string;
  requestNo: string | null;
  itemName: string;
  testKind: string;
  visitType: string;
  visitSerialNo: string | null;
  ward: string | null;
  bed: string | null;
  status: ExamStatus;
  /** false: registered by hand while the HIS was down, not yet matched to its HIS order (待核对). */
  hisVerified: boolean;
  room: string | null;
  registeredAt: string;
  campusId: string;
  heightCm: number | null;
  weightKg: number | null;
  patientName: string;
  sex: string;
  birthDate: string;
  age: string;
  deviceId: string | null;
  deviceName: string | null;
  /** The worklist entry sent to the device; null when no device was chosen. */
  dispatch: { status: 'pending' | 'done' | 'failed'; attempts: number; lastError: string | null } | null;
}

export interface WorklistFilter {
  date?: string;
  campusId?: string;
  deviceId?: string;
  room?: string;
}

export const worklistApi = {
  list: (filter: WorklistFilter) => apiRequest<WorklistEntry[]>('/api/exams/worklist', { query: { ...filter } }),
  reconcile: () => apiRequest<{ reconciled: number; waiting: number }>('/api/exams/reconcile', { method: 'POST' }),
};
