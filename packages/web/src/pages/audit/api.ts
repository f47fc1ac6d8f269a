import { apiRequest } from '../../api/client.ts';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  id: number;
  occurredAt: string;
  actorId: string | null;
  actorName: string;
  ip: string | null;
  action: string;
  outcome: AuditOutcome;
  entityType: string | null;
  entityId: string | null;
  campusId: string | null;
  before: unknown;
  after: unknown;
  detail: unknown;
  hash: string;
}

export interface AuditFilter {
  from?: string;
  to?: string;
  actor?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  outcome?: AuditOutcome;
}

export interface AuditVerdict {
  ok: boolean;
  checked: number;
  headHash?: string;
  brokenAtId?: number;
  reason?: string;
}

export const auditApi = {
  entries: (filter: AuditFilter, page: number, pageSize: number) =>
    apiRequest<{ total: number; page: number; pageSize: number; items: AuditEntry[] }>('/api/audit/entries', { query: { ...filter, page, pageSize } }),
  verify: () => apiRequest<AuditVerdict>('/api/audit/verify'),
};
