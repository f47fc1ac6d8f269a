/**
 * A report version as flat text fields: the vocabulary of HTTP body templates ({{field}}) and of file name
 * patterns. Null becomes ''; numbers are written without float noise; times are hospital local
 * `YYYY-MM-DD HH:mm:ss` unless the name ends in `Iso`.
 */
import { BDR_TEXT, PATTERN_TEXT, SEVERITY_TEXT, SEX_GB, SEX_TEXT, VISIT_TYPE_TEXT, abnormalFlag, formatNumber, localCode, loincFor, PFT_LOINC, type LoincTable } from './codes.ts';
import type { DeliveredReport } from './delivered-report.ts';
import { reportDeliveryKey, reportMessageId, toBase64 } from './ids.ts';
import { DEFAULT_HOSPITAL_TIME_ZONE, localDateTimeParts } from '../worklist/local-time.ts';

/** Scalar fields, with what each holds. */
export const REPORT_FIELDS = {
  serviceId: 'service id of the receiving platform (option serviceId, default BS320)',
  senderId: 'id of the sending system (option senderId, default PFTIS)',
  messageId: 'message id, the same at every retry of this delivery (UUID; the withdrawal of a version has its own)',
  sendTime: 'time of this delivery attempt (local)',
  sendTimeIso: 'time of this delivery attempt (ISO 8601, UTC)',
  idempotencyKey: 'reportId:version (on a revoke: of the version withdrawn)',
  deliveryKey: 'key of this delivery: idempotencyKey, or idempotencyKey:revoke for a withdrawal',
  reportId: '报告 ID (all versions)',
  version: '版本号',
  action: 'publish | replace | revoke',
  actionName: '发布 | 更正 | 撤回',
  supersedesVersion: 'version this one corrects',
  correctionReason: '更正原因',
  revocationReason: '撤回原因 (revoke only)',
  hospitalName: '医院名称',
  campusCode: '院区代码',
  campusName: '院区名称',
  patientId: '病人ID (HIS)',
  patientName: '姓名',
  sex: 'male | female | unknown',
  sexCode: '性别代码 GB/T 2261.1 (1 男, 2 女, 0 未知)',
  sexName: '男 | 女 | 未知',
  birthDate: '出生日期 YYYY-MM-DD',
  outpatientNo: '门诊号',
  inpatientNo: '住院号',
  visitNo: '就诊号: 住院号 for inpatients, else 门诊号',
  requestNo: '申请单号',
  accessionNo: '检查号 (PFTIS accession)',
  visitType: 'outpatient | inpatient | emergency | physical',
  visitTypeName: '门诊 | 住院 | 急诊 | 体检',
  visitSerialNo: '就诊流水号 (门诊/住院流水号)',
  itemCode: '检查项目代码',
  itemName: '检查项目名称',
  examDate: '检查日期 YYYY-MM-DD',
  requestingDepartment: '申请科室',
  requestingDoctor: '申请医生',
  conclusion: '检查结论 (full text, line breaks kept)',
  conclusionSummary: '结论摘要',
  pattern: 'ventilatory pattern code',
  patternName: '通气功能障碍类型',
  severity: 'severity code',
  severityName: '严重程度',
  bdr: 'positive | negative',
  bdrName: '支气管舒张试验阳性 | 阴性',
  technician: '检查技师',
  reporter: '报告医生',
  reviewer: '审核医生',
  approvedAt: '审核时间 (local)',
  approvedAtIso: '审核时间 (ISO 8601 with offset)',
  signatureSerial: '电子签章号',
  verificationUrl: '报告验证地址',
  pdfSha256: 'SHA-256 of the PDF (hex)',
  pdfSm3: 'SM3 of the PDF (hex)',
  pdfSize: 'PDF size in bytes',
  documentFormat: 'PDF | JPG',
  documentMimeType: 'application/pdf | image/jpeg',
  documentBase64: "the PDF, or the first JPG page, in base64 ('' on a revoke)",
  pageCount: 'number of documents in {{#pages}} (0 on a revoke)',
} as const;

/** Fields of each item of a `{{#list}}…{{/list}}` section. */
export const REPORT_LIST_FIELDS = {
  results: {
    param: 'parameter id (FEV1, FVC, FEV1FVC …)',
    localCode: 'PFTIS local code (FEV1, FEV1_POST …)',
    loinc: 'LOINC code of the measured value, if any',
    label: '参数名称',
    stage: 'pre | post',
    stageName: '舒张前 | 舒张后',
    value: '实测值',
    unit: '单位 (UCUM)',
    predicted: '预计值',
    lln: '正常值下限',
    uln: '正常值上限',
    zScore: 'Z值',
    pctPredicted: '实测/预计%',
    flag: 'L | H | N (against LLN/ULN)',
  },
  pages: {
    pageNo: 'sequence number, from 1',
    pageBase64: 'the document (the PDF, or one JPG page) in base64; a revoke has no pages',
  },
} as const;

export type ReportFieldName = keyof typeof REPORT_FIELDS;
export type ReportListName = keyof typeof REPORT_LIST_FIELDS;

export interface ReportFieldScope {
  fields: Record<string, string>;
  lists: Record<ReportListName, Array<Record<string, string>>>;
}

export interface ReportFieldOptions {
  /** {{sendTime}}; default: the current time. */
  now?: Date;
  /** The document sent: the PDF (default) or the JPG pages. */
  document?: 'pdf' | 'jpg';
  timeZone?: string;
  loinc?: LoincTable;
  /** {{serviceId}}: default `BS320`. */
  serviceId?: string;
  /** {{senderId}}: default `PFTIS`. */
  senderId?: string;
}

const ACTION_NAME = { publish: '发布', replace: '更正', revoke: '撤回' } as const;

const text = (value: string | number | null | undefined): string => (value === null || value === undefined ? '' : typeof value === 'number' ? formatNumber(value) : value);

export function localTime(value: Date | string, timeZone: string = DEFAULT_HOSPITAL_TIME_ZONE): string {
  const instant = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(instant.getTime())) return typeof value === 'string' ? value : '';
  const t = localDateTimeParts(instant, timeZone);
  return `${t.year}-${t.month}-${t.day} ${t.hour}:${t.minute}:${t.second}`;
}

export function reportFieldScope(report: DeliveredReport, options: ReportFieldOptions): ReportFieldScope {
  const timeZone = options.timeZone ?? DEFAULT_HOSPITAL_TIME_ZONE;
  const now = options.now ?? new Date();
  const loinc: LoincTable = { ...PFT_LOINC, ...options.loinc };
  const jpg = options.document === 'jpg';
  // A revoke sends no document: the version it withdraws is named by its key, version and digests.
  const documents = report.action === 'revoke' ? [] : jpg ? (report.jpgPages ?? []) : [report.pdf.bytes];
  const { patient, order, conclusion } = report;
  const fields: Record<ReportFieldName, string> = {
    serviceId: options.serviceId ?? 'BS320',
    senderId: options.senderId ?? 'PFTIS',
    messageId: reportMessageId(reportDeliveryKey(report)),
    sendTime: localTime(now, timeZone),
    sendTimeIso: now.toISOString(),
    idempotencyKey: report.idempotencyKey,
    deliveryKey: reportDeliveryKey(report),
    reportId: report.reportId,
    version: text(report.version),
    action: report.action,
    actionName: ACTION_NAME[report.action],
    supersedesVersion: text(report.supersedesVersion),
    correctionReason: text(report.correctionReason),
    revocationReason: text(report.revocationReason),
    hospitalName: report.hospital.name,
    campusCode: report.hospital.campusCode,
    campusName: report.hospital.campusName,
    patientId: text(patient.hisPatientId),
    patientName: patient.name,
    sex: patient.sex,
    sexCode: SEX_GB[patient.sex],
    sexName: SEX_TEXT[patient.sex],
    birthDate: patient.birthDate,
    outpatientNo: text(patient.outpatientNo),
    inpatientNo: text(patient.inpatientNo),
    visitNo: text(order.visitType === 'inpatient' ? (patient.inpatientNo ?? patient.outpatientNo) : (patient.outpatientNo ?? patient.inpatientNo)),
    requestNo: text(order.requestNo),
    accessionNo: order.accessionNo,
    visitType: order.visitType,
    visitTypeName: VISIT_TYPE_TEXT[order.visitType],
    visitSerialNo: text(order.visitSerialNo),
    itemCode: text(order.itemCode),
    itemName: order.itemName,
    examDate: order.examDate,
    requestingDepartment: text(order.requestingDepartment),
    requestingDoctor: text(order.requestingDoctor),
    conclusion: conclusion.text,
    conclusionSummary: text(conclusion.summary),
    pattern: text(conclusion.pattern),
    patternName: conclusion.pattern ? (PATTERN_TEXT[conclusion.pattern] ?? conclusion.pattern) : '',
    severity: text(conclusion.severity),
    severityName: conclusion.severity ? (SEVERITY_TEXT[conclusion.severity] ?? conclusion.severity) : '',
    bdr: text(conclusion.bdr),
    bdrName: conclusion.bdr ? BDR_TEXT[conclusion.bdr] : '',
    technician: text(report.technician),
    reporter: text(report.reporter),
    reviewer: report.reviewer,
    approvedAt: localTime(report.approvedAt, timeZone),
    approvedAtIso: report.approvedAt,
    signatureSerial: text(report.signatureSerial),
    verificationUrl: report.verificationUrl,
    pdfSha256: report.pdf.sha256,
    pdfSm3: report.pdf.sm3,
    pdfSize: text(report.pdf.bytes.byteLength),
    documentFormat: jpg ? 'JPG' : 'PDF',
    documentMimeType: jpg ? 'image/jpeg' : 'application/pdf',
    documentBase64: documents[0] ? toBase64(documents[0]) : '',
    pageCount: text(documents.length),
  };
  const results = report.results
    .filter((r) => r.value !== null)
    .map((r) => ({
      param: r.param,
      localCode: localCode(r.param, r.stage, 'measured'),
      loinc: text(loincFor(loinc, r.param, 'measured')),
      label: r.label,
      stage: r.stage,
      stageName: r.stage === 'post' ? '舒张后' : '舒张前',
      value: text(r.value),
      unit: r.unit,
      predicted: text(r.predicted),
      lln: text(r.lln),
      uln: text(r.uln),
      zScore: text(r.zScore),
      pctPredicted: text(r.pctPredicted),
      flag: abnormalFlag(r),
    }));
  const pages = documents.map((bytes, index) => ({ pageNo: String(index + 1), pageBase64: toBase64(bytes) }));
  return { fields, lists: { results, pages } };
}
