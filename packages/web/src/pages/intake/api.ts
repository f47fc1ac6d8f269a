import { apiRequest } from '../../api/client.ts';

export type Sex = 'male' | 'female' | 'unknown';
export type VisitType = 'outpatient' | 'inpatient' | 'emergency' | 'physical';
export type ScanKind = 'card' | 'outpatientNo' | 'inpatientNo' | 'requestNo' | 'idNumber';

export const SEXES: Sex[] = ['male', 'female', 'unknown'];
export const VISIT_TYPES: VisitType[] = ['outpatient', 'inpatient', 'emergency', 'physical'];

/** As the HIS returned it; identity numbers already masked unless the user may see them. */
export interface ScannedPatient {
  hisPatientId: string | null;
  name: string;
  sex: string;
  birthDate: string;
  age: string;
  idNumber: string | null;
  phone: string | null;
  address: string | null;
  cardNo: string | null;
  outpatientNo: string | null;
  inpatientNo: string | null;
  ward: string | null;
  bed: string | null;
}

export interface PendingOrder {
  requestNo: string;
  hisPatientId: string;
  visitType: string;
  visitSerialNo: string;
  ward?: string;
  bed?: string;
  itemCode: string;
  itemName: string;
  requestingDepartment?: string;
  requestingDoctor?: string;
  clinicalDiagnosis?: string;
  requestedAt?: string;
  status: string;
  heightCm?: number;
  weightKg?: number;
  registrable: boolean;
  /** Why the order cannot be registered, in Chinese. */
  reason: string | null;
  exam: { id: string; accessionNo: string } | null;
}

export interface ScanResult {
  kind: ScanKind;
  patient: ScannedPatient;
  orders: PendingOrder[];
}

export interface Measurements {
  heightCm?: number;
  weightKg?: number;
  deviceId?: string;
}

export interface RegisteredExam {
  requestNo: string;
  examId: string;
  accessionNo: string;
  /** false: the order had been registered before; this is its existing exam. */
  created: boolean;
}

export interface ManualRegistration extends Measurements {
  patient: {
    name: string;
    sex: Sex;
    birthDate: string;
    idNumber?: string;
    phone?: string;
    cardNo?: string;
    outpatientNo?: string;
    inpatientNo?: string;
  };
  requestNo?: string;
  itemName: string;
  visitType: VisitType;
}

export const intakeApi = {
  scan: (code: string) => apiRequest<ScanResult>('/api/exams/scan', { method: 'POST', body: { code } }),
  register: (body: { requestNos: string[] } & Measurements) => apiRequest<{ exams: RegisteredExam[] }>('/api/exams', { method: 'POST', body }),
  registerManually: (body: ManualRegistration) =>
    apiRequest<{ examId: string; accessionNo: string; created: boolean }>('/api/exams/manual', { method: 'POST', body }),
  scanPatterns: () => apiRequest<Array<{ kind: ScanKind; pattern: string }>>('/api/exams/scan-patterns'),
};
