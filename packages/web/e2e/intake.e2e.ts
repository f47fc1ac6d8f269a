import { readFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, signIn, startHarness, switchCampus } from './harness.ts';

interface ScanReply {
  patient: { hisPatientId: string; name: string };
  orders: Array<{ requestNo: string; registrable: boolean }>;
}

let harness: Harness;
let page: Page;

beforeAll(async () => {
  harness = await startHarness();
  // The technician's page, at the main campus where the GDT device 肺功能仪 1 号 stands.
  page = await harness.newPage();
  await signIn(page, 'tech');
  await switchCampus(page, '本部院区');
});

afterAll(async () => {
  await page?.context().close();
  await harness?.close();
});

/** A demo visit card whose patient has an order waiting today, found through the server's own API. */
async function cardWithPendingOrder(): Promise<{ card: string; scan: ScanReply }> {
  const api = await harness.apiAs('tech');
  for (let n = 1; n <= 30; n++) {
    const card = `9${String(n).padStart(9, '0')}`;
    const scan = await api<ScanReply>('POST', '/api/exams/scan', { code: card });
    if (scan.orders.some((o) => o.registrable)) return { card, scan };
  }
  throw new Error('no demo card with a pending order');
}

async function until<T>(probe: () => Promise<T | null | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Fields of a GDT file: lines of a 3-digit length, a 4-digit field id and the content. */
function gdtFields(bytes: Buffer): Array<{ field: string; content: string }> {
  return iconv
    .decode(bytes, 'gbk')
    .split('\r\n')
    .filter(Boolean)
    .map((line) => ({ field: line.slice(3, 7), content: line.slice(7) }));
}

const scanBoxFocused = () => page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'scan-input');

describe('登记: scan, Enter, Enter', () => {
  it('registers a scanned card, hands the worklist to the GDT device and lists the exam', async () => {
    const { card, scan } = await cardWithPendingOrder();
    const requestNo = scan.orders.find((o) => o.registrable)!.requestNo;

    await page.getByTestId('menu-intake').click();
    await scanBoxFocused();
    await page.keyboard.type(card);
    await page.keyboard.press('Enter');
    const patientCard = page.getByTestId('patient-card');
    await patientCard.getByTestId('patient-name').filter({ hasText: scan.patient.name }).waitFor();
    await patientCard.locator('.ant-table-row', { hasText: requestNo }).waitFor();
    await scanBoxFocused();

    await page.getByTestId('device-select').click();
    await page.locator('.ant-select-item-option', { hasText: '肺功能仪 1 号' }).click();
    await scanBoxFocused();
    await page.keyboard.press('Enter');

    const outcome = page.getByTestId('intake-outcome');
    await outcome.waitFor();
    expect(await outcome.innerText()).toContain('登记成功');
    const accessionNo = (await outcome.getByTestId('accession-no').first().innerText()).trim();
    expect(accessionNo).toMatch(/^MAIN\d{12}$/);
    expect(await patientCard.isVisible()).toBe(false);
    await scanBoxFocused();

    // The demo device takes its worklist files into done/ as soon as it sees them: look in both places.
    const worklistFolder = path.join(harness.dataDir, 'devices', 'MAIN-1');
    const gdtFile = `${accessionNo}.gdt`;
    const bytes = await until(() => readFile(path.join(worklistFolder, gdtFile)).catch(() => readFile(path.join(worklistFolder, 'done', gdtFile))), gdtFile);
    const fields = gdtFields(bytes);
    expect(fields).toContainEqual({ field: '8000', content: '6302' });
    expect(fields).toContainEqual({ field: '3000', content: scan.patient.hisPatientId });

    await page.getByTestId('menu-worklist').click();
    const row = page.getByTestId('worklist-table').locator('.ant-table-row', { hasText: accessionNo });
    await row.waitFor();
    await until(async () => {
      if ((await row.innerText()).includes('已下发')) return true;
      await page.getByTestId('worklist-refresh').click();
      return false;
    }, '已下发 in the worklist');
    expect(await row.innerText()).toContain('已登记');

    // The same card again: the order is registered and cannot be chosen a second time.
    await page.getByTestId('menu-intake').click();
    await scanBoxFocused();
    await page.keyboard.type(card);
    await page.keyboard.press('Enter');
    const orderRow = patientCard.locator('.ant-table-row', { hasText: requestNo });
    await orderRow.filter({ hasText: `已登记（检查号 ${accessionNo}）` }).waitFor();
    expect(await orderRow.locator('input[type=checkbox]').isDisabled()).toBe(true);
  });
});

describe('when the HIS cannot answer', () => {
  it('offers registration by hand, marked 待核对', async () => {
    const sysadmin = await harness.apiAs('sysadmin');
    await sysadmin('POST', '/api/his/views/patient.by-card/enabled', { enabled: false });
    try {
      const card = '9000000599';
      await page.goto('/intake');
      await scanBoxFocused();
      await page.keyboard.type(card);
      await page.keyboard.press('Enter');
      expect(await page.getByTestId('his-down').innerText()).toContain('可手工登记');

      const form = page.getByTestId('manual-form');
      expect(await form.locator('#patient_cardNo').inputValue()).toBe(card);
      await form.locator('#patient_name').fill('手工患者');
      await form.getByText('女', { exact: true }).click();
      await form.locator('#patient_birthDate').fill('1958-03-02');
      await form.locator('#patient_birthDate').press('Tab');
      await form.getByTestId('manual-register').click();

      const outcome = page.getByTestId('intake-outcome');
      await outcome.filter({ hasText: '已手工登记' }).waitFor();
      expect(await outcome.innerText()).toContain('待核对');
      expect(await outcome.getByTestId('accession-no').innerText()).toMatch(/^MAIN\d{12}$/);
    } finally {
      await sysadmin('POST', '/api/his/views/patient.by-card/enabled', { enabled: true });
    }
  });
});

describe('接口视图维护', () => {
  it('tests a view with a sample card and shows the raw rows beside the mapped patient', async () => {
    const { card, scan } = await cardWithPendingOrder();
    const admin = await harness.newPage();
    try {
      await signIn(admin, 'sysadmin');
      await admin.getByTestId('menu-his-views').click();
      await admin.getByTestId('edit-view-patient.by-card').click();
      await admin.getByTestId('view-sample-key').fill(card);
      await admin.getByTestId('view-test').click();
      const result = admin.getByTestId('view-test-result');
      await result.waitFor();
      const text = await result.innerText();
      expect(text).toContain('测试通过');
      expect(text).toContain(scan.patient.name);
      expect(text).toContain('映射后');
    } finally {
      await admin.context().close();
    }
  });
});
