import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createReportReceiver, type DemoHis, openDemoHis, pgliteReportTable, type ReportReceiver } from '@pftis/his-sim';
import { hisStatusCodes, reportRevokeSql, reportWriteBackSql, statusWriteBackSql } from '@pftis/his-sim';
import { systemActor } from '../../platform/audit.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, given, signIn, TEST_PASSWORD } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';
import { approvedReport, reportingTeam, type ReportingTeam, TEST_PIN } from '../../test/reports.js';

describe.each(backends)('delivery of approved reports to the HIS (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let demo: DemoHis;
  let his: ReportReceiver;
  let team: ReportingTeam;
  let admin: Client;
  const targetIds: Record<string, string> = {};

  /** Runs the outbox until nothing is due, making every waiting retry due first (time is not what is tested). */
  async function deliverAll() {
    for (let round = 0; round < 5; round++) {
      await t.database.db.updateTable('outbox').set({ nextAttemptAt: new Date(0) }).where('status', '=', 'pending').execute();
      await t.services.outbox.drain();
    }
    // The receiver takes a dropped file once its size has stayed the same over two polls.
    await his.pollFiles();
    await his.pollFiles();
    await his.pollSql();
  }
  const jobsOf = (reportId: string) =>
    t.database.db.selectFrom('outbox').select(['key', 'status', 'attempts', 'lastError']).where('topic', '=', 'report.deliver').where('key', 'like', `deliver:${reportId}:%`).execute();
  const channelsFor = (requestNo: string) => his.arrivalsByOrder(requestNo).map((a) => a.channel).sort();

  beforeAll(async () => {
    demo = await openDemoHis(undefined, new Date());
    t = await testApp(kind, { his: { kind: 'pglite', instance: demo.pglite } });
    his = await createReportReceiver({
      http: { port: 0, token: 'secret-token' }, fhir: { port: 0 }, mllp: { port: 0 }, viewer: false,
      file: { folder: mkdtempSync(path.join(os.tmpdir(), 'pftis-drop-')), pollMs: 60_000 }, sql: { source: pgliteReportTable(demo.pglite), pollMs: 60_000 }, slowMs: 3_000,
    });
    team = await reportingTeam(t.services);
    admin = await signIn(t, (await given(t).user({ roles: ['system_admin'], campusIds: [team.campus.id] })).username);
    const targets = [
      { name: 'HIS 数据库回写', kind: 'sql', config: { statements: [reportWriteBackSql.postgres], revokeStatements: [reportRevokeSql.postgres], timeoutMs: 5000 } },
      { name: '集成平台', kind: 'http', config: { url: his.urls.reportPublish, format: 'json', timeoutMs: 2000 }, secret: 'secret-token' },
      { name: 'HL7 ORU', kind: 'hl7', config: { host: '127.0.0.1', port: his.ports.mllp, encoding: 'gbk', timeoutMs: 2000 } },
      { name: 'FHIR', kind: 'fhir', config: { baseUrl: his.urls.fhir, timeoutMs: 2000 } },
      { name: '共享文件夹', kind: 'file', config: { folder: his.fileFolder, namePattern: '{requestNo}_{accessionNo}_v{version}', sidecar: 'json' } },
    ];
    for (const target of targets) {
      const created = await admin.request('POST', '/api/delivery/targets', { ...target, campusId: team.campus.id, maxAttempts: 4 });
      expect(created.statusCode, created.body).toBe(201);
      targetIds[target.kind] = created.json().id;
    }
  }, 180_000);
  beforeEach(() => his.setMode('up'));
  afterAll(async () => {
    await his?.close();
    await t?.close();
    await demo?.close();
  });

  it('delivers an approved report to all five targets exactly once, bound to its order, and marks the exam delivered', async () => {
    const report = await approvedReport(t.services, team);
    // The approval queued one event in its own transaction; the fan-out makes one job per target.
    expect(await t.database.db.selectFrom('outbox').select('topic').where('key', '=', `approved:${report.reportId}:1`).execute()).toHaveLength(1);
    await deliverAll();
    expect((await jobsOf(report.reportId)).map((j) => j.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(channelsFor(report.requestNo)).toEqual(['fhir', 'file', 'http', 'mllp', 'sql']);
    for (const arrival of his.arrivalsByOrder(report.requestNo)) {
      expect(arrival.accessionNo ?? report.accessionNo).toBe(report.accessionNo);
      if (arrival.document?.sha256) expect(arrival.document.sha256, arrival.channel).toBe(report.final.sha256);
    }
    const exam = await t.database.db.selectFrom('exam').select('status').where('id', '=', report.examId).executeTakeFirstOrThrow();
    expect(exam.status).toBe('delivered');

    // A delivery whose acknowledgement was lost is sent again: the HIS keeps one report per order and version.
    await t.database.db.updateTable('outbox').set({ status: 'pending', attempts: 0 }).where('key', 'like', `deliver:${report.reportId}:%`).execute();
    await deliverAll();
    const again = his.arrivalsByOrder(report.requestNo);
    expect(again).toHaveLength(5);
    // Every channel that answers saw the repeat and kept one copy; the SQL table's unique key did the same (below).
    expect(again.filter((a) => a.channel !== 'sql').every((a) => a.duplicatesIgnored >= 1)).toBe(true);
    const rows = await demo.pglite.query(`SELECT COUNT(*)::int AS n FROM PFT_REPORT WHERE SQDH = $1`, [report.requestNo]);
    expect(rows.rows[0]).toEqual({ n: 1 });
  });

  it('loses nothing and duplicates nothing while the HIS refuses connections, and delivers after recovery', async () => {
    await his.setMode('down', ['http', 'fhir', 'mllp']);
    const reports = [await approvedReport(t.services, team), await approvedReport(t.services, team), await approvedReport(t.services, team)];
    await t.services.outbox.drain();
    for (const r of reports) {
      const jobs = await jobsOf(r.reportId);
      const waiting = jobs.filter((j) => j.status === 'pending');
      expect(waiting).toHaveLength(3);
      expect(waiting.every((j) => /ECONNREFUSED/.test(j.lastError ?? ''))).toBe(true);
    }
    const overview = (await admin.request('GET', '/api/delivery/overview')).json();
    expect(overview.targets.find((x: { id: string }) => x.id === targetIds.http).pending).toBeGreaterThanOrEqual(3);
    const failed = (await admin.request('GET', `/api/delivery/jobs?status=pending&targetId=${targetIds.hl7}`)).json();
    expect(failed[0].reasonZh).toMatch(/无法连接/);
    await his.setMode('up');
    await deliverAll();
    for (const r of reports) expect(channelsFor(r.requestNo)).toEqual(['fhir', 'file', 'http', 'mllp', 'sql']);
  });

  it('retries HTTP 500, malformed ACKs and timeouts; parks a rejected report as a dead letter that an administrator resends after the fix', async () => {
    await his.setMode('http500', 'http');
    await his.setMode('malformedAck', 'mllp');
    await his.setMode('nak', 'fhir');
    const report = await approvedReport(t.services, team);
    await t.services.outbox.drain();
    const byTarget = async () => Object.fromEntries((await jobsOf(report.reportId)).map((j) => [Object.entries(targetIds).find(([, id]) => j.key.endsWith(id))![0], j]));
    let jobs = await byTarget();
    expect(jobs.http).toMatchObject({ status: 'pending', lastError: expect.stringMatching(/HTTP 500/) });
    expect(jobs.hl7).toMatchObject({ status: 'pending', lastError: expect.stringMatching(/malformed ACK/) });
    // A FHIR 422 is a refusal that retrying cannot fix: straight to the dead letters.
    expect(jobs.fhir).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/HTTP 422/) });

    await his.setMode('slow', 'http', { delayMs: 3_000 });
    await his.setMode('up', 'mllp');
    await t.database.db.updateTable('outbox').set({ nextAttemptAt: new Date(0) }).where('status', '=', 'pending').execute();
    await t.services.outbox.drain();
    jobs = await byTarget();
    expect(jobs.hl7, JSON.stringify(jobs.hl7)).toMatchObject({ status: 'done' });
    expect(jobs.http!.lastError).toMatch(/timeout/);

    await his.setMode('up');
    await deliverAll();
    jobs = await byTarget();
    expect(jobs.http!.status).toBe('done');
    expect(jobs.fhir!.status).toBe('failed');
    const deadLetters = (await admin.request('GET', '/api/delivery/jobs?status=failed')).json();
    const fhirJob = deadLetters.find((j: { key: string }) => j.key === `deliver:${report.reportId}:1:${targetIds.fhir}`);
    expect(fhirJob.reasonZh).toMatch(/拒绝/);
    const attempts = (await admin.request('GET', `/api/delivery/jobs/${fhirJob.id}/attempts`)).json();
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect((await admin.request('POST', `/api/delivery/jobs/${fhirJob.id}/resend`)).json()).toEqual({ status: 'pending' });
    await deliverAll();
    expect(channelsFor(report.requestNo)).toEqual(['fhir', 'file', 'http', 'mllp', 'sql']);
    const audit = await t.database.db.selectFrom('auditLog').select('action').where('action', '=', 'delivery.resent').execute();
    expect(audit).toHaveLength(1);
  }, 60_000);

  it('sends a correction as a replacement that supersedes the earlier version at the HIS', async () => {
    const report = await approvedReport(t.services, team);
    await deliverAll();
    await t.services.review.correct(team.reporter, report.reportId, '结论笔误');
    await t.services.review.save(team.reporter, report.reportId, { conclusionText: '肺通气功能正常（更正）。', pattern: 'normal', severity: 'none', bdr: null });
    await t.services.review.submit(team.reporter, report.reportId);
    await t.services.review.approve(team.reviewer, report.reportId, TEST_PIN);
    expect((await jobsOf(report.reportId)).filter((j) => j.key.includes(':2:'))).toHaveLength(0); // level 2 still open
    await t.services.review.approve(team.head, report.reportId, TEST_PIN);
    await deliverAll();
    const arrivals = his.arrivalsByOrder(report.requestNo);
    const corrections = arrivals.filter((a) => a.action === 'replace');
    expect(corrections.map((a) => a.channel).sort()).toEqual(['fhir', 'file', 'http', 'mllp', 'sql']);
    expect(arrivals.filter((a) => a.action === 'publish').every((a) => a.superseded)).toBe(true);
    const rows = await demo.pglite.query<{ bbh: number; czlx: string }>(`SELECT BBH AS bbh, CZLX AS czlx FROM PFT_REPORT WHERE SQDH = $1 ORDER BY BBH`, [report.requestNo]);
    expect(rows.rows).toEqual([{ bbh: 1, czlx: 'publish' }, { bbh: 2, czlx: 'replace' }]);
  });

  it('lets a reviewing physician without a signing key revoke with their login password', async () => {
    const report = await approvedReport(t.services, team);
    const user = await given(t).user({ roles: ['reviewing_physician'], campusIds: [team.campus.id] });
    const keyless = { ...team.reviewer, userId: user.id, username: user.username, displayName: user.displayName };
    await expect(t.services.review.revoke(keyless, report.reportId, '患者信息错误', 'Wrong-password-1')).rejects.toMatchObject({ code: 'signature.wrong-password' });
    expect(await t.services.review.revoke(keyless, report.reportId, '患者信息错误', TEST_PASSWORD)).toEqual({ status: 'revoked', version: 1 });
  });

  it('withdraws a revoked report at every target; only a reviewing physician with the PIN may revoke', async () => {
    const report = await approvedReport(t.services, team);
    await deliverAll();
    await expect(t.services.review.revoke(team.reporter, report.reportId, '患者信息错误', TEST_PIN)).rejects.toMatchObject({ code: 'review-no-permission' });
    await expect(t.services.review.revoke(team.reviewer, report.reportId, '患者信息错误', '000000')).rejects.toMatchObject({ code: 'signing.wrong-pin' });
    expect(await t.services.review.revoke(team.reviewer, report.reportId, '患者信息错误', TEST_PIN)).toEqual({ status: 'revoked', version: 1 });
    await deliverAll();
    const jobs = (await jobsOf(report.reportId)).length + (await t.database.db.selectFrom('outbox').select('status').where('key', 'like', `revoke:${report.reportId}:%`).execute()).filter((j) => j.status === 'done').length;
    expect(jobs).toBe(10);
    const arrivals = his.arrivalsByOrder(report.requestNo);
    expect(arrivals.filter((a) => a.action === 'revoke').map((a) => a.channel).sort()).toEqual(['fhir', 'file', 'http', 'mllp', 'sql']);
    expect(arrivals.filter((a) => a.action === 'publish').every((a) => a.withdrawn)).toBe(true);
    const exam = await t.database.db.selectFrom('exam').select('status').where('id', '=', report.examId).executeTakeFirstOrThrow();
    expect(exam.status).toBe('results');
    // The public verification page says so.
    const verification = await t.services.review.verification(report.final.verificationCode);
    expect(verification.revoked).toBe(true);
  });

  it('sets the HIS order to 已报告 after delivery where the target says so', async () => {
    await t.services.his.updateWriteBack(systemActor('test'), { enabled: true, sql: statusWriteBackSql, codes: { registered: hisStatusCodes.registered, examined: hisStatusCodes.examined, reported: hisStatusCodes.reported, cancelled: hisStatusCodes.cancelled }, timeoutMs: 5000 });
    const http = (await admin.request('GET', '/api/delivery/targets')).json().find((x: { id: string }) => x.id === targetIds.http);
    expect((await admin.request('PUT', `/api/delivery/targets/${targetIds.http}`, { name: http.name, kind: 'http', config: http.config, campusId: http.campusId, updateStatus: true, maxAttempts: 4 })).statusCode).toBe(200);
    const order = (await demo.pglite.query<{ sqdh: string }>(`SELECT SQDH AS sqdh FROM HIS_JCSQ WHERE ZT = '0' ORDER BY SQDH LIMIT 1`)).rows[0]!;
    const report = await approvedReport(t.services, team, { requestNo: order.sqdh });
    await deliverAll();
    const status = await demo.pglite.query<{ zt: string }>(`SELECT ZT AS zt FROM HIS_JCSQ WHERE SQDH = $1`, [order.sqdh]);
    expect(status.rows[0]?.zt).toBe(hisStatusCodes.reported);
    expect(channelsFor(report.requestNo)).toContain('http');
  });
});
