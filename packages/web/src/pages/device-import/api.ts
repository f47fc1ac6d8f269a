import { apiRequest, apiUpload } from '../../api/client.ts';

import type { DeviceResultSet, ImportCandidate, ImportCandidates, ImportedFile, ImportStatus, Measurement, ReceivedFile } from '@pftis/server/api-types';

export type { DeviceResultSet, ImportCandidate, ImportCandidates, ImportedFile, ImportStatus, Measurement, ReceivedFile };
export type ImportSource = ImportedFile['source'];

export const deviceImportApi = {
  upload: (file: Blob, name: string, deviceId?: string) => apiUpload<ReceivedFile>('/api/device-import/files', file, { name, deviceId }),
  list: (status?: ImportStatus) => apiRequest<ImportedFile[]>('/api/device-import/files', { query: { status, limit: 100 } }),
  reprocess: (id: string) => apiRequest<{ status: ImportStatus }>(`/api/device-import/files/${id}/reprocess`, { method: 'POST' }),
  candidates: (id: string) => apiRequest<ImportCandidates>(`/api/device-import/files/${id}/candidates`),
  bind: (id: string, examId: string, acceptConflicts = false) => apiRequest<{ status: ImportStatus }>(`/api/device-import/files/${id}/bind`, { method: 'POST', body: { examId, acceptConflicts } }),
  deviceResults: (examId: string) => apiRequest<DeviceResultSet[]>(`/api/exams/${examId}/device-results`),
  measurements: (examId: string) => apiRequest<Measurement[]>(`/api/exams/${examId}/measurements`),
};
