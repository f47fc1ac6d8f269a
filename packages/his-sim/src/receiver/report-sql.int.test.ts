import net from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHisRows } from '../his-db/generate.js';
import { insertRows } from '../his-db/load.js';
import { hisSchema, reportRevokeParameters, reportRevokeSql, reportWriteBackParameters, reportWriteBackSql, type HisDialect } from '../his-db/schema.js';
import { createReportReceiver } from './receiver.js';
import { pgliteReportTable } from './report-table.js';

const PDF = new Uint8Array(Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n'));

/** `:name` → the driver's placeholders, as the server's HIS driver binds its write-back statements. */
function bind(sql: string, dialect: HisDialect, values: Record<string, unknown>) {
  const ordered: unknown[] = [];
  const text = sql.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for :${name}`);
    ordered.push(values[name]);
    return dialect === 'mysql' ? '?' : `$${ordered.length}`;
  });
  return { text, values: ordered };
}

const values = (requestNo: string, version: number, pdf: unknown = PDF) => ({
  requestNo,
  version,
  idempotencyKey: `rep-${requestNo}:${version}`,
  action: version > 1 ? 'replace' : 'publish',
  visitSerialNo: 'MZLS0007',
  accessionNo: `A-${requestNo}`,
  conclusion: version > 1 ? '中度阻塞性通气功能障碍' : '轻度阻塞性通气功能障碍',
  reviewer: '王主任',
  approvedAt: '2026-11-25 10:25:00',
  signatureSerial: '5A3F0012',
  pdf,
});

describe('report write-back statement', () => {
  it('uses exactly the documented :named parameters in both dialects', () => {
    for (const dialect of ['postgres', 'mysql'] as const) {
      const names = [...reportWriteBackSql[dialect].matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1]);
      expect(names).toEqual([...reportWriteBackParameters]);
    }
  });

  it('on PGlite: inserts once, a repeat (also inside a transaction) changes nothing, and the HIS sees it as an arrival', async () => {
    const his = await PGlite.create();
    try {
      for (const statement of hisSchema('postgres')) await his.exec(statement);
      const rows = generateHisRows({ from: 1, count: 5, today: new Date('2026-11-25T00:00:00Z'), todayShare: 1 });
      for (const table of ['HIS_BRXX', 'HIS_JZK', 'HIS_JZJL', 'HIS_JCSQ'] as const) await insertRows((sql, params) => his.query(sql, params), 'postgres', table, rows[table]);
      const order = rows.HIS_JCSQ[0]!;
      const requestNo = String(order.SQDH);
      const patientName = String(rows.HIS_BRXX.find((p) => p.BRID === order.BRID)!.XM);

      const run = async (version: number) => {
        const { text, values: ordered } = bind(reportWriteBackSql.postgres, 'postgres', values(requestNo, version));
        return his.transaction(async (tx) => (await tx.query(text, ordered)).affectedRows ?? 0);
      };
      expect(await run(1)).toBe(1);
      expect(await run(1)).toBe(0);
      expect(await run(1)).toBe(0);
      const stored = await his.query<{ sqdh: string; bbh: number; mdj: string; czlx: string; jl: string; shsj: string; dzqzh: string; pdf: Uint8Array; zt: string }>('SELECT * FROM PFT_REPORT', [], { parsers: { 1114: (v: string) => v } });
      expect(stored.rows).toHaveLength(1);
      expect(stored.rows[0]).toMatchObject({ sqdh: requestNo, bbh: 1, mdj: `rep-${requestNo}:1`, czlx: 'publish', shsj: '2026-11-25 10:25:00', dzqzh: '5A3F0012', zt: '1' });
      expect(Buffer.from(stored.rows[0]!.pdf).equals(Buffer.from(PDF))).toBe(true);

      const receiver = await createReportReceiver({ http: false, fhir: false, mllp: false, viewer: false, sql: { source: pgliteReportTable(his), pollMs: 60_000 } });
      try {
        expect(await receiver.pollSql()).toBe(1);
        expect(receiver.arrivals()[0]).toMatchObject({ channel: 'sql', orderNo: requestNo, version: 1, idempotencyKey: `rep-${requestNo}:1`, patientName, reviewer: '王主任', size: PDF.length, superseded: false });
        expect(await receiver.pollSql()).toBe(0);

        expect(await run(2)).toBe(1);
        expect(await receiver.pollSql()).toBe(1);
        expect(receiver.arrivalsByOrder(requestNo).map((a) => [a.version, a.action, a.superseded])).toEqual([
          [1, 'publish', true],
          [2, 'replace', false],
        ]);
        const status = await his.query<{ bbh: number; zt: string }>('SELECT BBH, ZT FROM PFT_REPORT ORDER BY BBH');
        expect(status.rows).toEqual([
          { bbh: 1, zt: '2' },
          { bbh: 2, zt: '1' },
        ]);
      } finally {
        await receiver.close();
      }
    } finally {
      await his.close();
    }
  }, 30_000);

  it('revoke statement: uses exactly the documented :named parameters in both dialects', () => {
    for (const dialect of ['postgres', 'mysql'] as const) {
      const names = [...reportRevokeSql[dialect].matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1]);
      expect(names).toEqual([...reportRevokeParameters]);
    }
  });

  it('on PGlite: the revoke sets the row ZT = 3 once (a repeat changes nothing), the HIS files it as a revoke and withdraws the version, and a later correction leaves it withdrawn', async () => {
    const his = await PGlite.create();
    try {
      for (const statement of hisSchema('postgres')) await his.exec(statement);
      const requestNo = 'SQ0901';
      const exec = async (sql: string, named: Record<string, unknown>) => {
        const { text, values: ordered } = bind(sql, 'postgres', named);
        return his.transaction(async (tx) => (await tx.query(text, ordered)).affectedRows ?? 0);
      };
      const revoke = (version: number) => exec(reportRevokeSql.postgres, { ...values(requestNo, version), revocationReason: '报告发给了另一位患者' });
      // Nothing to withdraw yet: no row, no change.
      expect(await revoke(1)).toBe(0);
      expect(await exec(reportWriteBackSql.postgres, values(requestNo, 1))).toBe(1);

      const receiver = await createReportReceiver({ http: false, fhir: false, mllp: false, viewer: false, sql: { source: pgliteReportTable(his), pollMs: 60_000 } });
      try {
        expect(await receiver.pollSql()).toBe(1);
        expect(await revoke(1)).toBe(1);
        expect(await revoke(1)).toBe(0);
        const row = await his.query<{ zt: string; cxyy: string; cxsj: unknown }>('SELECT ZT, CXYY, CXSJ FROM PFT_REPORT');
        expect(row.rows).toEqual([{ zt: '3', cxyy: '报告发给了另一位患者', cxsj: expect.anything() }]);

        expect(await receiver.pollSql()).toBe(1);
        expect(await receiver.pollSql()).toBe(0);
        const [v1, r1, ...rest] = receiver.arrivalsByOrder(requestNo);
        expect(rest).toEqual([]);
        expect(v1).toMatchObject({ channel: 'sql', version: 1, action: 'publish', withdrawn: true, withdrawnBy: r1!.receiptNo, revocationReason: '报告发给了另一位患者' });
        expect(r1).toMatchObject({ channel: 'sql', version: 1, action: 'revoke', idempotencyKey: `rep-${requestNo}:1`, revocationReason: '报告发给了另一位患者', document: null, source: { row: v1!.source.row, zt: '3' } });

        // A correction after the withdrawal: v2 is current, v1 superseded in the HIS's eyes, and its row stays 已撤回.
        expect(await exec(reportWriteBackSql.postgres, values(requestNo, 2))).toBe(1);
        expect(await receiver.pollSql()).toBe(1);
        expect(receiver.arrivalsByOrder(requestNo).map((a) => [a.version, a.action, a.superseded, a.withdrawn])).toEqual([
          [1, 'publish', true, true],
          [1, 'revoke', false, false],
          [2, 'replace', false, false],
        ]);
        const status = await his.query<{ bbh: number; zt: string }>('SELECT BBH, ZT FROM PFT_REPORT ORDER BY BBH');
        expect(status.rows).toEqual([
          { bbh: 1, zt: '3' },
          { bbh: 2, zt: '1' },
        ]);
      } finally {
        await receiver.close();
      }
      // A receiver started afterwards files the same history from the table.
      const later = await createReportReceiver({ http: false, fhir: false, mllp: false, viewer: false, sql: { source: pgliteReportTable(his), pollMs: 60_000 } });
      try {
        expect(await later.pollSql()).toBe(3);
        expect(later.arrivalsByOrder(requestNo).map((a) => [a.version, a.action, a.withdrawn])).toEqual([
          [1, 'publish', true],
          [2, 'replace', false],
          [1, 'revoke', false],
        ]);
      } finally {
        await later.close();
      }
    } finally {
      await his.close();
    }
  }, 30_000);

  it('adds the revocation columns (CXYY, CXSJ) to a PFT_REPORT created before them', async () => {
    const his = await PGlite.create();
    try {
      for (const statement of hisSchema('postgres').filter((s) => !s.includes('PFT_REPORT'))) await his.exec(statement);
      await his.exec(`CREATE TABLE PFT_REPORT (ID BIGSERIAL PRIMARY KEY, SQDH VARCHAR(24) NOT NULL, BBH INT NOT NULL, MDJ VARCHAR(80) NOT NULL, CZLX VARCHAR(10) NOT NULL,
        JZLSH VARCHAR(24), JCH VARCHAR(32), JL TEXT, SHYS VARCHAR(40), SHSJ TIMESTAMP, DZQZH VARCHAR(64), PDF BYTEA, ZT CHAR(1) NOT NULL DEFAULT '1',
        JSSJ TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT UK_PFT_REPORT_MDJ UNIQUE (MDJ))`);
      const receiver = await createReportReceiver({ http: false, fhir: false, mllp: false, viewer: false, sql: { source: pgliteReportTable(his), pollMs: 60_000 } });
      try {
        for (const [sql, named] of [
          [reportWriteBackSql.postgres, values('SQ9', 1)],
          [reportRevokeSql.postgres, { ...values('SQ9', 1), revocationReason: '撤回' }],
        ] as const) {
          const { text, values: ordered } = bind(sql, 'postgres', named);
          expect((await his.query(text, ordered)).affectedRows).toBe(1);
        }
        expect(await receiver.pollSql()).toBe(2);
        expect(receiver.arrivals().map((a) => [a.action, a.withdrawn])).toEqual([
          ['publish', true],
          ['revoke', false],
        ]);
      } finally {
        await receiver.close();
      }
      // Starting again finds the columns there.
      await (await createReportReceiver({ http: false, fhir: false, mllp: false, viewer: false, sql: { source: pgliteReportTable(his), pollMs: 60_000 } })).close();
    } finally {
      await his.close();
    }
  });

  it('adds PFT_REPORT to a demo HIS created before the table existed', async () => {
    const his = await PGlite.create();
    try {
      for (const statement of hisSchema('postgres').filter((s) => !s.includes('PFT_REPORT'))) await his.exec(statement);
      const receiver = await createReportReceiver({ http: false, fhir: false, mllp: false, viewer: false, sql: { source: pgliteReportTable(his), pollMs: 60_000 } });
      await receiver.close();
      const { text, values: ordered } = bind(reportWriteBackSql.postgres, 'postgres', values('SQ9', 1));
      expect((await his.query(text, ordered)).affectedRows).toBe(1);
    } finally {
      await his.close();
    }
  });
});

const reachable = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(500);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });

const mariadbUrl = process.env.PFTIS_TEST_MARIADB_URL ?? ((await reachable('127.0.0.1', 3306)) ? 'mysql://root@127.0.0.1:3306' : undefined);
if (!mariadbUrl) console.warn('MariaDB is not reachable (PFTIS_TEST_MARIADB_URL unset, nothing on 127.0.0.1:3306): the MariaDB report write-back test is skipped.');

describe.skipIf(!mariadbUrl)('report write-back on MariaDB', () => {
  const name = `pftis_report_${process.pid}`;
  let admin: mysql.Connection | undefined;
  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin?.end();
  });

  it('inserts once inside a transaction and ignores a repeat (ON DUPLICATE KEY UPDATE no-op)', async () => {
    admin = await mysql.createConnection({ uri: mariadbUrl!, dateStrings: true });
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    await admin.query(`USE ${name}`);
    for (const statement of hisSchema('mysql')) await admin.query(statement);
    const c = admin;
    const run = async (version: number) => {
      const { text, values: ordered } = bind(reportWriteBackSql.mysql, 'mysql', values('SQ0701', version, Buffer.from(PDF)));
      await c.beginTransaction();
      const [result] = await c.query<mysql.ResultSetHeader>(text, ordered);
      await c.commit();
      return result.affectedRows;
    };
    expect(await run(1)).toBe(1);
    // mysql2 connects with CLIENT_FOUND_ROWS, so the no-op update of a repeat reports 1 matched row; no row is added.
    expect(await run(1)).toBeLessThanOrEqual(1);
    await run(1);
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT * FROM PFT_REPORT');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ SQDH: 'SQ0701', BBH: 1, MDJ: 'rep-SQ0701:1', SHSJ: '2026-11-25 10:25:00', ZT: '1', JL: '轻度阻塞性通气功能障碍' });
    expect(Buffer.from(rows[0]!.PDF as Buffer).equals(Buffer.from(PDF))).toBe(true);
    expect(await run(2)).toBe(1);
    const [[count]] = await c.query<mysql.RowDataPacket[]>('SELECT count(*) AS n FROM PFT_REPORT');
    expect(Number(count!.n)).toBe(2);
    // The revoke: one row changed, a repeat none (it matches no row, so CLIENT_FOUND_ROWS counts 0 too).
    const revoke = async () => {
      const { text, values: ordered } = bind(reportRevokeSql.mysql, 'mysql', { ...values('SQ0701', 2), revocationReason: '报告发给了另一位患者' });
      const [result] = await c.query<mysql.ResultSetHeader>(text, ordered);
      return result.affectedRows;
    };
    expect(await revoke()).toBe(1);
    expect(await revoke()).toBe(0);
    const [revoked] = await c.query<mysql.RowDataPacket[]>('SELECT BBH, ZT, CXYY FROM PFT_REPORT ORDER BY BBH');
    expect(revoked.map((r) => [r.BBH, r.ZT, r.CXYY])).toEqual([
      [1, '1', null],
      [2, '3', '报告发给了另一位患者'],
    ]);
  });

  it('the receiver adds the revocation columns to an older PFT_REPORT and notices a revoke', async () => {
    const c = await mysql.createConnection({ uri: mariadbUrl!, dateStrings: true });
    const older = `${name}_old`;
    try {
      await c.query(`DROP DATABASE IF EXISTS ${older}`);
      await c.query(`CREATE DATABASE ${older} CHARACTER SET utf8mb4`);
      await c.query(`USE ${older}`);
      for (const statement of hisSchema('mysql').filter((s) => !s.includes('PFT_REPORT'))) await c.query(statement);
      await c.query(`CREATE TABLE PFT_REPORT (ID BIGINT AUTO_INCREMENT PRIMARY KEY, SQDH VARCHAR(24) NOT NULL, BBH INT NOT NULL, MDJ VARCHAR(80) NOT NULL, CZLX VARCHAR(10) NOT NULL,
        JZLSH VARCHAR(24), JCH VARCHAR(32), JL TEXT, SHYS VARCHAR(40), SHSJ DATETIME, DZQZH VARCHAR(64), PDF LONGBLOB, ZT CHAR(1) NOT NULL DEFAULT '1',
        JSSJ DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT UK_PFT_REPORT_MDJ UNIQUE (MDJ))`);
      const source = { dialect: 'mysql' as const, query: async (sql: string) => (await c.query<mysql.RowDataPacket[]>(sql))[0] as Array<Record<string, unknown>> };
      const receiver = await createReportReceiver({ http: false, fhir: false, mllp: false, viewer: false, sql: { source, pollMs: 60_000 } });
      try {
        for (const [sql, named] of [
          [reportWriteBackSql.mysql, values('SQ0702', 1, Buffer.from(PDF))],
          [reportRevokeSql.mysql, { ...values('SQ0702', 1), revocationReason: '撤回' }],
        ] as const) {
          const { text, values: ordered } = bind(sql, 'mysql', named);
          await c.query(text, ordered);
        }
        expect(await receiver.pollSql()).toBe(2);
        expect(receiver.arrivals().map((a) => [a.action, a.version, a.withdrawn, a.revocationReason])).toEqual([
          ['publish', 1, true, '撤回'],
          ['revoke', 1, false, '撤回'],
        ]);
      } finally {
        await receiver.close();
      }
    } finally {
      await c.query(`DROP DATABASE IF EXISTS ${older}`);
      await c.end();
    }
  });
});

const postgresUrl = process.env.PFTIS_TEST_DATABASE_URL;

describe.skipIf(!postgresUrl)('report write-back on PostgreSQL', () => {
  it('inserts once and ignores a repeat (ON CONFLICT DO NOTHING)', async () => {
    const name = `pftis_report_${process.pid}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(postgresUrl!);
    url.pathname = `/${name}`;
    const his = new pg.Client({ connectionString: url.toString() });
    await his.connect();
    try {
      for (const statement of hisSchema('postgres')) await his.query(statement);
      const run = async () => {
        const { text, values: ordered } = bind(reportWriteBackSql.postgres, 'postgres', values('SQ0801', 1));
        await his.query('BEGIN');
        const result = await his.query(text, ordered);
        await his.query('COMMIT');
        return result.rowCount;
      };
      expect(await run()).toBe(1);
      expect(await run()).toBe(0);
      const { rows } = await his.query<{ n: number }>('SELECT count(*)::int AS n FROM PFT_REPORT');
      expect(rows[0]!.n).toBe(1);
    } finally {
      await his.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
