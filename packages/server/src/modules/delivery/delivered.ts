import type { DeliveredReport } from '@pftis/formats/report/delivered-report';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { FileStore } from '../../platform/files.js';
import { conclusionSummary, PARAM_LABELS } from '../reports/document.js';
import type { ReportContent } from '../reports/draft.js';
import { performerOf } from '../reports/technician.js';
import { verifyPdfSignatures } from '../review/signing/index.js';

const BEIJING = '+08:00';
const isoBeijing = (at: Date) => `${new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}${BEIJING}`;

/** One approved version, resolved for delivery (the signed PDF from the file store, names from the review log). */
export async function loadDeliveredReport(
  db: Kysely<DB>,
  files: FileStore,
  { reportId, version, publicUrl, hospitalName }: { reportId: string; version: number; publicUrl: string; hospitalName: string },
): Promise<{ report: DeliveredReport; status: string; examId: string; requestNo: string | null; revocationReason: string | null } | null> {
  const row = await db
    .selectFrom('reportVersion')
    .innerJoin('report', 'report.id', 'reportVersion.reportId')
    .innerJoin('exam', 'exam.id', 'report.examId')
    .innerJoin('patient', 'patient.id', 'exam.patientId')
    .innerJoin('campus', 'campus.id', 'exam.campusId')
    .leftJoin('appUser as registrar', 'registrar.id', 'exam.registeredBy')
    .leftJoin('appUser as signer', 'signer.id', 'reportVersion.signerId')
    .select([
      'reportVersion.status', 'reportVersion.content', 'reportVersion.conclusionText', 'reportVersion.pattern', 'reportVersion.severity', 'reportVersion.bdr', 'reportVersion.submission',
      'reportVersion.submittedBy', 'reportVersion.submittedAt', 'reportVersion.correctionReason', 'reportVersion.revocationReason', 'reportVersion.approvedAt', 'reportVersion.finalSha256', 'reportVersion.finalSm3', 'reportVersion.verificationCode',
      'exam.id as examId', 'exam.requestNo', 'exam.accessionNo', 'exam.visitType', 'exam.visitSerialNo', 'exam.itemCode', 'exam.itemName', 'exam.examDate', 'exam.requestingDepartment', 'exam.requestingDoctor',
      'patient.hisPatientId', 'patient.name as patientName', 'patient.sex', 'patient.birthDate', 'patient.outpatientNo', 'patient.inpatientNo',
      'campus.code as campusCode', 'campus.name as campusName', 'registrar.displayName as technician', 'signer.displayName as reviewer',
    ])
    .where('reportVersion.reportId', '=', reportId)
    .where('reportVersion.version', '=', version)
    .executeTakeFirst();
  if (!row) return null;
  if (!row.finalSha256 || !row.approvedAt) return { report: null as never, status: row.status, examId: row.examId, requestNo: row.requestNo, revocationReason: null };
  const firstApprover = await db
    .selectFrom('reviewStep')
    .innerJoin('appUser', 'appUser.id', 'reviewStep.actorId')
    .select('appUser.displayName')
    .where('reviewStep.reportId', '=', reportId).where('reviewStep.version', '=', version).where('reviewStep.submission', '=', row.submission)
    .where('reviewStep.action', '=', 'approve').where('reviewStep.level', '=', 1)
    .executeTakeFirst();
  const performer = await performerOf(db, row.examId, row);
  const pdf = new Uint8Array(await files.get(row.finalSha256));
  const [signature] = await verifyPdfSignatures(pdf);
  const content = row.content as ReportContent;
  const results = content.rows.flatMap((r) => {
    const label = PARAM_LABELS[r.param];
    const scale = label?.percent ? 100 : 1;
    const s = (v: number | null) => (v === null ? null : Number((v * scale).toFixed(4)));
    const common = { param: r.param, label: label?.zh ?? r.param, unit: label?.percent ? '%' : r.unit, predicted: s(r.predicted), lln: s(r.lln), uln: s(r.uln) };
    const pre = { ...common, stage: 'pre' as const, value: s(r.measured), zScore: r.zScore, pctPredicted: r.pctPredicted };
    return r.post === null ? [pre] : [pre, { ...common, stage: 'post' as const, value: s(r.post), zScore: r.postZScore, pctPredicted: r.postPctPredicted }];
  });
  return {
    status: row.status,
    examId: row.examId,
    requestNo: row.requestNo,
    revocationReason: row.revocationReason,
    report: {
      idempotencyKey: `${reportId}:${version}`,
      reportId, version,
      action: version > 1 ? 'replace' : 'publish',
      supersedesVersion: version > 1 ? version - 1 : null,
      correctionReason: row.correctionReason,
      revocationReason: null,
      hospital: { name: hospitalName, campusCode: row.campusCode, campusName: row.campusName },
      patient: { hisPatientId: row.hisPatientId, name: row.patientName, sex: row.sex, birthDate: row.birthDate, outpatientNo: row.outpatientNo, inpatientNo: row.inpatientNo },
      order: {
        requestNo: row.requestNo, accessionNo: row.accessionNo, visitType: row.visitType, visitSerialNo: row.visitSerialNo, itemCode: row.itemCode, itemName: row.itemName,
        examDate: row.examDate, requestingDepartment: row.requestingDepartment, requestingDoctor: row.requestingDoctor,
      },
      results,
      conclusion: { text: row.conclusionText, summary: conclusionSummary('zh', row), pattern: row.pattern, severity: row.severity, bdr: row.bdr },
      technician: performer?.name ?? row.technician ?? null,
      reporter: firstApprover?.displayName ?? null,
      reviewer: row.reviewer ?? '',
      approvedAt: isoBeijing(row.approvedAt),
      signatureSerial: signature?.signer?.serialNumberHex ?? null,
      verificationUrl: `${publicUrl.replace(/\/$/, '')}/verify/${row.verificationCode}`,
      pdf: { bytes: pdf, sha256: row.finalSha256, sm3: row.finalSm3 ?? '' },
      jpgPages: null,
    },
  };
}
