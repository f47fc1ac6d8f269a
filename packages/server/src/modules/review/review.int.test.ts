import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DemoHis, nddTestResult, openDemoHis } from '@pftis/his-sim';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

const PIN = '246810';
/** What poppler's pdfsig says about a PDF (it reads files only). */
function pdfsig(pdf: Buffer) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'pftis-sig-')), 'report.pdf');
  writeFileSync(file, pdf);
  const run = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`;
}
// Raw order keeps the rotated 草稿 watermark; whitespace removed because pdftotext spaces CJK text unpredictably.
const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8').replace(/\s+/g, '');

describe.each(backends)('report review, signature and print (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let demo: DemoHis;
  let tech: Client;
  let reporting: Client;
  let reviewing: Client;
  let secondReviewer: Client;
  let orderOffset = 0;

  /** A registered exam with the demo device's ndd result (three trials with curves) imported. */
  async function examWithResults() {
    const order = (await demo.pglite.query<{ sqdh: string; brid: string }>(`SELECT sqdh, brid FROM V_PFT_APPLY WHERE zt = '0' ORDER BY sqdh LIMIT 1 OFFSET ${orderOffset++}`)).rows[0]!;
    const registered = await tech.request('POST', '/api/exams', { requestNos: [order.sqdh], heightCm: 168, weightKg: 62 });
    const exam = registered.json().exams[0] as { examId: string; accessionNo: string };
    // The device knows the patient as the HIS does (a result whose sex differs is never bound silently).
    const { sex } = await t.database.db.selectFrom('exam').innerJoin('patient', 'patient.id', 'exam.patientId').select('patient.sex').where('exam.id', '=', exam.examId).executeTakeFirstOrThrow();
    const bytes = nddTestResult({ sex: sex === 'female' ? 'female' : 'male', ageYears: 55, heightCm: 168, accessionNo: exam.accessionNo, patientId: order.brid, bronchodilator: false }, new Date(), orderOffset);
    const imported = await t.app.inject({ method: 'POST', url: '/api/device-import/files?name=result.xml', payload: Buffer.from(bytes), headers: { 'content-type': 'application/octet-stream', cookie: tech.cookie, 'x-csrf-token': tech.csrfToken } });
    expect(imported.json().status).toBe('imported');
    return exam;
  }

  async function draftedReport(author = tech) {
    const exam = await examWithResults();
    const created = await author.request('POST', `/api/exams/${exam.examId}/report`);
    expect(created.statusCode, created.body).toBe(201);
    const reportId = created.json().reportId as string;
    const saved = await author.request('PUT', `/api/reports/${reportId}/conclusion`, { conclusionText: '肺通气功能正常。', pattern: 'normal', severity: 'none', bdr: null });
    expect(saved.statusCode, saved.body).toBe(200);
    return { exam, reportId };
  }

  async function approvedReport() {
    const { exam, reportId } = await draftedReport();
    expect((await tech.request('POST', `/api/reports/${reportId}/submit`)).statusCode).toBe(200);
    expect((await reporting.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).json()).toMatchObject({ status: 'pending', level: 1 });
    const final = await reviewing.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN });
    expect(final.json(), final.body).toMatchObject({ status: 'approved', level: 2 });
    return { exam, reportId, final: final.json().final as { sha256: string; verificationCode: string } };
  }

  beforeAll(async () => {
    demo = await openDemoHis(undefined, new Date());
    t = await testApp(kind, { his: { kind: 'pglite', instance: demo.pglite } });
    const campus = await given(t).campus('MAIN');
    const user = async (roles: string[]) => signIn(t, (await given(t).user({ roles, campusIds: [campus.id] })).username);
    [tech, reporting, reviewing, secondReviewer] = await Promise.all([user(['technician']), user(['reporting_physician']), user(['reviewing_physician']), user(['reviewing_physician'])]);
    // One physician signs with SM2 from the department CA, the others with RSA-2048.
    expect((await reporting.request('POST', '/api/me/signature/issue', { algorithm: 'sm2', pin: PIN })).json()).toMatchObject({ canSign: true, algorithm: 'sm2' });
    expect((await reviewing.request('POST', '/api/me/signature/issue', { algorithm: 'rsa', pin: PIN })).json()).toMatchObject({ canSign: true, algorithm: 'rsa' });
    expect((await secondReviewer.request('POST', '/api/me/signature/issue', { algorithm: 'sm2', pin: PIN })).statusCode).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await demo?.close();
  });

  it('drafts from the device values: values with LLN and z-scores, ATS/ERS 2019 grades from the curves, curves kept', async () => {
    const { exam } = await draftedReport();
    const workspace = (await tech.request('GET', `/api/exams/${exam.examId}/report`)).json();
    expect(workspace.version.status).toBe('draft');
    const fev1 = workspace.version.content.rows.find((r: { param: string }) => r.param === 'FEV1');
    expect(fev1).toMatchObject({ reference: 'equation' });
    expect(fev1.lln).toBeGreaterThan(1);
    expect(workspace.version.content.quality.source).toBe('ats2019');
    expect(workspace.curves).toHaveLength(3);
    expect(workspace.curves[0].flowLps.length).toBeGreaterThan(100);
    expect(workspace.allowed).toMatchObject({ edit: true, submit: true, approve: false });
    expect(workspace.exam.status).toBe('draft');
  });

  it('walks draft → submit → return with a comment → resubmit → approve level by level with the PIN → signed final PDF', async () => {
    const { exam, reportId } = await draftedReport();
    expect((await tech.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).statusCode).toBe(409);
    expect((await tech.request('POST', `/api/reports/${reportId}/submit`)).json()).toMatchObject({ status: 'pending', chain: [{ level: 1 }, { level: 2 }] });
    expect((await tech.request('PUT', `/api/reports/${reportId}/conclusion`, { conclusionText: '改', pattern: null, severity: null, bdr: null })).statusCode).toBe(403);

    const queue = (await reviewing.request('GET', '/api/review/queue')).json();
    expect(queue.items.some((i: { reportId: string }) => i.reportId === reportId)).toBe(true);
    expect(queue.levels.find((l: { level: number }) => l.level === 1).count).toBeGreaterThanOrEqual(1);

    const wrongPin = await reporting.request('POST', `/api/reports/${reportId}/approve`, { pin: '000000' });
    expect(wrongPin.statusCode).toBe(400);
    expect(wrongPin.json().code).toBe('signing.wrong-pin');
    expect((await reporting.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).json()).toMatchObject({ status: 'pending', level: 1 });
    // Level 2 is not the reporting physician's; the reviewer returns it.
    expect((await reporting.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).statusCode).toBe(403);
    expect((await reviewing.request('POST', `/api/reports/${reportId}/return`, { comment: '请补充支气管舒张试验说明' })).json()).toEqual({ status: 'draft' });
    let workspace = (await tech.request('GET', `/api/exams/${exam.examId}/report`)).json();
    expect(workspace.version).toMatchObject({ status: 'draft', returnedComment: '请补充支气管舒张试验说明', approvedLevels: 0 });

    await tech.request('PUT', `/api/reports/${reportId}/conclusion`, { conclusionText: '肺通气功能正常。未做支气管舒张试验。', pattern: 'normal', severity: 'none', bdr: null });
    expect((await tech.request('POST', `/api/reports/${reportId}/submit`)).statusCode).toBe(200);
    expect((await reporting.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).json().level).toBe(1);
    const final = (await reviewing.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).json();
    expect(final).toMatchObject({ status: 'approved', level: 2 });

    workspace = (await tech.request('GET', `/api/exams/${exam.examId}/report`)).json();
    expect(workspace.version).toMatchObject({ status: 'approved', finalSha256: final.final.sha256, verificationCode: final.final.verificationCode, signatureAlgorithm: 'rsa' });
    expect(workspace.version.finalSm3).toMatch(/^[0-9a-f]{64}$/);
    expect(workspace.exam.status).toBe('approved');
    expect(workspace.allowed).toMatchObject({ edit: false, submit: false, approve: false, correct: false });
    expect(workspace.steps.map((s: { action: string }) => s.action)).toEqual(['submit', 'approve', 'return', 'submit', 'approve', 'approve']);

    const printed = await tech.request('POST', `/api/reports/${reportId}/print`, {});
    expect(printed.headers['x-report-final']).toBe('1');
    expect(printed.headers['content-type']).toBe('application/pdf');
    const text = pdfText(printed.rawPayload);
    expect(text).toContain(exam.accessionNo);
    expect(text).toContain('未做支气管舒张试验');
    expect(text).not.toContain('草稿');
    const checked = pdfsig(printed.rawPayload);
    expect(checked).toContain('Signature is Valid');
    expect((await tech.request('GET', `/api/exams/${exam.examId}/report`)).json().version.printCount).toBe(1);

    const page = await tech.request('GET', `/api/reports/${reportId}/versions/1/pages/1`);
    expect(page.headers['content-type']).toBe('image/jpeg');
    expect([...page.rawPayload.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  });

  it('verifies a report publicly by its code, without patient data, and tells a tampered copy apart', async () => {
    const { final } = await approvedReport();
    const pdf = (await t.app.inject({ method: 'GET', url: `/api/verify/${final.verificationCode}` })).json();
    expect(pdf).toMatchObject({ hospital: '测试医院', sha256: final.sha256, storedIntact: true, signatureValid: true, superseded: false, presented: null });
    expect(JSON.stringify(pdf)).not.toMatch(/patient|姓名/);
    const stored = (await tech.request('GET', `/api/reports/${(await t.database.db.selectFrom('reportVersion').select('reportId').where('verificationCode', '=', final.verificationCode).executeTakeFirstOrThrow()).reportId}/pdf`)).rawPayload;
    const genuine = (await t.app.inject({ method: 'POST', url: `/api/verify/${final.verificationCode}`, payload: stored, headers: { 'content-type': 'application/octet-stream' } })).json();
    expect(genuine.presented).toMatchObject({ matchesStored: true, signatureValid: true });
    const tampered = Buffer.from(stored);
    const at = tampered.indexOf('/Producer') > 0 ? tampered.indexOf('/Producer') + 12 : 200;
    tampered[at] = tampered[at]! ^ 0x01;
    const forged = (await t.app.inject({ method: 'POST', url: `/api/verify/${final.verificationCode}`, payload: tampered, headers: { 'content-type': 'application/octet-stream' } })).json();
    expect(forged.presented).toMatchObject({ matchesStored: false, signatureValid: false });
    expect((await t.app.inject({ method: 'GET', url: '/api/verify/AAAAAAAAAAAAAAAA' })).statusCode).toBe(404);
  });

  it('four-eyes: a physician cannot approve the report they submitted', async () => {
    const { reportId } = await draftedReport(reporting);
    expect((await reporting.request('POST', `/api/reports/${reportId}/submit`)).statusCode).toBe(200);
    const refused = await reporting.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('review-four-eyes');
    expect((await reviewing.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).json().level).toBe(1);
    expect((await reviewing.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).json().code).toBe('review-four-eyes');
    expect((await secondReviewer.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).json().status).toBe('approved');
  });

  it('a correction is a new version with a reason; the old one stays final until the new one is approved, then is superseded', async () => {
    const { exam, reportId, final } = await approvedReport();
    expect((await reporting.request('POST', `/api/reports/${reportId}/correct`, { reason: '' })).statusCode).toBe(400);
    expect((await reporting.request('POST', `/api/reports/${reportId}/correct`, { reason: '结论笔误' })).json()).toEqual({ version: 2 });
    expect((await reporting.request('POST', `/api/reports/${reportId}/correct`, { reason: '再次' })).statusCode).toBe(409);
    const printedMeanwhile = await tech.request('POST', `/api/reports/${reportId}/print`, {});
    expect(printedMeanwhile.headers['x-report-final']).toBe('1');
    await reporting.request('PUT', `/api/reports/${reportId}/conclusion`, { conclusionText: '肺通气功能正常（更正）。', pattern: 'normal', severity: 'none', bdr: null });
    expect((await reporting.request('POST', `/api/reports/${reportId}/submit`)).statusCode).toBe(200);
    await reviewing.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN });
    expect((await secondReviewer.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN })).json().status).toBe('approved');
    const workspace = (await tech.request('GET', `/api/exams/${exam.examId}/report`)).json();
    expect(workspace.report.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([[1, 'superseded'], [2, 'approved']]);
    expect(workspace.report.versions[1].correctionReason).toBe('结论笔误');
    expect((await t.app.inject({ method: 'GET', url: `/api/verify/${final.verificationCode}` })).json().superseded).toBe(true);
    const v1 = (await tech.request('GET', `/api/exams/${exam.examId}/report?version=1`)).json();
    expect(v1.version.conclusionText).toBe('肺通气功能正常。');
  });

  describe('an unreviewed report never leaves the system', () => {
    it('API: printing or viewing an unapproved report gives only a watermarked draft, and no final image exists', async () => {
      const { reportId } = await draftedReport();
      await tech.request('POST', `/api/reports/${reportId}/submit`);
      const printed = await tech.request('POST', `/api/reports/${reportId}/print`, {});
      expect(printed.headers['x-report-final']).toBe('0');
      expect(pdfText(printed.rawPayload)).toContain('草稿');
      expect(pdfsig(printed.rawPayload)).toContain('does not contain any signatures');
      const viewed = await tech.request('GET', `/api/reports/${reportId}/pdf`);
      expect(viewed.headers['x-report-final']).toBe('0');
      expect((await tech.request('GET', `/api/reports/${reportId}/versions/1/pages/1`)).statusCode).toBe(409);
    });

    it('SQL: a version cannot be marked approved without its review approvals, even with every final field filled in', async () => {
      const { reportId } = await draftedReport();
      await tech.request('POST', `/api/reports/${reportId}/submit`);
      const db = t.database.db;
      await expect(sql`update report_version set status = 'approved' where report_id = ${reportId}`.execute(db)).rejects.toThrow();
      await expect(
        sql`update report_version set status = 'approved', approved_levels = 2, approved_at = now(), final_sha256 = 'x', final_sm3 = 'x', verification_code = ${`forged${reportId.slice(0, 8)}`} where report_id = ${reportId}`.execute(db),
      ).rejects.toThrow(/review approvals/);
      await expect(sql`update report_version set chain = '[]'::jsonb, status = 'approved', approved_at = now(), final_sha256 = 'x', final_sm3 = 'x', verification_code = 'forged2' where report_id = ${reportId}`.execute(db)).rejects.toThrow();
      await expect(sql`insert into report_version (report_id, version, status, content, author_name, updated_at, correction_reason) values (${reportId}, 9, 'approved', '{}', 'x', now(), 'x')`.execute(db)).rejects.toThrow(/starts as a draft/);
      await expect(sql`insert into outbox (topic, key, payload, next_attempt_at) values ('report.deliver', ${`r:${reportId}`}, ${JSON.stringify({ reportId, version: 1 })}, now())`.execute(db)).rejects.toThrow(/not completed review/);
      // Forged approvals in the log are not enough either: an approval names a permitted approver (more attacks in
      // review-chain.int.test.ts), and the version needs one for every level of its current submission.
      await expect(sql`insert into review_step (report_id, version, submission, action, level, actor_name, at) values (${reportId}, 1, 1, 'approve', 1, 'forger', now())`.execute(db)).rejects.toThrow(/must name its approver/);
      await expect(sql`update report_version set status = 'approved', approved_levels = 2, approved_at = now(), final_sha256 = 'x', final_sm3 = 'x', verification_code = 'forged3' where report_id = ${reportId}`.execute(db)).rejects.toThrow(/0 of 2/);
    });

    it('SQL: an approved version cannot be edited, reopened or deleted, and the review log cannot be rewritten', async () => {
      const { reportId } = await approvedReport();
      const db = t.database.db;
      await expect(sql`update report_version set conclusion_text = '改' where report_id = ${reportId}`.execute(db)).rejects.toThrow(/locked/);
      await expect(sql`update report_version set status = 'draft' where report_id = ${reportId}`.execute(db)).rejects.toThrow(/locked/);
      await expect(sql`delete from report_version where report_id = ${reportId}`.execute(db)).rejects.toThrow(/never deleted/);
      await expect(sql`update review_step set actor_name = 'x' where report_id = ${reportId}`.execute(db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from review_step where report_id = ${reportId}`.execute(db)).rejects.toThrow(/append-only/);
      // Approved: it may be queued for delivery.
      await sql`insert into outbox (topic, key, payload, next_attempt_at) values ('report.deliver', ${`r:${reportId}:1`}, ${JSON.stringify({ reportId, version: 1 })}, now())`.execute(db);
    });
  });

  it('locks signing after five wrong PINs', async () => {
    const { reportId } = await draftedReport();
    await tech.request('POST', `/api/reports/${reportId}/submit`);
    for (let i = 0; i < 5; i++) expect((await secondReviewer.request('POST', `/api/reports/${reportId}/approve`, { pin: `bad${i}` })).statusCode).toBe(400);
    const locked = await secondReviewer.request('POST', `/api/reports/${reportId}/approve`, { pin: PIN });
    expect(locked.statusCode).toBe(423);
    await t.database.db.updateTable('userSignature').set({ pinLockedUntil: null }).where('pinLockedUntil', 'is not', null).execute();
  });
});
