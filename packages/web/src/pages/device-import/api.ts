import { apiRequest, apiUpload } from '../../api/client.ts';

import type { ImportedFile, ImportStatus, Measurement, ReceivedFile } from '@pftis/server/api-types';

export type { ImportedFile, ImportStatus, Measurement, ReceivedFile };
export type ImportSource = ImportedFile['source'];

export const deviceImportApi = {
  upload: (file: Blob, name: string, deviceId?: string) => apiUpload<ReceivedFile>('/api/device-import/files', file, { name, deviceId }),
  list: (status?: ImportStatus) => apiRequest<ImportedFile[]>('/api/device-import/files', { query: { status, limit: 100 } }),
  reprocess: (id: string) => apiRequest<{ status: ImportStatus }>(`/api/device-import/files/${id}/reprocess`, { method: 'POST' }),
  bind: (id: string, examId: string) => apiRequest<{ status: ImportStatus }>(`/api/device-import/files/${id}/bind`, { method: 'POST', body: { examId } }),
  measurements: (examId: string) => apiRequest<Measurement[]>(`/api/exams/${examId}/measurements`),
};
