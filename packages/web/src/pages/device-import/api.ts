import { apiRequest, apiUpload } from '../../api/client.ts';

// The device-import replies are not in @pftis/server/api-types yet: written here after the zod schemas of
// packages/server/src/modules/device-import/module.ts.

export type ImportStatus = 'received' | 'imported' | 'unmatched' | 'quarantined';
export type ImportSource = 'upload' | 'folder' | 'mllp' | 'api';

export interface ReceivedFile {
  fileId: string;
  status: ImportStatus;
  /** The same bytes came before: the earlier file's id and status, nothing imported again. */
  duplicate: boolean;
}

export interface ImportedFile {
  id: string;
  sha256: string;
  originalName: string;
  /** An ImportSource. */
  source: string;
  /** 'ndd_xml', 'gdt', 'hl7', 'pdf', 'image', 'unknown'; null before it was looked at. */
  format: string | null;
  status: ImportStatus;
  /** English technical text from the parser, shown as it is. */
  reason: string | null;
  examId: string | null;
  receivedAt: string;
  attempts: number;
  sizeBytes: number;
}

export interface Measurement {
  setId: string;
  format: string;
  qualityGrade: string | null;
  /** Our parameter name; null when the device's parameter is not one we know. */
  param: string | null;
  deviceParam: string;
  stage: 'pre' | 'post' | string;
  value: number | null;
  unit: string | null;
  devicePredicted: number | null;
  deviceLln: number | null;
}

export const deviceImportApi = {
  upload: (file: Blob, name: string, deviceId?: string) => apiUpload<ReceivedFile>('/api/device-import/files', file, { name, deviceId }),
  list: (status?: ImportStatus) => apiRequest<ImportedFile[]>('/api/device-import/files', { query: { status, limit: 100 } }),
  reprocess: (id: string) => apiRequest<{ status: ImportStatus }>(`/api/device-import/files/${id}/reprocess`, { method: 'POST' }),
  bind: (id: string, examId: string) => apiRequest<{ status: ImportStatus }>(`/api/device-import/files/${id}/bind`, { method: 'POST', body: { examId } }),
  measurements: (examId: string) => apiRequest<Measurement[]>(`/api/exams/${examId}/measurements`),
};
