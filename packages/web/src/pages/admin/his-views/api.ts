import { apiRequest } from '../../../api/client.ts';

export type MappingTarget = 'patient' | 'order';

export interface ViewMapping {
  target: MappingTarget;
  /** PFTIS field → the view's column. */
  columns: Record<string, string>;
  values: { sex?: Record<string, string>; visitType?: Record<string, string>; status?: Record<string, string> };
  heightUnit: 'cm' | 'm';
  timeZone: string;
  pftItemCodes: string[];
}

export interface HisView {
  code: string;
  name: string;
  enabled: boolean;
  version: number;
  sql: string;
  mapping: ViewMapping;
  timeoutMs: number;
  status: { lastSuccessAt: string | null; calls: number; errorRate: number; medianLatencyMs: number | null };
}

export interface ViewDraft {
  sql: string;
  mapping: ViewMapping;
  timeoutMs: number;
  sampleKey: string;
}

export type ProblemKind = 'missing-column' | 'wrong-type' | 'unmapped-value' | 'missing-value' | 'no-rows' | 'timeout' | 'error';

export interface ViewProblem {
  kind: ProblemKind;
  field?: string;
  column?: string;
  row?: number;
  message: string;
}

export interface ViewTestResult {
  ok: boolean;
  latencyMs: number | null;
  columns: string[];
  rows: Array<Record<string, string | null>>;
  records: Array<Record<string, unknown>>;
  skipped: number;
  problems: ViewProblem[];
}

export interface ViewVersion {
  version: number;
  current: boolean;
  comment: string;
  createdByName: string;
  createdAt: string;
  sql: string;
  mapping: ViewMapping;
  timeoutMs: number;
  diff: Array<{ kind: 'same' | 'added' | 'removed'; text: string }>;
}

export type WriteBackStatus = 'registered' | 'examined' | 'reported' | 'cancelled';
export const WRITE_BACK_STATUSES: WriteBackStatus[] = ['registered', 'examined', 'reported', 'cancelled'];

export interface WriteBack {
  enabled: boolean;
  sql: string;
  codes: Partial<Record<WriteBackStatus, string>>;
  timeoutMs: number;
}

const view = (code: string) => `/api/his/views/${encodeURIComponent(code)}`;

export const hisViewsApi = {
  list: () => apiRequest<HisView[]>('/api/his/views'),
  setEnabled: (code: string, enabled: boolean) => apiRequest<{ enabled: boolean }>(`${view(code)}/enabled`, { method: 'POST', body: { enabled } }),
  test: (code: string, draft: ViewDraft) => apiRequest<ViewTestResult>(`${view(code)}/test`, { method: 'POST', body: draft }),
  save: (code: string, draft: ViewDraft & { comment: string }) => apiRequest<{ version: number }>(`${view(code)}/versions`, { method: 'POST', body: draft }),
  history: (code: string) => apiRequest<ViewVersion[]>(`${view(code)}/versions`),
  rollback: (code: string, version: number) => apiRequest<{ version: number }>(`${view(code)}/rollback`, { method: 'POST', body: { version } }),
  writeBack: () => apiRequest<WriteBack>('/api/his/write-back'),
  saveWriteBack: (body: WriteBack) => apiRequest<WriteBack>('/api/his/write-back', { method: 'PUT', body }),
};

/** The PFTIS fields a view maps onto, in the order they are listed for editing. */
export const MAPPED_FIELDS: Record<MappingTarget, string[]> = {
  patient: ['hisPatientId', 'name', 'sex', 'birthDate', 'idNumber', 'phone', 'address', 'cardNo', 'outpatientNo', 'inpatientNo'],
  order: [
    'requestNo', 'hisPatientId', 'visitType', 'visitSerialNo', 'outpatientNo', 'inpatientNo', 'ward', 'bed', 'itemCode', 'itemName',
    'requestingDepartment', 'requestingDoctor', 'clinicalDiagnosis', 'requestedAt', 'executingDepartment', 'status', 'heightCm', 'weightKg',
  ],
};
