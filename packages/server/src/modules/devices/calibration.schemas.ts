import { LOG_FIELDS } from '@pftis/formats/calibration/csv-log';
import { z } from 'zod';

/** The lab's quality-control policy (a setting; changes audited). */
export const QcPolicySchema = z.object({
  /** Refuse to register an exam on a device without a passed volume check today (otherwise: warn). */
  blockWithoutPassedCheck: z.boolean().default(false),
  /** Biological control: how far FEV1 and FVC may move from the subject's own baseline, percent (U: a lab setting). */
  biologicalControlLimitPct: z.number().min(1).max(20).default(5),
  /** ... and in litres (U: a lab setting). */
  biologicalControlLimitL: z.number().min(0.01).max(1).default(0.15),
  /** 'either': beyond either limit is out of limits; 'both': only beyond both (the larger limit applies). */
  biologicalControlCombine: z.enum(['either', 'both']).default('either'),
});

const volume = z.number({ error: '请输入容积' }).positive('容积须大于 0').max(20);

export const CheckBody = z
  .object({
    deviceId: z.uuid('设备编号格式不正确'),
    kind: z.enum(['volume_check', 'calibration', 'biological_control'], { error: '请选择记录类型' }),
    performedAt: z.coerce.date({ error: '时间格式不正确' }).optional(),
    syringeVolumeL: volume.optional(),
    syringeSerial: z.string().trim().max(60).optional(),
    temperatureC: z.number().min(-10).max(50).optional(),
    pressureHpa: z.number().min(500).max(1100).optional(),
    humidityPct: z.number().min(0).max(100).optional(),
    injections: z.array(z.object({ flowLps: z.number().min(0).max(20).nullish(), measuredL: volume })).max(20).optional(),
    subject: z.string().trim().max(40).optional(),
    fev1L: volume.optional(),
    fvcL: volume.optional(),
    notes: z.string().max(1000).optional(),
    /** Reports uploaded beforehand (POST /api/calibration/documents) that this record was transcribed from. */
    documentIds: z.array(z.uuid('附件编号格式不正确')).max(10).optional(),
  })
  .refine((c) => c.kind === 'biological_control' || (c.syringeVolumeL !== undefined && (c.injections?.length ?? 0) > 0), { message: '定标记录须填写定标筒容积和各次注气读数', path: ['injections'] })
  .refine((c) => c.kind !== 'biological_control' || (!!c.subject && c.fev1L !== undefined && c.fvcL !== undefined), { message: '生物质控须填写受试者、FEV1 和 FVC', path: ['subject'] })
  .refine((c) => c.kind !== 'biological_control' || c.fvcL === undefined || c.fev1L === undefined || c.fev1L <= c.fvcL, { message: 'FEV1 不能大于 FVC', path: ['fev1L'] })
  .refine((c) => !c.performedAt || c.performedAt.getTime() <= Date.now() + 5 * 60_000, { message: '时间不能晚于现在', path: ['performedAt'] });

export const Problem = z.object({ code: z.string(), detail: z.string() });
export const Recorded = z.object({ id: z.string(), passed: z.boolean(), problems: z.array(Problem), injections: z.array(z.unknown()), checkDate: z.string() });

export const MediaType = z.enum(['application/pdf', 'image/jpeg', 'image/png']);
export const DocumentView = z.object({ id: z.string(), sha256: z.string(), name: z.string(), mediaType: MediaType, sizeBytes: z.number(), uploadedAt: z.string() });
export const ActionView = z.object({ id: z.string(), action: z.string(), operatorName: z.string(), createdAt: z.string() });
export const Injection = z.object({ flowLps: z.number().nullish(), measuredL: z.number(), errorPct: z.number(), withinLimit: z.boolean() });

export const CheckView = z.object({
  id: z.string(),
  deviceId: z.string(),
  campusId: z.string(),
  kind: z.enum(['volume_check', 'calibration', 'biological_control']),
  source: z.enum(['manual', 'document', 'device']),
  performedAt: z.string(),
  checkDate: z.string(),
  operatorName: z.string(),
  syringeVolumeL: z.number().nullable(),
  syringeSerial: z.string().nullable(),
  temperatureC: z.number().nullable(),
  pressureHpa: z.number().nullable(),
  humidityPct: z.number().nullable(),
  injections: z.array(Injection),
  subject: z.string().nullable(),
  fev1L: z.number().nullable(),
  fvcL: z.number().nullable(),
  baselineFev1L: z.number().nullable(),
  baselineFvcL: z.number().nullable(),
  baselineSessions: z.number().nullable(),
  passed: z.boolean(),
  problems: z.array(Problem),
  attachmentSha256: z.string().nullable(),
  attachmentName: z.string().nullable(),
  notes: z.string(),
  documents: z.array(DocumentView),
  actions: z.array(ActionView),
});

export const DayStatusEnum = z.enum(['passed', 'failed', 'missing']);
export const OverviewRow = z.object({
  deviceId: z.string(),
  name: z.string(),
  room: z.string(),
  today: DayStatusEnum,
  lastCheckAt: z.string().nullable(),
  lastPassed: z.boolean().nullable(),
  /** Exams registered on the device today while it had no passed check. */
  examsToday: z.number(),
  lastBiologicalAt: z.string().nullable(),
  lastBiologicalPassed: z.boolean().nullable(),
});

export const DailyQuery = z
  .object({ deviceId: z.uuid('设备编号格式不正确'), from: z.iso.date('日期格式不正确'), to: z.iso.date('日期格式不正确') })
  .refine((q) => q.from <= q.to, { message: '开始日期不能晚于结束日期', path: ['from'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 400 * 86_400_000, { message: '一次最多查询 400 天', path: ['to'] });

export const DayView = z.object({
  date: z.string(),
  /** The volume check (or calibration) of the day: passed if any passed, failed if all failed, missing if none. */
  volume: DayStatusEnum,
  checks: z.number(),
  /** Biological control that day, if any was done. */
  biological: z.enum(['passed', 'failed']).nullable(),
  /** Exams registered on the device that day. */
  exams: z.number(),
});
export const Daily = z.object({ deviceId: z.string(), today: z.string(), since: z.string(), days: z.array(DayView) });

export const DeviceToday = z.object({ status: DayStatusEnum, blockWithoutPassedCheck: z.boolean() });
export const ActionBody = z.object({ action: z.string().trim().min(2, '请填写处理措施').max(1000) });

/**
 * How a device's calibration-log export is read when the built-in header aliases do not fit (a setting per device):
 * field → the header as printed, or the column's 1-based number.
 */
export const LogMappingSchema = z.object({
  columns: z.partialRecord(z.enum(LOG_FIELDS as [string, ...string[]]), z.union([z.string().trim().min(1, '请填写列名').max(80), z.number().int().min(1).max(200)])).default({}),
  encoding: z.enum(['auto', 'utf-8', 'gbk', 'gb18030']).default('auto'),
  /** What a row without a type column is. */
  defaultKind: z.enum(['volume_check', 'calibration']).default('volume_check'),
});

export const LogWarningView = z.object({ row: z.number().nullable(), code: z.string(), message: z.string() });
/** What importing one device calibration export did. */
export const LogImportResult = z.object({
  fileId: z.string(),
  sha256: z.string(),
  name: z.string(),
  /** imported: read (records created, or all of them already there); quarantined: kept with the reason. */
  status: z.enum(['imported', 'quarantined', 'unmatched', 'received']),
  /** The same bytes were imported before: nothing was created this time. */
  duplicate: z.boolean(),
  reason: z.string().nullable(),
  created: z.array(z.object({ id: z.string(), performedAt: z.string(), kind: z.enum(['volume_check', 'calibration']), passed: z.boolean(), problems: z.array(Problem), injections: z.array(Injection) })),
  /** Checks of the file that were already recorded from an earlier export (device logs are often cumulative). */
  skipped: z.array(z.object({ performedAt: z.string(), reason: z.string() })),
  warnings: z.array(LogWarningView),
});
