/**
 * Delivery to the HIS (报告上传): npx tsx bench/delivery.bench.ts
 *
 * (a) Drain: a backlog of BENCH_REPORTS approved reports (default 10,000) queued as `report.approved` events, drained
 *     by the real outbox worker — fan-out into one `report.deliver` job per enabled target, then delivery — to one
 *     target type at a time on loopback, with `runOnce(BENCH_BATCH)` called back to back by one worker, and on
 *     PostgreSQL also by 4 concurrent workers. Time until every job is done (the HIS has acknowledged each report).
 *     Baseline in the same run: the same messages over the bare transport, built beforehand and not timed: fetch
 *     POSTs (web service, FHIR), ORU frames over net with a connection per message as PFTIS opens one, writeFile of
 *     the PDF and sidecar, the same INSERT straight into the HIS table; by 1 (and 4) concurrent senders.
 *     Where the time goes: the handlers' own time per report as the worker logs it in outbox_attempt (fan-out,
 *     delivery; the rest of the drain is the worker's bookkeeping), and loadDeliveredReport timed alone in setup.
 * (b) Steady flow: BENCH_RATE approvals per second (default 5, below every target's drain rate on PGlite, so the
 *     queue stays short) for BENCH_STEADY_SECONDS (default 20), each event
 *     queued in a transaction of its own as the approval queues it, with the worker's poller started (`start(ms)`) at
 *     100 ms and, for the first target, at 1000 ms as the server starts it (BENCH_POLL_MS). Time from the approval's
 *     commit to arrival, p50/p95, median over BENCH_RUNS runs (default 3). Baseline: the bare send of the same
 *     message at the same moments, send → arrival.
 *
 * The backlog: 5 reports approved through the services (two-level review with PINs, signed PDF), cloned in SQL past
 * the report_version guard (bench/delivery-backlog.ts); the clones share the 5 signed PDFs. Every run gets a fresh
 * receiver and a new target (so no delivery key repeats an earlier run's), an empty outbox and the exams back at
 * 'approved', and checks that the HIS took each report exactly once. The demo hospital's receivers run in a child
 * process (a HIS is another system); the SQL target is PFT_REPORT in the demo HIS (PGlite on disk, in this process).
 * Arrival: the receiver's record time (web service, FHIR, MLLP); the sidecar's mtime in the shared folder (file,
 * ~4 ms resolution; the receiver itself takes a pair only after two polls with unchanged sizes); the HIS
 * transaction's JSSJ (SQL, 1 ms resolution).
 *
 * A drain of 10,000 reports takes minutes per target, so the defaults (both databases, five targets, one drain per
 * row, steady flow three times) run for hours on a busy 2-core machine. Quick: BENCH_REPORTS=200.
 * Environment: BENCH_REPORTS, BENCH_DRAIN_RUNS (default 1; 0: steady flow only), BENCH_RUNS (steady flow, default 3), BENCH_TARGETS
 * (default http,hl7,fhir,file,sql), BENCH_WORKERS (PostgreSQL, default 1,4), BENCH_PGLITE_WORKERS (default 1: PGlite
 * has one session, every transaction waits for the previous one), BENCH_BATCH (runOnce limit, default 20 as the
 * server), BENCH_RATE, BENCH_STEADY_SECONDS (0: no steady flow), BENCH_POLL_MS (default 100,1000), BENCH_BACKENDS
 * (default pglite,postgres), PFTIS_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; a scratch
 * database is created there and dropped afterwards; skipped when unreachable). Prints Markdown tables.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DeliveredReport } from '@pftis/formats/report/delivered-report';
import { frameMllp, MllpFrameReader } from '@pftis/formats/hl7/mllp';
import { buildReportFhirBundle, buildReportJson, buildReportOru, buildReportSidecar, reportFileName } from '@pftis/formats/report/index';
import { type Arrival, createReportReceiver, type DemoHis, openDemoHis, reportWriteBackSql } from '@pftis/his-sim';
import { sql } from 'kysely';
import { createFhirStore } from '../packages/his-sim/src/receiver/fhir.ts';
import { buildAck, decodeHl7Bytes, detectHl7Encoding, encodeHl7Text, readOruForHis } from '../packages/his-sim/src/receiver/hl7.ts';
import { decodeBody, fieldsFromTree, parseBody } from '../packages/his-sim/src/receiver/report-fields.ts';
import { createServices, type Services } from '../packages/server/src/app.ts';
import { type Database, openPglite, openPostgres } from '../packages/server/src/db/database.ts';
import { migrateToLatest } from '../packages/server/src/db/migrate.ts';
import { sqlParameters } from '../packages/server/src/modules/delivery/adapters.ts';
import { loadDeliveredReport } from '../packages/server/src/modules/delivery/delivered.ts';
import { verifyPdfSignatures } from '../packages/server/src/modules/review/signing/index.ts';
import { APPROVED_TOPIC, DELIVER_TOPIC } from '../packages/server/src/modules/delivery/module.ts';
import { FileTargetConfig, Hl7TargetConfig, TargetBody, type TargetConfig } from '../packages/server/src/modules/delivery/targets.ts';
import { systemActor } from '../packages/server/src/platform/audit.ts';
import { loadConfig } from '../packages/server/src/platform/config.ts';
import { createFileStore } from '../packages/server/src/platform/files.ts';
import { enqueue } from '../packages/server/src/platform/outbox.ts';
import { approvedReport, reportingTeam } from '../packages/server/src/test/reports.ts';
import { type BacklogReport, cloneApprovedReports } from './delivery-backlog.ts';

type Kind = TargetConfig['kind'];
/** Wall-clock milliseconds with sub-millisecond resolution, comparable between this process and the receiver's. */
const wallClock = () => performance.timeOrigin + performance.now();
const TOKEN = 'bench-token';

// ── the demo hospital's receivers, in a child process ────────────────────────────────────────────────────────────
//
// Web service, FHIR and MLLP: the demo hospital's own parsing and answers (his-sim: fieldsFromTree, the FHIR store's
// transaction, readOruForHis and buildAck) on plain listeners, with de-duplication by the same keys in a Set.
// createReportReceiver's arrival store compares each arrival with every earlier one, and its FHIR store searches every
// stored resource for each conditional entry: at thousands of reports those, not the transport, set the pace (the FHIR
// drain of 10,000 slowed to a crawl). The FHIR store is therefore started afresh every 500 transactions. The file drop
// is createReportReceiver's own poller (its pace is the poll; the arrival time is the sidecar's mtime).

type Light = { port: number; counts: () => { arrivals: number; duplicates: number; refused: number; orders: number }; close: () => Promise<void> };
type ArrivalNote = { orderNo: string | null; at: number };
type ToChild = { cmd: 'start'; kind: Exclude<Kind, 'sql'>; folder: string | null } | { cmd: 'settle'; expected: number; timeoutMs: number } | { cmd: 'stop' };
type FromChild =
  | { type: 'started'; port: number | null }
  | { type: 'arrivals'; list: ArrivalNote[] }
  | { type: 'settled'; arrivals: number; duplicates: number; refused: number; orders: number }
  | { type: 'stopped' };

async function lightReceiver(kind: 'http' | 'fhir' | 'hl7', note: (a: ArrivalNote) => void): Promise<Light> {
  const seen = new Set<string>();
  const orders = new Set<string>();
  let arrivals = 0;
  let duplicates = 0;
  let refused = 0;
  /** The arrival store's rule: a repeat of the idempotency key, of order + accession + version, or of an extra key. */
  const record = (f: { idempotencyKey: string; orderNo: string | null; accessionNo: string | null; version: number | null }, extra: string[] = []) => {
    const keys = [`key:${f.idempotencyKey}`, ...extra];
    if (f.version !== null && (f.orderNo || f.accessionNo)) keys.push(`order:${f.orderNo ?? ''}:${f.accessionNo ?? ''}:${f.version}`);
    if (keys.some((k) => seen.has(k))) {
      duplicates += 1;
      return true;
    }
    for (const k of keys) seen.add(k);
    arrivals += 1;
    orders.add(f.orderNo ?? `#${f.accessionNo}`);
    note({ orderNo: f.orderNo, at: wallClock() });
    return false;
  };
  const counts = () => ({ arrivals, duplicates, refused, orders: orders.size });
  const readAll = async (req: http.IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  };
  const charset = (req: http.IncomingMessage) => /charset=([^;]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.trim() ?? null;
  const answer = (res: http.ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type });
    res.end(JSON.stringify(body));
  };
  let server: net.Server;
  if (kind === 'http') {
    let receipt = 0;
    server = http.createServer((req, res) => {
      void (async () => {
        const raw = await readAll(req);
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return (refused++, answer(res, 401, { code: 401, message: '认证失败：令牌无效' }));
        const contentType = req.headers['content-type'] ?? null;
        const parsed = parseBody(decodeBody(raw, charset(req)), contentType);
        if (!parsed.ok) return (refused++, answer(res, 400, { code: 4000, message: parsed.reason }));
        const fields = fieldsFromTree(parsed.tree);
        const idempotencyKey = (req.headers['idempotency-key'] as string | undefined) ?? fields.idempotencyKey;
        if (!idempotencyKey || (!fields.orderNo && !fields.accessionNo)) return (refused++, answer(res, 400, { code: 4001, message: '缺少 Idempotency-Key 或申请单号' }));
        const duplicate = record({ ...fields, idempotencyKey });
        answer(res, 200, { code: 0, message: 'ok', receiptNo: `HIS${String(++receipt).padStart(8, '0')}`, duplicate });
      })().catch((error: unknown) => answer(res, 500, { code: 500, message: String(error) }));
    });
  } else if (kind === 'fhir') {
    let store = createFhirStore();
    let inStore = 0;
    server = http.createServer((req, res) => {
      void (async () => {
        const raw = await readAll(req);
        const bundle = JSON.parse(decodeBody(raw, charset(req)));
        if (inStore++ === 500) {
          store = createFhirStore();
          inStore = 1;
        }
        const outcome = store.transaction(bundle);
        if (outcome.status >= 400) refused += 1;
        if (outcome.report) record(outcome.report.fields, outcome.report.extraKeys);
        answer(res, outcome.status, outcome.body, 'application/fhir+json; charset=utf-8');
      })().catch((error: unknown) => answer(res, 500, { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception', diagnostics: String(error) }] }));
    });
  } else {
    let ackSequence = 0;
    server = net.createServer((socket) => {
      const reader = new MllpFrameReader();
      socket.setNoDelay(true);
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) {
          const encoding = detectHl7Encoding(frame);
          const reading = readOruForHis(decodeHl7Bytes(frame, encoding));
          const ackId = `ACK${String(++ackSequence).padStart(8, '0')}`;
          let ack: string;
          if (!reading.ok) {
            refused += 1;
            ack = buildAck({ code: reading.code, text: reading.reason, controlId: reading.controlId, msh: reading.msh, ackId, at: new Date() });
          } else {
            const duplicate = record(reading.value.fields, [`msh10:${reading.value.controlId}`]);
            ack = buildAck({ code: 'AA', text: duplicate ? '重复消息，已确认，未重复入库' : '已接收', controlId: reading.value.controlId, msh: reading.value.msh, ackId, at: new Date() });
          }
          if (!socket.destroyed && socket.writable) socket.write(frameMllp(encodeHl7Text(ack, encoding)));
        }
      });
    });
  }
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function receiverChild() {
  const send = (m: FromChild) => process.send!(m);
  let light: Light | null = null;
  let demo: Awaited<ReturnType<typeof createReportReceiver>> | null = null;
  let batch: ArrivalNote[] = [];
  const flush = setInterval(() => {
    if (batch.length) send({ type: 'arrivals', list: batch.splice(0) });
  }, 50);
  const counts = () => {
    if (light) return light.counts();
    const c = demo!.counts();
    return { arrivals: c.arrivals, duplicates: c.duplicatesIgnored, refused: c.refused, orders: c.orders };
  };
  process.on('message', async (m: ToChild) => {
    if (m.cmd === 'start') {
      if (m.kind === 'file') {
        const folder = m.folder!;
        demo = await createReportReceiver({ viewer: false, http: false, fhir: false, mllp: false, file: { folder, pollMs: 50 } });
        demo.onArrival((a: Arrival) => {
          // A pair is recorded before it moves to done/: it arrived when its sidecar (written last) landed.
          let at = wallClock();
          try {
            at = statSync(path.join(folder, a.source.sidecar!)).mtimeMs;
          } catch (error) {
            console.error(`cannot stat ${a.source.sidecar}: ${(error as Error).message}`);
          }
          batch.push({ orderNo: a.orderNo, at });
        });
        send({ type: 'started', port: null });
      } else {
        light = await lightReceiver(m.kind, (a) => batch.push(a));
        send({ type: 'started', port: light.port });
      }
    } else if (m.cmd === 'settle') {
      const deadline = Date.now() + m.timeoutMs;
      while (counts().arrivals < m.expected && Date.now() < deadline) {
        if (demo) await demo.pollFiles();
        else await new Promise((r) => setTimeout(r, 20));
      }
      // Anything that would come twice comes now.
      if (demo) await demo.pollFiles();
      await new Promise((r) => setTimeout(r, 100));
      if (demo) for (const a of demo.arrivals().filter((x) => x.duplicatesIgnored > 0)) console.error(`duplicate: ${a.channel} ${a.orderNo} ${a.idempotencyKey} ${JSON.stringify(a.source)} received ${a.receivedAt}`);
      send({ type: 'arrivals', list: batch.splice(0) });
      send({ type: 'settled', ...counts() });
    } else if (m.cmd === 'stop') {
      await light?.close();
      await demo?.close();
      light = null;
      demo = null;
      send({ type: 'stopped' });
    }
  });
  // Gone with the benchmark, however it ended.
  process.on('disconnect', () => process.exit(0));
  setInterval(() => process.connected || process.exit(0), 1000).unref();
  flush.unref();
}

interface Receiver {
  kind: Kind;
  config: Record<string, unknown>;
  port: number | null;
  /** Arrival time per 申请单号 (first arrival), ms since the epoch. */
  arrivals: Map<string, number>;
  /** Waits until `expected` reports arrived (file: the receiver polls; SQL: PFT_REPORT is read), then counts. */
  settle(expected: number, timeoutMs?: number): Promise<{ arrivals: number; duplicates: number; refused: number; orders: number }>;
  stop(): Promise<void>;
}

function childReceiver() {
  const child: ChildProcess = fork(process.argv[1]!, ['--receiver'], { execArgv: [...process.execArgv, '--max-old-space-size=8192'], stdio: 'inherit' });
  process.once('exit', () => child.kill());
  // Arrivals stream in at any time and go to the current receiver; every other message answers the one request waiting.
  let onArrivals = (_list: ArrivalNote[]) => {};
  let waiting: { type: FromChild['type']; resolve: (m: FromChild) => void } | null = null;
  child.on('message', (m: FromChild) => {
    if (m.type === 'arrivals') onArrivals(m.list);
    else if (m.type === waiting?.type) waiting.resolve(m);
  });
  const request = <T extends FromChild['type']>(message: ToChild, type: T) =>
    new Promise<Extract<FromChild, { type: T }>>((resolve) => {
      waiting = { type, resolve: resolve as (m: FromChild) => void };
      child.send(message);
    });
  return {
    async start(kind: Exclude<Kind, 'sql'>, folder: string | null): Promise<Receiver> {
      const arrivals = new Map<string, number>();
      onArrivals = (list) => {
        for (const a of list) if (a.orderNo && !arrivals.has(a.orderNo)) arrivals.set(a.orderNo, a.at);
      };
      const started = await request({ cmd: 'start', kind, folder }, 'started');
      const url = `http://127.0.0.1:${started.port}`;
      const config: Record<string, Record<string, unknown>> = {
        http: { url: `${url}/report-publish`, format: 'json', timeoutMs: 15_000 },
        fhir: { baseUrl: `${url}/fhir`, timeoutMs: 15_000 },
        hl7: { host: '127.0.0.1', port: started.port, encoding: 'gbk', timeoutMs: 15_000 },
        file: { folder, namePattern: '{requestNo}_{accessionNo}_v{version}', sidecar: 'json' },
      };
      return {
        kind, config: config[kind]!, port: started.port, arrivals,
        async settle(expected, timeoutMs = 300_000) {
          const { type: _, ...counts } = await request({ cmd: 'settle', expected, timeoutMs }, 'settled');
          return counts;
        },
        async stop() {
          await request({ cmd: 'stop' }, 'stopped');
          if (folder) await rm(folder, { recursive: true, force: true });
        },
      };
    },
    close: () => child.disconnect(),
  };
}

/**
 * The SQL target: PFT_REPORT in the demo HIS, emptied first. Counted in the table itself (the receiver's poller would
 * read every new row with its PDF in one query; MDJ is UNIQUE, so a repeated INSERT adds no row either way).
 */
async function sqlReceiver(demo: DemoHis): Promise<Receiver> {
  await demo.pglite.exec('TRUNCATE PFT_REPORT');
  const arrivals = new Map<string, number>();
  return {
    kind: 'sql', config: { statements: [reportWriteBackSql.postgres], timeoutMs: 15_000 }, port: null, arrivals,
    async settle() {
      // The HIS's own receive time: JSSJ defaults to the time of the inserting transaction (hospital-local wall clock).
      const { rows } = await demo.pglite.query<{ sqdh: string; at: number }>(`SELECT SQDH AS sqdh, extract(epoch from JSSJ AT TIME ZONE current_setting('TimeZone')) * 1000 AS at FROM PFT_REPORT`);
      for (const r of rows) if (!arrivals.has(r.sqdh)) arrivals.set(r.sqdh, Number(r.at));
      return { arrivals: rows.length, duplicates: rows.length - arrivals.size, refused: 0, orders: arrivals.size };
    },
    stop: async () => {},
  };
}

// ── the bare transports (baseline) ───────────────────────────────────────────────────────────────────────────────

type Message = { requestNo: string; send: () => Promise<void> };

/** The message PFTIS would send for one backlog report, built ahead of time, and its bare send. */
function bareMessage(kind: Kind, receiver: Receiver, report: DeliveredReport, demo: DemoHis): Message {
  const now = new Date();
  const requestNo = report.order.requestNo!;
  switch (kind) {
    case 'http': {
      const body = buildReportJson(report, { document: 'pdf', now }).text;
      const headers = { 'content-type': 'application/json; charset=utf-8', 'idempotency-key': report.idempotencyKey, authorization: `Bearer ${TOKEN}` };
      return { requestNo, send: () => postOk(String(receiver.config.url), body, headers) };
    }
    case 'fhir': {
      const body = JSON.stringify(buildReportFhirBundle(report, { now }));
      const headers = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
      return { requestNo, send: () => postOk(String(receiver.config.baseUrl), body, headers) };
    }
    case 'hl7': {
      const { bytes } = buildReportOru(report, { ...Hl7TargetConfig.parse(receiver.config), now });
      return { requestNo, send: () => mllpSend(receiver.port!, bytes) };
    }
    case 'file': {
      const config = FileTargetConfig.parse(receiver.config);
      const pdfName = path.join(config.folder, reportFileName(config.namePattern, report, 'pdf'));
      const sidecarName = path.join(config.folder, reportFileName(config.namePattern, report, 'json'));
      const sidecar = buildReportSidecar(report, 'json').bytes;
      return {
        requestNo,
        send: async () => {
          await writeFile(pdfName, report.pdf.bytes);
          await writeFile(sidecarName, sidecar);
        },
      };
    }
    case 'sql': {
      const values = sqlParameters(report, 'pdf');
      const names: string[] = [];
      const text = reportWriteBackSql.postgres.replace(/:([A-Za-z]\w*)/g, (_, name: string) => {
        names.push(name);
        return `$${names.length}`;
      });
      const params = names.map((n) => values[n]);
      return { requestNo, send: async () => void (await demo.pglite.query(text, params)) };
    }
  }
}

async function postOk(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', body, headers });
  const text = await response.text();
  if (response.status >= 300 || /"code"\s*:\s*[1-9]/.test(text.slice(0, 200))) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
}

/** One MLLP exchange on a connection of its own: connect, frame, wait for the ACK frame, close. */
function mllpSend(port: number, message: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const frame = Buffer.alloc(message.length + 3);
    frame[0] = 0x0b;
    frame.set(message, 1);
    frame[message.length + 1] = 0x1c;
    frame[message.length + 2] = 0x0d;
    const socket = net.createConnection({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    let answer = Buffer.alloc(0);
    socket.once('connect', () => socket.write(frame));
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      const n = answer.length;
      if (n >= 2 && answer[n - 2] === 0x1c && answer[n - 1] === 0x0d) {
        socket.destroy();
        if (!answer.includes('MSA|AA')) reject(new Error(`not accepted: ${answer.toString('latin1').slice(0, 200)}`));
        else resolve();
      }
    });
    socket.on('error', reject);
  });
}

// ── PFTIS ────────────────────────────────────────────────────────────────────────────────────────────────────────

interface Setup {
  label: string;
  database: Database;
  services: Services;
  demo: DemoHis;
  backlog: BacklogReport[];
  /** The DeliveredReport of each backlog report (for the baseline), from its source's with its own identity. */
  delivered(report: BacklogReport): DeliveredReport;
  /** loadDeliveredReport per report, and the PDF signature check within it, ms (measured alone in setup). */
  loadMs: number;
  verifyMs: number;
  setupMs: number;
  close(): Promise<void>;
}

async function setup(label: string, database: Database, dataDir: string): Promise<Setup> {
  const started = performance.now();
  await migrateToLatest(database.db);
  const demo = await openDemoHis(path.join(dataDir, 'his'), new Date());
  const config = loadConfig({}, { logLevel: 'silent', demo: false, hospitalName: '测试医院', dataDir });
  const services = createServices({ config, database, secretKey: randomBytes(32).toString('hex'), his: { kind: 'pglite', instance: demo.pglite } });
  const team = await reportingTeam(services, `BENCH${process.pid % 1000}`);
  const sources: string[] = [];
  for (let i = 0; i < 5; i++) sources.push((await approvedReport(services, team)).reportId);
  // Their own approval events: not part of the measured backlog.
  await database.db.deleteFrom('outbox').execute();
  const backlog = await cloneApprovedReports(database.db, sources, REPORTS, `BQ${process.pid % 1000}`);
  const files = createFileStore(path.resolve(config.dataDir, 'files'));
  const byReport = new Map<string, DeliveredReport>();
  for (const reportId of sources) {
    const loaded = await loadDeliveredReport(database.db, files, { reportId, version: 1, publicUrl: config.publicUrl, hospitalName: config.hospitalName });
    byReport.set(reportId, loaded!.report);
  }
  // One part of every delivery, measured alone: loading the approved version for sending (five queries, the signed PDF
  // from the file store, its signature checked for the serial number) and, within that, the signature check.
  const sample = backlog.slice(0, Math.min(backlog.length, 100));
  let t = performance.now();
  for (const r of sample) await loadDeliveredReport(database.db, files, { reportId: r.reportId, version: r.version, publicUrl: config.publicUrl, hospitalName: config.hospitalName });
  const loadMs = (performance.now() - t) / sample.length;
  const pdf = byReport.get(sources[0]!)!.pdf.bytes;
  t = performance.now();
  for (let i = 0; i < sample.length; i++) await verifyPdfSignatures(pdf);
  const verifyMs = (performance.now() - t) / sample.length;
  return {
    label, database, services, demo, backlog, loadMs, verifyMs, setupMs: performance.now() - started,
    delivered(r) {
      const source = byReport.get(r.sourceReportId)!;
      return { ...source, reportId: r.reportId, idempotencyKey: `${r.reportId}:1`, order: { ...source.order, requestNo: r.requestNo, accessionNo: r.accessionNo } };
    },
    async close() {
      await services.outbox.stop();
      await services.his.close();
      await database.close();
      await demo.close();
    },
  };
}

/** A target of its own for this run (every other one disabled), so delivery keys never repeat an earlier run's. */
async function freshTarget(s: Setup, receiver: Receiver, run: string) {
  await s.database.db.updateTable('deliveryTarget').set({ enabled: false }).execute();
  await s.services.delivery.saveTarget(systemActor('bench'), TargetBody.parse({ name: `${receiver.kind} ${run}`, kind: receiver.kind, config: receiver.config, secret: receiver.kind === 'http' ? TOKEN : undefined, maxAttempts: 8 }));
}

/** Every run starts alike: an empty outbox, the exams back at 'approved'. */
async function resetQueue(s: Setup) {
  await s.database.db.deleteFrom('outboxAttempt').execute();
  await s.database.db.deleteFrom('outbox').execute();
  await sql`update exam set status = 'approved' where status = 'delivered'`.execute(s.database.db);
}

/** The approval events of `reports`, as the approval writes them (enqueue), in transactions of 500. */
async function queueApprovals(s: Setup, reports: BacklogReport[], run: string) {
  for (let i = 0; i < reports.length; i += 500) {
    await s.database.db.transaction().execute(async (trx) => {
      for (const r of reports.slice(i, i + 500)) await enqueue(trx, { topic: APPROVED_TOPIC, key: `approved:${r.reportId}:${r.version}:${run}`, payload: { reportId: r.reportId, version: r.version, campusId: r.campusId }, campusId: r.campusId });
    });
  }
}

const pendingCount = async (s: Setup) =>
  Number((await s.database.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n);

async function outcome(s: Setup, expected: number, receiver: Receiver) {
  const jobs = await s.database.db
    .selectFrom('outbox')
    .select(['topic', 'status', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('attempts').as('attempts')])
    .groupBy(['topic', 'status'])
    .execute();
  const counts = await receiver.settle(expected);
  const deliver = jobs.filter((j) => j.topic === DELIVER_TOPIC);
  const done = deliver.filter((j) => j.status === 'done').reduce((n, j) => n + Number(j.n), 0);
  const retries = deliver.reduce((n, j) => n + Number(j.attempts) - Number(j.n), 0);
  const problems: string[] = [];
  if (done !== expected) problems.push(`${done} of ${expected} delivery jobs done (${JSON.stringify(jobs)})`);
  if (counts.arrivals !== expected || counts.orders !== expected) problems.push(`${counts.arrivals} arrivals for ${counts.orders} orders, expected ${expected}`);
  if (counts.duplicates) problems.push(`${counts.duplicates} duplicates (${retries} retries: ${JSON.stringify(jobs)})`);
  if (counts.refused) problems.push(`${counts.refused} refused`);
  return { ...counts, retries, problems };
}

async function receiverFor(kind: Kind, s: Setup, child: ReturnType<typeof childReceiver>, scratch: string): Promise<Receiver> {
  if (kind === 'sql') return sqlReceiver(s.demo);
  const folder = kind === 'file' ? await mkdtemp(path.join(scratch, 'drop-')) : null;
  return child.start(kind, folder);
}

/** (a) PFTIS: the whole backlog through fan-out and delivery with `workers` concurrent runOnce loops. */
async function drainPftis(s: Setup, kind: Kind, workers: number, run: string, child: ReturnType<typeof childReceiver>, scratch: string) {
  const receiver = await receiverFor(kind, s, child, scratch);
  await freshTarget(s, receiver, run);
  await resetQueue(s);
  await queueApprovals(s, s.backlog, run);
  const started = performance.now();
  const startedWall = wallClock();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (;;) {
        if ((await s.services.outbox.runOnce(BATCH)) > 0) continue;
        // Nothing due for this worker: done once nothing is pending (another worker may still be fanning out).
        if ((await pendingCount(s)) === 0) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    }),
  );
  const ms = performance.now() - started;
  // With one worker the fan-out of the whole backlog comes first (the queue is claimed in id order), then delivery.
  const fanOut = await s.database.db.selectFrom('outbox').select((eb) => eb.fn.max('doneAt').as('last')).where('topic', '=', APPROVED_TOPIC).executeTakeFirstOrThrow();
  const result = await outcome(s, s.backlog.length, receiver);
  await receiver.stop();
  // Where the time went: the handlers' own time, as the worker logs it per attempt; the rest is the worker's
  // bookkeeping (claiming batches, renewing the lease before each message, recording each attempt).
  const spent = await s.database.db
    .selectFrom('outboxAttempt')
    .innerJoin('outbox', 'outbox.id', 'outboxAttempt.outboxId')
    .select(['outbox.topic', (eb) => eb.fn.sum<number>('outboxAttempt.durationMs').as('ms')])
    .groupBy('outbox.topic')
    .execute();
  const handlerMs = (topic: string) => Number(spent.find((x) => x.topic === topic)?.ms ?? 0);
  const fanOutHandlerMs = handlerMs(APPROVED_TOPIC);
  const deliverHandlerMs = handlerMs(DELIVER_TOPIC);
  // Arrival rate over the first and the last tenth of the deliveries: does it hold up as the queue drains?
  const times = [...receiver.arrivals.values()].sort((a, b) => a - b);
  const tenth = Math.max(1, Math.floor(times.length / 10));
  const rate = (from: number, to: number) => ((to - from) / (times[to]! - times[from]!)) * 1000;
  return { ms, fanOutMs: new Date(fanOut.last as Date).getTime() - startedWall, fanOutHandlerMs, deliverHandlerMs, firstTenth: rate(0, tenth), lastTenth: rate(times.length - 1 - tenth, times.length - 1), ...result };
}

/** (a) Baseline: the same messages over the bare transport, by `senders` concurrent senders; building them is not timed. */
async function drainBare(s: Setup, kind: Kind, senders: number, child: ReturnType<typeof childReceiver>, scratch: string) {
  const receiver = await receiverFor(kind, s, child, scratch);
  let ms = 0;
  for (let i = 0; i < s.backlog.length; i += 500) {
    const messages = s.backlog.slice(i, i + 500).map((r) => bareMessage(kind, receiver, s.delivered(r), s.demo));
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: senders }, async () => {
        while (next < messages.length) await messages[next++]!.send();
      }),
    );
    ms += performance.now() - started;
  }
  const counts = await receiver.settle(s.backlog.length);
  await receiver.stop();
  const problems = counts.arrivals === s.backlog.length && !counts.duplicates && !counts.refused ? [] : [`${JSON.stringify(counts)}, expected ${s.backlog.length}`];
  return { ms, ...counts, retries: 0, problems };
}

/** (b) Steady flow through PFTIS: approvals at RATE/s with the poller running; approval commit → arrival. */
async function steadyPftis(s: Setup, kind: Kind, pollMs: number, run: string, child: ReturnType<typeof childReceiver>, scratch: string) {
  const receiver = await receiverFor(kind, s, child, scratch);
  await freshTarget(s, receiver, run);
  await resetQueue(s);
  const reports = s.backlog.slice(0, Math.min(s.backlog.length, Math.round(RATE * STEADY_SECONDS)));
  const approvedAt = new Map<string, number>();
  s.services.outbox.start(pollMs);
  const start = wallClock() + 50;
  await Promise.all(
    reports.map(async (r, i) => {
      await sleepUntil(start + (i * 1000) / RATE);
      await s.database.db.transaction().execute((trx) => enqueue(trx, { topic: APPROVED_TOPIC, key: `approved:${r.reportId}:${r.version}:${run}`, payload: { reportId: r.reportId, version: r.version, campusId: r.campusId }, campusId: r.campusId }));
      approvedAt.set(r.requestNo, wallClock());
    }),
  );
  while ((await pendingCount(s)) > 0) await new Promise((r) => setTimeout(r, 20));
  await s.services.outbox.stop();
  const result = await outcome(s, reports.length, receiver);
  const latencies = reports.map((r) => receiver.arrivals.get(r.requestNo)! - approvedAt.get(r.requestNo)!).filter((l) => Number.isFinite(l));
  await receiver.stop();
  return { latencies, ...result };
}

/** (b) Baseline: the raw send of the same message at the same moments; send start → arrival. */
async function steadyBare(s: Setup, kind: Kind, child: ReturnType<typeof childReceiver>, scratch: string) {
  const receiver = await receiverFor(kind, s, child, scratch);
  const reports = s.backlog.slice(0, Math.min(s.backlog.length, Math.round(RATE * STEADY_SECONDS)));
  const messages = reports.map((r) => bareMessage(kind, receiver, s.delivered(r), s.demo));
  const sentAt = new Map<string, number>();
  const start = wallClock() + 50;
  await Promise.all(
    messages.map(async (m, i) => {
      await sleepUntil(start + (i * 1000) / RATE);
      sentAt.set(m.requestNo, wallClock());
      await m.send();
    }),
  );
  const counts = await receiver.settle(reports.length);
  const latencies = reports.map((r) => receiver.arrivals.get(r.requestNo)! - sentAt.get(r.requestNo)!).filter((l) => Number.isFinite(l));
  await receiver.stop();
  const problems = counts.arrivals === reports.length && !counts.duplicates ? [] : [`${JSON.stringify(counts)}, expected ${reports.length}`];
  return { latencies, ...counts, retries: 0, problems };
}

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - wallClock())));

// ── runs ─────────────────────────────────────────────────────────────────────────────────────────────────────────

const REPORTS = Number(process.env.BENCH_REPORTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGETS = (process.env.BENCH_TARGETS ?? 'http,hl7,fhir,file,sql').split(',').map((k) => k.trim()) as Kind[];
const WORKERS = (process.env.BENCH_WORKERS ?? '1,4').split(',').map(Number);
// PGlite has one session: every transaction waits for the one before, so more workers mostly wait (see the header).
const PGLITE_WORKERS = (process.env.BENCH_PGLITE_WORKERS ?? '1').split(',').map(Number);
const DRAIN_RUNS = Number(process.env.BENCH_DRAIN_RUNS ?? 1);
const BATCH = Number(process.env.BENCH_BATCH ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 5);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 20);
const POLLS = (process.env.BENCH_POLL_MS ?? '100,1000').split(',').map(Number);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',');
const PG_URL = process.env.PFTIS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const median = (values: number[]) => percentile(values, 50);

async function adminPg(statement: string) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

interface DrainRow {
  backend: string;
  kind: Kind;
  workers: number;
  pftis: Array<{ ms: number; fanOutMs: number; fanOutHandlerMs: number; deliverHandlerMs: number; firstTenth: number; lastTenth: number; retries: number }>;
  bare: number[];
}

interface SteadyRow {
  backend: string;
  kind: Kind;
  pollMs: number;
  pftis: Array<[number, number]>;
  bare: Array<[number, number]>;
}

async function main() {
  const started = performance.now();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pftis-bench-delivery-'));
  const child = childReceiver();
  const drains: DrainRow[] = [];
  const steady: SteadyRow[] = [];
  const notes: string[] = [];
  const log = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);
  const pgName = `pftis_bench_delivery_${process.pid}`;
  const p = (l: number[]) => [percentile(l, 50), percentile(l, 95)] as [number, number];
  try {
    for (const backend of BACKENDS) {
      let database: Database;
      const dataDir = await mkdtemp(path.join(scratch, `${backend}-`));
      if (backend === 'postgres') {
        try {
          await adminPg(`create database ${pgName}`);
        } catch (error) {
          notes.push(`PostgreSQL at ${PG_URL} not reachable (${(error as Error).message}): skipped`);
          continue;
        }
        const url = new URL(PG_URL);
        url.pathname = `/${pgName}`;
        database = await openPostgres(url.toString());
      } else {
        database = await openPglite(undefined);
      }
      const label = backend === 'postgres' ? 'PostgreSQL server' : 'embedded PGlite';
      const s = await setup(label, database, dataDir);
      log(`${label}: 5 reports approved through the services, cloned to ${s.backlog.length}, in ${(s.setupMs / 1000).toFixed(1)} s; loadDeliveredReport ${ms(s.loadMs)} per report, of which the PDF signature check ${ms(s.verifyMs)}`);
      notes.push(`${label}: loading one approved version for delivery (loadDeliveredReport, measured alone) takes ${ms(s.loadMs)}, of which checking the PDF signature ${ms(s.verifyMs)}`);
      try {
        for (const kind of TARGETS) {
          for (const workers of DRAIN_RUNS > 0 ? (backend === 'pglite' ? PGLITE_WORKERS : WORKERS) : []) {
            const row: DrainRow = { backend: label, kind, workers, pftis: [], bare: [] };
            for (let run = 1; run <= DRAIN_RUNS; run++) {
              // Alternate which goes first, so both see the same share of whatever else the machine is doing.
              for (const who of run % 2 ? ['pftis', 'bare'] : ['bare', 'pftis']) {
                if (who === 'pftis') {
                  const r = await drainPftis(s, kind, workers, `${backend}-${kind}-${workers}-${run}`, child, scratch);
                  if (r.problems.length) notes.push(`${backend} ${kind} ×${workers} run ${run}, PFTIS: ${r.problems.join('; ')}`);
                  row.pftis.push(r);
                  log(`${backend} ${kind} ×${workers} run ${run}: PFTIS ${(r.ms / 1000).toFixed(1)} s = ${((s.backlog.length / r.ms) * 1000).toFixed(1)}/s (fan-out done at ${(r.fanOutMs / 1000).toFixed(1)} s; per report: fan-out handler ${ms(r.fanOutHandlerMs / REPORTS)}, delivery handler ${ms(r.deliverHandlerMs / REPORTS)}; arrivals ${r.firstTenth.toFixed(0)}/s in the first tenth, ${r.lastTenth.toFixed(0)}/s in the last; ${r.arrivals} arrived, ${r.duplicates} duplicates, ${r.retries} retries)`);
                } else {
                  const r = await drainBare(s, kind, workers, child, scratch);
                  if (r.problems.length) notes.push(`${backend} ${kind} ×${workers} run ${run}, bare: ${r.problems.join('; ')}`);
                  row.bare.push(r.ms);
                  log(`${backend} ${kind} ×${workers} run ${run}: bare ${(r.ms / 1000).toFixed(1)} s = ${((s.backlog.length / r.ms) * 1000).toFixed(1)}/s`);
                }
              }
            }
            drains.push(row);
          }
          if (STEADY_SECONDS > 0) {
            // The server's own poll interval only for the first target: its ceiling does not depend on the target.
            for (const pollMs of POLLS.filter((ms, i) => i === 0 || kind === TARGETS[0])) {
              const row: SteadyRow = { backend: label, kind, pollMs, pftis: [], bare: [] };
              for (let run = 1; run <= RUNS; run++) {
                const a = await steadyPftis(s, kind, pollMs, `${backend}-${kind}-steady-${pollMs}-${run}`, child, scratch);
                if (a.problems.length) notes.push(`${backend} ${kind} steady ${pollMs} ms run ${run}, PFTIS: ${a.problems.join('; ')}`);
                const b = await steadyBare(s, kind, child, scratch);
                if (b.problems.length) notes.push(`${backend} ${kind} steady run ${run}, bare: ${b.problems.join('; ')}`);
                row.pftis.push(p(a.latencies));
                row.bare.push(p(b.latencies));
                log(`${backend} ${kind} steady, poller ${pollMs} ms, run ${run}: PFTIS p50 ${ms(row.pftis.at(-1)![0])} p95 ${ms(row.pftis.at(-1)![1])}; bare p50 ${ms(row.bare.at(-1)![0])} p95 ${ms(row.bare.at(-1)![1])}`);
              }
              steady.push(row);
            }
          }
        }
      } finally {
        await s.close();
        if (backend === 'postgres') await adminPg(`drop database if exists ${pgName} with (force)`);
      }
    }
  } finally {
    child.close();
    await rm(scratch, { recursive: true, force: true });
  }
  report(drains, steady, notes, performance.now() - started);
}

const kindLabel: Record<Kind, string> = {
  sql: 'SQL write-back (INSERT into PFT_REPORT, demo HIS on PGlite)',
  http: 'web service (HTTP POST, JSON with the PDF)',
  hl7: 'HL7 v2 ORU^R01 over MLLP (GBK)',
  fhir: 'FHIR transaction Bundle (HTTP POST)',
  file: 'file drop (PDF + JSON sidecar)',
};
const bareLabel: Record<Kind, string> = {
  sql: 'the same INSERT with the same parameters straight into the HIS PGlite',
  http: 'fetch POST of the same body and headers',
  hl7: 'the same ORU framed and sent over net, a connection per message, ACK awaited',
  fhir: 'fetch POST of the same Bundle',
  file: 'writeFile of the same PDF and sidecar',
};
const ms = (v: number) => (v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`);
const sec = (v: number) => `${(v / 1000).toFixed(1)} s`;

function report(drains: DrainRow[], steady: SteadyRow[], notes: string[], totalMs: number) {
  const cpu = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
  console.log(drains.length ? `\nDelivery to the HIS, backlog of ${REPORTS} approved reports, ${DRAIN_RUNS} drain(s) per row (median); worker: runOnce(${BATCH}) back to back` : '\nDelivery to the HIS');
  console.log(`(${cpu.length} × ${cpu[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average at the end ${load}; total ${(totalMs / 60_000).toFixed(1)} min)\n`);
  for (const n of notes) console.log(`Note: ${n}\n`);
  if (drains.length) {
    console.log('| database | target | subject | drain time | reports/s | PFTIS / bare | fan-out done at | per report: fan-out handler, delivery handler | arrivals/s first → last tenth | all runs |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of drains) {
      const pm = median(r.pftis.map((x) => x.ms));
      const bm = median(r.bare);
      const plural = r.workers > 1 ? 's' : '';
      console.log(`| ${r.backend} | ${kindLabel[r.kind]} | PFTIS, ${r.workers} worker${plural} | ${sec(pm)} | ${((REPORTS / pm) * 1000).toFixed(1)} | ${(pm / bm).toFixed(1)}× | ${sec(median(r.pftis.map((x) => x.fanOutMs)))} | ${ms(median(r.pftis.map((x) => x.fanOutHandlerMs)) / REPORTS)}, ${ms(median(r.pftis.map((x) => x.deliverHandlerMs)) / REPORTS)} | ${median(r.pftis.map((x) => x.firstTenth)).toFixed(0)} → ${median(r.pftis.map((x) => x.lastTenth)).toFixed(0)} | ${r.pftis.map((x) => sec(x.ms)).join(', ')}; retries ${r.pftis.map((x) => x.retries).join(', ')} |`);
      console.log(`| | | baseline: ${bareLabel[r.kind]}, ${r.workers} sender${plural} | ${sec(bm)} | ${((REPORTS / bm) * 1000).toFixed(1)} | | | | | ${r.bare.map(sec).join(', ')} |`);
    }
  }
  if (steady.length) {
    console.log(`\nSteady flow: ${RATE} approvals/s for ${STEADY_SECONDS} s (${Math.round(RATE * STEADY_SECONDS)} reports), ${RUNS} runs, medians of each run's p50 and p95; approval commit → arrival; baseline: the bare send of the same message at the same moments, send → arrival\n`);
    console.log('| database | target | poller interval | PFTIS p50 | PFTIS p95 | bare p50 | bare p95 | all runs, p50/p95 (PFTIS; bare) |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of steady) {
      const m = (rs: Array<[number, number]>, k: 0 | 1) => median(rs.map((x) => x[k]));
      // Below the clock's resolution (file mtime, JSSJ), a bare latency reads as at most the resolution.
      const resolution = r.kind === 'file' ? 4 : r.kind === 'sql' ? 1 : 0;
      const bare = (v: number) => (v < resolution ? `≤ ${resolution} ms` : ms(v));
      console.log(`| ${r.backend} | ${kindLabel[r.kind]} | ${r.pollMs} ms | ${ms(m(r.pftis, 0))} | ${ms(m(r.pftis, 1))} | ${bare(m(r.bare, 0))} | ${bare(m(r.bare, 1))} | ${r.pftis.map((x) => `${x[0].toFixed(0)}/${x[1].toFixed(0)}`).join(', ')}; ${r.bare.map((x) => `${x[0].toFixed(1)}/${x[1].toFixed(1)}`).join(', ')} |`);
    }
  }
}

if (process.argv.includes('--receiver')) receiverChild();
else await main();
