import { ApartmentOutlined, ApiOutlined, AuditOutlined, CalculatorOutlined, CloudUploadOutlined, FormOutlined, DashboardOutlined, ExperimentOutlined, FileDoneOutlined, FileSearchOutlined, LineChartOutlined, SafetyCertificateOutlined, ScanOutlined, SendOutlined, SettingOutlined, TeamOutlined, UnorderedListOutlined, UserOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';
import { holds, type PermissionNeed } from '../auth/SessionProvider.tsx';
import type { MessageKey } from '../i18n/zh.ts';

export interface NavItem {
  key: string;
  path: string;
  label: MessageKey;
  icon: ReactNode;
  /** Absent: every signed-in user; a list: any one of them. */
  permission?: PermissionNeed;
}

/** Whoever approves at any level of the review chain. */
export const APPROVE_PERMISSIONS = ['report.approve.level1', 'report.approve.level2', 'report.approve.level3'] as const;

/** The left menu, in display order. Routes use the same permissions (see App.tsx). */
export const navItems: NavItem[] = [
  { key: 'home', path: '/', label: 'menu.home', icon: <DashboardOutlined /> },
  { key: 'intake', path: '/intake', label: 'menu.intake', icon: <ScanOutlined />, permission: 'exam.register' },
  { key: 'worklist', path: '/worklist', label: 'menu.worklist', icon: <UnorderedListOutlined />, permission: 'exam.read' },
  { key: 'review', path: '/review', label: 'menu.review', icon: <FileDoneOutlined />, permission: APPROVE_PERMISSIONS },
  { key: 'device-import', path: '/device-import', label: 'menu.deviceImport', icon: <CloudUploadOutlined />, permission: 'device.import' },
  { key: 'quality-control', path: '/quality-control', label: 'menu.qualityControl', icon: <LineChartOutlined />, permission: 'calibration.read' },
  { key: 'users', path: '/admin/users', label: 'menu.users', icon: <UserOutlined />, permission: 'user.manage' },
  { key: 'roles', path: '/admin/roles', label: 'menu.roles', icon: <TeamOutlined />, permission: 'role.manage' },
  { key: 'security', path: '/admin/security', label: 'menu.security', icon: <SafetyCertificateOutlined />, permission: 'security.policy.edit' },
  { key: 'org', path: '/admin/org', label: 'menu.org', icon: <ApartmentOutlined />, permission: 'org.manage' },
  { key: 'his-views', path: '/admin/his-views', label: 'menu.hisViews', icon: <ApiOutlined />, permission: 'his.views.read' },
  { key: 'devices', path: '/admin/devices', label: 'menu.devices', icon: <ExperimentOutlined />, permission: 'device.manage' },
  { key: 'device-templates', path: '/admin/device-templates', label: 'menu.deviceTemplates', icon: <FileSearchOutlined />, permission: 'device.template' },
  { key: 'questionnaire', path: '/admin/questionnaire', label: 'menu.questionnaire', icon: <FormOutlined />, permission: 'questionnaire.manage' },
  { key: 'report-settings', path: '/admin/report-settings', label: 'menu.reportSettings', icon: <SettingOutlined />, permission: 'system.settings' },
  { key: 'lab-settings', path: '/admin/lab-settings', label: 'menu.labSettings', icon: <CalculatorOutlined />, permission: 'clinical.settings' },
  { key: 'delivery', path: '/admin/delivery', label: 'menu.delivery', icon: <SendOutlined />, permission: 'delivery.manage' },
  { key: 'audit', path: '/audit', label: 'menu.audit', icon: <AuditOutlined />, permission: 'audit.read' },
];

export function visibleNavItems(permissions: readonly string[]): NavItem[] {
  return navItems.filter((item) => !item.permission || holds(permissions, item.permission));
}

/** The menu entry a path belongs to: the longest matching prefix. */
export function selectedNavKey(pathname: string): string | undefined {
  return [...navItems].sort((a, b) => b.path.length - a.path.length).find((item) => (item.path === '/' ? pathname === '/' : pathname.startsWith(item.path)))?.key;
}
