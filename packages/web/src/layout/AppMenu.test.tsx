// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { I18nProvider, type Language } from '../i18n/I18nProvider.tsx';
import { AppMenu } from './AppMenu.tsx';

function renderMenu(permissions: string[], language: Language = 'zh-CN') {
  render(
    <I18nProvider initialLanguage={language}>
      <MemoryRouter initialEntries={['/']}>
        <AppMenu permissions={permissions} />
      </MemoryRouter>
    </I18nProvider>,
  );
  return screen.getAllByTestId(/^menu-/).map((item) => item.textContent);
}

afterEach(cleanup);

describe('AppMenu', () => {
  it('shows the worklist to clinical roles and registration only to those who register', () => {
    expect(renderMenu(['exam.read', 'report.write', 'stats.read'])).toEqual(['工作台', '今日工作列表']);
    cleanup();
    expect(renderMenu(['exam.read', 'exam.register'])).toEqual(['工作台', '登记', '今日工作列表']);
    cleanup();
    expect(renderMenu(['exam.read', 'exam.register', 'device.import'])).toEqual(['工作台', '登记', '今日工作列表', '结果导入']);
  });

  it('shows 待审核 after the worklist to the physicians who approve', () => {
    expect(renderMenu(['exam.read', 'report.write', 'report.approve.level1', 'report.print'])).toEqual(['工作台', '今日工作列表', '待审核']);
  });

  it('shows the security officer pages in menu order', () => {
    expect(renderMenu(['security.policy.edit', 'user.manage', 'role.manage'])).toEqual(['工作台', '用户管理', '角色权限', '安全策略']);
  });

  it('shows the audit log to the audit officer only', () => {
    expect(renderMenu(['audit.read'])).toEqual(['工作台', '审计日志']);
    cleanup();
    expect(renderMenu(['org.manage', 'device.manage', 'his.views.read', 'his.views.edit'])).toEqual(['工作台', '院区科室', '接口视图维护', '设备管理']);
  });

  it('labels the menu in English when switched', () => {
    expect(renderMenu(['audit.read'], 'en')).toEqual(['Dashboard', 'Audit log']);
  });
});
