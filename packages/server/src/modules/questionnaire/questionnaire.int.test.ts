import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';
import { BUILTIN_QUESTIONNAIRE } from './definition.js';

const HOUR = 3_600_000;

/** Answers to the built-in questionnaire with nothing to flag. */
const clean = { anthropometricsMeasured: true, smoking: 'never', inhaledMedication: false, respiratoryInfection: false, contraindications: ['none'] };

describe.each(backends)('pre-test questionnaire (问卷调查) on %s', (kind) => {
  let t: TestApp;
  let campusA: { id: string };
  let campusB: { id: string };
  let tech: Client;
  let techB: Client;
  let doctor: Client;
  let admin: Client;
  const clock = Date.now();

  beforeAll(async () => {
    t = await testApp(kind, { now: () => new Date(clock) });
    const g = given(t);
    campusA = await g.campus();
    campusB = await g.campus();
    tech = await signIn(t, (await g.user({ roles: ['technician'], campusIds: [campusA.id] })).username);
    techB = await signIn(t, (await g.user({ roles: ['technician'], campusIds: [campusB.id] })).username);
    doctor = await signIn(t, (await g.user({ roles: ['reporting_physician'], campusIds: [campusA.id] })).username);
    admin = await signIn(t, (await g.user({ roles: ['system_admin'], campusIds: [campusA.id] })).username);
  });
  afterAll(() => t?.close());

  let serial = 0;
  async function exam(client = tech, itemName = '肺通气功能检查') {
    const n = ++serial;
    const reply = await client.request('POST', '/api/exams/manual', { patient: { name: `问卷患者${n}`, sex: 'female', birthDate: '1970-03-01' }, itemName, visitSerialNo: `Q${n}` });
    expect(reply.statusCode, reply.body).toBe(201);
    return reply.json().examId as string;
  }

  it('shows the built-in questionnaire until the lab saves one, and saves it as version 1 with the first answers', async () => {
    const examId = await exam();
    const page = (await tech.request('GET', `/api/exams/${examId}/questionnaire`)).json();
    expect(page.definition).toMatchObject({ id: null, version: 1, campusId: null });
    expect(page.definition.content.questions.map((q: { id: string }) => q.id)).toEqual(BUILTIN_QUESTIONNAIRE.questions.map((q) => q.id));
    expect(page.current).toBeNull();

    const saved = await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId: null, answers: clean });
    expect(saved.statusCode, saved.body).toBe(201);
    expect(saved.json()).toEqual({ revision: 1, definitionVersion: 1, flags: [] });
    const rows = await t.database.db.selectFrom('questionnaireDefinition').select(['version', 'campusId', 'createdByName']).execute();
    expect(rows).toEqual([{ version: 1, campusId: null, createdByName: 'PFTIS' }]);
    const after = (await tech.request('GET', `/api/exams/${examId}/questionnaire`)).json();
    expect(after.definition.id).toBeTruthy();
    expect(after.current).toMatchObject({ revision: 1, definitionVersion: 1, answers: clean });
  });

  it('names every problem in Chinese, stores nothing, and keeps the earlier answers', async () => {
    const examId = await exam();
    const definitionId = (await tech.request('GET', `/api/exams/${examId}/questionnaire`)).json().definition.id;
    expect((await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers: clean })).statusCode).toBe(201);

    const bad = await tech.request('POST', `/api/exams/${examId}/questionnaire`, {
      definitionId,
      answers: {
        anthropometricsMeasured: 'yes', // a yes/no question answered with text
        smoking: 'sometimes', // no such option
        lastSmoked: new Date(clock - HOUR).toISOString(), // shown only to current smokers
        inhaledMedication: true, // then the medication list is required: missing
        respiratoryInfection: false,
        contraindications: ['none', 'pneumothorax'], // 以上均无 with another
        systolicBp: 400, // above the limit
        diastolicBp: 80.5, // not whole
        notes: 'x'.repeat(501), // too long
        favouriteColour: 'blue', // no such question
      },
    });
    expect(bad.statusCode).toBe(400);
    const problem = bad.json();
    expect(problem.code).toBe('questionnaire.invalid');
    expect(problem.title).toMatch(/问卷有 \d+ 处需要修改/);
    const byField = Object.fromEntries(problem.errors.map((e: { field: string; message: string }) => [e.field, e.message]));
    expect(byField).toMatchObject({
      'answers.anthropometricsMeasured': expect.stringContaining('请选择"是"或"否"'),
      'answers.smoking': expect.stringContaining('没有选项"sometimes"'),
      'answers.lastSmoked': expect.stringContaining('本题不适用'),
      'answers.medications': '请回答：使用的药物',
      'answers.contraindications': expect.stringContaining('不能与其他选项同时选择'),
      'answers.systolicBp': expect.stringContaining('不能大于 300 mmHg'),
      'answers.diastolicBp': expect.stringContaining('应为整数'),
      'answers.notes': expect.stringContaining('不能超过 500 个字'),
      'answers.favouriteColour': expect.stringContaining('问卷中没有这道题'),
    });
    expect(problem.errors).toHaveLength(9);

    const future = await tech.request('POST', `/api/exams/${examId}/questionnaire`, {
      definitionId,
      answers: { ...clean, inhaledMedication: true, medications: ['saba'], lastSaba: new Date(clock + 2 * HOUR).toISOString() },
    });
    expect(future.json().errors).toEqual([{ field: 'answers.lastSaba', message: '最后一次使用 SABA 的时间：时间不能晚于现在' }]);
    const malformed = await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers: { ...clean, inhaledMedication: true, medications: ['saba'], lastSaba: '昨天晚上' } });
    expect(malformed.json().errors).toEqual([{ field: 'answers.lastSaba', message: '最后一次使用 SABA 的时间：时间格式不正确' }]);
    const missing = await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers: { smoking: 'never' } });
    expect(missing.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['answers.anthropometricsMeasured', 'answers.contraindications', 'answers.inhaledMedication', 'answers.respiratoryInfection']);
    const wrongShape = await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers: { smoking: { nested: true } } });
    expect(wrongShape.statusCode).toBe(400);
    expect(wrongShape.json().code).toBe('validation');

    // Nothing of the refused attempts was stored; the first answers are still in force.
    const page = (await tech.request('GET', `/api/exams/${examId}/questionnaire`)).json();
    expect(page.current).toMatchObject({ revision: 1, answers: clean });
    expect(page.history).toHaveLength(1);
  });

  it('flags contraindications and bronchodilators taken too recently; a new revision keeps the earlier one', async () => {
    const examId = await exam();
    const definitionId = (await tech.request('GET', `/api/exams/${examId}/questionnaire`)).json().definition.id;
    const first = await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers: clean });
    expect(first.json().revision).toBe(1);

    const answers = {
      ...clean,
      smoking: 'current',
      packYears: 20,
      lastSmoked: new Date(clock - 3 * HOUR).toISOString(),
      inhaledMedication: true,
      medications: ['saba', 'lama', 'ics'],
      lastSaba: new Date(clock - 2 * HOUR).toISOString(), // within the 4 h SABA withholding time
      lastLama: new Date(clock - 72 * HOUR).toISOString(), // long enough ago
      contraindications: ['miShock', 'eyeSurgery'],
      systolicBp: 210,
      symptoms: [], // empty: dropped
    };
    const second = await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers });
    expect(second.statusCode, second.body).toBe(201);
    const { revision, flags } = second.json();
    expect(revision).toBe(2);
    expect(flags).toEqual([
      { questionId: 'lastSaba', kind: 'warning', message: { zh: 'SABA 停药不足 4 小时，可能影响结果', en: 'SABA taken less than 4 h ago: may affect the result' } },
      { questionId: 'contraindications', kind: 'contraindication', message: { zh: '近 3 个月内心肌梗死或休克', en: 'Myocardial infarction or shock within 3 months' } },
      { questionId: 'contraindications', kind: 'contraindication', message: { zh: '近 1 周内眼部手术（如白内障）', en: 'Eye surgery within 1 week' } },
      { questionId: 'systolicBp', kind: 'contraindication', message: { zh: '收缩压 > 200 mmHg', en: 'Systolic pressure > 200 mmHg' } },
    ]);

    const page = (await tech.request('GET', `/api/exams/${examId}/questionnaire`)).json();
    expect(page.current.revision).toBe(2);
    expect(page.current.answers).not.toHaveProperty('symptoms');
    expect(page.history.map((h: { revision: number }) => h.revision)).toEqual([2, 1]);
    const stored = await t.database.db.selectFrom('questionnaireAnswer').select(['revision', 'answers', 'contraindications', 'warnings']).where('examId', '=', examId).orderBy('revision').execute();
    expect(stored.map((r) => [r.revision, r.contraindications, r.warnings])).toEqual([[1, 0, 0], [2, 3, 1]]);
    expect(stored[0]!.answers).toEqual(clean);

    // The worklist sees the flags of the answers in force; the workspace shows them with the definition.
    const today = (await tech.request('GET', `/api/questionnaire/flags?campusId=${campusA.id}`)).json();
    expect(today.find((f: { examId: string }) => f.examId === examId)).toMatchObject({ revision: 2, contraindications: 3, warnings: 1 });
    const workspace = (await doctor.request('GET', `/api/exams/${examId}/report`)).json();
    expect(workspace.questionnaire).toMatchObject({ revision: 2, revisions: 2, definitionVersion: 1, answers: { lastSaba: answers.lastSaba }, answeredByName: '测试用户' });
    expect(workspace.questionnaire.flags).toHaveLength(4);
    expect(workspace.questionnaire.definition.content.questions.length).toBe(BUILTIN_QUESTIONNAIRE.questions.length);

    // Both savings are in the audit log, with what was there before.
    const audit = await t.database.db.selectFrom('auditLog').select(['action', 'before', 'after']).where('entityId', '=', examId).where('action', '=', 'questionnaire.answered').orderBy('id').execute();
    expect(audit).toHaveLength(2);
    expect(audit[1]!.before).toMatchObject({ revision: 1, answers: clean });
    // Answer sets are append-only in the database too.
    await expect(sql`update questionnaire_answer set answers = '{}' where exam_id = ${examId}`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });

  it('shows the questions that fit the test: the bronchodilator allergy question for a bronchodilator test only', async () => {
    const spirometry = await exam();
    const bronchodilator = await exam(tech, '支气管舒张试验');
    const definitionId = (await tech.request('GET', `/api/exams/${spirometry}/questionnaire`)).json().definition.id;
    const notApplicable = await tech.request('POST', `/api/exams/${spirometry}/questionnaire`, { definitionId, answers: { ...clean, bronchodilatorAllergy: false } });
    expect(notApplicable.json().errors).toEqual([{ field: 'answers.bronchodilatorAllergy', message: '是否对沙丁胺醇等支气管舒张剂过敏：按前面的回答本题不适用，请清除答案' }]);
    const required = await tech.request('POST', `/api/exams/${bronchodilator}/questionnaire`, { definitionId, answers: clean });
    expect(required.json().errors).toEqual([{ field: 'answers.bronchodilatorAllergy', message: '请回答：是否对沙丁胺醇等支气管舒张剂过敏' }]);
    const allergic = await tech.request('POST', `/api/exams/${bronchodilator}/questionnaire`, { definitionId, answers: { ...clean, bronchodilatorAllergy: true } });
    expect(allergic.json().flags).toEqual([{ questionId: 'bronchodilatorAllergy', kind: 'contraindication', message: { zh: '对支气管舒张剂过敏', en: 'Allergic to bronchodilators' } }]);
  });

  it('flags a bronchodilator by its withholding time: a dose 3 hours before the test, not one 5 hours before', async () => {
    const examId = await exam();
    const definitionId = (await tech.request('GET', `/api/exams/${examId}/questionnaire`)).json().definition.id;
    const answers = (hoursAgo: number) => ({ ...clean, inhaledMedication: true, medications: ['saba'], lastSaba: new Date(clock - hoursAgo * HOUR).toISOString() });
    expect((await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers: answers(3) })).json().flags).toHaveLength(1);
    expect((await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers: answers(5) })).json()).toMatchObject({ revision: 2, flags: [] });
    const flags = (await tech.request('GET', '/api/questionnaire/flags')).json();
    expect(flags.find((f: { examId: string }) => f.examId === examId)).toMatchObject({ revision: 2, contraindications: 0, warnings: 0 });
  });

  it('lets the administrator save new versions per lab and per campus; answers stay with the version they answered', async () => {
    const examId = await exam();
    const v1 = (await tech.request('GET', `/api/exams/${examId}/questionnaire`)).json().definition;
    expect((await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId: v1.id, answers: clean })).statusCode).toBe(201);

    // A definition that does not fit is refused with its problems, and nothing is saved.
    const broken = {
      title: { zh: '问卷' },
      questions: [
        { id: 'a', type: 'single', label: { zh: '单选' }, options: [{ value: 'x', label: { zh: 'X' } }] },
        { id: 'a', type: 'yesno', label: { zh: '重复' } },
        { id: 'b', type: 'number', label: { zh: '数值' }, min: 5, max: 1, showIf: { question: 'c', is: true } },
        { id: 'c', type: 'yesno', label: { zh: '是否' }, flags: [{ kind: 'warning', when: { above: 3 } }] },
      ],
    };
    const refused = await admin.request('POST', '/api/questionnaire/definitions', { campusId: null, content: broken });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('questionnaire.definition-invalid');
    const messages = refused.json().errors.map((e: { message: string }) => e.message).join('\n');
    for (const expected of ['单选题至少需要 2 个选项', '题目编号重复', '下限大于上限', '显示条件引用的题目 c 不存在或不在本题之前', '"是/否"题的标记条件应为 is']) expect(messages).toContain(expected);
    expect(await t.database.db.selectFrom('questionnaireDefinition').select('version').where('campusId', 'is', null).execute()).toHaveLength(1);

    // The lab's version 2: one more question, required.
    const content = { ...BUILTIN_QUESTIONNAIRE, questions: [...BUILTIN_QUESTIONNAIRE.questions, { id: 'dentures', type: 'yesno', required: true, label: { zh: '是否佩戴活动义齿', en: 'Removable dentures' } }] };
    const saved = await admin.request('POST', '/api/questionnaire/definitions', { campusId: null, content, comment: '增加义齿' });
    expect(saved.statusCode, saved.body).toBe(201);
    expect(saved.json()).toMatchObject({ version: 2, campusId: null, comment: '增加义齿' });
    const page = (await tech.request('GET', `/api/exams/${examId}/questionnaire`)).json();
    expect(page.definition.version).toBe(2);
    // the answers in force were given with version 1 and are shown with it
    expect(page.current).toMatchObject({ definitionVersion: 1, definition: { version: 1 } });
    expect((await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId: page.definition.id, answers: clean })).json().errors).toEqual([{ field: 'answers.dentures', message: '请回答：是否佩戴活动义齿' }]);
    expect((await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId: page.definition.id, answers: { ...clean, dentures: true } })).json()).toMatchObject({ revision: 2, definitionVersion: 2 });

    // Campus B gets its own version; campus A keeps the lab's, and B's version cannot be used for A's exams.
    const campusContent = { ...BUILTIN_QUESTIONNAIRE, title: { zh: '分院问卷', en: 'Branch questionnaire' } };
    const own = (await admin.request('POST', '/api/questionnaire/definitions', { campusId: campusB.id, content: campusContent })).json();
    expect(own).toMatchObject({ version: 1, campusId: campusB.id });
    const examB = await exam(techB);
    expect((await techB.request('GET', `/api/exams/${examB}/questionnaire`)).json().definition).toMatchObject({ id: own.id, content: { title: { zh: '分院问卷' } } });
    const mismatch = await tech.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId: own.id, answers: clean });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().code).toBe('questionnaire.definition-mismatch');

    const scopes = (await admin.request('GET', '/api/questionnaire/definitions')).json();
    expect(scopes.find((s: { campusId: string | null }) => s.campusId === null)).toMatchObject({ version: 2, savedVersions: 2, own: true, builtin: false });
    expect(scopes.find((s: { campusId: string | null }) => s.campusId === campusB.id)).toMatchObject({ version: 1, own: true });
    expect(scopes.find((s: { campusId: string | null }) => s.campusId === campusA.id)).toMatchObject({ version: 2, own: false });
    const history = (await admin.request('GET', '/api/questionnaire/definitions/history')).json();
    expect(history.versions.map((v: { version: number; createdByName: string }) => [v.version, v.createdByName])).toEqual([[2, expect.any(String)], [1, 'PFTIS']]);
    const audit = await t.database.db.selectFrom('auditLog').select(['action', 'campusId']).where('action', 'like', 'questionnaire.definition-%').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['questionnaire.definition-installed', 'questionnaire.definition-saved', 'questionnaire.definition-saved']);
    await expect(sql`delete from questionnaire_definition`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });

  it('refuses who may not: filling without questionnaire.fill, editing without questionnaire.manage, another campus’s exam', async () => {
    const examId = await exam();
    const definitionId = (await tech.request('GET', `/api/exams/${examId}/questionnaire`)).json().definition.id;
    // The reporting physician reads answers but does not fill them in.
    expect((await doctor.request('GET', `/api/exams/${examId}/questionnaire`)).statusCode).toBe(200);
    const fill = await doctor.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers: clean });
    expect(fill.statusCode).toBe(403);
    expect(fill.json()).toMatchObject({ code: 'auth.forbidden', permission: 'questionnaire.fill' });
    for (const [method, url] of [['GET', '/api/questionnaire/definitions'], ['GET', '/api/questionnaire/definitions/history'], ['POST', '/api/questionnaire/definitions']] as const) {
      const reply = await tech.request(method, url, method === 'POST' ? { content: BUILTIN_QUESTIONNAIRE } : undefined);
      expect(reply.statusCode, `${method} ${url}`).toBe(403);
      expect(reply.json()).toMatchObject({ code: 'auth.forbidden', permission: 'questionnaire.manage' });
    }
    // The system administrator edits the questionnaire but does not fill it in (no exam.read / questionnaire.fill).
    expect((await admin.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers: clean })).statusCode).toBe(403);
    // A technician of another campus does not see this exam at all.
    expect((await techB.request('GET', `/api/exams/${examId}/questionnaire`)).statusCode).toBe(404);
    expect((await techB.request('POST', `/api/exams/${examId}/questionnaire`, { definitionId, answers: clean })).statusCode).toBe(404);
    const denied = await t.database.db.selectFrom('auditLog').select('detail').where('outcome', '=', 'denied').execute();
    expect(denied.length).toBeGreaterThanOrEqual(5);
  });

});
