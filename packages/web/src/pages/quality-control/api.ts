import type {
  CalibrationAction,
  CalibrationCheck,
  CalibrationDocument,
  CalibrationInput,
  CalibrationLogImport,
  CalibrationRecorded,
  QcDaily,
  QcDay,
  QcDeviceToday,
  QcOverviewRow,
  QcPolicy,
} from '@pftis/server/api-types';
import { apiRequest, apiUpload } from '../../api/client.ts';

export type { CalibrationAction, CalibrationCheck, CalibrationDocument, CalibrationInput, CalibrationLogImport, CalibrationRecorded, QcDaily, QcDay, QcDeviceToday, QcOverviewRow, QcPolicy };
export type CheckKind = CalibrationCheck['kind'];

/** Where a stored report file can be opened (same-origin, the session cookie goes with it). */
export const documentUrl = (id: string) => `/api/calibration/documents/${id}`;

export const qcApi = {
  overview: (campusId: string) => apiRequest<QcOverviewRow[]>('/api/calibration/overview', { query: { campusId } }),
  daily: (deviceId: string, from: string, to: string) => apiRequest<QcDaily>('/api/calibration/daily', { query: { deviceId, from, to } }),
  list: (deviceId: string, query: { from?: string; to?: string; kind?: CheckKind } = {}) => apiRequest<CalibrationCheck[]>('/api/calibration', { query: { deviceId, ...query } }),
  record: (body: CalibrationInput) => apiRequest<CalibrationRecorded>('/api/calibration', { method: 'POST', body }),
  uploadDocument: (file: Blob, name: string) => apiUpload<CalibrationDocument>('/api/calibration/documents', file, { name }),
  attach: (id: string, file: Blob, name: string) => apiUpload<{ id: string; documentId: string; sha256: string }>(`/api/calibration/${id}/attachment`, file, { name }),
  /** A device's own calibration-log export: one record per check, the file kept as received. */
  importLog: (deviceId: string, file: Blob, name: string) => apiUpload<CalibrationLogImport>(`/api/calibration/devices/${deviceId}/import`, file, { name }),
  addAction: (id: string, action: string) => apiRequest<CalibrationAction>(`/api/calibration/${id}/actions`, { method: 'POST', body: { action } }),
  policy: () => apiRequest<QcPolicy>('/api/calibration/policy'),
  updatePolicy: (body: QcPolicy) => apiRequest<QcPolicy>('/api/calibration/policy', { method: 'PUT', body }),
  /** For registration: the device's check today (needs exam.register). */
  deviceToday: (deviceId: string) => apiRequest<QcDeviceToday>(`/api/calibration/devices/${deviceId}/today`),
};
