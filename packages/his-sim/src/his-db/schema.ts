// The demo hospital's HIS database, shaped the way Chinese HIS vendors publish them: their own tables with
// pinyin-abbreviation column names, and read-only views for the exam system (V_PFT_PATIENT, V_PFT_APPLY).
// The same DDL runs on MariaDB/MySQL and on PostgreSQL (PGlite for the demo).

export type HisDialect = 'mysql' | 'postgres';

const datetime = (d: HisDialect) => (d === 'mysql' ? 'DATETIME' : 'TIMESTAMP');

export function hisSchema(d: HisDialect): string[] {
  return [
    // 病人信息: BRID 病人ID, XM 姓名, XB 性别 (GB/T 2261.1: 1 男 2 女), CSRQ 出生日期, SFZH 身份证号,
    // LXDH 联系电话, JTDZ 家庭地址, MZH 门诊号, ZYH 住院号
    `CREATE TABLE HIS_BRXX (
       BRID VARCHAR(20) PRIMARY KEY, XM VARCHAR(40) NOT NULL, XB CHAR(1) NOT NULL, CSRQ DATE NOT NULL,
       SFZH VARCHAR(18), LXDH VARCHAR(20), JTDZ VARCHAR(200), MZH VARCHAR(20), ZYH VARCHAR(20))`,
    `CREATE INDEX IX_BRXX_SFZH ON HIS_BRXX (SFZH)`,
    `CREATE INDEX IX_BRXX_MZH ON HIS_BRXX (MZH)`,
    `CREATE INDEX IX_BRXX_ZYH ON HIS_BRXX (ZYH)`,
    // 就诊卡: JZKH 就诊卡号, KLX 卡类型
    `CREATE TABLE HIS_JZK (JZKH VARCHAR(20) PRIMARY KEY, BRID VARCHAR(20) NOT NULL, KLX VARCHAR(10) NOT NULL)`,
    `CREATE INDEX IX_JZK_BRID ON HIS_JZK (BRID)`,
    // 就诊记录: JZLSH 就诊流水号 (门诊流水号 or 住院流水号), JZLB 就诊类别, BQ 病区, CH 床号
    `CREATE TABLE HIS_JZJL (
       JZLSH VARCHAR(24) PRIMARY KEY, BRID VARCHAR(20) NOT NULL, JZLB VARCHAR(4) NOT NULL, JZSJ ${datetime(d)} NOT NULL,
       BQ VARCHAR(40), CH VARCHAR(10))`,
    `CREATE INDEX IX_JZJL_BRID ON HIS_JZJL (BRID)`,
    // 检查申请: SQDH 申请单号, XMDM/XMMC 项目代码/名称, SQKS 申请科室, SQYS 申请医生, LCZD 临床诊断,
    // SQSJ 申请时间, ZXKS 执行科室, ZT 状态 (0 待登记 1 已登记 2 已检查 3 已报告 9 作废), SG 身高 cm, TZ 体重 kg
    `CREATE TABLE HIS_JCSQ (
       SQDH VARCHAR(24) PRIMARY KEY, BRID VARCHAR(20) NOT NULL, JZLSH VARCHAR(24) NOT NULL, XMDM VARCHAR(20) NOT NULL,
       XMMC VARCHAR(60) NOT NULL, SQKS VARCHAR(60), SQYS VARCHAR(40), LCZD VARCHAR(200), SQSJ ${datetime(d)} NOT NULL,
       ZXKS VARCHAR(20) NOT NULL, ZT CHAR(1) NOT NULL, SG DECIMAL(5,1), TZ DECIMAL(5,1), GXSJ ${datetime(d)})`,
    `CREATE INDEX IX_JCSQ_BRID ON HIS_JCSQ (BRID, ZT)`,
    `CREATE INDEX IX_JCSQ_SQSJ ON HIS_JCSQ (SQSJ)`,
    // The views handed to the exam system. A patient's cards are joined in, so one row per card.
    `CREATE VIEW V_PFT_PATIENT AS
       SELECT b.BRID, b.XM AS BRXM, b.XB, b.CSRQ, b.SFZH, b.LXDH, b.JTDZ, b.MZH, b.ZYH, k.JZKH
       FROM HIS_BRXX b LEFT JOIN HIS_JZK k ON k.BRID = b.BRID`,
    `CREATE VIEW V_PFT_APPLY AS
       SELECT a.SQDH, a.BRID, b.XM AS BRXM, j.JZLB, a.JZLSH, b.MZH, b.ZYH, j.BQ, j.CH, a.XMDM, a.XMMC,
              a.SQKS, a.SQYS, a.LCZD, a.SQSJ, a.ZXKS, a.ZT, a.SG, a.TZ
       FROM HIS_JCSQ a JOIN HIS_BRXX b ON b.BRID = a.BRID JOIN HIS_JZJL j ON j.JZLSH = a.JZLSH`,
    ...hisReportSchema(d),
  ];
}

/**
 * 检查报告表 PFT_REPORT: where the exam system writes approved reports back into the HIS (SQL write-back, one of the
 * report channels). One row per report version. ID 主键; SQDH 申请单号; BBH 版本号; MDJ 幂等键 (PFTIS's
 * `${reportId}:${version}`, UNIQUE, so a retried INSERT cannot add a second row); CZLX 操作类型 (publish 发布 /
 * replace 更正); JZLSH 就诊流水号; JCH 检查号; JL 结论; SHYS 审核医生; SHSJ 审核时间 (hospital wall clock); DZQZH
 * 电子签章号; PDF 报告文件; ZT 状态 (1 有效, 2 已被新版本替代: the HIS sets it, 3 已撤回: PFTIS sets it with
 * reportRevokeSql); JSSJ 接收时间; CXYY 撤回原因 and CXSJ 撤回时间 (set with ZT = '3').
 * IF NOT EXISTS, so it can also be added to a demo HIS created before the table existed (the report receiver also
 * adds {@link hisReportAddedColumns} to a PFT_REPORT created before them).
 */
export function hisReportSchema(d: HisDialect): string[] {
  const columns = `SQDH VARCHAR(24) NOT NULL, BBH INT NOT NULL, MDJ VARCHAR(80) NOT NULL, CZLX VARCHAR(10) NOT NULL,
       JZLSH VARCHAR(24), JCH VARCHAR(32), JL TEXT, SHYS VARCHAR(40), SHSJ ${datetime(d)}, DZQZH VARCHAR(64),
       PDF ${d === 'mysql' ? 'LONGBLOB' : 'BYTEA'}, ZT CHAR(1) NOT NULL DEFAULT '1', JSSJ ${datetime(d)} NOT NULL DEFAULT CURRENT_TIMESTAMP,
       ${hisReportAddedColumns(d).map(([name, type]) => `${name} ${type}`).join(', ')},
       CONSTRAINT UK_PFT_REPORT_MDJ UNIQUE (MDJ)`;
  return d === 'mysql'
    ? [`CREATE TABLE IF NOT EXISTS PFT_REPORT (ID BIGINT AUTO_INCREMENT PRIMARY KEY, ${columns}, KEY IX_PFT_REPORT_SQDH (SQDH, BBH))`]
    : [`CREATE TABLE IF NOT EXISTS PFT_REPORT (ID BIGSERIAL PRIMARY KEY, ${columns})`, `CREATE INDEX IF NOT EXISTS IX_PFT_REPORT_SQDH ON PFT_REPORT (SQDH, BBH)`];
}

/** Columns PFT_REPORT gained after it first shipped (name, type): the revocation. */
export function hisReportAddedColumns(d: HisDialect): Array<[name: string, type: string]> {
  return [
    ['CXYY', 'VARCHAR(1000)'],
    ['CXSJ', datetime(d)],
  ];
}

const REPORT_INSERT = `INSERT INTO PFT_REPORT (SQDH, BBH, MDJ, CZLX, JZLSH, JCH, JL, SHYS, SHSJ, DZQZH, PDF)
VALUES (:requestNo, :version, :idempotencyKey, :action, :visitSerialNo, :accessionNo, :conclusion, :reviewer, :approvedAt, :signatureSerial, :pdf)`;

/**
 * The HIS's report write-back statement, per dialect (PGlite runs the postgres one), with `:named` parameters like
 * statusWriteBackSql: :requestNo 申请单号, :version, :idempotencyKey (`${reportId}:${version}`), :action ('publish' |
 * 'replace'), :visitSerialNo, :accessionNo, :conclusion, :reviewer, :approvedAt (hospital wall clock
 * 'YYYY-MM-DD HH:mm:ss', as :changedAt), :signatureSerial, :pdf (the PDF bytes). Idempotent: a repeat of the same
 * :idempotencyKey changes nothing (PostgreSQL reports 0 rows; MySQL/MariaDB 0, or 1 with CLIENT_FOUND_ROWS, which
 * mysql2 sets by default).
 */
export const reportWriteBackSql: Record<HisDialect, string> = {
  postgres: `${REPORT_INSERT}
ON CONFLICT (MDJ) DO NOTHING`,
  mysql: `${REPORT_INSERT}
ON DUPLICATE KEY UPDATE MDJ = MDJ`,
};

/** The named parameters of reportWriteBackSql, in order. */
export const reportWriteBackParameters = ['requestNo', 'version', 'idempotencyKey', 'action', 'visitSerialNo', 'accessionNo', 'conclusion', 'reviewer', 'approvedAt', 'signatureSerial', 'pdf'] as const;

const REPORT_REVOKE = `UPDATE PFT_REPORT SET ZT = '3', CXYY = :revocationReason, CXSJ = CURRENT_TIMESTAMP
WHERE MDJ = :idempotencyKey AND ZT <> '3'`;

/**
 * The HIS's report revocation statement (撤回), per dialect (the same text in both): the row PFTIS wrote for the
 * version (:idempotencyKey, the withdrawn version's `${reportId}:${version}`, as in reportWriteBackSql) becomes
 * ZT = '3' 已撤回, with :revocationReason in CXYY and the time in CXSJ. Idempotent: a repeat matches no row (ZT is
 * already '3') and changes 0 rows on PostgreSQL and MySQL/MariaDB alike (CLIENT_FOUND_ROWS counts matched rows, and
 * none match). A version whose row was never written changes nothing either. The HIS polls for ZT = '3'.
 */
export const reportRevokeSql: Record<HisDialect, string> = {
  postgres: REPORT_REVOKE,
  mysql: REPORT_REVOKE,
};

/** The named parameters of reportRevokeSql, in order. */
export const reportRevokeParameters = ['revocationReason', 'idempotencyKey'] as const;

/** PFT_REPORT.ZT values. */
export const hisReportStatusCodes = { valid: '1', superseded: '2', revoked: '3' } as const;

/** The HIS's own status write-back statement, as a hospital would configure it for the exam system. */
export const statusWriteBackSql = 'UPDATE HIS_JCSQ SET ZT = :status, GXSJ = :changedAt WHERE SQDH = :requestNo';

/** HIS status codes of HIS_JCSQ.ZT. */
export const hisStatusCodes = { pending: '0', registered: '1', examined: '2', reported: '3', cancelled: '9' } as const;

/** PFT items this HIS orders (项目代码 → 名称). */
export const pftItems = [
  { code: 'FG001', name: '肺通气功能检查', test: 'spirometry' },
  { code: 'FG002', name: '支气管舒张试验', test: 'bronchodilator' },
  { code: 'FG003', name: '肺弥散功能', test: 'dlco' },
  { code: 'FG004', name: '肺容量测定', test: 'lung_volumes' },
  { code: 'FG005', name: '支气管激发试验', test: 'provocation' },
] as const;
