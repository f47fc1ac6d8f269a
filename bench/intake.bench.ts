// Scan-to-card latency over HTTP with the HIS on MariaDB holding 1,000,000 patients and about 3,000,000 orders,
// side by side with the bare SQL of the same two look-ups (patient by card, then their pending orders) run
// directly with mysql2 in the same run. The HIS database is generated once (several minutes) and reused.
// The cards scanned are those of patients with PFT orders waiting, as at a lab's desk (BENCH_CARDS=random: any card,
// which mostly finds no order and so skips the registered-exams query).
//   PFTIS_BENCH_MARIADB_URL (default mysql://root@127.0.0.1:3306), BENCH_PATIENTS (default 1000000), BENCH_SCANS (default 1000),
//   BENCH_CARDS (pending | random, default pending), BENCH_DATABASES (pglite,postgres by default)
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createMysqlHis } from '@pftis/his-sim';
import mysql from 'mysql2/promise';
import { buildApp } from '../packages/server/src/app.ts';
import { type Database, openPglite, openPostgres } from '../packages/server/src/db/database.ts';
import { migrateToLatest } from '../packages/server/src/db/migrate.ts';
import { systemActor } from '../packages/server/src/platform/audit.ts';
import { loadConfig } from '../packages/server/src/platform/config.ts';

const adminUrl = process.env.PFTIS_BENCH_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
const patients = Number(process.env.BENCH_PATIENTS ?? 1_000_000);
const scans = Number(process.env.BENCH_SCANS ?? 1000);
const cardKind = process.env.BENCH_CARDS === 'random' ? 'random' : 'pending';
const databases = (process.env.BENCH_DATABASES ?? 'pglite,postgres').split(',');
const name = `pftis_bench_his_${patients}`;
const today = new Date(Date.UTC(2026, 10, 25));

async function ensureHis(): Promise<string> {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const probe = await mysql.createConnection(adminUrl);
  const [rows] = await probe.query<mysql.RowDataPacket[]>(`SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'HIS_BRXX'`, [name]);
  await probe.end();
  if (rows[0] && Number(rows[0].n) > patients * 0.9) return url.toString();
  console.log(`generating the HIS: ${patients} patients (one-time)…`);
  const started = Date.now();
  await createMysqlHis(adminUrl, name, {
    patients,
    today,
    historicalOrders: 2,
    todayShare: 0.002,
    onProgress: (done) => done % 100_000 === 0 && console.log(`  ${done} patients (${Math.round((Date.now() - started) / 1000)} s)`),
  });
  return url.toString();
}

// The client writes HTTP/1.1 on one kept-alive socket and reads the reply by its Content-Length, as a browser's own
// network stack does outside the page. Its work runs on the server's thread here, so the lighter it is, the more
// of what is measured is the server's: node:http's client costs about 0.3 ms more per request, undici's 0.7 ms.
function httpClient(base: string) {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  socket.setNoDelay(true);
  let received: Buffer = Buffer.alloc(0);
  let waiting: { resolve: (reply: { status: number; body: string }) => void; reject: (error: Error) => void } | null = null;
  socket.on('data', (chunk: Buffer) => {
    received = received.length ? Buffer.concat([received, chunk]) : chunk;
    const headerEnd = received.indexOf('\r\n\r\n');
    if (headerEnd < 0 || !waiting) return;
    const head = received.subarray(0, headerEnd).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
    if (Number.isNaN(length)) return waiting.reject(new Error(`no content-length in ${head}`));
    if (received.length < headerEnd + 4 + length) return;
    const body = received.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
    received = received.subarray(headerEnd + 4 + length);
    const done = waiting;
    waiting = null;
    done.resolve({ status: Number(head.slice(9, 12)), body });
  });
  socket.on('error', (error) => waiting?.reject(error));
  return {
    post(path: string, body: string, headers: Record<string, string>) {
      const lines = Object.entries({ host: `${hostname}:${port}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
      return new Promise<{ status: number; body: string }>((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(`POST ${path} HTTP/1.1\r\n${lines.join('')}\r\n${body}`);
      });
    },
    close: () => socket.destroy(),
  };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const hisUrl = await ensureHis();
const his = await mysql.createConnection(hisUrl);
const [[counts]] = await his.query<mysql.RowDataPacket[]>('SELECT (SELECT COUNT(*) FROM HIS_BRXX) AS patients, (SELECT COUNT(*) FROM HIS_JCSQ) AS orders');

async function measure(database: Database, cards: string[]) {
  await migrateToLatest(database.db);
  const config = loadConfig({}, { logLevel: 'silent', demo: false, port: 0, host: '127.0.0.1', dataDir: await mkdtemp(path.join(os.tmpdir(), 'pftis-bench-')) });
  const { app, services } = await buildApp({ config, database, secretKey: randomBytes(32).toString('hex'), his: { kind: 'mysql', url: hisUrl }, logger: false });
  const campus = await services.org.createCampus(systemActor('bench'), { code: 'MAIN', name: '本部院区' });
  const roles = await services.accounts.listRoles();
  await services.accounts.createUser(systemActor('bench'), { username: 'tech', displayName: '技师', password: 'Bench-Pass-2026', roleIds: [roles.find((r) => r.code === 'technician')!.id], campusIds: [campus.id] }, { mustChangePassword: false });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tech', password: 'Bench-Pass-2026' }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const client = httpClient(base);
  const viaHttp: number[] = [];
  const bare: number[] = [];
  // Interleaved, so both subjects see the same cache state of the HIS.
  for (const [i, card] of cards.entries()) {
    const measureHttp = async () => {
      const t0 = performance.now();
      const { status, body } = await client.post('/api/exams/scan', JSON.stringify({ code: card }), { cookie, 'x-csrf-token': csrfToken });
      if (status !== 200) throw new Error(`scan ${card}: ${status} ${body}`);
      JSON.parse(body);
      return performance.now() - t0;
    };
    const measureBare = async () => {
      const t0 = performance.now();
      const [p] = await his.query<mysql.RowDataPacket[]>('SELECT BRID, BRXM, XB, CSRQ, SFZH, LXDH, JTDZ, JZKH, MZH, ZYH FROM V_PFT_PATIENT WHERE JZKH = ?', [card]);
      await his.query("SELECT SQDH, BRID, JZLB, JZLSH, MZH, ZYH, BQ, CH, XMDM, XMMC, SQKS, SQYS, LCZD, SQSJ, ZXKS, ZT, SG, TZ FROM V_PFT_APPLY WHERE BRID = ? AND ZT IN ('0', '1') ORDER BY SQSJ", [p[0]!.BRID]);
      return performance.now() - t0;
    };
    if (i % 2) {
      viaHttp.push(await measureHttp());
      bare.push(await measureBare());
    } else {
      bare.push(await measureBare());
      viaHttp.push(await measureHttp());
    }
  }
  client.close();
  await app.close();
  await database.close();
  return { viaHttp, bare };
}

const cardsWithOrders = (
  await his.query<mysql.RowDataPacket[]>("SELECT DISTINCT p.JZKH AS card FROM V_PFT_APPLY a JOIN V_PFT_PATIENT p ON p.BRID = a.BRID WHERE a.ZT IN ('0', '1')")
)[0].map((r) => String(r.card));
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
const randomCards = () =>
  Array.from({ length: scans }, () => (cardKind === 'random' ? `9${String(1 + Math.floor(Math.random() * patients)).padStart(9, '0')}` : pick(cardsWithOrders)));
const runs: Array<[string, { viaHttp: number[]; bare: number[] }]> = [];
if (databases.includes('pglite')) runs.push(['PFTIS on embedded PGlite', await measure(await openPglite(undefined), randomCards())]);
const pgUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgName = `pftis_bench_${process.pid}`;
if (databases.includes('postgres')) {
  await adminPg(pgUrl, `create database ${pgName}`);
  const url = new URL(pgUrl);
  url.pathname = `/${pgName}`;
  runs.push(['PFTIS on a PostgreSQL server', await measure(await openPostgres(url.toString()), randomCards())]);
  await adminPg(pgUrl, `drop database ${pgName} with (force)`);
}
await his.end();

async function adminPg(url: string, statement: string) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(statement);
  await client.end();
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(`\nScan to patient card, ${scans} cards per run (${cardKind === 'random' ? 'any card' : `patients with orders waiting: ${cardsWithOrders.length}`}); HIS on MariaDB with ${counts!.patients} patients and ${counts!.orders} orders (${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version})\n`);
console.log('| subject | p50 | p95 | p99 | p50 / bare p50 | p95 / bare p95 |');
console.log('|---|---|---|---|---|---|');
for (const [label, r] of runs) {
  console.log(`| POST /api/exams/scan over HTTP, ${label} (session, permission, two view look-ups, mapping, audit entry) | ${fmt(percentile(r.viaHttp, 50))} | ${fmt(percentile(r.viaHttp, 95))} | ${fmt(percentile(r.viaHttp, 99))} | ${(percentile(r.viaHttp, 50) / percentile(r.bare, 50)).toFixed(2)}× | ${(percentile(r.viaHttp, 95) / percentile(r.bare, 95)).toFixed(2)}× |`);
  console.log(`| baseline in the same run: the two bare SQL look-ups with mysql2 | ${fmt(percentile(r.bare, 50))} | ${fmt(percentile(r.bare, 95))} | ${fmt(percentile(r.bare, 99))} | | |`);
}
