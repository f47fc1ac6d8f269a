import { execFileSync } from 'node:child_process';
import { nddTestResult } from '@pftis/his-sim';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiSession, type Harness, signIn, startHarness, switchCampus } from './harness.ts';

/** The physicians' signing PIN, set in this test through the API. */
const PIN = '864209';

interface ScanReply {
  patient: { hisPatientId: string | null; name: string; sex: string };
  orders: Array<{ requestNo: string; registrable: boolean }>;
}
interface Workspace {
  report: { id: string } | null;
  version: { status: string; printCount: number } | null;
  steps: Array<{ action: string }>;
}
interface AuditPage {
  total: number;
  items: Array<{ action: string; actorName: string; entityId: string | null; detail: unknown }>;
}
type Api = ApiSession;

let harness: Harness;
let tech: Page;
let techApi: Api;
/** Approved at both levels of the demo chain. */
let final: { examId: string; accessionNo: string; reportId: string };
/** Drafted, never submitted. */
let draft: { examId: string; accessionNo: string; reportId: string };

let nextCard = 1;
/** Registers a waiting demo order at the main campus, imports a simulated ndd result for it and drafts its report. */
async function draftedReport(conclusionText: string) {
  for (; nextCard <= 40; nextCard++) {
    const scan = await techApi.json<ScanReply>('POST', '/api/exams/scan', { code: `9${String(nextCard).padStart(9, '0')}` });
    const order = scan.orders.find((o) => o.registrable);
    if (!order || (scan.patient.sex !== 'male' && scan.patient.sex !== 'female')) continue;
    const { exams } = await techApi.json<{ exams: Array<{ examId: string; accessionNo: string }> }>('POST', '/api/exams', { requestNos: [order.requestNo], heightCm: 166, weightKg: 60 });
    const { examId, accessionNo } = exams[0]!;
    const result = nddTestResult({ sex: scan.patient.sex, ageYears: 52, heightCm: 166, accessionNo, patientId: scan.patient.hisPatientId ?? 'P1', bronchodilator: false }, new Date(), 50 + nextCard);
    const imported = await techApi.upload<{ status: string }>('/api/device-import/files?name=easyone-result.xml', result);
    if (imported.status !== 'imported') throw new Error(`the result was not bound to ${accessionNo}: ${imported.status}`);
    const { reportId } = await techApi.json<{ reportId: string }>('POST', `/api/exams/${examId}/report`);
    await techApi.json('PUT', `/api/reports/${reportId}/conclusion`, { conclusionText, pattern: 'normal', severity: 'none', bdr: null });
    nextCard++;
    return { examId, accessionNo, reportId };
  }
  throw new Error('no demo card with a pending order');
}

/** Waits for the API reply to a click: fails the test with the server's problem title if it is not 2xx. */
async function replyTo(page: Page, method: string, path: RegExp, action: () => Promise<unknown>): Promise<Response> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === method && path.test(new URL(r.url()).pathname)), action()]);
  if (!response.ok()) throw new Error(`${method} ${response.url()}: ${response.status()} ${await response.text()}`);
  return response;
}

/** The bytes the last print job's frame holds: what went to the print dialog. */
async function printedPdf(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const frame = document.querySelector<HTMLIFrameElement>('[data-testid="print-frame"]')!;
    const bytes = new Uint8Array(await (await fetch(frame.src)).arrayBuffer());
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text);
  });
  return Buffer.from(base64, 'base64');
}
/** Text in drawing order (keeps the rotated 草稿 watermark together), whitespace removed. */
const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8').replace(/\s+/g, '');

const printedUrls = (page: Page) => page.evaluate(() => (window as unknown as { __printed?: string[] }).__printed ?? []);

async function printFromWorklist(accessionNo: string): Promise<Response> {
  await tech.getByTestId('menu-worklist').click();
  await tech.getByTestId('worklist-refresh').click();
  const row = tech.getByTestId('worklist-table').locator('.ant-table-row', { hasText: accessionNo });
  await row.waitFor();
  const before = (await printedUrls(tech)).length;
  const reply = await replyTo(tech, 'POST', /^\/api\/reports\/[^/]+\/print$/, () => row.getByTestId('worklist-print').click());
  // The one click ends in the browser's print dialog: print() of the frame holding the PDF (stubbed to record it).
  await tech.waitForFunction((n) => ((window as unknown as { __printed?: string[] }).__printed ?? []).length > n, before);
  expect((await printedUrls(tech)).at(-1)).toMatch(/^blob:/);
  return reply;
}

beforeAll(async () => {
  harness = await startHarness();
  const doctor = await harness.apiAs('doctor');
  const reviewer = await harness.apiAs('reviewer');
  expect(await doctor<{ canSign: boolean }>('POST', '/api/me/signature/issue', { algorithm: 'sm2', pin: PIN })).toMatchObject({ canSign: true });
  expect(await reviewer<{ canSign: boolean }>('POST', '/api/me/signature/issue', { algorithm: 'rsa', pin: PIN })).toMatchObject({ canSign: true });

  techApi = await harness.session('tech');
  const me = await techApi.json<{ campuses: Array<{ id: string; name: string }> }>('GET', '/api/auth/me');
  await techApi.json('POST', '/api/auth/campus', { campusId: me.campuses.find((c) => c.name === '本部院区')!.id });
  final = await draftedReport('肺通气功能正常（工作列表打印）。');
  await techApi.json('POST', `/api/reports/${final.reportId}/submit`);
  expect(await doctor('POST', `/api/reports/${final.reportId}/approve`, { pin: PIN })).toMatchObject({ status: 'pending', level: 1 });
  expect(await reviewer('POST', `/api/reports/${final.reportId}/approve`, { pin: PIN })).toMatchObject({ status: 'approved', level: 2 });
  draft = await draftedReport('肺通气功能正常（未审核）。');

  tech = await harness.newPage();
  await tech.context().addInitScript(() => {
    window.print = () => {
      const top = window.top as unknown as { __printed?: string[] };
      (top.__printed ??= []).push(location.href);
    };
  });
  await signIn(tech, 'tech');
  await switchCampus(tech, '本部院区');
});

afterAll(async () => {
  await tech?.context().close();
  await harness?.close();
});

describe('一键打印 from 今日工作列表', () => {
  it('prints the signed final report in one click, counted and audited', async () => {
    const reply = await printFromWorklist(final.accessionNo);
    expect(reply.headers()['x-report-final']).toBe('1');
    expect(reply.headers()['content-type']).toBe('application/pdf');
    const pdf = await printedPdf(tech);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.includes('/ByteRange')).toBe(true);
    const text = pdfText(pdf);
    expect(text).toContain(final.accessionNo);
    expect(text).toContain('肺通气功能正常（工作列表打印）。');
    expect(text).not.toMatch(/[草稿]/);

    const workspace = await techApi.json<Workspace>('GET', `/api/exams/${final.examId}/report`);
    expect(workspace.version).toMatchObject({ status: 'approved', printCount: 1 });
    expect(workspace.steps.map((s) => s.action)).toEqual(['submit', 'approve', 'approve', 'print']);
    // A second click is a second, counted copy.
    await printFromWorklist(final.accessionNo);
    expect((await techApi.json<Workspace>('GET', `/api/exams/${final.examId}/report`)).version!.printCount).toBe(2);

    const auditor = await harness.apiAs('auditor');
    const audit = await auditor<AuditPage>('GET', `/api/audit/entries?action=report.printed&entityId=${final.reportId}`);
    expect(audit.total).toBe(2);
    expect(audit.items.map((e) => [e.actorName, e.detail])).toEqual(
      expect.arrayContaining([['tech', expect.objectContaining({ version: 1, copy: 1 })], ['tech', expect.objectContaining({ version: 1, copy: 2 })]]),
    );
  });

  it('prints a report that has not been approved only as a 草稿 draft, uncounted', async () => {
    const reply = await printFromWorklist(draft.accessionNo);
    expect(reply.headers()['x-report-final']).toBe('0');
    await tech.locator('.ant-message').filter({ hasText: '报告尚未审核' }).waitFor();
    const pdf = await printedPdf(tech);
    expect(pdf.includes('/ByteRange')).toBe(false);
    const text = pdfText(pdf);
    expect(text).toContain('草稿');
    expect(text).toContain('肺通气功能正常（未审核）。');

    const workspace = await techApi.json<Workspace>('GET', `/api/exams/${draft.examId}/report`);
    expect(workspace.version).toMatchObject({ status: 'draft', printCount: 0 });
    expect(workspace.steps).toEqual([]);
    const auditor = await harness.apiAs('auditor');
    expect((await auditor<AuditPage>('GET', `/api/audit/entries?action=report.printed&entityId=${draft.reportId}`)).total).toBe(0);
    expect((await auditor<AuditPage>('GET', `/api/audit/entries?action=report.draft-rendered&entityId=${draft.reportId}`)).total).toBe(1);
  });
});
