import http from 'node:http';
import net from 'node:net';
import { frameMllp, MllpFrameReader } from '@pftis/formats/hl7/mllp';
import { type Arrival, type ArrivalCounts, createArrivalStore, type ReceiverChannel, receiverChannels } from './arrivals.js';
import { createFhirStore, operationOutcome } from './fhir.js';
import { createFileDrop } from './file-drop.js';
import { buildAck, decodeHl7Bytes, detectHl7Encoding, encodeHl7Text, type Hl7Encoding, readOruForHis } from './hl7.js';
import { RestartableListener } from './listener.js';
import type { ModeState, ReceiverMode } from './modes.js';
import { decodeBody, fieldsFromTree, parseBody } from './report-fields.js';
import { createReportTablePoller, type ReportTableSource } from './report-table.js';
import { arrivalJson, renderViewer } from './viewer.js';

/** The web service's token in the demo (sent as `Authorization: Bearer demo-his-token`). */
export const DEMO_RECEIVER_TOKEN = 'demo-his-token';

export interface ReportReceiverOptions {
  /** Loopback by default. */
  host?: string;
  /** The read-only page: GET / (HTML), GET /arrivals (JSON), GET /arrivals/:receiptNo/document. Port 0 = random. */
  viewer?: { port?: number } | false;
  /**
   * The integration platform's report-publish web service: POST {path} with a JSON or XML body. Auth: the header
   * `authHeader` (default Authorization) must be `Bearer <token>` or the token itself; token null = no check.
   */
  http?: { port?: number; path?: string; token?: string | null; authHeader?: string; maxBodyBytes?: number } | false;
  /** FHIR R4 base `/fhir`: POST a transaction Bundle; GET /fhir/{type}/{id}; token null (default) = no check. */
  fhir?: { port?: number; token?: string | null; maxBodyBytes?: number } | false;
  /** HL7 v2 ORU^R01 over MLLP; messages read and ACKs written in `encoding`; 'auto' (default) by MSH-18, else UTF-8 if valid, else GB18030. */
  mllp?: { port?: number; encoding?: Hl7Encoding | 'auto' } | false;
  /** The shared folder PFTIS drops `*.pdf`/`*.jpg` + sidecar into; off unless given. */
  file?: { folder: string; pollMs?: number } | false;
  /** The HIS database's PFT_REPORT table, polled for what PFTIS wrote back; off unless given. */
  sql?: { source: ReportTableSource; pollMs?: number; ensureTable?: boolean } | false;
  /** How long 'slow' holds an answer back unless setMode says (default 35 s). */
  slowMs?: number;
  now?: () => Date;
}

export interface ReportReceiver {
  host: string;
  /** Bound ports (null: channel off). They stay the same across down/up. */
  ports: { viewer: number | null; http: number | null; fhir: number | null; mllp: number | null };
  urls: { viewer: string | null; reportPublish: string | null; fhir: string | null; mllp: string | null };
  token: string | null;
  fileFolder: string | null;
  arrivals(): Arrival[];
  /** Every arrival for one 申请单号, in order of arrival. */
  arrivalsByOrder(requestNo: string): Arrival[];
  counts(): ArrivalCounts;
  onArrival(listener: (arrival: Arrival) => void): () => void;
  /** The first arrival (already there or still to come) that matches; rejects after timeoutMs. */
  waitForArrival(predicate?: (arrival: Arrival) => boolean, timeoutMs?: number): Promise<Arrival>;
  setMode(mode: ReceiverMode, channel?: ReceiverChannel | ReceiverChannel[] | 'all', options?: { delayMs?: number; nak?: 'AE' | 'AR' }): Promise<void>;
  modes(): Record<ReceiverChannel, ReceiverMode>;
  /** One pass over the drop folder now; returns the pairs taken (stored or duplicate). */
  pollFiles(): Promise<number>;
  /** One pass over PFT_REPORT now; returns the new rows plus the rows newly set to ZT = '3' (revokes). */
  pollSql(): Promise<number>;
  fhirResource(type: string, id: string): unknown;
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json; charset=utf-8') => {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

const charsetOf = (contentType: string | null) => /charset=([^;]+)/i.exec(contentType ?? '')?.[1]?.trim() ?? null;

/**
 * The demo hospital's report receivers, all on loopback: the web service, FHIR and MLLP listeners, the shared folder
 * and the PFT_REPORT table, feeding one arrival store, with fault injection per channel and a read-only page.
 */
export async function createReportReceiver(options: ReportReceiverOptions = {}): Promise<ReportReceiver> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => new Date());
  const slowMs = options.slowMs ?? 35_000;
  const store = createArrivalStore(now);
  let receiver: ReportReceiver | undefined;
  const fhirStore = createFhirStore(now);
  const state = Object.fromEntries(receiverChannels.map((c) => [c, { mode: 'up', delayMs: slowMs, nak: 'AE' } satisfies ModeState])) as Record<ReceiverChannel, ModeState>;

  // Answers held back by 'slow'; close() lets them go at once.
  const pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const hold = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => (pending.delete(entry), resolve()), ms), resolve };
      pending.add(entry);
    });

  const httpOptions = options.http === false ? null : { port: 0, path: '/report-publish', token: DEMO_RECEIVER_TOKEN, authHeader: 'authorization', maxBodyBytes: 64 * 1024 * 1024, ...options.http };
  const fhirOptions = options.fhir === false ? null : { port: 0, token: null, maxBodyBytes: 64 * 1024 * 1024, ...options.fhir };
  const mllpOptions = options.mllp === false ? null : { port: 0, encoding: 'auto' as Hl7Encoding | 'auto', ...options.mllp };
  const viewerOptions = options.viewer === false ? null : { port: 0, ...options.viewer };

  const authorized = (req: http.IncomingMessage, header: string, token: string | null) => {
    if (token === null) return true;
    const value = req.headers[header.toLowerCase()];
    const given = Array.isArray(value) ? value[0] : value;
    return given === token || given === `Bearer ${token}`;
  };

  // ---- the read-only page, on its own port and on the web service's
  const endpoints = (): Array<[string, string]> =>
    [
      ['Web 服务', receiver?.urls.reportPublish],
      ['FHIR', receiver?.urls.fhir],
      ['HL7 MLLP', receiver?.urls.mllp],
      ['共享目录', fileDrop?.folder],
    ].filter((e): e is [string, string] => typeof e[1] === 'string');

  function serveViewer(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    if (req.method !== 'GET') return false;
    if (url.pathname === '/') {
      json(res, 200, renderViewer(store.list(), store.counts(), modes(), endpoints()), 'text/html; charset=utf-8');
      return true;
    }
    if (url.pathname === '/arrivals') {
      const requestNo = url.searchParams.get('requestNo');
      const list = requestNo ? store.byOrder(requestNo) : store.list();
      const orders = [...new Set(list.map((a) => a.orderNo))].map((orderNo) => {
        const mine = list.filter((a) => a.orderNo === orderNo);
        return {
          requestNo: orderNo,
          patientName: mine.find((a) => a.patientName)?.patientName ?? null,
          // Versions in force: neither superseded nor withdrawn (a revoke is not a version).
          current: mine.filter((a) => !a.superseded && !a.withdrawn && a.action !== 'revoke').map((a) => a.receiptNo),
          versions: mine.map((a) => ({ version: a.version, channel: a.channel, receivedAt: a.receivedAt, superseded: a.superseded, withdrawn: a.withdrawn, action: a.action, receiptNo: a.receiptNo })),
        };
      });
      json(res, 200, { counts: store.counts(), modes: modes(), orders, arrivals: list.map(arrivalJson) });
      return true;
    }
    const document = /^\/arrivals\/([^/]+)\/document$/.exec(url.pathname);
    if (document) {
      const arrival = store.byReceipt(decodeURIComponent(document[1]!));
      const bytes = arrival?.document?.bytes;
      if (!arrival || !bytes) json(res, 404, { code: 404, message: '没有这份报告文件' });
      else {
        res.writeHead(200, { 'content-type': arrival.document!.kind === 'jpg' ? 'image/jpeg' : 'application/pdf', 'content-length': bytes.length });
        res.end(bytes);
      }
      return true;
    }
    return false;
  }

  // ---- 1. the web service
  async function webService(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (serveViewer(req, res, url)) return;
    const o = httpOptions!;
    if (req.method !== 'POST' || url.pathname !== o.path) return json(res, 404, { code: 404, message: `没有这个服务：${req.method} ${url.pathname}` });
    const { mode, delayMs } = state.http;
    if (!authorized(req, o.authHeader, o.token)) {
      store.refuse('http');
      req.resume();
      return json(res, 401, { code: 401, message: '认证失败：令牌无效' });
    }
    if (mode === 'http500' || mode === 'nak') {
      store.refuse('http');
      req.resume();
      return mode === 'http500' ? json(res, 500, { code: 500, message: 'HIS 服务内部错误（模拟故障）' }) : json(res, 200, { code: 1001, message: '业务校验未通过，报告未接收（模拟拒收）' });
    }
    let raw: Uint8Array;
    try {
      raw = await readBody(req, o.maxBodyBytes);
    } catch (error) {
      store.refuse('http');
      return json(res, error instanceof BodyTooLarge ? 413 : 400, { code: error instanceof BodyTooLarge ? 413 : 400, message: '请求体过大或读取失败' });
    }
    const contentType = req.headers['content-type'] ?? null;
    if (contentType && !/json|xml/i.test(contentType)) {
      store.refuse('http');
      return json(res, 415, { code: 415, message: `不支持的 Content-Type：${contentType}，请用 application/json 或 application/xml` });
    }
    const parsed = parseBody(decodeBody(raw, charsetOf(contentType)), contentType);
    if (!parsed.ok) {
      store.refuse('http');
      return json(res, 400, { code: 4000, message: parsed.reason });
    }
    const fields = fieldsFromTree(parsed.tree);
    const header = req.headers['idempotency-key'];
    const idempotencyKey = (Array.isArray(header) ? header[0] : header) ?? fields.idempotencyKey;
    if (!idempotencyKey) {
      store.refuse('http');
      return json(res, 400, { code: 4001, message: '缺少 Idempotency-Key（请求头或报文 idempotencyKey）' });
    }
    if (!fields.orderNo && !fields.accessionNo) {
      store.refuse('http');
      return json(res, 400, { code: 4002, message: '缺少申请单号（requestNo）' });
    }
    const { arrival, duplicate } = store.record('http', { ...fields, idempotencyKey }, { raw, source: { contentType: contentType ?? '' } });
    if (mode === 'slow') await hold(delayMs);
    if (mode === 'malformedAck') return json(res, 200, '<html><body>502 Bad Gateway (nginx)</body>', 'application/json; charset=utf-8');
    json(res, 200, { code: 0, message: 'ok', receiptNo: arrival.receiptNo, duplicate });
  }

  // ---- 2. FHIR
  async function fhir(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (serveViewer(req, res, url)) return;
    const o = fhirOptions!;
    const fhirJson = (status: number, body: unknown) => json(res, status, body, 'application/fhir+json; charset=utf-8');
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/fhir/metadata') {
      return fhirJson(200, { resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], rest: [{ mode: 'server', interaction: [{ code: 'transaction' }, { code: 'batch' }] }] });
    }
    const read = /^\/fhir\/([A-Za-z]+)\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && read) {
      const resource = fhirStore.read(read[1]!, read[2]!);
      return resource ? fhirJson(200, resource) : fhirJson(404, operationOutcome('error', 'not-found', `${read[1]}/${read[2]} 不存在`));
    }
    if (req.method !== 'POST' || path !== '/fhir') return fhirJson(404, operationOutcome('error', 'not-supported', `${req.method} ${url.pathname} 不支持`));
    const { mode, delayMs } = state.fhir;
    if (!authorized(req, 'authorization', o.token)) {
      store.refuse('fhir');
      req.resume();
      return fhirJson(401, operationOutcome('error', 'security', '认证失败'));
    }
    if (mode === 'http500' || mode === 'nak') {
      store.refuse('fhir');
      req.resume();
      return mode === 'http500' ? fhirJson(500, operationOutcome('fatal', 'exception', 'HIS 服务内部错误（模拟故障）')) : fhirJson(422, operationOutcome('error', 'business-rule', '业务校验未通过，报告未接收（模拟拒收）'));
    }
    let raw: Uint8Array;
    try {
      raw = await readBody(req, o.maxBodyBytes);
    } catch {
      store.refuse('fhir');
      return fhirJson(413, operationOutcome('error', 'too-costly', '请求体过大或读取失败'));
    }
    const contentType = req.headers['content-type'] ?? null;
    if (contentType && !/json/i.test(contentType)) {
      store.refuse('fhir');
      return fhirJson(415, operationOutcome('error', 'not-supported', `不支持的 Content-Type：${contentType}`));
    }
    let bundle: unknown;
    try {
      bundle = JSON.parse(decodeBody(raw, charsetOf(contentType)));
    } catch (error) {
      store.refuse('fhir');
      return fhirJson(400, operationOutcome('error', 'structure', `JSON 无法解析: ${(error as Error).message}`));
    }
    const outcome = fhirStore.transaction(bundle);
    if (outcome.status >= 400) store.refuse('fhir');
    if (outcome.report) store.record('fhir', outcome.report.fields, { extraKeys: outcome.report.extraKeys, source: outcome.report.source, raw });
    if (mode === 'slow') await hold(delayMs);
    if (mode === 'malformedAck' && outcome.status < 400) return json(res, 200, '<html><body>502 Bad Gateway</body>', 'application/fhir+json; charset=utf-8');
    fhirJson(outcome.status, outcome.body);
  }

  // ---- 3. MLLP
  let ackSequence = 0;
  async function mllpFrame(socket: net.Socket, frame: Uint8Array) {
    const o = mllpOptions!;
    const { mode, delayMs, nak } = state.mllp;
    const encoding = o.encoding === 'auto' ? detectHl7Encoding(frame) : o.encoding;
    const send = (text: string | Uint8Array) => {
      if (!socket.destroyed && socket.writable) socket.write(frameMllp(typeof text === 'string' ? encodeHl7Text(text, encoding) : text));
    };
    const reading = readOruForHis(decodeHl7Bytes(frame, encoding));
    const ack = (code: 'AA' | 'AE' | 'AR', text: string, controlId: string, msh: string[] | null) => buildAck({ code, text, controlId, msh, ackId: `ACK${String(++ackSequence).padStart(8, '0')}`, at: now() });
    const msh = reading.ok ? reading.value.msh : reading.msh;
    const controlId = reading.ok ? reading.value.controlId : reading.controlId;
    if (mode === 'nak' || mode === 'http500') {
      store.refuse('mllp');
      return send(ack(mode === 'nak' ? nak : 'AR', mode === 'nak' ? '业务校验未通过，报告未接收（模拟拒收）' : 'HIS 内部错误（模拟故障）', controlId, msh));
    }
    if (!reading.ok) {
      store.refuse('mllp');
      return send(ack(reading.code, reading.reason, reading.controlId, reading.msh));
    }
    const m = reading.value;
    const { duplicate } = store.record('mllp', m.fields, { extraKeys: [`msh10:${m.controlId}`], raw: frame, source: { controlId: m.controlId, sendingApplication: m.sendingApplication, sendingFacility: m.sendingFacility } });
    if (mode === 'slow') await hold(delayMs);
    if (mode === 'malformedAck') return send(encodeHl7Text('<html>not an acknowledgement</html>\r', encoding));
    send(ack('AA', duplicate ? '重复消息，已确认，未重复入库' : '已接收', m.controlId, m.msh));
  }

  // ---- listeners
  const listeners: Partial<Record<ReceiverChannel, RestartableListener>> = {};
  const handle = (fn: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    fn(req, res).catch((error: unknown) => json(res, 500, { code: 500, message: `HIS 处理失败：${(error as Error).message}` }));
  };
  if (httpOptions) listeners.http = new RestartableListener(http.createServer(handle(webService)), host, httpOptions.port);
  if (fhirOptions) listeners.fhir = new RestartableListener(http.createServer(handle(fhir)), host, fhirOptions.port);
  if (mllpOptions) {
    const server = net.createServer((socket) => {
      const reader = new MllpFrameReader();
      let chain: Promise<unknown> = Promise.resolve();
      socket.setNoDelay(true);
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) chain = chain.then(() => mllpFrame(socket, frame)).catch(() => {});
      });
    });
    listeners.mllp = new RestartableListener(server, host, mllpOptions.port);
  }
  const viewer = viewerOptions ? new RestartableListener(http.createServer(handle(async (req, res) => void (serveViewer(req, res, new URL(req.url ?? '/', 'http://localhost')) || json(res, 404, { code: 404, message: 'not found' })))), host, viewerOptions.port) : null;

  // ---- 5. file drop, 4. SQL: pollers
  const fileDrop = options.file ? createFileDrop(options.file.folder) : null;
  const reportTable = options.sql ? createReportTablePoller(options.sql.source) : null;
  if (reportTable && options.sql && options.sql.ensureTable !== false) await reportTable.ensureTable();
  let serial: Promise<unknown> = Promise.resolve();
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = serial.then(fn);
    serial = run.catch(() => {});
    return run;
  };
  const lastPoll: Partial<Record<ReceiverChannel, number>> = {};
  const due = (channel: ReceiverChannel) => {
    const { mode, delayMs } = state[channel];
    if (mode === 'down') return false;
    if (mode !== 'slow') return true;
    const last = lastPoll[channel];
    if (last !== undefined && now().getTime() - last < delayMs) return false;
    lastPoll[channel] = now().getTime();
    return true;
  };

  const pollFiles = () =>
    serialised(async () => {
      if (!fileDrop || !due('file')) return 0;
      let taken = 0;
      for (const pair of await fileDrop.settled()) {
        const { mode } = state.file;
        if (mode === 'nak' || mode === 'http500') {
          store.refuse('file');
          await fileDrop.archive(pair, 'error', mode === 'nak' ? '模拟拒收（nak）' : '模拟故障（http500）');
          continue;
        }
        const outcome = await fileDrop.take(pair);
        if (!outcome.fields) {
          store.refuse('file');
          await fileDrop.archive(pair, 'error', outcome.reason);
          continue;
        }
        store.record('file', outcome.fields, { raw: outcome.raw, source: { document: pair.documents.join(' '), pages: String(pair.documents.length), sidecar: pair.sidecar } });
        await fileDrop.archive(pair, 'done');
        taken += 1;
      }
      return taken;
    });

  const markedSuperseded = new Set<number>();
  const pollSql = () =>
    serialised(async () => {
      if (!reportTable || !due('sql')) return 0;
      const rows = await reportTable.newRows();
      for (const row of rows) store.record('sql', row.fields, { extraKeys: [`row:${row.id}`], source: { row: String(row.id), table: 'PFT_REPORT' } });
      // A row PFTIS set to ZT = '3' (reportRevokeSql): the withdrawal of that version.
      const revocations = await reportTable.newRevocations();
      for (const row of revocations) store.record('sql', row.fields, { extraKeys: [`row:${row.id}`], source: { row: String(row.id), table: 'PFT_REPORT', zt: '3' } });
      const superseded = store
        .list()
        .filter((a) => a.channel === 'sql' && a.action !== 'revoke' && a.superseded && !markedSuperseded.has(Number(a.source.row)))
        .map((a) => Number(a.source.row));
      await reportTable.markSuperseded(superseded);
      for (const id of superseded) markedSuperseded.add(id);
      return rows.length + revocations.length;
    });

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => Promise<unknown>) => {
    const timer = setInterval(() => void fn().catch(() => {}), ms);
    timer.unref();
    timers.push(timer);
  };
  if (fileDrop && options.file) every(options.file.pollMs ?? 1000, pollFiles);
  if (reportTable && options.sql) every(options.sql.pollMs ?? 1000, pollSql);

  // ---- start
  for (const listener of Object.values(listeners)) await listener.start();
  await viewer?.start();

  function modes(): Record<ReceiverChannel, ReceiverMode> {
    return Object.fromEntries(receiverChannels.map((c) => [c, state[c].mode])) as Record<ReceiverChannel, ReceiverMode>;
  }

  const portOf = (l: RestartableListener | null | undefined) => (l ? l.port : null);
  const ports = { viewer: portOf(viewer), http: portOf(listeners.http), fhir: portOf(listeners.fhir), mllp: portOf(listeners.mllp) };
  receiver = {
    host,
    ports,
    urls: {
      viewer: ports.viewer === null ? null : `http://${host}:${ports.viewer}/`,
      reportPublish: ports.http === null ? null : `http://${host}:${ports.http}${httpOptions!.path}`,
      fhir: ports.fhir === null ? null : `http://${host}:${ports.fhir}/fhir`,
      mllp: ports.mllp === null ? null : `mllp://${host}:${ports.mllp}`,
    },
    token: httpOptions?.token ?? null,
    fileFolder: fileDrop?.folder ?? null,
    arrivals: () => store.list(),
    arrivalsByOrder: (requestNo) => store.byOrder(requestNo),
    counts: () => store.counts(),
    onArrival: (listener) => store.onArrival(listener),
    waitForArrival(predicate = () => true, timeoutMs = 10_000) {
      const found = store.list().find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<Arrival>((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`no matching arrival within ${timeoutMs} ms`));
        }, timeoutMs);
        const off = store.onArrival((arrival) => {
          if (!predicate(arrival)) return;
          clearTimeout(timer);
          off();
          resolve(arrival);
        });
      });
    },
    async setMode(mode, channel = 'all', o = {}) {
      const targets = channel === 'all' ? receiverChannels : Array.isArray(channel) ? channel : [channel];
      for (const c of targets) {
        state[c] = { mode, delayMs: o.delayMs ?? slowMs, nak: o.nak ?? 'AE' };
        delete lastPoll[c];
        const listener = listeners[c];
        if (listener) await (mode === 'down' ? listener.stop() : listener.start());
      }
    },
    modes,
    pollFiles,
    pollSql,
    fhirResource: (type, id) => fhirStore.read(type, id),
    async close() {
      for (const timer of timers) clearInterval(timer);
      for (const entry of pending) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      pending.clear();
      await serial;
      await Promise.all([...Object.values(listeners), ...(viewer ? [viewer] : [])].map((l) => l.stop()));
    },
  };
  return receiver;
}
