import { zoneOffsetMs } from '@pftis/formats/worklist/local-time';
import { z } from 'zod';

// Turns rows of a hospital's own view (its column names, codes and formats) into PFTIS fields, and says
// precisely what did not fit. Pure: rows in, records and problems out.

export const Sex = z.enum(['male', 'female', 'unknown']);
export const VisitType = z.enum(['outpatient', 'inpatient', 'emergency', 'physical']);
export const OrderStatus = z.enum(['pending', 'registered', 'examined', 'reported', 'cancelled']);

type FieldType = 'text' | 'date' | 'datetime' | 'number' | 'sex' | 'visitType' | 'status';

export const patientFields = {
  hisPatientId: { type: 'text', required: true, zh: '病人ID' },
  name: { type: 'text', required: true, zh: '姓名' },
  sex: { type: 'sex', required: true, zh: '性别' },
  birthDate: { type: 'date', required: true, zh: '出生日期' },
  idNumber: { type: 'text', required: false, zh: '身份证号' },
  phone: { type: 'text', required: false, zh: '联系电话' },
  address: { type: 'text', required: false, zh: '地址' },
  cardNo: { type: 'text', required: false, zh: '就诊卡号' },
  outpatientNo: { type: 'text', required: false, zh: '门诊号' },
  inpatientNo: { type: 'text', required: false, zh: '住院号' },
} as const satisfies Record<string, FieldSpec>;

export const orderFields = {
  requestNo: { type: 'text', required: true, zh: '申请单号' },
  hisPatientId: { type: 'text', required: true, zh: '病人ID' },
  visitType: { type: 'visitType', required: true, zh: '就诊类别' },
  visitSerialNo: { type: 'text', required: true, zh: '门诊/住院流水号' },
  outpatientNo: { type: 'text', required: false, zh: '门诊号' },
  inpatientNo: { type: 'text', required: false, zh: '住院号' },
  ward: { type: 'text', required: false, zh: '病区' },
  bed: { type: 'text', required: false, zh: '床号' },
  itemCode: { type: 'text', required: true, zh: '项目代码' },
  itemName: { type: 'text', required: true, zh: '项目名称' },
  requestingDepartment: { type: 'text', required: false, zh: '申请科室' },
  requestingDoctor: { type: 'text', required: false, zh: '申请医生' },
  clinicalDiagnosis: { type: 'text', required: false, zh: '临床诊断' },
  requestedAt: { type: 'datetime', required: false, zh: '申请时间' },
  executingDepartment: { type: 'text', required: false, zh: '执行科室' },
  status: { type: 'status', required: true, zh: '状态' },
  heightCm: { type: 'number', required: false, zh: '身高' },
  weightKg: { type: 'number', required: false, zh: '体重' },
} as const satisfies Record<string, FieldSpec>;

interface FieldSpec {
  type: FieldType;
  required: boolean;
  zh: string;
}

export type PatientField = keyof typeof patientFields;
export type OrderField = keyof typeof orderFields;

export const MappingSchema = z.object({
  target: z.enum(['patient', 'order']),
  /** Our field → the view's column (matched without regard to case). */
  columns: z.record(z.string(), z.string().min(1)),
  values: z
    .object({
      sex: z.record(z.string(), Sex).optional(),
      visitType: z.record(z.string(), VisitType).optional(),
      status: z.record(z.string(), OrderStatus).optional(),
    })
    .default({}),
  heightUnit: z.enum(['cm', 'm']).default('cm'),
  /** The HIS stores naive local times; this is their zone. */
  timeZone: z.string().default('Asia/Shanghai'),
  /** Item codes that count as lung-function tests; empty means every row counts. */
  pftItemCodes: z.array(z.string()).default([]),
});
export type Mapping = z.infer<typeof MappingSchema>;

// Codes seen across HIS vendors (GB/T 2261.1 sex codes and common spellings) work without configuration.
const DEFAULT_SEX: Record<string, z.infer<typeof Sex>> = { '1': 'male', '2': 'female', '0': 'unknown', '9': 'unknown', 男: 'male', 女: 'female', M: 'male', F: 'female', m: 'male', f: 'female', male: 'male', female: 'female', U: 'unknown', 未知: 'unknown' };
const DEFAULT_VISIT: Record<string, z.infer<typeof VisitType>> = { 门诊: 'outpatient', 住院: 'inpatient', 急诊: 'emergency', 体检: 'physical', O: 'outpatient', I: 'inpatient', E: 'emergency', P: 'physical' };

export type ProblemKind = 'missing-column' | 'wrong-type' | 'unmapped-value' | 'missing-value' | 'no-rows' | 'timeout' | 'error';

export interface Problem {
  kind: ProblemKind;
  field?: string;
  column?: string;
  row?: number;
  value?: unknown;
  message: string;
}

export interface MappedResult<T> {
  records: T[];
  problems: Problem[];
  /** Rows skipped because their item is not a lung-function test. */
  skipped: number;
}

export type MappedPatient = { [K in PatientField]?: K extends 'sex' ? z.infer<typeof Sex> : string };
export type MappedOrder = Omit<{ [K in OrderField]?: string }, 'heightCm' | 'weightKg' | 'visitType' | 'status'> & {
  heightCm?: number;
  weightKg?: number;
  visitType?: z.infer<typeof VisitType>;
  status?: z.infer<typeof OrderStatus>;
};

export function mapRows(rows: Array<Record<string, unknown>>, mapping: Mapping): MappedResult<Record<string, unknown>> {
  const fields: Record<string, FieldSpec> = mapping.target === 'patient' ? patientFields : orderFields;
  const problems: Problem[] = [];
  if (rows.length === 0) return { records: [], problems: [{ kind: 'no-rows', message: '没有查到数据' }], skipped: 0 };

  // Resolve each configured column against the row's real column names, case-insensitively.
  const actual = new Map(Object.keys(rows[0]!).map((c) => [c.toLowerCase(), c]));
  const resolved: Record<string, string> = {};
  for (const [field, spec] of Object.entries(fields)) {
    const column = mapping.columns[field];
    if (!column) {
      if (spec.required) problems.push({ kind: 'missing-column', field, message: `未配置必需字段「${spec.zh}」对应的列` });
      continue;
    }
    const real = actual.get(column.toLowerCase());
    if (real) resolved[field] = real;
    else problems.push({ kind: 'missing-column', field, column, message: `视图中没有列 ${column}（字段「${spec.zh}」）` });
  }

  const records: Array<Record<string, unknown>> = [];
  let skipped = 0;
  rows.forEach((row, index) => {
    const itemColumn = resolved.itemCode;
    if (mapping.target === 'order' && mapping.pftItemCodes.length && itemColumn && !mapping.pftItemCodes.includes(String(row[itemColumn] ?? ''))) {
      skipped += 1;
      return;
    }
    const record: Record<string, unknown> = {};
    for (const [field, column] of Object.entries(resolved)) {
      const spec = fields[field]!;
      const raw = row[column];
      if (raw === null || raw === undefined || raw === '') {
        if (spec.required) problems.push({ kind: 'missing-value', field, column, row: index, message: `第 ${index + 1} 行「${spec.zh}」为空` });
        continue;
      }
      const converted = convert(raw, spec.type, mapping);
      if (converted.ok) record[field] = converted.value;
      else problems.push({ kind: converted.kind, field, column, row: index, value: raw, message: `第 ${index + 1} 行「${spec.zh}」${converted.message}：${String(raw)}` });
    }
    records.push(record);
  });
  return { records, problems, skipped };
}

type Converted = { ok: true; value: unknown } | { ok: false; kind: 'wrong-type' | 'unmapped-value'; message: string };

function convert(raw: unknown, type: FieldType, mapping: Mapping): Converted {
  const text = raw instanceof Date ? raw.toISOString() : String(raw).trim();
  switch (type) {
    case 'text':
      return { ok: true, value: text };
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(text);
      if (!Number.isFinite(n)) return { ok: false, kind: 'wrong-type', message: '不是数字' };
      return { ok: true, value: mapping.heightUnit === 'm' && n < 3 ? Math.round(n * 1000) / 10 : n };
    }
    case 'date': {
      const date = parseDate(raw);
      return date ? { ok: true, value: date } : { ok: false, kind: 'wrong-type', message: '不是可识别的日期' };
    }
    case 'datetime': {
      const instant = parseDateTime(raw, mapping.timeZone);
      return instant ? { ok: true, value: instant } : { ok: false, kind: 'wrong-type', message: '不是可识别的时间' };
    }
    case 'sex':
      return lookup(text, mapping.values.sex, DEFAULT_SEX);
    case 'visitType':
      return lookup(text, mapping.values.visitType, DEFAULT_VISIT);
    case 'status':
      return lookup(text, mapping.values.status, {});
  }
}

function lookup<T>(text: string, configured: Record<string, T> | undefined, defaults: Record<string, T>): Converted {
  const value = configured?.[text] ?? defaults[text];
  return value === undefined ? { ok: false, kind: 'unmapped-value', message: '代码未在值映射中配置' } : { ok: true, value };
}

/** A calendar date as 'YYYY-MM-DD' from the forms HIS views use: 2026-11-25, 20261125, 2026/11/25, 2026-11-25 00:00:00. */
export function parseDate(raw: unknown): string | null {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : raw.toISOString().slice(0, 10);
  const m = /^(\d{4})[-/]?(\d{1,2})[-/]?(\d{1,2})(?:[ T].*)?$/.exec(String(raw).trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** An instant (ISO, UTC) from a naive HIS datetime in the hospital's zone, or from a value with an offset. */
export function parseDateTime(raw: unknown, timeZone: string): string | null {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : raw.toISOString();
  const text = String(raw).trim();
  if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(text)) {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  const m = /^(\d{4})[-/]?(\d{2})[-/]?(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (!m || !parseDate(`${m[1]}-${m[2]}-${m[3]}`)) return null;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  return new Date(asUtc - zoneOffsetMs(timeZone, asUtc)).toISOString();
}
