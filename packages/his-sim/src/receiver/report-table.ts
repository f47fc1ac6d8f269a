import type { PGlite } from '@electric-sql/pglite';
import { hisReportSchema, type HisDialect } from '../his-db/schema.js';
import { documentOf, type ReportFields } from './arrivals.js';

/**
 * The SQL channel seen from the HIS side: PFTIS INSERTs into PFT_REPORT (reportWriteBackSql); the HIS notices new
 * rows by polling, files them as arrivals, and marks earlier versions of a corrected report ZT = '2'.
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

export function createReportTablePoller(source: ReportTableSource) {
  let lastId = 0;

  return {
    /** Creates PFT_REPORT when the HIS database predates it. */
    async ensureTable(): Promise<void> {
      for (const statement of hisReportSchema(source.dialect)) await source.query(statement);
    },
    /** Rows added since the previous call. */
    async newRows(): Promise<ReportRow[]> {
      const rows = await source.query(
        `SELECT r.ID, r.SQDH, r.BBH, r.MDJ, r.CZLX, r.JZLSH, r.JCH, r.JL, r.SHYS, r.SHSJ, r.DZQZH, r.PDF, r.JSSJ, b.XM AS BRXM
         FROM PFT_REPORT r LEFT JOIN HIS_JCSQ a ON a.SQDH = r.SQDH LEFT JOIN HIS_BRXX b ON b.BRID = a.BRID
         WHERE r.ID > ${Math.trunc(lastId)} ORDER BY r.ID`,
      );
      return rows.map((original) => {
        const r = Object.fromEntries(Object.entries(original).map(([k, v]) => [k.toLowerCase(), v]));
        const id = Number(r.id);
        lastId = Math.max(lastId, id);
        const pdf = r.pdf instanceof Uint8Array ? new Uint8Array(r.pdf) : null;
        return {
          id,
          receivedAt: str(r.jssj),
          fields: {
            idempotencyKey: String(r.mdj),
            orderNo: str(r.sqdh),
            accessionNo: str(r.jch),
            visitSerialNo: str(r.jzlsh),
            version: r.bbh === null || r.bbh === undefined ? null : Number(r.bbh),
            action: r.czlx === 'replace' ? 'replace' : 'publish',
            supersedesVersion: null,
            patientName: str(r.brxm),
            conclusion: str(r.jl),
            reviewer: str(r.shys),
            approvedAt: str(r.shsj),
            signatureSerial: str(r.dzqzh),
            document: pdf && pdf.length ? documentOf(pdf) : null,
          },
        };
      });
    },
    /** ZT = '2' (已被新版本替代) for the given row ids. */
    async markSuperseded(ids: number[]): Promise<void> {
      const safe = ids.filter((id) => Number.isSafeInteger(id));
      if (safe.length) await source.query(`UPDATE PFT_REPORT SET ZT = '2' WHERE ID IN (${safe.join(',')}) AND ZT <> '2'`);
    },
  };
}
