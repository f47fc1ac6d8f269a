import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, signIn, startHarness } from './harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

describe('报告设置', () => {
  it('the system administrator changes the report title, and the server keeps it', async () => {
    const page = await harness.newPage();
    try {
      await signIn(page, 'sysadmin');
      const loaded = page.waitForResponse((r) => r.url().endsWith('/api/report-layout') && r.request().method() === 'GET');
      await page.getByTestId('menu-report-settings').click();
      const answer = await loaded;
      expect(answer.status(), `GET /api/report-layout as sysadmin: ${await answer.text()}`).toBe(200);
      const title = page.getByTestId('report-layout-form').locator('#title');
      await expect.poll(() => title.inputValue()).toBe('肺功能检查报告');
      await title.fill('肺功能检查报告（测试）');

      const saved = page.waitForResponse((r) => r.url().endsWith('/api/report-layout') && r.request().method() === 'PUT');
      await page.getByTestId('save-layout').click();
      expect((await saved).status()).toBe(200);
      await page.locator('.ant-message').getByText('已保存').waitFor();

      const api = await harness.apiAs('sysadmin');
      const layout = await api<{ title: string; sections: string[] }>('GET', '/api/report-layout');
      expect(layout.title).toBe('肺功能检查报告（测试）');
      expect(layout.sections).toEqual(['patient', 'results', 'curves', 'quality', 'interpretation', 'signatures']);
    } finally {
      await page.context().close();
    }
  });
});
