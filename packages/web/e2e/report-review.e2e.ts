import { nddTestResult } from '@pftis/his-sim';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, signIn, startHarness, switchCampus } from './harness.ts';

/** The physicians' signing PIN, set in this test through the API (not the demo's). */
const PIN = '246810';
const RETURN_COMMENT = '请补充：未做支气管舒张试验。';

interface ScanReply {
  patient: { hisPatientId: string | null; name: string; sex: string };
  orders: Array<{ requestNo: string; registrable: boolean }>;
}

let harness: Harness;
let tech: Page;
let doctor: Page;
let reviewer: Page;
let exam: { examId: string; accessionNo: string; patientName: string };
/** Set by the review test: the approved report and its public verification code. */
let final: { reportId: string; verificationCode: string } | null = null;

/** Registers a waiting demo order at the main campus and imports a simulated ndd EasyOne result (three blows with curves) for it. */
async function examWithResults() {
  const api = await harness.session('tech');
  const me = await api.json<{ campuses: Array<{ id: string; name: string }> }>('GET', '/api/auth/me');
  await api.json('POST', '/api/auth/campus', { campusId: me.campuses.find((c) => c.name === '本部院区')!.id });
  for (let n = 1; n <= 30; n++) {
    const scan = await api.json<ScanReply>('POST', '/api/exams/scan', { code: `9${String(n).padStart(9, '0')}` });
    const order = scan.orders.find((o) => o.registrable);
    if (!order || (scan.patient.sex !== 'male' && scan.patient.sex !== 'female')) continue;
    const { exams } = await api.json<{ exams: Array<{ examId: string; accessionNo: string }> }>('POST', '/api/exams', { requestNos: [order.requestNo], heightCm: 168, weightKg: 62 });
    const { examId, accessionNo } = exams[0]!;
    const result = nddTestResult({ sex: scan.patient.sex, ageYears: 55, heightCm: 168, accessionNo, patientId: scan.patient.hisPatientId ?? 'P1', bronchodilator: false }, new Date(), n);
    const imported = await api.upload<{ status: string }>('/api/device-import/files?name=easyone-result.xml', result);
    if (imported.status !== 'imported') throw new Error(`the result was not bound to ${accessionNo}: ${imported.status}`);
    return { examId, accessionNo, patientName: scan.patient.name };
  }
  throw new Error('no demo card with a pending order');
}

/** Waits for the API reply to a click: fails the test with the server's problem title if it is not 2xx. */
async function replyTo(page: Page, method: string, path: RegExp, action: () => Promise<unknown>): Promise<Response> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === method && path.test(new URL(r.url()).pathname)), action()]);
  if (!response.ok()) throw new Error(`${method} ${response.url()}: ${response.status()} ${await response.text()}`);
  return response;
}

const statusTag = (page: Page) => page.getByTestId('report-status');

async function openFromQueue(page: Page) {
  await page.getByTestId('menu-review').click();
  const row = page.getByTestId('review-table').locator('.ant-table-row', { hasText: exam.accessionNo });
  await row.waitFor();
  await row.getByTestId('review-open').click();
  await page.getByTestId('report-workspace').waitFor();
  await page.getByTestId('report-accession').filter({ hasText: exam.accessionNo }).waitFor();
}

async function approveWithPin(page: Page, pin: string) {
  await page.getByTestId('report-approve').click();
  const modal = page.getByTestId('approve-modal');
  await modal.getByTestId('approve-input').fill(pin);
  return modal.getByTestId('approve-submit');
}

beforeAll(async () => {
  harness = await startHarness();
  // The physicians set up their own signing keys with their own PIN, as they would on the profile page.
  const doctorKey = await (await harness.apiAs('doctor'))<{ canSign: boolean; algorithm: string }>('POST', '/api/me/signature/issue', { algorithm: 'sm2', pin: PIN });
  const reviewerKey = await (await harness.apiAs('reviewer'))<{ canSign: boolean; algorithm: string }>('POST', '/api/me/signature/issue', { algorithm: 'rsa', pin: PIN });
  expect(doctorKey).toMatchObject({ canSign: true, algorithm: 'sm2' });
  expect(reviewerKey).toMatchObject({ canSign: true, algorithm: 'rsa' });
  exam = await examWithResults();

  [tech, doctor, reviewer] = await Promise.all([harness.newPage(), harness.newPage(), harness.newPage()]);
  await signIn(tech, 'tech');
  await switchCampus(tech, '本部院区');
  await signIn(doctor, 'doctor');
  await signIn(reviewer, 'reviewer');
});

afterAll(async () => {
  for (const page of [tech, doctor, reviewer]) await page?.context().close();
  await harness?.close();
});

describe('报告与分级审核', () => {
  it('drafts the report, returns it, resubmits, approves it at two levels with the PIN and prints the signed final PDF', async () => {
    // 技师: from 今日工作列表 to the workspace; 生成报告 from the imported device values.
    await tech.getByTestId('menu-worklist').click();
    const row = tech.getByTestId('worklist-table').locator('.ant-table-row', { hasText: exam.accessionNo });
    await row.filter({ hasText: '已出结果' }).waitFor();
    await row.getByTestId('worklist-report').click();
    await tech.getByTestId('report-create').click();
    await tech.getByTestId('results-table').waitFor();
    expect(await statusTag(tech).innerText()).toBe('草稿');
    const ratio = tech.getByTestId('results-table').locator('tr[data-param="FEV1FVC"]');
    expect((await ratio.locator('td').nth(1).innerText()).trim()).toBe('%');
    expect(Number(await ratio.locator('td').nth(2).innerText())).toBeGreaterThan(30); // measured, first after the unit (ATS 2017)
    await tech.getByTestId('chart-flow-volume').locator('canvas').first().waitFor();
    await tech.getByTestId('quality-grade').waitFor();

    // The conclusion: the drafted text, plus a phrase of my own inserted from the 常用语 panel.
    const text = tech.getByTestId('conclusion-text');
    expect(await text.inputValue()).not.toBe('');
    await text.fill('肺通气功能正常。');
    await tech.getByTestId('phrase-add-toggle').click();
    await tech.getByTestId('phrase-text').fill('弥散功能未测。');
    await replyTo(tech, 'POST', /^\/api\/report-phrases$/, () => tech.getByTestId('phrase-save').click());
    await text.press('End');
    await tech.getByTestId('phrase-item').filter({ hasText: '弥散功能未测。' }).click();
    expect(await text.inputValue()).toBe('肺通气功能正常。弥散功能未测。');
    await replyTo(tech, 'PUT', /\/conclusion$/, () => tech.getByTestId('report-save').click());
    await replyTo(tech, 'POST', /\/submit$/, () => tech.getByTestId('report-submit').click());
    await statusTag(tech).filter({ hasText: '待审核' }).waitFor();

    // 报告医师: finds it in 待审核 and returns it with a comment.
    await openFromQueue(doctor);
    await doctor.getByTestId('report-return').click();
    await doctor.getByTestId('return-text').fill(RETURN_COMMENT);
    await replyTo(doctor, 'POST', /\/return$/, () => doctor.getByTestId('return-submit').click());
    await statusTag(doctor).filter({ hasText: '已退回' }).waitFor();

    // 技师: sees the comment, revises and resubmits (the change is saved on the way).
    await tech.reload();
    await tech.getByTestId('returned-comment').filter({ hasText: RETURN_COMMENT }).waitFor();
    await tech.getByTestId('conclusion-text').fill('肺通气功能正常。弥散功能未测。未做支气管舒张试验。');
    await replyTo(tech, 'POST', /\/submit$/, () => tech.getByTestId('report-submit').click());
    await statusTag(tech).filter({ hasText: '待审核' }).waitFor();
    expect(await tech.getByTestId('conclusion-text').innerText()).toBe('肺通气功能正常。弥散功能未测。未做支气管舒张试验。');

    // 报告医师: a wrong PIN is refused with the server's title and the dialog stays; the right one approves level 1.
    await doctor.reload();
    await statusTag(doctor).filter({ hasText: '待审核' }).waitFor();
    const wrong = await approveWithPin(doctor, '000000');
    const [refused] = await Promise.all([doctor.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/approve')), wrong.click()]);
    expect(refused.status()).toBe(400);
    await doctor.getByTestId('approve-error').filter({ hasText: '签名密码错误' }).waitFor();
    await doctor.getByTestId('approve-input').fill(PIN);
    const level1 = await replyTo(doctor, 'POST', /\/approve$/, () => doctor.getByTestId('approve-submit').click());
    expect(await level1.json()).toMatchObject({ status: 'pending', level: 1 });
    await doctor.getByTestId('approve-modal').waitFor({ state: 'hidden' });

    // 审核医师: approves level 2 with the PIN; the final PDF is signed.
    await openFromQueue(reviewer);
    const approve = await approveWithPin(reviewer, PIN);
    const level2 = await replyTo(reviewer, 'POST', /\/approve$/, () => approve.click());
    const approved = (await level2.json()) as { status: string; level: number; final: { verificationCode: string } | null };
    expect(approved).toMatchObject({ status: 'approved', level: 2, final: { verificationCode: expect.any(String) } });
    final = { reportId: /\/api\/reports\/([^/]+)\/approve$/.exec(new URL(level2.url()).pathname)![1]!, verificationCode: approved.final!.verificationCode };
    await statusTag(reviewer).filter({ hasText: '已审核' }).waitFor();
    expect((await reviewer.getByTestId('review-history').getByTestId('history-step').evaluateAll((steps) => steps.map((s) => s.getAttribute('data-action'))))).toEqual([
      'submit', 'return', 'submit', 'approve', 'approve',
    ]);

    // 技师: 一键打印 — the signed final PDF goes to a hidden frame whose print() is called (stubbed here to record it).
    await tech.context().addInitScript(() => {
      window.print = () => {
        const top = window.top as unknown as { __printed?: string[] };
        (top.__printed ??= []).push(location.href);
      };
    });
    await tech.reload();
    await statusTag(tech).filter({ hasText: '已审核' }).waitFor();
    const printed = await replyTo(tech, 'POST', /\/print$/, () => tech.getByTestId('report-print').click());
    expect(printed.headers()['x-report-final']).toBe('1');
    expect(printed.headers()['content-type']).toBe('application/pdf');
    await tech.waitForFunction(() => ((window as unknown as { __printed?: string[] }).__printed ?? []).some((url) => url.startsWith('blob:')));
    // What went to print() is the server's PDF: read back the frame's document bytes.
    const head = await tech.evaluate(async () => {
      const frame = document.querySelector<HTMLIFrameElement>('[data-testid="print-frame"]')!;
      const bytes = new Uint8Array(await (await fetch(frame.src)).arrayBuffer());
      return { start: String.fromCharCode(...bytes.subarray(0, 5)), size: bytes.length };
    });
    expect(head.start).toBe('%PDF-');
    expect(head.size).toBeGreaterThan(10_000);
    await tech.getByTestId('print-count').filter({ hasText: '1' }).waitFor();
    expect(await statusTag(tech).innerText()).toBe('已审核');
    await tech.screenshot({ path: '/tmp/pftis-report-review.png', fullPage: true });
  });

  it('verifies the signed report publicly, without signing in, and checks a copy of its PDF', async () => {
    expect(final, 'needs the approved report of the test before').not.toBeNull();
    const pdf = await (await harness.session('tech')).bytes(`/api/reports/${final!.reportId}/pdf`);
    const anyone = await harness.newPage();
    try {
      await anyone.goto(`/verify/${final!.verificationCode}`);
      await anyone.getByTestId('verify-verdict').filter({ hasText: '报告真实有效' }).waitFor();
      const details = await anyone.getByTestId('verify-details').innerText();
      expect(details).toContain('本部院区');
      expect(details).toContain('张主任医师');
      expect(details).toContain('RSA');
      expect(details).not.toContain(exam.patientName);

      await replyTo(anyone, 'POST', /^\/api\/verify\//, () => anyone.locator('input[type=file]').setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: pdf }));
      const copy = anyone.getByTestId('verify-copy');
      await copy.waitFor();
      expect(await copy.innerText()).toMatch(/一致[\s\S]*有效/);

      const tampered = Buffer.from(pdf);
      // One changed byte in the document information (as the server's own test does): still a readable PDF, no longer the signed one.
      const at = tampered.indexOf('/Producer') > 0 ? tampered.indexOf('/Producer') + 12 : 200;
      tampered[at]! ^= 0x01;
      await replyTo(anyone, 'POST', /^\/api\/verify\//, () => anyone.locator('input[type=file]').setInputFiles({ name: 'changed.pdf', mimeType: 'application/pdf', buffer: tampered }));
      await copy.filter({ hasText: 'changed.pdf' }).filter({ hasText: '不一致' }).waitFor();
    } finally {
      await anyone.context().close();
    }
  });
});
