import type {
  DeliveryAttempt,
  DeliveryDocument,
  DeliveryJob,
  DeliveryJobStatus,
  DeliveryKind,
  DeliveryOverview,
  DeliveryResendReply,
  DeliveryTargetInput,
  DeliveryTargetStatus,
  DeliveryTargetView,
  FhirTargetConfig,
  FileTargetConfig,
  Hl7TargetConfig,
  HttpTargetConfig,
  SqlTargetConfig,
} from '@pftis/server/api-types';
import { apiRequest } from '../../../api/client.ts';

export type {
  DeliveryAttempt,
  DeliveryDocument,
  DeliveryJob,
  DeliveryJobStatus,
  DeliveryKind,
  DeliveryOverview,
  DeliveryTargetInput,
  DeliveryTargetStatus,
  DeliveryTargetView,
  FhirTargetConfig,
  FileTargetConfig,
  Hl7TargetConfig,
  HttpTargetConfig,
  SqlTargetConfig,
};

/** Every kind of target, in the order the form offers them. */
export const KINDS: readonly DeliveryKind[] = ['sql', 'http', 'hl7', 'fhir', 'file'];
export const DOCUMENTS: readonly DeliveryDocument[] = ['pdf', 'jpg'];
export const JOB_STATUSES: readonly DeliveryJobStatus[] = ['pending', 'failed', 'done'];
/** Kinds that send a token or password with each report (HTTP: the configured header; FHIR: Bearer). */
export const KINDS_WITH_SECRET: readonly DeliveryKind[] = ['http', 'fhir'];

export const isKind = (kind: string): kind is DeliveryKind => (KINDS as readonly string[]).includes(kind);

export const deliveryApi = {
  targets: () => apiRequest<DeliveryTargetView[]>('/api/delivery/targets'),
  createTarget: (body: DeliveryTargetInput) => apiRequest<DeliveryTargetView>('/api/delivery/targets', { method: 'POST', body }),
  updateTarget: (id: string, body: DeliveryTargetInput) => apiRequest<DeliveryTargetView>(`/api/delivery/targets/${id}`, { method: 'PUT', body }),
  overview: () => apiRequest<DeliveryOverview>('/api/delivery/overview'),
  jobs: (query: { status?: DeliveryJobStatus; targetId?: string; limit?: number }) => apiRequest<DeliveryJob[]>('/api/delivery/jobs', { query }),
  attempts: (jobId: number) => apiRequest<DeliveryAttempt[]>(`/api/delivery/jobs/${jobId}/attempts`),
  resend: (jobId: number) => apiRequest<DeliveryResendReply>(`/api/delivery/jobs/${jobId}/resend`, { method: 'POST' }),
};
