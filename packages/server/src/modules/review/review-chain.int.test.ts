import { type DemoHis, nddTestResult, openDemoHis } from '@pftis/his-sim';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/audit.js';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';
import { DEFAULT_REVIEW_POLICY, type ReviewPolicy } from './review-machine.js';

const PIN = '246810';
const MINUTE = 60_000;

interface Person {
  id: string;
  client: Client;
}

/**
 * The tiered review chain end to end: which levels a report gets (abnormal, paediatric, trainee-authored), four-eyes
 * through the API and in the database, the 待审核 queue under a fixed clock, and direct-SQL attacks on the guards.
 */
describe.each(backends)('review chain, four-eyes and the 待审核 queue (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let demo: DemoHis;
  // The application's clock: fixed, moved on only by the tests (sessions end after 30 idle minutes: stay below that).
  let clock = Date.now();
  const used = new Set<string>();
  let campusId: string;
  let admin: Client;
  let tech: Person;
  let trainee: Person;
  let reporting: Person;
  let secondReporting: Person;
  let reviewing: Person;
  let secondReviewer: Person;
  let head: Person;

  async function person(roles: string[], campusIds: string[], sign = false): Promise<Person> {
    const user = await given(t).user({ roles, campusIds });
    const client = await signIn(t, user.username);
    if (sign) expect((await client.request('POST', '/api/me/signature/issue', { algorithm: 'sm2', pin: PIN })).statusCode).toBe(200);
    return { id: user.id, client };
  }

  /** A pending HIS order of an adult (25 years or older) or a child (younger than 12), outpatient or inpatient. */
  async function order(age: 'adult' | 'child', visit: '门诊' | '住院' = '门诊') {
    const born = age === 'child' ? `b.CSRQ > CURRENT_DATE - INTERVAL '12 years'` : `b.CSRQ < CURRENT_DATE - INTERVAL '25 years'`;
    const rows = (await demo.pglite.query<{ sqdh: string; brid: string }>(
      `SELECT a.SQDH AS sqdh, a.BRID AS brid FROM V_PFT_APPLY a JOIN HIS_BRXX b ON b.BRID = a.BRID WHERE a.ZT = '0' AND a.JZLB = $1 AND ${born} ORDER BY a.SQDH`,
      [visit],
    )).rows;
    const found = rows.find((r) => !used.has(r.sqdh));
    if (!found) throw new Error(`the demo HIS has no pending ${visit} order of an ${age}`);
    used.add(found.sqdh);
    return found;
  }

  /** Registers an order at the registrar's campus and imports the demo device's ndd result for it. */
  async function examWithResults(registrar: Client, age: 'adult' | 'child' = 'adult', visit: '门诊' | '住院' = '门诊') {
    const o = await order(age, visit);
    const registered = await registrar.request('POST', '/api/exams', { requestNos: [o.sqdh], heightCm: age === 'child' ? 132 : 168, weightKg: age === 'child' ? 30 : 62 });
    expect(registered.statusCode, registered.body).toBe(201);
    const exam = registered.json().exams[0] as { examId: string; accessionNo: string };
    const { sex } = await t.database.db.selectFrom('exam').innerJoin('patient', 'patient.id', 'exam.patientId').select('patient.sex').where('exam.id', '=', exam.examId).executeTakeFirstOrThrow();
    const bytes = nddTestResult({ sex: sex === 'female' ? 'female' : 'male', ageYears: age === 'child' ? 9 : 55, heightCm: age === 'child' ? 132 : 168, accessionNo: exam.accessionNo, patientId: o.brid, bronchodilator: false }, new Date(clock), used.size);
    const imported = await t.app.inject({ method: 'POST', url: '/api/device-import/files?name=result.xml', payload: Buffer.from(bytes), headers: { 'content-type': 'application/octet-stream', cookie: registrar.cookie, 'x-csrf-token': registrar.csrfToken } });
    expect(imported.json().status).toBe('imported');
    return exam;
  }

  const normal = { conclusionText: '肺通气功能正常。', pattern: 'normal', severity: 'none', bdr: null };
  const obstructive = { conclusionText: '轻度阻塞性通气功能障碍。', pattern: 'obstruction', severity: 'mild', bdr: null };

  /** A report written by `author` (the last to save its conclusion) at the registrar's campus, not yet submitted. */
  async function draftedReport(options: { author: Client; registrar?: Client; conclusion?: typeof normal; age?: 'adult' | 'child'; visit?: '门诊' | '住院' }) {
    const registrar = options.registrar ?? tech.client;
    const exam = await examWithResults(registrar, options.age, options.visit);
    const created = await registrar.request('POST', `/api/exams/${exam.examId}/report`);
    expect(created.statusCode, created.body).toBe(201);
    const reportId = created.json().reportId as string;
    const saved = await options.author.request('PUT', `/api/reports/${reportId}/conclusion`, options.conclusion ?? normal);
    expect(saved.statusCode, saved.body).toBe(200);
    return { exam, reportId };
  }

  async function submitted(options: Parameters<typeof draftedReport>[0] & { submitter?: Client }) {
    const drafted = await draftedReport(options);
    const reply = await (options.submitter ?? options.registrar ?? tech.client).request('POST', `/api/reports/${drafted.reportId}/submit`);
    expect(reply.statusCode, reply.body).toBe(200);
    return { ...drafted, chain: (reply.json().chain as Array<{ level: number; name: string; permission: string }>) };
  }

  const approve = (who: Person, reportId: string) => who.client.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN });
  const setPolicy = async (policy: ReviewPolicy) => {
    const reply = await admin.request('PUT', '/api/review/policy', policy);
    expect(reply.statusCode, reply.body).toBe(200);
    return reply.json() as ReviewPolicy;
  };
  const version = (reportId: string) => t.database.db.selectFrom('reportVersion').selectAll().where('reportId', '=', reportId).where('version', '=', 1).executeTakeFirstOrThrow();

  beforeAll(async () => {
    demo = await openDemoHis(undefined, new Date(clock));
    t = await testApp(kind, { his: { kind: 'pglite', instance: demo.pglite }, now: () => new Date(clock) });
    campusId = (await given(t).campus('CHAIN')).id;
    const here = [campusId];
    admin = (await person(['system_admin'], here)).client;
    [tech, trainee, reporting, secondReporting, reviewing, secondReviewer, head] = await Promise.all([
      person(['technician'], here), person(['trainee'], here), person(['reporting_physician'], here, true), person(['reporting_physician'], here, true),
      person(['reviewing_physician'], here, true), person(['reviewing_physician'], here, true), person(['department_head'], here, true),
    ]);
  }, 240_000);
  afterEach(async () => {
    await t.services.review.updatePolicy(systemActor('test'), DEFAULT_REVIEW_POLICY);
  });
  afterAll(async () => {
    await t?.close();
    await demo?.close();
  });

  it('seeds the built-in role trainee: drafts and writes reports, approves nothing', async () => {
    const role = await t.database.db.selectFrom('role').select(['id', 'name', 'builtin']).where('code', '=', 'trainee').executeTakeFirstOrThrow();
    expect(role).toMatchObject({ name: '规培/进修医师', builtin: true });
    const permissions = (await t.database.db.selectFrom('rolePermission').select('permission').where('roleId', '=', role.id).execute()).map((p) => p.permission).sort();
    expect(permissions).toContain('report.draft');
    expect(permissions).toContain('report.write');
    expect(permissions.filter((p) => p.startsWith('report.approve'))).toEqual([]);
  });

  it('the default chain: 科主任 as a third level for a trainee-authored report, whoever submits it; two levels otherwise', async () => {
    // Written by the trainee, submitted by the technician: the author counts.
    const byTrainee = await submitted({ author: trainee.client, submitter: tech.client });
    expect(byTrainee.chain.map((l) => [l.level, l.name, l.permission])).toEqual([[1, '报告医师', 'report.approve.level1'], [2, '审核医师', 'report.approve.level2'], [3, '科主任', 'report.approve.level3']]);
    expect((await approve(trainee, byTrainee.reportId)).statusCode).toBe(403);
    expect((await approve(reporting, byTrainee.reportId)).json()).toMatchObject({ status: 'pending', level: 1 });
    expect((await approve(reviewing, byTrainee.reportId)).json()).toMatchObject({ status: 'pending', level: 2 });
    // The reviewing physician lacks level 3; the head of department completes the chain.
    expect((await approve(secondReviewer, byTrainee.reportId)).json().code).toBe('review-no-permission');
    const final = await approve(head, byTrainee.reportId);
    expect(final.json(), final.body).toMatchObject({ status: 'approved', level: 3 });

    // Written by the technician, submitted by the trainee: the submitter counts too.
    const submittedByTrainee = await submitted({ author: tech.client, submitter: trainee.client });
    expect(submittedByTrainee.chain).toHaveLength(3);
    // Neither a trainee: two levels.
    const plain = await submitted({ author: tech.client });
    expect(plain.chain.map((l) => l.name)).toEqual(['报告医师', '审核医师']);
    const audit = await t.database.db.selectFrom('auditLog').select('detail').where('action', '=', 'report.submitted').where('entityId', '=', byTrainee.reportId).executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ because: { 科主任: ['author'] } });
  });

  it('conditions set through the API: an abnormal, a paediatric and a trainee report get the third level; a normal adult one does not', async () => {
    const policy = await setPolicy({
      ...DEFAULT_REVIEW_POLICY,
      levels: [DEFAULT_REVIEW_POLICY.levels[0]!, DEFAULT_REVIEW_POLICY.levels[1]!, { ...DEFAULT_REVIEW_POLICY.levels[2]!, when: { abnormal: true, ageBelow: 14, authorRoles: ['trainee'] } }],
    });
    expect(policy.levels[2]!.when).toEqual({ abnormal: true, ageBelow: 14, authorRoles: ['trainee'] });
    expect((await admin.request('GET', '/api/review/policy')).json()).toEqual(policy);

    const levels = (chain: Array<{ permission: string }>) => chain.map((l) => l.permission);
    const three = ['report.approve.level1', 'report.approve.level2', 'report.approve.level3'];
    const abnormal = await submitted({ author: tech.client, conclusion: obstructive });
    expect(levels(abnormal.chain)).toEqual(three);
    const child = await submitted({ author: tech.client, age: 'child' });
    const subject = ((await version(child.reportId)).content as { subject: { ageYears: number } }).subject;
    expect(subject.ageYears).toBeLessThan(12);
    expect(levels(child.chain)).toEqual(three);
    const fromTrainee = await submitted({ author: trainee.client });
    expect(levels(fromTrainee.chain)).toEqual(three);
    const adult = await submitted({ author: tech.client });
    expect(((await version(adult.reportId)).content as { subject: { ageYears: number } }).subject.ageYears).toBeGreaterThanOrEqual(25);
    expect(levels(adult.chain)).toEqual(['report.approve.level1', 'report.approve.level2']);
    // The chain is fixed at submission: what the version carries is what was answered.
    expect((await version(child.reportId)).chain).toEqual(child.chain);

    // Only the paediatric rule now: the abnormal adult report gets two levels.
    await setPolicy({ ...policy, levels: [policy.levels[0]!, policy.levels[1]!, { ...policy.levels[2]!, when: { ageBelow: 14 } }] });
    expect(levels((await submitted({ author: tech.client, conclusion: obstructive })).chain)).toEqual(['report.approve.level1', 'report.approve.level2']);
  });

  it('the policy: refuses an unknown role code and a non-administrator; an empty condition is stored as none', async () => {
    const typo = await admin.request('PUT', '/api/review/policy', { ...DEFAULT_REVIEW_POLICY, levels: [DEFAULT_REVIEW_POLICY.levels[0]!, { ...DEFAULT_REVIEW_POLICY.levels[1]!, when: { authorRoles: ['trainees'] } }] });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().errors).toEqual([{ field: 'body.levels.1.when.authorRoles', message: '角色代码不存在：trainees' }]);
    expect((await reviewing.client.request('PUT', '/api/review/policy', DEFAULT_REVIEW_POLICY)).statusCode).toBe(403);
    const saved = await setPolicy({ ...DEFAULT_REVIEW_POLICY, levels: [{ ...DEFAULT_REVIEW_POLICY.levels[0]!, when: { authorRoles: [] } }] });
    expect(saved.levels).toEqual([{ name: '报告医师', nameEn: 'Reporting physician', permission: 'report.approve.level1' }]);
    const audit = await t.database.db.selectFrom('auditLog').select(['action', 'after']).where('action', '=', 'review.policy-updated').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.after).toEqual(saved);
  });

  it('four-eyes off lets the submitter approve their own report; on, it is refused by the service and by the database', async () => {
    await setPolicy({ ...DEFAULT_REVIEW_POLICY, fourEyes: false });
    const own = await submitted({ author: reporting.client, submitter: reporting.client });
    expect((await approve(reporting, own.reportId)).json()).toMatchObject({ status: 'pending', level: 1 });
    expect((await approve(reviewing, own.reportId)).json()).toMatchObject({ status: 'approved', level: 2 });

    await setPolicy({ ...DEFAULT_REVIEW_POLICY, fourEyes: true });
    const again = await submitted({ author: reporting.client, submitter: reporting.client });
    const refused = await approve(reporting, again.reportId);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('review-four-eyes');
    const v = await version(again.reportId);
    await expect(sql`insert into review_step (report_id, version, submission, action, level, actor_id, actor_name, at) values (${again.reportId}, 1, ${v.submission}, 'approve', 1, ${reporting.id}, 'x', now())`.execute(t.database.db)).rejects.toThrow(/four-eyes/);
    expect((await approve(secondReporting, again.reportId)).json()).toMatchObject({ status: 'pending', level: 1 });
  });

  it('four-eyes: whoever edits a pending report may not then give its final approval; a colleague must', async () => {
    const { exam, reportId } = await submitted({ author: tech.client });
    // Level 1: the reporting physician adjusts the conclusion and approves their level; level 2 still follows.
    expect((await reporting.client.request('PUT', `/api/reports/${reportId}/conclusion`, { ...normal, conclusionText: '肺通气功能正常。（报告医师修改）' })).statusCode).toBe(200);
    expect((await approve(reporting, reportId)).json()).toMatchObject({ status: 'pending', level: 1 });
    // Level 2: the reviewer edits, then tries to approve alone.
    const edited = await reviewing.client.request('PUT', `/api/reports/${reportId}/conclusion`, { ...normal, conclusionText: '肺通气功能正常。（审核医师修改）' });
    expect(edited.statusCode, edited.body).toBe(200);
    const workspace = (await reviewing.client.request('GET', `/api/exams/${exam.examId}/report`)).json();
    expect(workspace.allowed).toMatchObject({ edit: true, approve: false, return: true });
    expect(workspace.steps.map((s: { action: string; level: number | null }) => [s.action, s.level])).toEqual([['submit', null], ['edit', 1], ['approve', 1], ['edit', 2]]);
    const refused = await approve(reviewing, reportId);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('review-four-eyes-editor');
    // Nor can it be forced into the log from SQL.
    const v = await version(reportId);
    await expect(sql`insert into review_step (report_id, version, submission, action, level, actor_id, actor_name, at) values (${reportId}, 1, ${v.submission}, 'approve', 2, ${reviewing.id}, 'x', now())`.execute(t.database.db)).rejects.toThrow(/edited/);
    const denied = await t.database.db.selectFrom('auditLog').select('detail').where('action', '=', 'report.approve').where('outcome', '=', 'denied').where('entityId', '=', reportId).executeTakeFirstOrThrow();
    expect(denied.detail).toMatchObject({ refusal: 'four_eyes_editor' });
    const final = await approve(secondReviewer, reportId);
    expect(final.json(), final.body).toMatchObject({ status: 'approved', level: 2 });
    expect((await version(reportId)).conclusionText).toBe('肺通气功能正常。（审核医师修改）');

    // With four-eyes off the editor may finish alone.
    await setPolicy({ ...DEFAULT_REVIEW_POLICY, fourEyes: false });
    const other = await submitted({ author: tech.client });
    expect((await approve(reporting, other.reportId)).statusCode).toBe(200);
    expect((await reviewing.client.request('PUT', `/api/reports/${other.reportId}/conclusion`, normal)).statusCode).toBe(200);
    expect((await approve(reviewing, other.reportId)).json()).toMatchObject({ status: 'approved' });
  });

  it('a return needs a comment: an empty or blank one is refused and the report stays under review', async () => {
    const { exam, reportId } = await submitted({ author: tech.client });
    for (const body of [{ comment: '' }, { comment: '   ' }, {}]) {
      const refused = await reviewing.client.request('POST', `/api/reports/${reportId}/return`, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json().code).toBe('validation');
    }
    const blank = await reviewing.client.request('POST', `/api/reports/${reportId}/return`, { comment: ' ' });
    expect(blank.json().errors[0]).toMatchObject({ field: 'body.comment', message: '请填写退回意见' });
    const workspace = (await tech.client.request('GET', `/api/exams/${exam.examId}/report`)).json();
    expect(workspace.version).toMatchObject({ status: 'pending', returnedComment: null });
    expect(workspace.steps.map((s: { action: string }) => s.action)).toEqual(['submit']);
    expect((await reviewing.client.request('POST', `/api/reports/${reportId}/return`, { comment: '请核对身高' })).json()).toEqual({ status: 'draft' });
  });

  it('待审核 under a fixed clock: urgent first, then the longest waiting; counts and oldest wait per level; own submissions marked; other campuses hidden', async () => {
    const q = (await given(t).campus('QUEUE')).id;
    const r = (await given(t).campus('OTHER')).id;
    const techQ = await person(['technician'], [q]);
    const docQ = await person(['reporting_physician'], [q], true);
    const revQ = await person(['reviewing_physician'], [q], true);
    const techR = await person(['technician'], [r]);
    const docR = await person(['reporting_physician'], [r], true);
    const start = clock;
    const at = (minutes: number) => {
      clock = start + minutes * MINUTE;
    };
    at(0);
    const a = await submitted({ author: techQ.client, registrar: techQ.client });
    at(5);
    const b = await submitted({ author: techQ.client, registrar: techQ.client, visit: '住院' });
    at(10);
    const c = await submitted({ author: techQ.client, registrar: techQ.client });
    at(12);
    const d = await submitted({ author: docQ.client, registrar: techQ.client, submitter: docQ.client });
    at(13);
    const e = await submitted({ author: techR.client, registrar: techR.client, visit: '住院' });
    at(15);
    expect((await approve(docQ, c.reportId)).json()).toMatchObject({ level: 1 });
    at(20);

    type Item = { reportId: string; level: number; waitingMinutes: number; urgent: boolean; visitType: string; approvable: boolean; blockedBy: string | null };
    const queueOf = async (who: Person) => (await who.client.request('GET', '/api/review/queue')).json() as { items: Item[]; levels: Array<Record<string, unknown>> };
    const names = new Map([[a.reportId, 'A'], [b.reportId, 'B'], [c.reportId, 'C'], [d.reportId, 'D'], [e.reportId, 'E']]);
    const summary = (items: Item[]) => items.map((i) => [names.get(i.reportId) ?? i.reportId, i.level, i.waitingMinutes, i.urgent, i.approvable, i.blockedBy]);

    // The reporting physician (level 1 only): the inpatient first; their own submission listed last, not approvable and not counted.
    const forDoc = await queueOf(docQ);
    expect(summary(forDoc.items)).toEqual([['B', 1, 15, true, true, null], ['A', 1, 20, false, true, null], ['D', 1, 8, false, false, 'four_eyes']]);
    expect(forDoc.items[0]!.visitType).toBe('inpatient');
    expect(forDoc.levels).toEqual([{ level: 1, name: '报告医师', nameEn: 'Reporting physician', count: 2, urgent: 1, oldestMinutes: 20, blocked: 1 }]);

    // The reviewing physician holds levels 1 and 2.
    const forRev = await queueOf(revQ);
    expect(summary(forRev.items)).toEqual([['B', 1, 15, true, true, null], ['A', 1, 20, false, true, null], ['C', 2, 10, false, true, null], ['D', 1, 8, false, true, null]]);
    expect(forRev.levels).toEqual([
      { level: 1, name: '报告医师', nameEn: 'Reporting physician', count: 3, urgent: 1, oldestMinutes: 20, blocked: 0 },
      { level: 2, name: '审核医师', nameEn: 'Reviewing physician', count: 1, urgent: 0, oldestMinutes: 10, blocked: 0 },
    ]);

    // Having approved level 1, the reviewer may not approve level 2 of the same report: listed, marked.
    at(21);
    expect((await approve(revQ, b.reportId)).json()).toMatchObject({ level: 1 });
    const after = await queueOf(revQ);
    expect(summary(after.items).at(-1)).toEqual(['B', 2, 16, true, false, 'four_eyes']);
    expect(after.levels.find((l) => l.level === 2)).toMatchObject({ count: 1, blocked: 1, oldestMinutes: 11 });

    // The other campus sees only its own report.
    expect(summary((await queueOf(docR)).items)).toEqual([['E', 1, 8, true, true, null]]);
    expect(JSON.stringify(forDoc)).not.toContain(e.reportId);
    expect(JSON.stringify(forRev)).not.toContain(e.reportId);
    // A technician holds no approval permission: nothing to review.
    expect((await queueOf(techQ)).items).toEqual([]);
  });

  describe('the database refuses forged review steps and chain changes, whatever writes them', () => {
    it('SQL: approvals must name a permitted approver, follow the chain in order and keep four-eyes', async () => {
      const { reportId } = await submitted({ author: reporting.client, submitter: reporting.client });
      const db = t.database.db;
      const { submission } = await version(reportId);
      const forge = (level: number, actorId: string | null, sub = submission) =>
        sql`insert into review_step (report_id, version, submission, action, level, actor_id, actor_name, at) values (${reportId}, 1, ${sub}, 'approve', ${level}, ${actorId}, 'forger', now())`.execute(db);
      await expect(forge(1, null)).rejects.toThrow(/must name its approver/);
      await expect(forge(2, reviewing.id)).rejects.toThrow(/awaits approval at level 1, not 2/);
      await expect(forge(1, tech.id)).rejects.toThrow(/lacks report.approve.level1/);
      await expect(forge(1, trainee.id)).rejects.toThrow(/lacks report.approve.level1/);
      await expect(forge(1, reporting.id)).rejects.toThrow(/four-eyes/);
      await expect(forge(1, reviewing.id, submission + 1)).rejects.toThrow(/not under review/);
      // The level count cannot run ahead of the recorded approvals, and the chain is fixed while pending.
      await expect(sql`update report_version set approved_levels = 1 where report_id = ${reportId}`.execute(db)).rejects.toThrow(/0 recorded approvals, not 1/);
      await expect(sql`update report_version set chain = jsonb_build_array(chain->0) where report_id = ${reportId}`.execute(db)).rejects.toThrow(/fixed while it is under review/);
      await expect(sql`update report_version set submission = submission + 1 where report_id = ${reportId}`.execute(db)).rejects.toThrow(/fixed while it is under review/);
      await expect(sql`update report_version set submitted_by = ${tech.id} where report_id = ${reportId}`.execute(db)).rejects.toThrow(/fixed while it is under review/);
      await expect(
        sql`update report_version set chain = jsonb_build_array(chain->0), status = 'approved', approved_levels = 1, approved_at = now(), final_sha256 = 'x', final_sm3 = 'x', verification_code = ${`forged-c-${reportId.slice(0, 8)}`} where report_id = ${reportId}`.execute(db),
      ).rejects.toThrow(/fixed while it is under review/);

      // One approval that looks real (a permitted colleague, in order) is accepted, as the service would write it...
      await forge(1, reviewing.id);
      await sql`update report_version set approved_levels = 1 where report_id = ${reportId}`.execute(db);
      // ...but not a second one for the same level, nor the same person again, nor approval with a level missing.
      await expect(forge(1, secondReviewer.id)).rejects.toThrow(/awaits approval at level 2, not 1/);
      await expect(forge(2, reviewing.id)).rejects.toThrow(/four-eyes/);
      await expect(
        sql`update report_version set status = 'approved', approved_levels = 2, approved_at = now(), final_sha256 = 'x', final_sm3 = 'x', verification_code = ${`forged-a-${reportId.slice(0, 8)}`} where report_id = ${reportId}`.execute(db),
      ).rejects.toThrow(/1 of 2 review approvals/);
      expect(await version(reportId)).toMatchObject({ status: 'pending', approvedLevels: 1 });
    });

    it('SQL: a draft cannot be put under review with a malformed chain', async () => {
      const { reportId } = await draftedReport({ author: tech.client });
      const db = t.database.db;
      const submit = (chain: string) =>
        sql`update report_version set status = 'pending', submission = submission + 1, submitted_by = ${tech.id}, submitted_at = now(), chain = ${chain}::jsonb where report_id = ${reportId}`.execute(db);
      await expect(submit('[]')).rejects.toThrow(/malformed review chain/);
      await expect(submit('[{"level":1,"name":"x","nameEn":"x","permission":"report.write"}]')).rejects.toThrow(/malformed review chain/);
      await expect(submit('[{"level":2,"name":"x","nameEn":"x","permission":"report.approve.level2"}]')).rejects.toThrow(/malformed review chain/);
      await expect(sql`update report_version set status = 'pending', chain = '[{"level":1,"name":"x","nameEn":"x","permission":"report.approve.level1"}]'::jsonb where report_id = ${reportId}`.execute(db)).rejects.toThrow(/new submission/);
      expect((await version(reportId)).status).toBe('draft');
    });
  });
});
