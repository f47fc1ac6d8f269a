import path from 'node:path';
import { createReportReceiver, type DemoHis, pgliteReportTable, reportWriteBackSql, type ReportReceiver } from '@pftis/his-sim';
import type { Services } from '../app.js';
import { systemActor } from '../platform/audit.js';
import type { TargetInput } from '../modules/delivery/targets.js';

/**
 * The demo hospital's report receivers (web service, HL7, FHIR, shared folder, and the PFT_REPORT table of the demo
 * HIS), with PFTIS's delivery targets pointed at them, so an approved report visibly arrives "in the HIS".
 * Ports change from run to run; the targets are brought up to date at every start.
 */
export async function startDemoReceiver(services: Services, demoHis: DemoHis, dataDir: string, viewerPort: number): Promise<ReportReceiver> {
  const start = (port: number) =>
    createReportReceiver({
      viewer: { port }, http: { port: 0, token: 'demo-his-token' }, fhir: { port: 0 }, mllp: { port: 0 },
      file: { folder: path.resolve(dataDir, 'his-report-inbox') }, sql: { source: pgliteReportTable(demoHis.pglite) },
    });
  const receiver = await start(viewerPort).catch(() => start(0));
  const targets: TargetInput[] = [
    { name: '示范 HIS 数据库回写', kind: 'sql', config: { statements: [reportWriteBackSql.postgres], revokeStatements: [], timeoutMs: 5000 }, secret: undefined },
    { name: '示范集成平台 Web 服务', kind: 'http', config: { url: receiver.urls.reportPublish!, format: 'json', template: '', authHeader: 'Authorization', headers: {}, timeoutMs: 10_000 }, secret: 'demo-his-token' },
    { name: '示范 HL7 接口', kind: 'hl7', config: { host: '127.0.0.1', port: receiver.ports.mllp!, encoding: 'gbk', sendingApplication: 'PFTIS', sendingFacility: '', receivingApplication: 'HIS', receivingFacility: '', timeoutMs: 10_000 } },
    { name: '示范 FHIR 服务器', kind: 'fhir', config: { baseUrl: receiver.urls.fhir!, timeoutMs: 10_000 } },
    { name: '示范共享文件夹', kind: 'file', config: { folder: receiver.fileFolder!, namePattern: '{requestNo}_{accessionNo}_v{version}', sidecar: 'json' } },
  ].map((t) => ({ ...t, campusId: null, document: 'pdf', updateStatus: false, maxAttempts: 8, enabled: true }) as TargetInput);
  const existing = await services.delivery.listTargets();
  for (const target of targets) {
    const found = existing.find((e) => e.name === target.name);
    await services.delivery.saveTarget(systemActor('demo'), target, found?.id);
  }
  return receiver;
}
