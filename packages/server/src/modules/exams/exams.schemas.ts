import { z } from 'zod';

export const ScanKind = z.enum(['card', 'outpatientNo', 'inpatientNo', 'requestNo', 'idNumber']);
export type ScanKind = z.infer<typeof ScanKind>;

const regex = z.string().min(1).max(200).refine((p) => {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}, '不是有效的正则表达式');

/** How a scanned code is told apart, in order; the demo hospital's numbering by default. */
export const ScanPatternsSchema = z
  .array(z.object({ kind: ScanKind, pattern: regex }))
  .min(1)
  .default([
    { kind: 'requestNo', pattern: '^SQ\\d{8,}$' },
    { kind: 'idNumber', pattern: '^\\d{17}[\\dXx]$' },
    { kind: 'outpatientNo', pattern: '^MZ\\d+$' },
    { kind: 'inpatientNo', pattern: '^ZY\\d+$' },
    { kind: 'card', pattern: '^[0-9A-Za-z]{6,20}$' },
  ]);

// Plausibility limits for what is measured in the lab (GLI accepts 50–230 cm).
const height = z.number({ error: '身高须为数字' }).min(50, '身高不能低于 50 cm').max(230, '身高不能超过 230 cm');
const weight = z.number({ error: '体重须为数字' }).min(2, '体重不能低于 2 kg').max(300, '体重不能超过 300 kg');

export const ScanBody = z.object({ code: z.string().trim().min(1, '请扫描或输入卡号').max(64) });

const Measurements = {
  heightCm: height.optional(),
  weightKg: weight.optional(),
  deviceId: z.uuid('设备编号格式不正确').optional(),
  room: z.string().trim().max(40).optional(),
};

export const RegisterBody = z.object({ requestNos: z.array(z.string().trim().min(1).max(40)).min(1, '请选择申请单').max(10), ...Measurements });

export const ManualRegisterBody = z.object({
  patient: z.object({
    name: z.string().trim().min(1, '请输入姓名').max(40),
    sex: z.enum(['male', 'female', 'unknown'], { error: '请选择性别' }),
    birthDate: z.iso.date('出生日期格式应为 YYYY-MM-DD'),
    idNumber: z.string().trim().regex(/^\d{17}[\dXx]$/, '身份证号应为 18 位').optional(),
    phone: z.string().trim().max(20).optional(),
    cardNo: z.string().trim().max(30).optional(),
    outpatientNo: z.string().trim().max(30).optional(),
    inpatientNo: z.string().trim().max(30).optional(),
  }),
  requestNo: z.string().trim().max(40).optional(),
  itemName: z.string().trim().min(1).max(60).default('肺通气功能检查'),
  visitType: z.enum(['outpatient', 'inpatient', 'emergency', 'physical']).default('outpatient'),
  visitSerialNo: z.string().trim().max(40).optional(),
  ...Measurements,
});

const OrderView = z.object({
  requestNo: z.string(),
  hisPatientId: z.string(),
  visitType: z.string(),
  visitSerialNo: z.string(),
  ward: z.string().optional(),
  bed: z.string().optional(),
  itemCode: z.string(),
  itemName: z.string(),
  requestingDepartment: z.string().optional(),
  requestingDoctor: z.string().optional(),
  clinicalDiagnosis: z.string().optional(),
  requestedAt: z.string().optional(),
  status: z.string(),
  heightCm: z.number().optional(),
  weightKg: z.number().optional(),
  registrable: z.boolean(),
  reason: z.string().nullable(),
  exam: z.object({ id: z.string(), accessionNo: z.string() }).nullable(),
});

export const ScanReply = z.object({
  kind: ScanKind,
  patient: z.object({
    hisPatientId: z.string().nullable(),
    name: z.string(),
    sex: z.string(),
    birthDate: z.string(),
    age: z.string(),
    idNumber: z.string().nullable(),
    phone: z.string().nullable(),
    address: z.string().nullable(),
    cardNo: z.string().nullable(),
    outpatientNo: z.string().nullable(),
    inpatientNo: z.string().nullable(),
    ward: z.string().nullable(),
    bed: z.string().nullable(),
  }),
  orders: z.array(OrderView),
});

export const RegisterReply = z.object({
  exams: z.array(z.object({ requestNo: z.string(), examId: z.string(), accessionNo: z.string(), created: z.boolean() })),
  /** Things the technician should know, in Chinese (e.g. the device has no passed check today). */
  warnings: z.array(z.string()),
});
export const ManualReply = z.object({ examId: z.string(), accessionNo: z.string(), created: z.boolean(), warnings: z.array(z.string()) });
export const ReconcileReply = z.object({ reconciled: z.number(), waiting: z.number() });

const ExamStatus = z.enum(['registered', 'in_progress', 'results', 'draft', 'pending_review', 'approved', 'delivered', 'cancelled']);

export const WorklistQuery = z.object({
  date: z.iso.date('日期格式应为 YYYY-MM-DD').optional(),
  campusId: z.uuid().optional(),
  deviceId: z.uuid().optional(),
  room: z.string().trim().max(40).optional(),
  status: ExamStatus.optional(),
});

export const WorklistReply = z.array(
  z.object({
    id: z.string(),
    accessionNo: z.string(),
    requestNo: z.string().nullable(),
    itemName: z.string(),
    testKind: z.string(),
    visitType: z.string(),
    visitSerialNo: z.string().nullable(),
    ward: z.string().nullable(),
    bed: z.string().nullable(),
    status: ExamStatus,
    hisVerified: z.boolean(),
    room: z.string().nullable(),
    registeredAt: z.string(),
    campusId: z.string(),
    heightCm: z.number().nullable(),
    weightKg: z.number().nullable(),
    patientName: z.string(),
    sex: z.string(),
    birthDate: z.string(),
    age: z.string(),
    deviceId: z.string().nullable(),
    deviceName: z.string().nullable(),
    dispatch: z.object({ status: z.enum(['pending', 'done', 'failed']), attempts: z.number(), lastError: z.string().nullable() }).nullable(),
  }),
);
