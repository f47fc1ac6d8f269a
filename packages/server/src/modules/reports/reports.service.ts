import { DEFAULT_LAB_SETTINGS, type LabSettings } from '@pftis/clinical';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { DB, PhraseScope, ReportStatus } from '../../db/types.js';
import type { Actor } from '../../platform/access.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { AppError, Conflict, NotFound } from '../../platform/errors.js';
import { hospitalDate } from '../../platform/hospital-time.js';
import { decodeImageSafely } from '../../platform/image-sandbox.js';
import { readSetting, writeSetting } from '../../platform/settings.js';
import { actorRef } from '../auth/auth.service.js';
import { ageAt } from '../exams/patients.js';
import { questionnaireOfExam } from '../questionnaire/questionnaire.service.js';
import { buildReportDocument, type DocumentFacts } from './document.js';
import { draftContent, type ReportContent } from './draft.js';
import { DEFAULT_REPORT_TEMPLATE, RESULT_COLUMNS, type ReportLanguage, type ReportSignature } from './render/report-document.js';
import { withTechnician } from './technician.js';

export const LAB_SETTINGS_KEY = 'clinical.lab';
export const REPORT_LAYOUT_KEY = 'report.layout';

export const LabSettingsSchema = z.custom<LabSettings>((v) => typeof v === 'object' && v !== null && 'reference' in v && 'interpretation' in v).default(DEFAULT_LAB_SETTINGS);

export const ReportLayoutSchema = z.object({
  title: z.string().trim().min(1).max(40).default('肺功能检查报告'),
  footer: z.string().max(200).default('本报告仅对本次检查结果负责，请结合临床。'),
  language: z.enum(['zh', 'en']).default('zh'),
  marginMm: z.number().min(5).max(30).default(DEFAULT_REPORT_TEMPLATE.marginMm),
  baseFontSize: z.number().min(6).max(14).default(DEFAULT_REPORT_TEMPLATE.baseFontSize),
  titleFontSize: z.number().min(10).max(28).default(DEFAULT_REPORT_TEMPLATE.titleFontSize),
  showLogo: z.boolean().default(DEFAULT_REPORT_TEMPLATE.showLogo),
  sections: z.array(z.enum(['patient', 'results', 'curves', 'quality', 'interpretation', 'signatures'])).min(1).default(DEFAULT_REPORT_TEMPLATE.sections),
  columns: z.array(z.enum(RESULT_COLUMNS)).min(1).default(DEFAULT_REPORT_TEMPLATE.columns),
  patientFieldsPerLine: z.number().int().min(1).max(6).default(DEFAULT_REPORT_TEMPLATE.patientFieldsPerLine),
  showBarcode: z.boolean().default(DEFAULT_REPORT_TEMPLATE.showBarcode),
  showQr: z.boolean().default(DEFAULT_REPORT_TEMPLATE.showQr),
  jpgDpi: z.number().int().min(72).max(600).default(DEFAULT_REPORT_TEMPLATE.jpgDpi),
  jpgQuality: z.number().int().min(30).max(100).default(DEFAULT_REPORT_TEMPLATE.jpgQuality),
  /** Per campus: the logo as a data: URL (PNG or JPEG). */
  logos: z.record(z.string(), z.string().max(700_000)).default({}),
});
export type ReportLayout = z.output<typeof ReportLayoutSchema>;

export interface ConclusionInput {
  conclusionText: string;
  pattern: string | null;
  severity: string | null;
  bdr: 'positive' | 'negative' | null;
}

type Executor = Kysely<DB> | Transaction<DB>;

export type ReportsService = ReturnType<typeof createReportsService>;

/** Report drafts: content from the device values, the physician's conclusion, the phrase library, the printed document. */
export function createReportsService({ db, hospitalName, now = () => new Date() }: { db: Kysely<DB>; hospitalName: string; now?: () => Date }) {
  async function examRow(ex: Executor, examId: string) {
    const row = await ex
      .selectFrom('exam')
      .innerJoin('patient', 'patient.id', 'exam.patientId')
      .innerJoin('campus', 'campus.id', 'exam.campusId')
      .select([
        'exam.id', 'exam.accessionNo', 'exam.requestNo', 'exam.itemName', 'exam.testKind', 'exam.visitType', 'exam.visitSerialNo', 'exam.ward', 'exam.bed',
        'exam.requestingDepartment', 'exam.requestingDoctor', 'exam.clinicalDiagnosis', 'exam.examDate', 'exam.heightCm', 'exam.weightKg', 'exam.status',
        'exam.campusId', 'exam.registeredBy', 'exam.patientId', 'campus.name as campusName',
        'patient.name as patientName', 'patient.sex', 'patient.birthDate', 'patient.hisPatientId', 'patient.outpatientNo', 'patient.inpatientNo',
      ])
      .where('exam.id', '=', examId)
      .executeTakeFirst();
    if (!row) throw new NotFound('exam', examId);
    return row;
  }

  async function deviceData(ex: Executor, examId: string) {
    const measurements = await ex
      .selectFrom('measurement')
      .innerJoin('measurementSet', 'measurementSet.id', 'measurement.setId')
      .select(['measurement.param', 'measurement.stage', 'measurement.value', 'measurement.unit', 'measurement.devicePredicted', 'measurement.deviceLln', 'measurementSet.qualityGrade'])
      .where('measurementSet.examId', '=', examId)
      .orderBy('measurementSet.createdAt', 'desc')
      .orderBy('measurement.id')
      .execute();
    const curves = await ex
      .selectFrom('trialCurve')
      .innerJoin('measurementSet', 'measurementSet.id', 'trialCurve.setId')
      .select(['trialCurve.stage', 'trialCurve.number', 'trialCurve.accepted', 'trialCurve.sampleIntervalS', 'trialCurve.flowLps', 'trialCurve.volumeL'])
      .where('measurementSet.examId', '=', examId)
      .orderBy('trialCurve.stage', 'desc')
      .orderBy('trialCurve.number')
      .execute();
    return { measurements, curves: curves.map((c) => ({ ...c, flowLps: c.flowLps.map(Number), volumeL: c.volumeL.map(Number) })) };
  }

  async function computeContent(ex: Executor, examId: string): Promise<{ content: ReportContent; conclusion: ConclusionInput }> {
    const exam = await examRow(ex, examId);
    const { measurements, curves } = await deviceData(ex, examId);
    if (measurements.length === 0) throw new Conflict('report-no-results', '该检查尚无设备结果，不能生成报告');
    const lab = await readSetting(ex, LAB_SETTINGS_KEY, LabSettingsSchema);
    const content = draftContent({
      sex: exam.sex, birthDate: exam.birthDate, examDate: exam.examDate, heightCm: exam.heightCm, weightKg: exam.weightKg,
      measurements: measurements.map((m) => ({ ...m, stage: m.stage as 'pre' | 'post' })),
      trials: curves, deviceQualityGrade: measurements[0]?.qualityGrade ?? null, lab,
    });
    const i = content.interpretation;
    return { content, conclusion: { conclusionText: i?.narrative.zh ?? '', pattern: i?.pattern ?? null, severity: i?.severity ?? null, bdr: i?.bdr ?? null } };
  }

  /** The report of an exam, created as a draft from the device values the first time it is opened for writing. */
  async function ensureDraft(actor: AuditActor, examId: string): Promise<{ reportId: string; version: number }> {
    return db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('report').select(['id', 'currentVersion']).where('examId', '=', examId).forUpdate().executeTakeFirst();
      if (existing) return { reportId: existing.id, version: existing.currentVersion };
      const exam = await examRow(trx, examId);
      const { content, conclusion } = await computeContent(trx, examId);
      const report = await trx.insertInto('report').values({ examId, campusId: exam.campusId }).returning('id').executeTakeFirstOrThrow();
      await trx
        .insertInto('reportVersion')
        .values({ reportId: report.id, version: 1, content: JSON.stringify(content), ...conclusion, authorId: actor.userId, authorName: actor.name, updatedAt: now() })
        .execute();
      await trx.updateTable('exam').set({ status: 'draft', updatedAt: now() }).where('id', '=', examId).where('status', 'in', ['registered', 'in_progress', 'results']).execute();
      await recordAudit(trx, actor, { action: 'report.drafted', entityType: 'report', entityId: report.id, campusId: exam.campusId, detail: { examId, pattern: conclusion.pattern } }, now());
      return { reportId: report.id, version: 1 };
    });
  }

  async function version(ex: Executor, reportId: string, versionNo?: number, lock = false) {
    const report = await ex.selectFrom('report').selectAll().where('id', '=', reportId).executeTakeFirst();
    if (!report) throw new NotFound('report', reportId);
    let query = ex.selectFrom('reportVersion').selectAll().where('reportId', '=', reportId).where('version', '=', versionNo ?? report.currentVersion);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw new NotFound('report version', `${reportId}/${versionNo}`);
    return { report, version: { ...row, content: row.content as ReportContent, chain: row.chain as Array<{ level: number; name: string; nameEn: string; permission: string }> } };
  }

  /** Writes the physician's conclusion into a version that may still change (the caller checked who may). */
  async function saveConclusion(trx: Transaction<DB>, actor: AuditActor, reportId: string, versionNo: number, input: ConclusionInput, campusId: string) {
    const before = await trx.selectFrom('reportVersion').select(['conclusionText', 'pattern', 'severity', 'bdr']).where('reportId', '=', reportId).where('version', '=', versionNo).executeTakeFirstOrThrow();
    await trx.updateTable('reportVersion').set({ ...input, authorId: actor.userId, authorName: actor.name, updatedAt: now() }).where('reportId', '=', reportId).where('version', '=', versionNo).execute();
    await recordAudit(trx, actor, { action: 'report.edited', entityType: 'report', entityId: reportId, campusId, before, after: input, detail: { version: versionNo } }, now());
  }

  /** Recomputes a draft's content from the current device values and lab settings (e.g. after a re-import). */
  async function refreshContent(trx: Transaction<DB>, actor: AuditActor, reportId: string, versionNo: number, examId: string) {
    const { content } = await computeContent(trx, examId);
    await trx.updateTable('reportVersion').set({ content: JSON.stringify(content), updatedAt: now() }).where('reportId', '=', reportId).where('version', '=', versionNo).execute();
    await recordAudit(trx, actor, { action: 'report.recomputed', entityType: 'report', entityId: reportId, detail: { version: versionNo } }, now());
    return content;
  }

  async function previousExams(ex: Executor, patientId: string, examId: string) {
    const rows = await ex
      .selectFrom('exam')
      .leftJoin('report', 'report.examId', 'exam.id')
      .leftJoin('reportVersion', (join) => join.onRef('reportVersion.reportId', '=', 'report.id').onRef('reportVersion.version', '=', 'report.currentVersion'))
      .select(['exam.id', 'exam.examDate', 'exam.itemName', 'exam.status', 'reportVersion.conclusionText', 'reportVersion.status as reportStatus', 'reportVersion.content'])
      .where('exam.patientId', '=', patientId)
      .where('exam.id', '<>', examId)
      .orderBy('exam.examDate', 'desc')
      .limit(20)
      .execute();
    return rows.map((r) => {
      const content = r.content as ReportContent | null;
      const measured = (param: string) => content?.rows.find((x) => x.param === param)?.measured ?? null;
      return { examId: r.id, examDate: r.examDate, itemName: r.itemName, status: r.status, reportStatus: (r.reportStatus as ReportStatus | null) ?? null, conclusion: r.conclusionText ?? null, fev1: measured('FEV1'), fvc: measured('FVC'), fev1fvc: measured('FEV1FVC') };
    });
  }

  /** Everything the report workspace shows for one exam. */
  async function workspace(actor: AuditActor, examId: string, versionNo?: number) {
    const exam = await examRow(db, examId);
    const { curves } = await deviceData(db, examId);
    const report = await db.selectFrom('report').selectAll().where('examId', '=', examId).executeTakeFirst();
    const current = report ? await version(db, report.id, versionNo) : null;
    const versions = report
      ? await db.selectFrom('reportVersion').select(['version', 'status', 'createdAt', 'approvedAt', 'correctionReason', 'authorName']).where('reportId', '=', report.id).orderBy('version').execute()
      : [];
    const steps = current
      ? await db.selectFrom('reviewStep').select(['action', 'level', 'actorName', 'comment', 'at', 'submission']).where('reportId', '=', report!.id).where('version', '=', current.version.version).orderBy('id').execute()
      : [];
    await db.transaction().execute((trx) => recordAudit(trx, actor, { action: 'report.viewed', entityType: 'exam', entityId: examId, campusId: exam.campusId }, now()));
    return {
      exam,
      age: ageAt(exam.birthDate, exam.examDate).label,
      report: report ? { id: report.id, currentVersion: report.currentVersion, versions } : null,
      version: current?.version ?? null,
      steps,
      curves,
      previous: await previousExams(db, exam.patientId, examId),
      questionnaire: await questionnaireOfExam(db, examId),
    };
  }

  /** The data of one printed page set: the renderer's input. */
  async function documentFacts(ex: Executor, reportId: string, versionNo: number, extra: { final: boolean; signatures: ReportSignature[]; verification: DocumentFacts['verification'] }): Promise<DocumentFacts & { language: ReportLanguage; layout: ReportLayout }> {
    const { report, version: v } = await version(ex, reportId, versionNo);
    const exam = await examRow(ex, report.examId);
    const { curves } = await deviceData(ex, report.examId);
    const layout = await readSetting(ex, REPORT_LAYOUT_KEY, ReportLayoutSchema);
    const logo = layout.logos[exam.campusId];
    return {
      hospitalName, campusName: exam.campusName, logo: logo ? dataUrlBytes(logo) : null,
      patient: { name: exam.patientName, sex: exam.sex, ageLabel: ageAt(exam.birthDate, exam.examDate).label, hisPatientId: exam.hisPatientId },
      exam,
      version: { version: v.version, final: extra.final, correctionReason: v.correctionReason, content: v.content, conclusionText: v.conclusionText, pattern: v.pattern, severity: v.severity, bdr: v.bdr },
      curves, signatures: await withTechnician(ex, report.examId, v, extra.signatures), verification: extra.verification,
      printedAt: hospitalDate(now()), title: layout.title, footer: layout.footer, language: layout.language, layout,
    };
  }

  function documentOf(facts: Awaited<ReturnType<typeof documentFacts>>) {
    return buildReportDocument(facts, facts.language);
  }

  // 常用语 come in three scopes: personal (the owner's), campus (院区: everyone working at that campus) and department
  // (the whole lab). Sharing and removing shared phrases is for those who approve at level 2 (审核医师).
  const SHARE_PERMISSION = 'report.approve.level2';
  const phraseColumns = ['phrase.id', 'phrase.ownerId', 'phrase.scope', 'phrase.campusId', 'campus.name as campusName', 'phrase.category', 'phrase.text', 'phrase.sort'] as const;
  const mayRemove = (actor: Pick<Actor, 'userId' | 'campusIds' | 'permissions'>, p: { scope: PhraseScope; ownerId: string | null; campusId: string | null }) =>
    p.scope === 'personal' ? p.ownerId === actor.userId : actor.permissions.has(SHARE_PERMISSION) && (p.scope === 'department' || actor.campusIds.includes(p.campusId!));

  /** My own phrases, those of the campus I work at now, and the department's. */
  async function phrases(actor: Pick<Actor, 'userId' | 'campusId' | 'campusIds' | 'permissions'>) {
    const rows = await db
      .selectFrom('phrase')
      .leftJoin('campus', 'campus.id', 'phrase.campusId')
      .select(phraseColumns)
      .where((w) =>
        w.or([
          w.and([w('phrase.scope', '=', 'personal'), w('phrase.ownerId', '=', actor.userId)]),
          w('phrase.scope', '=', 'department'),
          ...(actor.campusId ? [w.and([w('phrase.scope', '=', 'campus'), w('phrase.campusId', '=', actor.campusId)])] : []),
        ]),
      )
      .orderBy('phrase.category').orderBy('phrase.sort').orderBy('phrase.createdAt')
      .execute();
    return rows.map((r) => ({ ...r, removable: mayRemove(actor, r) }));
  }

  async function addPhrase(actor: Actor, input: { text: string; category: string; scope?: PhraseScope; shared?: boolean }) {
    const scope: PhraseScope = input.scope ?? (input.shared ? 'department' : 'personal');
    if (scope !== 'personal' && !actor.permissions.has(SHARE_PERMISSION)) {
      throw new AppError({ code: 'auth.forbidden', status: 403, title: '只有审核医师可以添加院区或科室常用语', message: `shared phrases need ${SHARE_PERMISSION}` });
    }
    if (scope === 'campus' && !actor.campusId) throw new AppError({ code: 'phrase.no-campus', status: 400, title: '请先选择当前院区' });
    return db.transaction().execute(async (trx) => {
      const { id } = await trx
        .insertInto('phrase')
        .values({ text: input.text, category: input.category, scope, ownerId: scope === 'personal' ? actor.userId : null, campusId: scope === 'campus' ? actor.campusId : null, createdBy: actor.userId })
        .returning('id')
        .executeTakeFirstOrThrow();
      const row = await trx.selectFrom('phrase').leftJoin('campus', 'campus.id', 'phrase.campusId').select(phraseColumns).where('phrase.id', '=', id).executeTakeFirstOrThrow();
      await recordAudit(trx, actorRef(actor), { action: 'phrase.added', entityType: 'phrase', entityId: id, campusId: row.campusId, after: { text: input.text, category: input.category, scope } }, now());
      return { ...row, removable: mayRemove(actor, row) };
    });
  }

  async function removePhrase(actor: Actor, id: string) {
    await db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('phrase').selectAll().where('id', '=', id).executeTakeFirst();
      // another user's personal phrase, or another campus's, does not exist for this user
      const visible = row && (row.scope !== 'personal' || row.ownerId === actor.userId) && (row.scope !== 'campus' || actor.campusIds.includes(row.campusId!));
      if (!row || !visible) throw new NotFound('phrase', id);
      if (!mayRemove(actor, row)) throw new AppError({ code: 'phrase.not-yours', status: 403, title: '院区和科室常用语只能由审核医师删除' });
      await trx.deleteFrom('phrase').where('id', '=', id).execute();
      await recordAudit(trx, actorRef(actor), { action: 'phrase.removed', entityType: 'phrase', entityId: id, campusId: row.campusId, before: { text: row.text, category: row.category, scope: row.scope } }, now());
    });
  }

  const layout = () => readSetting(db, REPORT_LAYOUT_KEY, ReportLayoutSchema);
  async function updateLayout(actor: AuditActor, value: ReportLayout) {
    await checkNewLogos(value.logos, (await layout()).logos);
    await db.transaction().execute(async (trx) => {
      const before = await readSetting(trx, REPORT_LAYOUT_KEY, ReportLayoutSchema);
      await writeSetting(trx, REPORT_LAYOUT_KEY, value, actor.userId);
      await recordAudit(trx, actor, { action: 'report.layout-updated', entityType: 'setting', entityId: REPORT_LAYOUT_KEY, before: { ...before, logos: Object.keys(before.logos) }, after: { ...value, logos: Object.keys(value.logos) } }, now());
    });
    return value;
  }

  return { examRow, ensureDraft, version, saveConclusion, refreshContent, workspace, documentFacts, documentOf, phrases, addPhrase, removePhrase, layout, updateLayout };
}

/** Every report of a campus draws its logo: a new one must decode (outside this process, see image-sandbox). */
async function checkNewLogos(logos: Record<string, string>, before: Record<string, string>) {
  for (const [campusId, dataUrl] of Object.entries(logos)) {
    if (before[campusId] === dataUrl) continue;
    const bytes = dataUrlBytes(dataUrl);
    const decoded = bytes ? await decodeImageSafely(bytes) : { ok: false as const, reason: 'not a PNG or JPEG data URL' };
    if (!decoded.ok) throw new AppError({ code: 'report.logo-unreadable', status: 400, title: '院徽图片无法读取，请上传完好的 PNG 或 JPEG 图片', message: decoded.reason, extra: { campusId } });
  }
}

function dataUrlBytes(dataUrl: string): Uint8Array | null {
  const match = /^data:image\/(png|jpeg);base64,(.+)$/.exec(dataUrl);
  return match ? new Uint8Array(Buffer.from(match[2]!, 'base64')) : null;
}
