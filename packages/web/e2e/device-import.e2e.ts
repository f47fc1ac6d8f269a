import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, signIn, startHarness, switchCampus } from './harness.ts';

let harness: Harness;
let page: Page;

beforeAll(async () => {
  harness = await startHarness();
  page = await harness.newPage();
  await signIn(page, 'tech');
  await switchCampus(page, '本部院区');
});

afterAll(async () => {
  await page?.context().close();
  await harness?.close();
});

/** Registers, at the main campus and without a device, the first demo card's order that is waiting today. */
async function registerExam(): Promise<{ accessionNo: string; patientName: string }> {
  const api = await harness.apiAs('tech');
  const me = await api<{ campuses: Array<{ id: string; name: string }> }>('GET', '/api/auth/me');
  await api('POST', '/api/auth/campus', { campusId: me.campuses.find((c) => c.name === '本部院区')!.id });
  for (let n = 1; n <= 30; n++) {
    const scan = await api<{ patient: { name: string }; orders: Array<{ requestNo: string; registrable: boolean }> }>('POST', '/api/exams/scan', { code: `9${String(n).padStart(9, '0')}` });
    const order = scan.orders.find((o) => o.registrable);
    if (!order) continue;
    const { exams } = await api<{ exams: Array<{ accessionNo: string }> }>('POST', '/api/exams', { requestNos: [order.requestNo] });
    return { accessionNo: exams[0]!.accessionNo, patientName: scan.patient.name };
  }
  throw new Error('no demo card with a pending order');
}

/**
 * An ndd EasyOne TestResult whose OrderID and patient id belong to no exam, as the device writes it (UTF-16 LE with
 * BOM): the operator typed the patient's name, and a wrong birth date.
 */
function unmatchedNddResult(patientName: string): Buffer {
  const xml = `<?xml version="1.0" encoding="utf-16"?>
<ndd Version="ndd.EasyWarePro.V1"><Command Type="TestResult"/><Patients><Patient ID="NO-SUCH-PATIENT"><LastName>${patientName}</LastName><PatientDataAtPresent><Height>1.7</Height><DateOfBirth>1900-01-01</DateOfBirth></PatientDataAtPresent><Intervals><Interval><OrderID>UNKNOWN-1</OrderID><Tests><Test TypeOfTest="FVC"><TestDate>2026-11-25T09:30:00.000</TestDate><BestValues><ResultParameter ID="FEV1"><DataValue>2.43</DataValue><Unit>L</Unit><PredictedValue>3.1</PredictedValue><LLNormalValue>2.5</LLNormalValue></ResultParameter></BestValues><QualityGrade>A</QualityGrade></Test></Tests></Interval></Intervals></Patient></Patients></ndd>`;
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
}

describe('结果导入', () => {
  it('uploads files, binds an unmatched result to the exam ranked first (confirming the differing birth date), shows its values and the quarantined file with its reason', async () => {
    const exam = await registerExam();
    await page.getByTestId('menu-device-import').click();

    await page.locator('.ant-upload input[type=file]').setInputFiles([
      { name: 'easyone-result.xml', mimeType: 'application/xml', buffer: unmatchedNddResult(exam.patientName) },
      { name: 'junk.txt', mimeType: 'text/plain', buffer: Buffer.from('这不是设备文件 not a device file') },
    ]);
    const sent = page.getByTestId('import-sent');
    await sent.getByTestId('import-sent-item').filter({ hasText: 'easyone-result.xml' }).filter({ hasText: '待匹配' }).waitFor();
    await sent.getByTestId('import-sent-item').filter({ hasText: 'junk.txt' }).filter({ hasText: '已隔离' }).waitFor();

    // 待匹配 is the first tab: bind the result to the exam registered above.
    const files = page.getByTestId('import-files');
    await files.locator('.ant-table-row', { hasText: 'easyone-result.xml' }).getByTestId('import-bind').click();
    const modal = page.getByTestId('bind-modal');
    // The exam with the same name comes first, its birth date marked as differing from the HIS.
    const row = modal.locator('.ant-table-row').first();
    await row.filter({ hasText: exam.accessionNo }).waitFor();
    expect(await row.getByTestId('bind-conflict').innerText()).toMatch(/^出生日期 1900-01-01 ≠ \d{4}-\d{2}-\d{2}$/);
    // The modal may still be opening (or its list refreshing) when the row is first clicked: click until it is chosen.
    const submit = modal.getByTestId('bind-submit');
    await expect.poll(async () => (await submit.isEnabled()) || (await row.click(), submit.isEnabled()), { timeout: 15_000 }).toBe(true);
    await submit.click();
    // Binding across a difference from the HIS needs a second, explicit confirmation.
    await page.getByTestId('confirm-conflict').click();
    await modal.waitFor({ state: 'hidden' });

    await page.getByRole('tab', { name: '已导入' }).click();
    const imported = files.locator('.ant-table-row', { hasText: 'easyone-result.xml' });
    await imported.filter({ hasText: '已导入' }).waitFor();
    expect(await imported.innerText()).toContain('上传');
    await imported.getByTestId('import-view').click();
    const fev1 = page.getByTestId('results-table').locator('.ant-table-row', { hasText: 'FEV1' });
    await fev1.waitFor();
    expect((await fev1.innerText()).split(/\s+/).slice(0, 5)).toEqual(['FEV1', '2.43', 'L', '3.1', '2.5']);
    await page.getByTestId('results-modal').locator('.ant-modal-close').click();

    await page.getByRole('tab', { name: '已隔离' }).click();
    const junk = files.locator('.ant-table-row', { hasText: 'junk.txt' });
    await junk.waitFor();
    expect(await junk.getByTestId('import-reason').innerText()).toBe('原因：无法识别的设备文件（不是支持的结果格式）');
    expect(await junk.getByTestId('import-reprocess').isVisible()).toBe(true);

    await page.screenshot({ path: '/tmp/pftis-device-import.png', fullPage: true });
  });
});
