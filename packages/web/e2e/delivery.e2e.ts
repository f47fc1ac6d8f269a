import { createServer } from 'node:net';
import { nddTestResult } from '@pftis/his-sim';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, signIn, startHarness } from './harness.ts';

/** The physicians' signing PIN, set in this test through the API. */
const PIN = '135790';
const TARGET = '集成平台（测试）';

interface ScanReply {
  patient: { hisPatientId: string | null; name: string; sex: string };
  orders: Array<{ requestNo: string; registrable: boolean }>;
}
interface Job {
  id: number;
  status: string;
  attempts: number;
  lastError: string | null;
  reasonZh: string | null;
  accessionNo: string | null;
}
interface Attempt {
  attemptedAt: string;
  ok: boolean;
  reasonZh: string | null;
}
interface Target {
  id: string;
  name: string;
  kind: string;
  hasSecret: boolean;
  config: Record<string, unknown>;
}
type Api = Awaited<ReturnType<Harness['apiAs']>>;

let harness: Harness;
let admin: Page;
let sysadmin: Api;

/**
 * A port nothing listens on: the connection is refused at once. (Not a fixed low port such as 9: fetch refuses the
 * "bad ports" of the Fetch standard itself, without trying to connect.)
 */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A report approved at both levels of the demo chain: registered, device result imported, drafted, submitted, approved with the PIN. */
async function approvedReport(): Promise<{ accessionNo: string; requestNo: string }> {
  const tech = await harness.session('tech');
  const me = await tech.json<{ campuses: Array<{ id: string; name: string }> }>('GET', '/api/auth/me');
  await tech.json('POST', '/api/auth/campus', { campusId: me.campuses.find((c) => c.name === '本部院区')!.id });
  for (let n = 1; n <= 30; n++) {
    const scan = await tech.json<ScanReply>('POST', '/api/exams/scan', { code: `9${String(n).padStart(9, '0')}` });
    const order = scan.orders.find((o) => o.registrable);
    if (!order || (scan.patient.sex !== 'male' && scan.patient.sex !== 'female')) continue;
    const { exams } = await tech.json<{ exams: Array<{ examId: string; accessionNo: string }> }>('POST', '/api/exams', { requestNos: [order.requestNo], heightCm: 168, weightKg: 62 });
    const { examId, accessionNo } = exams[0]!;
    const result = nddTestResult({ sex: scan.patient.sex, ageYears: 55, heightCm: 168, accessionNo, patientId: scan.patient.hisPatientId ?? 'P1', bronchodilator: false }, new Date(), n);
    const imported = await tech.upload<{ status: string }>('/api/device-import/files?name=easyone-result.xml', result);
    if (imported.status !== 'imported') throw new Error(`the result was not bound to ${accessionNo}: ${imported.status}`);

    const { reportId } = await tech.json<{ reportId: string }>('POST', `/api/exams/${examId}/report`);
    await tech.json('PUT', `/api/reports/${reportId}/conclusion`, { conclusionText: '肺通气功能正常。', pattern: 'normal', severity: 'none', bdr: null });
    await tech.json('POST', `/api/reports/${reportId}/submit`);
    expect(await (await harness.apiAs('doctor'))('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).toMatchObject({ status: 'pending', level: 1 });
    expect(await (await harness.apiAs('reviewer'))('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).toMatchObject({ status: 'approved', level: 2 });
    return { accessionNo, requestNo: order.requestNo };
  }
  throw new Error('no demo card with a pending order');
}

/** Waits for the API reply to a click: fails the test with the server's problem title if it is not what was expected. */
async function replyTo(page: Page, method: string, path: RegExp, action: () => Promise<unknown>, status?: number): Promise<Response> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === method && path.test(new URL(r.url()).pathname)), action()]);
  if (status ? response.status() !== status : !response.ok()) throw new Error(`${method} ${response.url()}: ${response.status()} ${await response.text()}`);
  return response;
}

beforeAll(async () => {
  harness = await startHarness();
  for (const [username, algorithm] of [['doctor', 'sm2'], ['reviewer', 'rsa']] as const) {
    expect(await (await harness.apiAs(username))('POST', '/api/me/signature/issue', { algorithm, pin: PIN })).toMatchObject({ canSign: true });
  }
  sysadmin = await harness.apiAs('sysadmin');
  admin = await harness.newPage();
  await signIn(admin, 'sysadmin');
});

afterAll(async () => {
  await admin?.context().close();
  await harness?.close();
});

describe('上传监控', () => {
  it('a report approved while the receiver is down waits at its target with the reason in Chinese; resend tries again at once', async () => {
    const port = await closedPort();

    // 系统管理员: adds the integration platform's web service (next to whatever targets the demo hospital has).
    await replyTo(admin, 'GET', /^\/api\/delivery\/overview$/, () => admin.getByTestId('menu-delivery').click());
    await admin.getByTestId('tab-targets').click();
    await admin.getByTestId('create-target').click();
    const form = admin.getByTestId('target-form');
    await form.waitFor();
    // The SQL kind explains its parameters and idempotency; switching back to the web service keeps nothing of it.
    await form.locator('.ant-radio-button-wrapper', { hasText: '数据库回写' }).click();
    await form.getByTestId('sql-parameters').filter({ hasText: ':idempotencyKey' }).waitFor();
    expect(await form.getByTestId('sql-idempotent').innerText()).toContain('幂等');
    await form.locator('.ant-radio-button-wrapper', { hasText: 'Web 服务' }).click();
    await form.locator('#config_url').waitFor();

    await form.locator('#name').fill(TARGET);
    await form.getByTestId('add-header').click();
    await form.locator('#config_headers_0_name').fill('X-Hospital');
    await form.locator('#config_headers_0_value').fill('H001');
    await form.locator('#secret').fill('token-e2e');
    // An address the browser-side check lets through but the server refuses: its error lands on the field.
    await form.locator('#config_url').fill('http://[bad/report');
    await replyTo(admin, 'POST', /^\/api\/delivery\/targets$/, () => admin.getByTestId('save-target').click(), 400);
    await form.locator('.ant-form-item', { has: admin.locator('#config_url') }).locator('.ant-form-item-explain-error', { hasText: '地址格式不正确' }).waitFor();
    await form.locator('#config_url').fill(`http://127.0.0.1:${port}/report`);
    await replyTo(admin, 'POST', /^\/api\/delivery\/targets$/, () => admin.getByTestId('save-target').click(), 201);
    await admin.getByTestId('targets-table').locator('.ant-table-row', { hasText: TARGET }).filter({ hasText: `127.0.0.1:${port}` }).waitFor();

    const target = (await sysadmin<Target[]>('GET', '/api/delivery/targets')).find((x) => x.name === TARGET)!;
    expect(target).toMatchObject({ kind: 'http', hasSecret: true, config: { url: `http://127.0.0.1:${port}/report`, headers: { 'X-Hospital': 'H001' }, format: 'json' } });

    // A report is approved; the worker fans it out and fails to connect.
    const exam = await approvedReport();
    const jobsOfTarget = () => sysadmin<Job[]>('GET', `/api/delivery/jobs?targetId=${target.id}`);
    await expect.poll(async () => (await jobsOfTarget()).find((j) => j.accessionNo === exam.accessionNo)?.reasonZh ?? null, { timeout: 30_000, interval: 250 }).toMatch(/^无法连接/);

    // 上传监控: the target's card; a click on it shows only its jobs (the report also went to every other target).
    await admin.getByTestId('tab-monitor').click();
    const card = admin.getByTestId('delivery-target-card').filter({ hasText: TARGET });
    await card.waitFor();
    expect(await card.innerText()).toContain('Web 服务');
    expect(Number(await card.getByTestId('target-card-pending').innerText())).toBeGreaterThanOrEqual(1);
    expect(await card.getByTestId('target-card-failed').innerText()).toBe('0');
    await Promise.all([admin.waitForResponse((r) => r.url().includes(`/api/delivery/jobs?`) && r.url().includes(`targetId=${target.id}`)), card.click()]);
    await admin.getByTestId('delivery-target-filter').filter({ hasText: TARGET }).waitFor();
    // The waiting job with the reason in Chinese, the English log in a tooltip.
    const row = admin.getByTestId('delivery-jobs').locator('.ant-table-row', { hasText: exam.accessionNo });
    await row.waitFor();
    expect(await row.innerText()).toContain(exam.requestNo);
    expect(await row.getByTestId('job-status').innerText()).toBe('待发送');
    const reason = row.getByTestId('job-reason');
    expect(await reason.innerText()).toMatch(/^无法连接/);
    await reason.hover();
    await admin.locator('.ant-tooltip').filter({ hasText: 'ECONNREFUSED' }).waitFor();

    // 发送目标: the administrator opens the target and saves it unchanged: the secret stays, the headers too.
    await admin.getByTestId('tab-targets').click();
    await admin.getByTestId('targets-table').locator('.ant-table-row', { hasText: TARGET }).getByTestId('edit-target').click();
    await form.waitFor();
    expect(await form.locator('#config_url').inputValue()).toBe(`http://127.0.0.1:${port}/report`);
    expect(await form.locator('#config_headers_0_name').inputValue()).toBe('X-Hospital');
    expect(await form.locator('#secret').getAttribute('placeholder')).toBe('留空则保持不变');
    await replyTo(admin, 'PUT', new RegExp(`^/api/delivery/targets/${target.id}$`), () => admin.getByTestId('save-target').click());
    await form.waitFor({ state: 'detached' });
    expect((await sysadmin<Target[]>('GET', '/api/delivery/targets')).find((x) => x.id === target.id)).toMatchObject({ hasSecret: true, config: { headers: { 'X-Hospital': 'H001' } } });

    // 重新发送: confirmed, sent at once (not at the back-off time), and the attempt log shows every try.
    await admin.getByTestId('tab-monitor').click();
    await Promise.all([admin.waitForResponse((r) => r.url().includes(`targetId=${target.id}`)), admin.getByTestId('delivery-target-card').filter({ hasText: TARGET }).click()]);
    const again = admin.getByTestId('delivery-jobs').locator('.ant-table-row', { hasText: exam.accessionNo });
    await again.getByTestId('job-resend').click();
    const job = (await jobsOfTarget()).find((j) => j.accessionNo === exam.accessionNo)!;
    const before = (await sysadmin<Attempt[]>('GET', `/api/delivery/jobs/${job.id}/attempts`)).length;
    const resentAt = Date.now();
    const resent = await replyTo(admin, 'POST', new RegExp(`^/api/delivery/jobs/${job.id}/resend$`), () => admin.locator('.ant-popconfirm').getByRole('button', { name: '重新发送' }).click());
    expect(await resent.json()).toEqual({ status: 'pending' });
    await admin.locator('.ant-message').getByText('已重新加入发送队列').waitFor();
    await expect
      .poll(async () => (await sysadmin<Attempt[]>('GET', `/api/delivery/jobs/${job.id}/attempts`)).filter((a) => Date.parse(a.attemptedAt) >= resentAt - 1000).length, { timeout: 15_000, interval: 250 })
      .toBeGreaterThanOrEqual(1);

    await admin.screenshot({ path: '/tmp/pftis-delivery.png', fullPage: true });
    await replyTo(admin, 'GET', new RegExp(`^/api/delivery/jobs/${job.id}/attempts$`), () => again.getByTestId('job-attempts').click());
    const attempts = admin.getByTestId('attempts-table');
    await attempts.locator('.ant-table-row').nth(before).waitFor();
    const rows = await attempts.locator('.ant-table-row').allInnerTexts();
    expect(rows.length).toBeGreaterThan(before);
    for (const text of rows) {
      expect(text).toContain('失败');
      expect(text).toContain('无法连接');
      expect(text).toContain('ECONNREFUSED');
    }
  });
});
