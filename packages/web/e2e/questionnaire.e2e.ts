import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, signIn, startHarness, switchCampus } from './harness.ts';

interface ScanReply {
  patient: { name: string };
  orders: Array<{ requestNo: string; registrable: boolean }>;
}

let harness: Harness;
let tech: Page;
let exam: { examId: string; accessionNo: string; patientName: string };

/** Registers a waiting demo order at the main campus (no device: the exam waits for its questionnaire and test). */
async function registeredExam() {
  const api = await harness.apiAs('tech');
  const me = await api<{ campuses: Array<{ id: string; name: string }> }>('GET', '/api/auth/me');
  await api('POST', '/api/auth/campus', { campusId: me.campuses.find((c) => c.name === '本部院区')!.id });
  for (let n = 1; n <= 30; n++) {
    const scan = await api<ScanReply>('POST', '/api/exams/scan', { code: `9${String(n).padStart(9, '0')}` });
    const order = scan.orders.find((o) => o.registrable);
    if (!order) continue;
    const { exams } = await api<{ exams: Array<{ examId: string; accessionNo: string }> }>('POST', '/api/exams', { requestNos: [order.requestNo], heightCm: 165, weightKg: 60 });
    return { ...exams[0]!, patientName: scan.patient.name };
  }
  throw new Error('no demo card with a pending order');
}

/** Waits for the API reply to a click and returns it (a refusal is returned too: the test looks at it). */
async function replyTo(page: Page, method: string, path: RegExp, action: () => Promise<unknown>): Promise<Response> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === method && path.test(new URL(r.url()).pathname)), action()]);
  return response;
}

const question = (id: string) => tech.getByTestId(`q-${id}`);
/** Picks an answer as a finger would: the label of a radio button, radio or checkbox. */
const choose = (id: string, labelText: string) => question(id).locator('label.ant-radio-button-wrapper, label.ant-radio-wrapper, label.ant-checkbox-wrapper').filter({ hasText: labelText }).first().click();

/** Sets a time question to now with the picker's 此刻 button (the time a dose or cigarette was just taken). */
async function pickNow(id: string) {
  await question(id).locator('input').click();
  const dropdown = tech.locator('.ant-picker-dropdown:not(.ant-picker-dropdown-hidden)');
  // 此刻 takes the current minute and closes the picker
  await dropdown.getByText('此刻').click();
  await expect.poll(() => question(id).locator('input').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
}

beforeAll(async () => {
  harness = await startHarness();
  exam = await registeredExam();
  tech = await harness.newPage();
  // a tablet at the lab's front desk
  await tech.setViewportSize({ width: 1024, height: 768 });
  await signIn(tech, 'tech');
  await switchCampus(tech, '本部院区');
});

afterAll(async () => {
  await tech?.context().close();
  await harness?.close();
});

describe('问卷调查', () => {
  it('fills the pre-test questionnaire from the worklist, keeps the answers through a refusal, and shows the contraindication on the worklist and in the report workspace', async () => {
    await tech.getByTestId('menu-worklist').click();
    const row = tech.getByTestId('worklist-table').locator('.ant-table-row', { hasText: exam.accessionNo });
    await row.waitFor();
    await row.getByTestId('worklist-questionnaire').click();
    await tech.getByTestId('questionnaire-page').waitFor();
    await expect.poll(() => tech.getByTestId('questionnaire-exam').innerText()).toContain(exam.patientName);

    // The medication questions appear only once the answers they depend on are given.
    expect(await question('medications').count()).toBe(0);
    await choose('anthropometricsMeasured', '是');
    await choose('smoking', '目前吸烟');
    await pickNow('lastSmoked');
    await choose('inhaledMedication', '是');
    await choose('medications', '短效β2受体激动剂');
    await pickNow('lastSaba');
    await question('systolicBp').locator('input').fill('150');

    // Saved too early: the server names what is missing, and nothing entered is lost.
    const refused = await replyTo(tech, 'POST', /^\/api\/exams\/[^/]+\/questionnaire$/, () => tech.getByTestId('questionnaire-save').click());
    expect(refused.status()).toBe(400);
    const errors = tech.getByTestId('questionnaire-errors');
    await errors.waitFor();
    expect(await errors.innerText()).toContain('请回答：近 4 周内是否有呼吸道感染');
    expect(await errors.innerText()).toContain('请回答：是否有以下情况');
    await expect.poll(() => question('respiratoryInfection').innerText()).toContain('请回答');
    expect(await question('smoking').getByRole('radio', { name: '目前吸烟' }).isChecked()).toBe(true);
    expect(await question('medications').getByRole('checkbox', { name: /短效β2受体激动剂/ }).isChecked()).toBe(true);
    expect(await question('systolicBp').locator('input').inputValue()).toBe('150');

    await choose('respiratoryInfection', '否');
    await choose('contraindications', '近 1 周内眼部手术');
    const saved = await replyTo(tech, 'POST', /^\/api\/exams\/[^/]+\/questionnaire$/, () => tech.getByTestId('questionnaire-save').click());
    expect(saved.status(), await saved.text()).toBe(201);
    await tech.getByTestId('questionnaire-saved').waitFor();
    expect(await tech.getByTestId('questionnaire-contraindications').innerText()).toContain('近 1 周内眼部手术');
    const warnings = await tech.getByTestId('questionnaire-warnings').innerText();
    expect(warnings).toContain('SABA 停药不足 4 小时');
    expect(warnings).toContain('检查前 1 小时内吸烟');

    // 修改问卷: the form again, this saving listed under 填写记录; saved again, it is the second.
    await tech.getByRole('button', { name: '修改问卷' }).click();
    const revisions = tech.getByTestId('questionnaire-history').getByTestId('questionnaire-revision');
    await expect.poll(() => revisions.count()).toBe(1);
    expect(await revisions.first().innerText()).toMatch(/第 1 次填写[\s\S]*问卷版本 v1[\s\S]*禁忌证 1[\s\S]*注意 2/);
    const again = await replyTo(tech, 'POST', /^\/api\/exams\/[^/]+\/questionnaire$/, () => tech.getByTestId('questionnaire-save').click());
    expect(again.status(), await again.text()).toBe(201);
    await tech.getByTestId('questionnaire-saved').waitFor();
    expect(await tech.getByTestId('questionnaire-saved').innerText()).toContain('第 2 次填写');

    // 今日工作列表: the row carries the contraindication.
    await tech.getByTestId('questionnaire-back').click();
    await row.waitFor();
    await tech.getByTestId('worklist-refresh').click();
    await expect.poll(() => row.getByTestId('worklist-contraindication').innerText()).toBe('禁忌证 1');
    expect(await row.getByTestId('worklist-questionnaire-warning').innerText()).toBe('注意 2');

    // 报告工作台: the answers with the flagged ones highlighted, and the contraindication above everything.
    await row.getByTestId('worklist-report').click();
    await tech.getByTestId('report-workspace').waitFor();
    expect(await tech.getByTestId('questionnaire-banner').innerText()).toContain('近 1 周内眼部手术');
    const card = tech.getByTestId('questionnaire-card');
    expect(await card.getByTestId('answer-contraindications').getAttribute('data-flag')).toBe('contraindication');
    expect(await card.getByTestId('answer-lastSaba').getAttribute('data-flag')).toBe('warning');
    expect(await card.getByTestId('answer-lastSaba').innerText()).toMatch(/小时前/);
    expect(await card.getByTestId('answer-smoking').innerText()).toBe('目前吸烟');
    expect(await card.getByTestId('answer-smoking').getAttribute('data-flag')).toBeNull();
    expect(await card.getByTestId('answer-systolicBp').innerText()).toBe('150 mmHg');
  });

  it('lets the system administrator add a question as a new version, refusing a definition that does not fit; the technician then sees it', async () => {
    const admin = await harness.newPage();
    try {
      await signIn(admin, 'sysadmin');
      await admin.getByTestId('menu-questionnaire').click();
      const labRow = admin.getByTestId('questionnaire-scopes').locator('.ant-table-row').first();
      await labRow.waitFor();
      expect(await labRow.innerText()).toContain('全院通用');
      await labRow.getByTestId('questionnaire-scope-edit').click();
      const editor = admin.getByTestId('definition-json');
      await expect.poll(() => editor.inputValue()).toContain('"anthropometricsMeasured"');
      const content = JSON.parse(await editor.inputValue()) as { questions: Array<Record<string, unknown>> };

      // a yes/no question flagged with a number rule is refused, with the question named
      await editor.fill(JSON.stringify({ ...content, questions: [...content.questions, { id: 'dentures', type: 'yesno', label: { zh: '是否佩戴活动义齿' }, flags: [{ kind: 'warning', when: { above: 1 } }] }] }));
      const refused = await replyTo(admin, 'POST', /^\/api\/questionnaire\/definitions$/, () => admin.getByTestId('definition-save').click());
      expect(refused.status()).toBe(400);
      expect(await admin.getByTestId('definition-errors').innerText()).toContain('"是/否"题的标记条件应为 is');

      await editor.fill(JSON.stringify({ ...content, questions: [...content.questions, { id: 'dentures', type: 'yesno', required: true, label: { zh: '是否佩戴活动义齿', en: 'Removable dentures' } }] }, null, 2));
      await admin.getByTestId('definition-comment').fill('增加义齿问题');
      const saved = await replyTo(admin, 'POST', /^\/api\/questionnaire\/definitions$/, () => admin.getByTestId('definition-save').click());
      expect(saved.status(), await saved.text()).toBe(201);
      expect((await saved.json()).version).toBe(2);
    } finally {
      await admin.context().close();
    }

    // The exam answered with version 1 keeps those answers; filling in again uses version 2 with the new question.
    await tech.goto(`/exams/${exam.examId}/questionnaire`);
    await tech.getByTestId('questionnaire-page').waitFor();
    await question('dentures').waitFor();
    expect(await tech.getByTestId('questionnaire-page').innerText()).toContain('问卷已更新为 v2');
    expect(await question('smoking').getByRole('radio', { name: '目前吸烟' }).isChecked()).toBe(true);
  });
});
