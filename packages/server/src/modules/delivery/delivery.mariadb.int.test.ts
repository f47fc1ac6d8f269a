import { createMysqlHis, type MysqlHis, reportRevokeSql, reportWriteBackSql } from '@pftis/his-sim';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/audit.js';
import { type TestApp, testApp } from '../../test/harness.js';
import { approvedReport, reportingTeam, type ReportingTeam, TEST_PIN } from '../../test/reports.js';

const mariadbUrl = process.env.PFTIS_TEST_MARIADB_URL;
if (!mariadbUrl) console.warn('PFTIS_TEST_MARIADB_URL is not set: the SQL write-back into a MariaDB HIS is not tested (CI sets it).');

// The common Chinese pattern: the report written straight into the HIS database, here MariaDB as the HIS runs it.
describe.skipIf(!mariadbUrl)('SQL write-back of reports into a MariaDB HIS', () => {
  let his: MysqlHis;
  let t: TestApp;
  let team: ReportingTeam;
  let targetId: string;
  const rows = async (requestNo: string) => {
    const connection = await mysql.createConnection(his.url);
    try {
      const [result] = await connection.query('SELECT BBH AS version, MDJ AS key_, ZT AS status, CXYY AS reason, LENGTH(PDF) AS pdfBytes FROM PFT_REPORT WHERE SQDH = ? ORDER BY BBH', [requestNo]);
      return result as Array<{ version: number; key_: string; status: string; reason: string | null; pdfBytes: number }>;
    } finally {
      await connection.end();
    }
  };
  const deliverAll = async () => {
    await t.database.db.updateTable('outbox').set({ nextAttemptAt: new Date(0) }).where('status', '=', 'pending').execute();
    await t.services.outbox.drain();
  };

  beforeAll(async () => {
    his = await createMysqlHis(mariadbUrl!, `pftis_his_delivery_${process.pid}`, { patients: 5, today: new Date() });
    t = await testApp('pglite', { his: { kind: 'mysql', url: his.url } });
    team = await reportingTeam(t.services);
    const target = await t.services.delivery.saveTarget(systemActor('test'), {
      kind: 'sql', name: 'HIS 报告表', campusId: null, document: 'pdf', updateStatus: false, maxAttempts: 3, enabled: true,
      config: { statements: [reportWriteBackSql.mysql], revokeStatements: [reportRevokeSql.mysql], timeoutMs: 5000 },
    });
    targetId = target.id;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await his?.drop();
  });

  it('writes the approved report with its PDF once, even when the delivery is repeated, and marks it withdrawn on revocation', async () => {
    const report = await approvedReport(t.services, team);
    await deliverAll();
    const pdf = await t.database.db.selectFrom('reportVersion').select('finalSha256').where('reportId', '=', report.reportId).executeTakeFirstOrThrow();
    const size = (await t.services.review.pdf({ ...team.technician }, report.reportId)).pdf.length;
    expect(pdf.finalSha256).toBe(report.final.sha256);
    expect(await rows(report.requestNo)).toEqual([{ version: 1, key_: `${report.reportId}:1`, status: '1', reason: null, pdfBytes: size }]);

    // The HIS got it, but the acknowledgement was lost: the retry adds nothing.
    await t.database.db.updateTable('outbox').set({ status: 'pending', attempts: 0 }).where('key', '=', `deliver:${report.reportId}:1:${targetId}`).execute();
    await deliverAll();
    expect(await rows(report.requestNo)).toHaveLength(1);

    await t.services.review.revoke(team.reviewer, report.reportId, '患者信息错误', TEST_PIN);
    await deliverAll();
    expect(await rows(report.requestNo)).toMatchObject([{ version: 1, status: '3', reason: '患者信息错误' }]);
  });

  it('the worker sends nothing about a version that has not completed review', async () => {
    const report = await approvedReport(t.services, team);
    await t.services.review.correct(team.reporter, report.reportId, '补充结论');
    // Version 2 is a draft: a job for it cannot even be queued (database guard), and the worker refuses it as well.
    await expect(t.services.delivery.deliver({ reportId: report.reportId, version: 2, targetId })).rejects.toThrow(/is draft, not approved: not sent/);
    expect((await rows(report.requestNo)).map((r) => r.version)).not.toContain(2);
  });
});
