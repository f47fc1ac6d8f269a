import { apiRequest } from '../../api/client.ts';
import type { WorklistExam as WorklistEntry } from '@pftis/server/api-types';

export type { WorklistEntry };
export type ExamStatus = WorklistEntry['status'];

export const EXAM_STATUSES: ExamStatus[] = ['registered', 'in_progress', 'results', 'draft', 'pending_review', 'approved', 'delivered', 'cancelled'];

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
