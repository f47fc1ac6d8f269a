import { apiRequest } from '../../api/client.ts';
import type { ManualRegistration, PendingOrder, RegisteredExam, ScannedPatient, ScanResult } from '@pftis/server/api-types';

export type { ManualRegistration, PendingOrder, RegisteredExam, ScannedPatient, ScanResult };

export type Sex = 'male' | 'female' | 'unknown';
export type VisitType = 'outpatient' | 'inpatient' | 'emergency' | 'physical';
export type ScanKind = 'card' | 'outpatientNo' | 'inpatientNo' | 'requestNo' | 'idNumber';

export const SEXES: Sex[] = ['male', 'female', 'unknown'];
export const VISIT_TYPES: VisitType[] = ['outpatient', 'inpatient', 'emergency', 'physical'];

/** As the HIS returned it; identity numbers already masked unless the user may see them. */

export interface Measurements {
  heightCm?: number;
  weightKg?: number;
  deviceId?: string;
}

export const intakeApi = {
  scan: (code: string) => apiRequest<ScanResult>('/api/exams/scan', { method: 'POST', body: { code } }),
  register: (body: { requestNos: string[] } & Measurements) => apiRequest<{ exams: RegisteredExam[]; warnings: string[] }>('/api/exams', { method: 'POST', body }),
  registerManually: (body: ManualRegistration) =>
    apiRequest<{ examId: string; accessionNo: string; created: boolean; warnings: string[] }>('/api/exams/manual', { method: 'POST', body }),
  scanPatterns: () => apiRequest<Array<{ kind: ScanKind; pattern: string }>>('/api/exams/scan-patterns'),
};
