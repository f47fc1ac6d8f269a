import type { PGlite } from '@electric-sql/pglite';
import { hisReportAddedColumns, hisReportSchema, type HisDialect } from '../his-db/schema.js';
import { documentOf, type ReportFields } from './arrivals.js';

/**
 * The SQL channel seen from the HIS side: PFTIS INSERTs into PFT_REPORT (reportWriteBackSql); the HIS notices new
 * rows by polling, files them as arrivals, and marks earlier versions of a corrected report ZT = '2'. PFTIS
 * withdraws a version by setting its row ZT = '3' (reportRevokeSql); the HIS notices that too and files a revoke.
 */
export interface ReportTableSource {
  dialect: HisDialect;
  /** Runs one statement without parameters; column names in any case; times as the HIS wrote them. */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
}

const RAW_TIMES = { 1114: (v: string) => v, 1184: (v: string) => v };

/** The demo HIS on PGlite as a report table source. */
export function pgliteReportTable(pglite: PGlite): ReportTableSource {
  return { dialect: 'postgres', query: async (sql) => (await pglite.query<Record<string, unknown>>(sql, [], { parsers: RAW_TIMES })).rows };
}

export interface ReportRow {
  id: number;
  fields: ReportFields & { idempotencyKey: string };
  receivedAt: string | null;
}

const str = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));

/** The rows with the patient's name; a revoke needs no PDF. */
const select = (withPdf: boolean) => `SELECT r.ID, r.SQDH, r.BBH, r.MDJ, r.CZLX, r.JZLSH, r.JCH, r.JL, r.SHYS, r.SHSJ, r.DZQZH,${withPdf ? ' r.PDF,' : ''} r.JSSJ, r.ZT, r.CXYY, r.CXSJ, b.XM AS BRXM
         FROM PFT_REPORT r LEFT JOIN HIS_JCSQ a ON a.SQDH = r.SQDH LEFT JOIN HIS_BRXX b ON b.BRID = a.BRID`;

export function createReportTablePoller(source: ReportTableSource) {
  let lastId = 0;
  const revokedSeen = new Set<number>();

  const lower = (original: Record<string, unknown>) => Object.fromEntries(Object.entries(original).map(([k, v]) => [k.toLowerCase(), v]));
  const rowOf = (r: Record<string, unknown>, revoke: boolean): ReportRow => {
    const pdf = !revoke && r.pdf instanceof Uint8Array ? new Uint8Array(r.pdf) : null;
    return {
      id: Number(r.id),
      receivedAt: str(revoke ? r.cxsj : r.jssj),
      fields: {
        idempotencyKey: String(r.mdj),
        orderNo: str(r.sqdh),
        accessionNo: str(r.jch),
        visitSerialNo: str(r.jzlsh),
        version: r.bbh === null || r.bbh === undefined ? null : Number(r.bbh),
        action: revoke ? 'revoke' : r.czlx === 'replace' ? 'replace' : 'publish',
        supersedesVersion: null,
        revocationReason: revoke ? str(r.cxyy) : null,
        patientName: str(r.brxm),
        conclusion: str(r.jl),
        reviewer: str(r.shys),
        approvedAt: str(r.shsj),
        signatureSerial: str(r.dzqzh),
        document: pdf && pdf.length ? documentOf(pdf) : null,
      },
    };
  };

  return {
    /** Creates PFT_REPORT when the HIS database predates it, and adds the columns it gained since (CXYY, CXSJ). */
    async ensureTable(): Promise<void> {
      for (const statement of hisReportSchema(source.dialect)) await source.query(statement);
      const schema = source.dialect === 'mysql' ? 'DATABASE()' : 'current_schema()';
      const present = new Set(
        (await source.query(`SELECT column_name FROM information_schema.columns WHERE lower(table_name) = 'pft_report' AND table_schema = ${schema}`)).map((row) =>
          String(lower(row).column_name).toUpperCase(),
        ),
      );
      for (const [name, type] of hisReportAddedColumns(source.dialect)) {
        if (!present.has(name)) await source.query(`ALTER TABLE PFT_REPORT ADD COLUMN ${name} ${type}`);
      }
    },
    /** Rows added since the previous call. */
    async newRows(): Promise<ReportRow[]> {
      const rows = await source.query(`${select(true)}
         WHERE r.ID > ${Math.trunc(lastId)} ORDER BY r.ID`);
      return rows.map((original) => {
        const row = rowOf(lower(original), false);
        lastId = Math.max(lastId, row.id);
        return row;
      });
    },
    /** Rows PFTIS set to ZT = '3' (已撤回) since the previous call, as revokes (rows not yet seen by newRows wait). */
    async newRevocations(): Promise<ReportRow[]> {
      const rows = await source.query(`${select(false)}
         WHERE r.ZT = '3' AND r.ID <= ${Math.trunc(lastId)} ORDER BY r.ID`);
      return rows
        .map((original) => rowOf(lower(original), true))
        .filter((row) => !revokedSeen.has(row.id))
        .map((row) => (revokedSeen.add(row.id), row));
    },
    /** ZT = '2' (已被新版本替代) for the given row ids; a withdrawn row (ZT = '3') stays withdrawn. */
    async markSuperseded(ids: number[]): Promise<void> {
      const safe = ids.filter((id) => Number.isSafeInteger(id));
      if (safe.length) await source.query(`UPDATE PFT_REPORT SET ZT = '2' WHERE ID IN (${safe.join(',')}) AND ZT = '1'`);
    },
  };
}
