import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillLogin, type Harness, sideMenuLabels, signIn, signOut, startHarness } from './harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
  const page = await harness.newPage();
  try {
    await run(page);
  } finally {
    await page.context().close();
  }
}

describe('menus follow the permissions of each demo role', () => {
  const cases = [
    { username: 'tech', menu: ['工作台', '登记', '今日工作列表', '结果导入', '质控'], forbidden: '/audit' },
    { username: 'doctor', menu: ['工作台', '今日工作列表', '待审核', '质控'], forbidden: '/intake' },
    { username: 'reviewer', menu: ['工作台', '今日工作列表', '待审核', '质控'], forbidden: '/admin/roles' },
    { username: 'director', menu: ['工作台', '今日工作列表', '待审核', '质控', '判读设置'], forbidden: '/admin/devices' },
    { username: 'trainee', menu: ['工作台', '今日工作列表', '质控'], forbidden: '/review' },
    { username: 'sysadmin', menu: ['工作台', '院区科室', '接口视图维护', '设备管理', '报告模板', '问卷维护', '报告设置', '判读设置', '上传监控'], forbidden: '/worklist' },
    { username: 'secadmin', menu: ['工作台', '用户管理', '角色权限', '安全策略'], forbidden: '/admin/org' },
    { username: 'auditor', menu: ['工作台', '审计日志'], forbidden: '/admin/his-views' },
  ];

  // One page for all roles: signing out leaves it on the login form for the next one.
  let page: Page;
  beforeAll(async () => {
    page = await harness.newPage();
  });
  afterAll(async () => {
    await page?.context().close();
  });

  it.each(cases)('$username sees $menu and gets 403 on $forbidden', async ({ username, menu, forbidden }) => {
    await signIn(page, username);
    expect(await sideMenuLabels(page)).toEqual(menu);
    await page.getByTestId('welcome-card').waitFor();

    await page.goto(forbidden);
    await page.getByTestId('forbidden').waitFor();
    expect(await page.locator('.ant-card').count()).toBe(0);

    await signOut(page);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('a signed-out visitor is sent to the login page', () =>
    withPage(async (page) => {
      await page.goto('/admin/users');
      await page.getByTestId('login-username').waitFor();
      expect(new URL(page.url()).pathname).toBe('/login');
    }),
  );
});

describe('account protection', () => {
  it('locks an account after 5 wrong passwords, counting down on the way', async () => {
    const api = await harness.apiAs('secadmin');
    const roles = await api<Array<{ id: string; code: string }>>('GET', '/api/roles');
    const campuses = await api<Array<{ id: string }>>('GET', '/api/org/campuses');
    await api('POST', '/api/users', {
      username: 'lockme',
      displayName: '锁定测试',
      password: 'Initial@2026x',
      roleIds: [roles.find((r) => r.code === 'technician')!.id],
      campusIds: [campuses[0]!.id],
    });

    await withPage(async (page) => {
      await page.goto('/login');
      const error = page.getByTestId('login-error');
      for (const remaining of [4, 3, 2, 1]) {
        await fillLogin(page, 'lockme', 'wrong-password');
        await error.filter({ hasText: `再输错 ${remaining} 次` }).waitFor();
      }
      await fillLogin(page, 'lockme', 'wrong-password');
      await error.filter({ hasText: '账户已锁定' }).waitFor();

      const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
      await fillLogin(page, 'lockme', 'Initial@2026x');
      expect((await answered).status()).toBe(423);
      await error.filter({ hasText: '账户已锁定' }).waitFor();
      expect(await page.getByTestId('side-menu').count()).toBe(0);
    });
  });

  it('a user created by the security administrator must change the password at first login', async () => {
    await withPage(async (page) => {
      await signIn(page, 'secadmin');
      await page.getByTestId('menu-users').click();
      await page.getByTestId('create-user').click();
      const modal = page.locator('.ant-modal').filter({ has: page.getByTestId('user-form') });
      await modal.locator('#username').fill('newtech');
      await modal.locator('#displayName').fill('赵技师');
      await modal.locator('#password').fill('Initial@2026x');
      // Choose by typing, as a keyboard user would: steadier than clicking into an animating dropdown.
      await modal.locator('#roleIds').click();
      await page.locator('.ant-select-dropdown:has(#roleIds_list) .ant-select-item-option[title="技师"]').waitFor();
      await modal.locator('#roleIds').pressSequentially('技师');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape');
      await modal.locator('#campusIds').click();
      await page.locator('.ant-select-dropdown:has(#campusIds_list) .ant-select-item-option').first().click();
      await page.keyboard.press('Escape');
      await modal.getByRole('button', { name: /保\s*存/ }).click();
      await page.locator('.ant-table-row', { hasText: 'newtech' }).filter({ hasText: '待改密' }).filter({ hasText: '技师' }).waitFor();
      await signOut(page);

      await fillLogin(page, 'newtech', 'Initial@2026x');
      const form = page.getByTestId('password-change-form');
      await form.waitFor();
      const explanation = await page.getByTestId('login-card').innerText();
      expect(explanation).toContain('请设置新密码后继续');
      expect(explanation).toContain('密码至少 10 位');
      await form.locator('#currentPassword').fill('Initial@2026x');
      await form.locator('#newPassword').fill('Changed#2026y');
      await form.locator('#confirm').fill('Changed#2026y');
      await form.locator('button[type=submit]').click();

      await page.getByTestId('welcome-card').waitFor();
      expect(await page.getByTestId('welcome-card').innerText()).toContain('赵技师');
      expect(await sideMenuLabels(page)).toEqual(['工作台', '登记', '今日工作列表', '结果导入', '质控']);
      expect(new URL(page.url()).pathname).toBe('/');
    });
  });
});

describe('language', () => {
  it('switches the interface to English, menu included', () =>
    withPage(async (page) => {
      await page.goto('/login');
      await page.getByTestId('language-switch').click();
      await page.getByTestId('login-card').getByText('Sign in', { exact: true }).first().waitFor();
      await fillLogin(page, 'secadmin', 'Pftis@2026');
      await page.getByTestId('side-menu').waitFor();
      expect(await sideMenuLabels(page)).toEqual(['Dashboard', 'Users', 'Roles & permissions', 'Security policy']);

      await page.getByTestId('language-switch').click();
      await page.getByTestId('menu-users').filter({ hasText: '用户管理' }).waitFor();
    }),
  );
});
