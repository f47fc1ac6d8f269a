import { type Kysely, sql } from 'kysely';

// Frozen in time: never edited after release; no application imports.

const statements = [
  `create table his_view (
     id uuid primary key default gen_random_uuid(),
     code text not null unique,
     name text not null,
     enabled boolean not null default true,
     current_version integer not null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create table his_view_version (
     view_id uuid not null references his_view(id),
     version integer not null,
     sql text not null,
     mapping jsonb not null,
     timeout_ms integer not null,
     comment text not null default '',
     sample_key text,
     created_by uuid references app_user(id),
     created_by_name text not null,
     created_at timestamptz not null default now(),
     primary key (view_id, version)
   )`,
  `create table his_view_call (
     id bigserial primary key,
     view_id uuid not null references his_view(id),
     called_at timestamptz not null default now(),
     ok boolean not null,
     latency_ms real not null,
     error text
   )`,
  `create index his_view_call_view_idx on his_view_call (view_id, called_at)`,
];

const patientColumns = { hisPatientId: 'BRID', name: 'BRXM', sex: 'XB', birthDate: 'CSRQ', idNumber: 'SFZH', phone: 'LXDH', address: 'JTDZ', cardNo: 'JZKH', outpatientNo: 'MZH', inpatientNo: 'ZYH' };
const orderColumns = {
  requestNo: 'SQDH', hisPatientId: 'BRID', visitType: 'JZLB', visitSerialNo: 'JZLSH', outpatientNo: 'MZH', inpatientNo: 'ZYH', ward: 'BQ', bed: 'CH',
  itemCode: 'XMDM', itemName: 'XMMC', requestingDepartment: 'SQKS', requestingDoctor: 'SQYS', clinicalDiagnosis: 'LCZD', requestedAt: 'SQSJ',
  executingDepartment: 'ZXKS', status: 'ZT', heightCm: 'SG', weightKg: 'TZ',
};
const statusCodes = { '0': 'pending', '1': 'registered', '2': 'examined', '3': 'reported', '9': 'cancelled' };
const pftItemCodes = ['FG001', 'FG002', 'FG003', 'FG004', 'FG005'];
const patientSelect = 'SELECT BRID, BRXM, XB, CSRQ, SFZH, LXDH, JTDZ, JZKH, MZH, ZYH FROM V_PFT_PATIENT';
const orderSelect = 'SELECT SQDH, BRID, JZLB, JZLSH, MZH, ZYH, BQ, CH, XMDM, XMMC, SQKS, SQYS, LCZD, SQSJ, ZXKS, ZT, SG, TZ FROM V_PFT_APPLY';

// Starting definitions for the views a HIS vendor typically publishes (and the demo HIS has); each
// hospital's administrator adapts the SQL and mappings in 接口视图维护.
const views: Array<[code: string, name: string, sql: string, target: 'patient' | 'order']> = [
  ['patient.by-card', '按就诊卡号查患者', `${patientSelect} WHERE JZKH = :key`, 'patient'],
  ['patient.by-outpatient-no', '按门诊号查患者', `${patientSelect} WHERE MZH = :key`, 'patient'],
  ['patient.by-inpatient-no', '按住院号查患者', `${patientSelect} WHERE ZYH = :key`, 'patient'],
  ['patient.by-id-number', '按身份证号查患者', `${patientSelect} WHERE SFZH = :key`, 'patient'],
  ['patient.by-his-id', '按病人ID查患者', `${patientSelect} WHERE BRID = :key`, 'patient'],
  ['orders.by-patient', '患者的待检申请单', `${orderSelect} WHERE BRID = :key AND ZT IN ('0', '1') ORDER BY SQSJ`, 'order'],
  ['order.by-request-no', '按申请单号查申请单', `${orderSelect} WHERE SQDH = :key`, 'order'],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
  for (const [code, name, query, target] of views) {
    const { id } = await db.insertInto('his_view').values({ code, name, current_version: 1 }).returning('id').executeTakeFirstOrThrow();
    const mapping =
      target === 'patient'
        ? { target, columns: patientColumns, values: {} }
        : { target, columns: orderColumns, values: { status: statusCodes }, pftItemCodes };
    await db
      .insertInto('his_view_version')
      .values({ view_id: id, version: 1, sql: query, mapping: JSON.stringify(mapping), timeout_ms: 3000, comment: '初始定义', created_by_name: 'system' })
      .execute();
  }
}
