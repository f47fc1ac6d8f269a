import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createReportReceiver, type ReportReceiver, seededRandom } from '@pftis/his-sim';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServices } from '../../app.js';
import { openPostgres } from '../../db/database.js';
import { systemActor } from '../../platform/audit.js';
import { loadConfig } from '../../platform/config.js';
import { adminQuery, withDatabase } from '../../test/global-setup.js';
import { approvedReport, reportingTeam } from '../../test/reports.js';

const serverUrl = process.env.PFTIS_TEST_DATABASE_URL;
if (!serverUrl) console.warn('PFTIS_TEST_DATABASE_URL is not set: the crash test (server killed during delivery) needs a PostgreSQL server and is skipped.');
const bin = path.resolve(import.meta.dirname, '../../../bin/pftis.mjs');
const REPORTS = 8;
const CHANNELS = ['fhir', 'file', 'http', 'mllp'] as const;

// The embedded database is one process's file; a server killed with SIGKILL is a production PostgreSQL scenario.
describe.skipIf(!serverUrl)('delivery survives the server being killed (SIGKILL) at random moments', () => {
  let his: ReportReceiver;
  let databaseUrl: string;
  let env: NodeJS.ProcessEnv;
  /** 申请单号 of the approved reports: every channel names the order it delivers (HL7 has no idempotency key of ours). */
  const orders: string[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const name = `pftis_t_crash_${process.pid}`;
    await adminQuery(serverUrl!, `drop database if exists ${name} with (force)`);
    await adminQuery(serverUrl!, `create database ${name} template ${inject('postgresTemplate')}`);
    databaseUrl = withDatabase(serverUrl!, name);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pftis-crash-'));
    const secretKey = randomBytes(32).toString('hex');
    env = { PATH: process.env.PATH, DATABASE_URL: databaseUrl, PFTIS_SECRET_KEY: secretKey, PFTIS_DATA_DIR: dataDir, PFTIS_PORT: '0', PFTIS_HOST: '127.0.0.1', PFTIS_LOG_LEVEL: 'error', PFTIS_OUTBOX_LEASE_MS: '3000', PFTIS_HOSPITAL_NAME: '测试医院' };
    // Every answer is late, so a kill is likely to land between a delivery and the worker noting it.
    his = await createReportReceiver({ http: { port: 0, token: null }, fhir: { port: 0 }, mllp: { port: 0 }, file: { folder: mkdtempSync(path.join(os.tmpdir(), 'pftis-crash-drop-')), pollMs: 100 }, viewer: false });
    await his.setMode('slow', ['http', 'fhir', 'mllp'], { delayMs: 400 });

    const config = loadConfig({}, { databaseUrl, dataDir, secretKey, logLevel: 'silent', demo: false, hospitalName: '测试医院' });
    const database = await openPostgres(databaseUrl, 3);
    try {
      const services = createServices({ config, database, secretKey });
      const team = await reportingTeam(services);
      const system = systemActor('test');
      for (const target of [
        { kind: 'http' as const, config: { url: his.urls.reportPublish!, format: 'json' as const, template: '', authHeader: 'Authorization', headers: {}, timeoutMs: 5000 } },
        { kind: 'hl7' as const, config: { host: '127.0.0.1', port: his.ports.mllp!, encoding: 'gbk' as const, sendingApplication: 'PFTIS', sendingFacility: '', receivingApplication: 'HIS', receivingFacility: '', timeoutMs: 5000 } },
        { kind: 'fhir' as const, config: { baseUrl: his.urls.fhir!, timeoutMs: 5000 } },
        { kind: 'file' as const, config: { folder: his.fileFolder!, namePattern: '{requestNo}_{accessionNo}_v{version}', sidecar: 'json' as const } },
      ]) {
        await services.delivery.saveTarget(system, { ...target, name: target.kind, campusId: null, document: 'pdf', updateStatus: false, maxAttempts: 50, enabled: true });
      }
      for (let i = 0; i < REPORTS; i++) orders.push((await approvedReport(services, team)).requestNo);
    } finally {
      await database.close();
    }
  }, 240_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await his?.close();
    if (serverUrl) await adminQuery(serverUrl, `drop database if exists pftis_t_crash_${process.pid} with (force)`);
  });

  /** Starts `pftis start` and resolves once it listens (its outbox worker runs from then on). */
  async function startServer() {
    const child = spawn(process.execPath, [bin, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('PFTIS is running')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${output}`)));
    });
    return child;
  }

  const delivered = (channel: string) => new Set(his.arrivals().filter((a) => a.channel === channel).map((a) => a.orderNo));
  const allDelivered = () => CHANNELS.every((c) => orders.every((o) => delivered(c).has(o)));

  it('every approved report ends at every target exactly once', async () => {
    const random = seededRandom(20261125);
    let kills = 0;
    const progress: number[] = [];
    for (let round = 0; round < 8 && !allDelivered(); round++) {
      const child = await startServer();
      await new Promise((r) => setTimeout(r, 1000 + random.next() * 3000));
      child.kill('SIGKILL');
      await once(child, 'exit');
      kills++;
      progress.push(his.arrivals().length);
    }
    // The last claims of a killed worker come back after their lease; a final run delivers the rest. A report can
    // have arrived while the worker that sent it was killed before noting it: its job is still open until the lease
    // runs out and the final run sends it again (recognised by the HIS as a repeat), so wait for the queue too.
    const database = await openPostgres(databaseUrl, 1);
    const openJobs = () => database.db.selectFrom('outbox').select(['key', 'status']).where('topic', 'in', ['report.approved', 'report.deliver']).where('status', '<>', 'done').execute();
    try {
      const last = await startServer();
      const deadline = Date.now() + 90_000;
      while ((!allDelivered() || (await openJobs()).length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      last.kill('SIGTERM');
      await once(last, 'exit');
      expect(await openJobs()).toEqual([]);
    } finally {
      await database.close();
    }

    for (const channel of CHANNELS) {
      const arrivals = his.arrivals().filter((a) => a.channel === channel);
      expect(arrivals.map((a) => a.orderNo).sort(), channel).toEqual([...orders].sort());
    }
    const counts = his.counts();
    console.info(`crash test: ${kills} kills (arrivals after each: ${progress.join(', ')}); ${counts.arrivals} arrivals; ${counts.duplicatesIgnored} repeated deliveries recognised and not stored again`);
    // The kills landed while work was under way, not after it was done.
    expect(progress.filter((n) => n < CHANNELS.length * REPORTS).length).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
