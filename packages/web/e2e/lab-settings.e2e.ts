import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, signIn, startHarness } from './harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

/** Opens an antd Select by its test id and clicks the option whose text contains `text`. */
async function choose(page: Page, testId: string, text: string) {
  await page.getByTestId(testId).click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).first().click();
  await expect.poll(() => page.getByTestId(testId).innerText()).toContain(text);
}

describe('判读设置', () => {
  it('the head of department switches spirometry to GLI-2012 North East Asian; the preview follows and the choice persists after reload', async () => {
    const page = await harness.newPage();
    try {
      await signIn(page, 'director');
      const loaded = page.waitForResponse((r) => r.url().endsWith('/api/lab-settings') && r.request().method() === 'GET');
      await page.getByTestId('menu-lab-settings').click();
      expect((await loaded).status()).toBe(200);
      await expect.poll(() => page.getByTestId('default-spirometry-equation').innerText()).toContain('GLI Global 2022');
      // The live preview interprets the sample patients with the settings as they are now.
      await expect.poll(() => page.getByTestId('preview-normal-spirometry').innerText()).toContain('GLI Global 2022');
      await expect.poll(() => page.getByTestId('preview-obstruction-zh').innerText()).toContain('阻塞性通气功能障碍');

      await choose(page, 'default-spirometry-equation', 'GLI-2012');
      await choose(page, 'default-spirometry-ethnicity', '3 东北亚');
      await expect.poll(() => page.getByTestId('preview-normal-spirometry').innerText()).toContain('GLI-2012');
      await expect.poll(() => page.getByTestId('preview-normal-spirometry').innerText()).toContain('东北亚');

      const saved = page.waitForResponse((r) => r.url().endsWith('/api/lab-settings') && r.request().method() === 'PUT');
      await page.getByTestId('save-lab-settings').click();
      const answer = await saved;
      expect(answer.status(), await answer.text()).toBe(200);
      await page.locator('.ant-message').getByText('已保存').waitFor();

      const reloaded = page.waitForResponse((r) => r.url().endsWith('/api/lab-settings') && r.request().method() === 'GET');
      await page.reload();
      expect((await reloaded).status()).toBe(200);
      await expect.poll(() => page.getByTestId('default-spirometry-equation').innerText()).toContain('GLI-2012');
      await expect.poll(() => page.getByTestId('default-spirometry-ethnicity').innerText()).toContain('3 东北亚');

      // What the server keeps, as any signed-in clinician reads it.
      const api = await harness.apiAs('doctor');
      const lab = await api<{ reference: { defaults: { spirometry: unknown; transfer: unknown } } }>('GET', '/api/lab-settings');
      expect(lab.reference.defaults.spirometry).toEqual({ equation: 'gli2012', ethnicity: 3 });
      expect(lab.reference.defaults.transfer).toEqual({ equation: 'gli2017' });
    } finally {
      await page.context().close();
    }
  });
});
