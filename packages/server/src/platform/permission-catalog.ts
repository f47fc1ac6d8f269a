/**
 * Every fine-grained permission the system knows, named noun.verb. Roles are editable bundles of these;
 * routes declare exactly one. Later capabilities add their permissions here and grant them to the
 * built-in roles in a migration.
 */
export const permissionCatalog = {
  'exam.register': { group: 'exam', zh: '检查登记', en: 'Register exams' },
  'exam.read': { group: 'exam', zh: '查看检查', en: 'View exams' },
  'questionnaire.fill': { group: 'exam', zh: '填写问卷', en: 'Fill questionnaires' },
  'device.import': { group: 'exam', zh: '导入设备结果', en: 'Import device results' },
  'calibration.write': { group: 'quality', zh: '录入定标记录', en: 'Record calibrations' },
  'calibration.read': { group: 'quality', zh: '查看定标记录', en: 'View calibrations' },
  'report.draft': { group: 'report', zh: '起草报告', en: 'Draft reports' },
  'report.write': { group: 'report', zh: '书写报告', en: 'Write reports' },
  'report.approve.level1': { group: 'report', zh: '一级审核', en: 'Approve (level 1)' },
  'report.approve.level2': { group: 'report', zh: '二级审核', en: 'Approve (level 2)' },
  'report.approve.level3': { group: 'report', zh: '三级审核', en: 'Approve (level 3)' },
  'report.print': { group: 'report', zh: '打印报告', en: 'Print reports' },
  'clinical.settings': { group: 'report', zh: '判读设置', en: 'Clinical interpretation settings' },
  'stats.read': { group: 'stats', zh: '数据查询统计', en: 'Query and statistics' },
  'stats.export': { group: 'stats', zh: '导出 Excel', en: 'Export to Excel' },
  'trend.read': { group: 'stats', zh: '趋势分析', en: 'Trend analysis' },
  'workload.read': { group: 'stats', zh: '工作量统计', en: 'Workload statistics' },
  'workload.export': { group: 'stats', zh: '导出工作量', en: 'Export workload' },
  'patient.identity.view': { group: 'stats', zh: '查看完整身份信息', en: 'See unmasked identity data' },
  'org.manage': { group: 'system', zh: '院区科室维护', en: 'Manage campuses and departments' },
  'his.views.read': { group: 'system', zh: '查看接口视图', en: 'View HIS interface views' },
  'his.views.edit': { group: 'system', zh: '维护接口视图', en: 'Edit HIS interface views' },
  'device.manage': { group: 'system', zh: '设备管理', en: 'Manage devices' },
  'device.template': { group: 'system', zh: '维护报告模板', en: 'Maintain device report templates' },
  'questionnaire.manage': { group: 'system', zh: '维护检查前问卷', en: 'Maintain the pre-test questionnaire' },
  'delivery.manage': { group: 'system', zh: '上传监控', en: 'Manage report delivery' },
  'system.settings': { group: 'system', zh: '系统设置', en: 'System settings' },
  'ops.manage': { group: 'system', zh: '运维管理', en: 'Operations (backup, inspection)' },
  'user.manage': { group: 'security', zh: '用户管理', en: 'Manage users' },
  'role.manage': { group: 'security', zh: '角色权限管理', en: 'Manage roles' },
  'security.policy.edit': { group: 'security', zh: '安全策略', en: 'Edit security policy' },
  'audit.read': { group: 'audit', zh: '查阅审计日志', en: 'Read the audit log' },
} as const satisfies Record<string, { group: string; zh: string; en: string }>;

export type Permission = keyof typeof permissionCatalog;

export const allPermissions = Object.keys(permissionCatalog) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(permissionCatalog, value);
}

/**
 * 等保 2.0 three-officer separation (三员分立): the system, security and audit officers' duties never meet
 * in one role or one user. Clinical permissions may sit with any of them.
 */
export const officerDuties: Record<'system' | 'security' | 'audit', Permission[]> = {
  system: ['org.manage', 'his.views.edit', 'device.manage', 'device.template', 'questionnaire.manage', 'system.settings', 'ops.manage', 'delivery.manage'],
  security: ['user.manage', 'role.manage', 'security.policy.edit'],
  audit: ['audit.read'],
};

/** The officer duties a set of permissions touches; more than one means the separation is broken. */
export function officersTouched(permissions: Iterable<string>): Array<keyof typeof officerDuties> {
  const held = new Set(permissions);
  return (Object.keys(officerDuties) as Array<keyof typeof officerDuties>).filter((officer) =>
    officerDuties[officer].some((p) => held.has(p)),
  );
}
