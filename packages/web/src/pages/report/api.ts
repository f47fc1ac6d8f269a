import type {
  ApproveReply, ConclusionInput, PhraseScope, PreviousExam, ReportContent, ReportCreated, ReportCurve, ReportPattern, ReportPhrase, ReportRow, ReportSeverity,
  ReportVersionStatus, ReportWorkspace, ReviewAllowed, ReviewChainLevel, ReviewQueue, ReviewQueueItem, ReviewQueueLevel, ReviewStep, WorkspaceVersion,
} from '@pftis/server/api-types';
import { apiRequest } from '../../api/client.ts';

export type {
  ApproveReply, ConclusionInput, PhraseScope, PreviousExam, ReportContent, ReportCurve, ReportPattern, ReportPhrase, ReportRow, ReportSeverity, ReportVersionStatus,
  ReportWorkspace, ReviewAllowed, ReviewChainLevel, ReviewQueue, ReviewQueueItem, ReviewQueueLevel, ReviewStep, WorkspaceVersion,
};

export const PATTERNS: ReportPattern[] = ['normal', 'obstruction', 'possible_restriction', 'restriction', 'mixed', 'non_specific', 'prism', 'small_airway_dysfunction'];
export const SEVERITIES: ReportSeverity[] = ['none', 'mild', 'moderate', 'moderately_severe', 'severe', 'very_severe'];

export const reportApi = {
  workspace: (examId: string, version?: number) => apiRequest<ReportWorkspace>(`/api/exams/${examId}/report`, { query: { version } }),
  create: (examId: string) => apiRequest<ReportCreated>(`/api/exams/${examId}/report`, { method: 'POST' }),
  save: (reportId: string, body: ConclusionInput) => apiRequest<{ version: number }>(`/api/reports/${reportId}/conclusion`, { method: 'PUT', body }),
  submit: (reportId: string) => apiRequest<{ status: 'pending'; chain: ReviewChainLevel[] }>(`/api/reports/${reportId}/submit`, { method: 'POST' }),
  approve: (reportId: string, pin: string) => apiRequest<ApproveReply>(`/api/reports/${reportId}/approve`, { method: 'POST', body: { pin } }),
  returnToAuthor: (reportId: string, comment: string) => apiRequest<{ status: 'draft' }>(`/api/reports/${reportId}/return`, { method: 'POST', body: { comment } }),
  correct: (reportId: string, reason: string) => apiRequest<{ version: number }>(`/api/reports/${reportId}/correct`, { method: 'POST', body: { reason } }),
  revoke: (reportId: string, reason: string, pin: string) => apiRequest<{ status: 'revoked'; version: number }>(`/api/reports/${reportId}/revoke`, { method: 'POST', body: { reason, pin } }),
  pdfUrl: (reportId: string, version?: number) => `/api/reports/${reportId}/pdf${version ? `?version=${version}` : ''}`,
  phrases: () => apiRequest<ReportPhrase[]>('/api/report-phrases'),
  addPhrase: (body: { text: string; category?: string; scope?: PhraseScope }) => apiRequest<ReportPhrase>('/api/report-phrases', { method: 'POST', body }),
  removePhrase: (id: string) => apiRequest<{ ok: true }>(`/api/report-phrases/${id}`, { method: 'DELETE' }),
  queue: () => apiRequest<ReviewQueue>('/api/review/queue'),
};
