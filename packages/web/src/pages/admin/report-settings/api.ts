import type { ApprovePermission, ReportColumn, ReportLayout, ReportSection, ReviewLevelCondition, ReviewPolicy, ReviewPolicyLevel } from '@pftis/server/api-types';
import { apiRequest } from '../../../api/client.ts';

export type { ApprovePermission, ReportColumn, ReportLayout, ReportSection, ReviewLevelCondition, ReviewPolicy, ReviewPolicyLevel };

/** Every section of the printed report, in the server's default order. */
export const SECTIONS: readonly ReportSection[] = ['patient', 'results', 'curves', 'quality', 'interpretation', 'signatures'];
/** Every column of the results table, in the server's default order. */
export const COLUMNS: readonly ReportColumn[] = ['measured', 'lln', 'zScore', 'zbar', 'predicted', 'pctPredicted', 'post', 'postZScore', 'postPctPredicted', 'changePct'];
export const APPROVE_LEVEL_PERMISSIONS: readonly ApprovePermission[] = ['report.approve.level1', 'report.approve.level2', 'report.approve.level3'];
/** The built-in role codes, offered for a level's 作者角色 condition (any other code can be typed). */
export const KNOWN_ROLE_CODES = ['technician', 'reporting_physician', 'reviewing_physician', 'department_head', 'trainee'] as const;
export const MAX_LEVELS = 3;

export const reportSettingsApi = {
  layout: () => apiRequest<ReportLayout>('/api/report-layout'),
  saveLayout: (body: ReportLayout) => apiRequest<ReportLayout>('/api/report-layout', { method: 'PUT', body }),
  policy: () => apiRequest<ReviewPolicy>('/api/review/policy'),
  savePolicy: (body: ReviewPolicy) => apiRequest<ReviewPolicy>('/api/review/policy', { method: 'PUT', body }),
};
