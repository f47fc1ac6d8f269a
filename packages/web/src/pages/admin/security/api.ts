import { apiRequest } from '../../../api/client.ts';

export interface SecurityPolicy {
  passwordMinLength: number;
  passwordMinClasses: number;
  passwordMaxAgeDays: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  idleTimeoutMinutes: number;
  sessionMaxHours: number;
  mfaRequiredForAdmins: boolean;
}

export const securityApi = {
  policy: () => apiRequest<SecurityPolicy>('/api/security/policy'),
  save: (body: SecurityPolicy) => apiRequest<SecurityPolicy>('/api/security/policy', { method: 'PUT', body }),
};
