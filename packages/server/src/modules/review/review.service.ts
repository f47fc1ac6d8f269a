import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/types.js';
import type { Actor } from '../../platform/access.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { sha256Hex, sm3Hex } from '../../platform/crypto.js';
import { AppError, Conflict, NotFound } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import { enqueue } from '../../platform/outbox.js';
import { hospitalWallClock } from '../../platform/hospital-time.js';
import { readSetting, writeSetting } from '../../platform/settings.js';
import { actorRef } from '../auth/auth.service.js';
import type { ConclusionInput, ReportsService } from '../reports/reports.service.js';
import type { ReportDocument, ReportSignature, ReportTemplate } from '../reports/render/report-document.js';
import { chainFor, type ChainLevel, decide, DEFAULT_REVIEW_POLICY, refusalMessages, type ReviewCommand, type ReviewPolicy, type VersionState } from './review-machine.js';
import type { SignaturesService } from './signatures.service.js';

export const REVIEW_POLICY_KEY = 'review.policy';
/** Outbox topic written when a version completes review; the delivery module fans it out to its targets. */
export const REPORT_APPROVED_TOPIC = 'report.approved';
/** Outbox topic written when an approved version is revoked (withdrawn from the HIS). */
export const REPORT_REVOKED_TOPIC = 'report.revoked';

const approvePermission = z.enum(['report.approve.level1', 'report.approve.level2', 'report.approve.level3'], { error: '请选择审核权限' });
export const ReviewPolicySchema = z
  .object({
    levels: z
      .array(
        z.object({
          name: z.string().trim().min(1, '请填写级别名称').max(20),
          nameEn: z.string().trim().min(1).max(40),
          permission: approvePermission,
          when: z.object({ abnormal: z.boolean().optional(), ageBelow: z.number().min(1).max(30).optional(), authorRoles: z.array(z.string().max(40)).max(10).optional() }).optional(),
        }),
      )
      .min(1, '审核流程至少需要一级')
      .max(3),
    fourEyes: z.boolean(),
    pinOnPrint: z.boolean(),
  })
  .default(DEFAULT_REVIEW_POLICY);

export interface Renderer {
  pdf(doc: ReportDocument, template: ReportTemplate): Promise<Uint8Array>;
  jpg(pdf: Uint8Array, options: { dpi: number; quality: number }): Promise<Uint8Array[]>;
}

const ROLE_LABELS = { technician: '检查技师', reporter: '报告医师', reviewer: '审核医师', director: '科主任' } as const;

export type ReviewService = ReturnType<typeof createReviewService>;

/**
 * 权限分级审核 and the final document: submit, return, approve level by level with the signer's PIN, sign the final
 * PDF, print, correct. Every path that could let an unreviewed report out goes through `decide` here and through
 * report_version_guard / outbox_report_guard in the database.
 */
export function createReviewService({ db, reports, signatures, renderer, files, publicUrl, now = () => new Date() }: {
  db: Kysely<DB>; reports: ReportsService; signatures: SignaturesService; renderer: Renderer; files: FileStore; publicUrl: string; now?: () => Date;
}) {
  const policy = (ex: Kysely<DB> | Transaction<DB> = db): Promise<ReviewPolicy> => readSetting(ex, REVIEW_POLICY_KEY, ReviewPolicySchema);

  async function updatePolicy(actor: AuditActor, value: ReviewPolicy) {
    await db.transaction().execute(async (trx) => {
      const before = await readSetting(trx, REVIEW_POLICY_KEY, ReviewPolicySchema);
      await writeSetting(trx, REVIEW_POLICY_KEY, value, actor.userId);
      await recordAudit(trx, actor, { action: 'review.policy-updated', entityType: 'setting', entityId: REVIEW_POLICY_KEY, before, after: value }, now());
    });
    return value;
  }

  async function stateOf(ex: Kysely<DB> | Transaction<DB>, reportId: string, v: { version: number; status: VersionState['status']; chain: ChainLevel[]; approvedLevels: number; submittedBy: string | null; submission: number }, currentVersion: number): Promise<VersionState> {
    const approvals = await ex.selectFrom('reviewStep').select(['actorId', 'level']).where('reportId', '=', reportId).where('version', '=', v.version).where('submission', '=', v.submission).where('action', '=', 'approve').orderBy('level').execute();
    return { status: v.status, chain: v.chain, approvedLevels: v.approvedLevels, submittedBy: v.submittedBy, approvers: approvals.map((a) => a.actorId ?? ''), hasNewerVersion: currentVersion > v.version };
  }

  function refuse(command: ReviewCommand, refusal: keyof typeof refusalMessages, extra: Record<string, unknown> = {}): never {
    const message = refusalMessages[refusal];
    throw new AppError({ code: `review-${refusal.replaceAll('_', '-')}`, status: refusal === 'no_permission' || refusal === 'four_eyes' ? 403 : 409, title: message.zh, message: `${command}: ${message.en}`, extra });
  }

  /** The levels a version must pass if it were submitted now by this user (fixed at submission). */
  async function chainIfSubmitted(ex: Kysely<DB> | Transaction<DB>, userId: string, version: { pattern: string | null; content: { subject: { ageYears: number | null } } }) {
    const roles = await ex.selectFrom('userRole').innerJoin('role', 'role.id', 'userRole.roleId').select('role.code').where('userRole.userId', '=', userId).execute();
    return chainFor(await policy(ex), { abnormal: !!version.pattern && version.pattern !== 'normal', ageYears: version.content.subject.ageYears, authorRoles: roles.map((r) => r.code) });
  }

  /** Locks the version, checks the command against the state machine, and returns everything the caller needs. */
  async function checked(trx: Transaction<DB>, actor: Actor, reportId: string, command: ReviewCommand, versionNo?: number) {
    const { report, version } = await reports.version(trx, reportId, versionNo, true);
    if (!actor.campusIds.includes(report.campusId)) throw new NotFound('report', reportId);
    let state = await stateOf(trx, reportId, version, report.currentVersion);
    if (command === 'submit') state = { ...state, chain: await chainIfSubmitted(trx, actor.userId, version) };
    const decision = decide(state, command, actor, await policy(trx));
    if (!decision.ok) {
      await recordAudit(trx, actorRef(actor), { action: `report.${command}`, outcome: 'denied', entityType: 'report', entityId: reportId, detail: { version: version.version, refusal: decision.refusal } }, now());
      refuse(command, decision.refusal);
    }
    return { report, version, state, decision };
  }

  async function step(trx: Transaction<DB>, actor: Actor, reportId: string, version: number, submission: number, action: 'submit' | 'approve' | 'return' | 'correct' | 'print' | 'revoke', level: number | null, comment: string | null = null) {
    await trx.insertInto('reviewStep').values({ reportId, version, submission, action, level, actorId: actor.userId, actorName: actor.displayName, comment, at: now() }).execute();
  }

  async function setExamStatus(trx: Transaction<DB>, reportId: string, status: 'draft' | 'pending_review' | 'approved') {
    const report = await trx.selectFrom('report').select('examId').where('id', '=', reportId).executeTakeFirstOrThrow();
    await trx.updateTable('exam').set({ status, updatedAt: now() }).where('id', '=', report.examId).where('status', '<>', 'cancelled').execute();
  }

  /** What the actor may do with the shown version: drives the buttons; the server checks again on each command. */
  async function allowed(actor: Actor, reportId: string, versionNo: number) {
    const { report, version } = await reports.version(db, reportId, versionNo);
    let state = await stateOf(db, reportId, version, report.currentVersion);
    if (state.status === 'draft') state = { ...state, chain: await chainIfSubmitted(db, actor.userId, version) };
    const p = await policy();
    const commands: ReviewCommand[] = ['edit', 'submit', 'approve', 'return', 'correct', 'revoke'];
    return Object.fromEntries(commands.map((c) => [c, decide(state, c, actor, p).ok])) as Record<ReviewCommand, boolean>;
  }

  async function workspace(actor: Actor, examId: string, versionNo?: number) {
    const data = await reports.workspace(actorRef(actor), examId, versionNo);
    if (!actor.campusIds.includes(data.exam.campusId)) throw new NotFound('exam', examId);
    const p = await policy();
    return {
      ...data,
      allowed: data.report && data.version ? await allowed(actor, data.report.id, data.version.version) : null,
      policy: { fourEyes: p.fourEyes, pinOnPrint: p.pinOnPrint },
    };
  }

  async function create(actor: Actor, examId: string) {
    if (!actor.permissions.has('report.draft') && !actor.permissions.has('report.write')) refuse('edit', 'no_permission');
    const exam = await reports.examRow(db, examId);
    if (!actor.campusIds.includes(exam.campusId)) throw new NotFound('exam', examId);
    return reports.ensureDraft(actorRef(actor), examId);
  }

  async function save(actor: Actor, reportId: string, input: ConclusionInput & { refresh?: boolean }) {
    return db.transaction().execute(async (trx) => {
      const { report, version } = await checked(trx, actor, reportId, 'edit');
      const { refresh, ...conclusion } = input;
      if (refresh) {
        if (version.status !== 'draft') refuse('edit', 'not_draft');
        await reports.refreshContent(trx, actorRef(actor), reportId, version.version, report.examId);
      }
      await reports.saveConclusion(trx, actorRef(actor), reportId, version.version, conclusion, report.campusId);
      return { version: version.version };
    });
  }

  async function submit(actor: Actor, reportId: string) {
    return db.transaction().execute(async (trx) => {
      const { report, version, state } = await checked(trx, actor, reportId, 'submit');
      const chain = state.chain;
      if (!version.conclusionText.trim()) throw new Conflict('report-no-conclusion', '请先填写检查结论再提交');
      const submission = version.submission + 1;
      await trx
        .updateTable('reportVersion')
        .set({ status: 'pending', submission, chain: JSON.stringify(chain), approvedLevels: 0, submittedBy: actor.userId, submittedAt: now(), returnedComment: null, updatedAt: now() })
        .where('reportId', '=', reportId).where('version', '=', version.version)
        .execute();
      await step(trx, actor, reportId, version.version, submission, 'submit', null);
      await setExamStatus(trx, reportId, 'pending_review');
      await recordAudit(trx, actorRef(actor), { action: 'report.submitted', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: version.version, chain: chain.map((c) => c.name) } }, now());
      return { status: 'pending' as const, chain };
    });
  }

  async function returnToAuthor(actor: Actor, reportId: string, comment: string) {
    return db.transaction().execute(async (trx) => {
      const { report, version, decision } = await checked(trx, actor, reportId, 'return');
      await step(trx, actor, reportId, version.version, version.submission, 'return', decision.ok ? decision.level : null, comment);
      await trx.updateTable('reportVersion').set({ status: 'draft', approvedLevels: 0, returnedComment: comment, updatedAt: now() }).where('reportId', '=', reportId).where('version', '=', version.version).execute();
      await setExamStatus(trx, reportId, 'draft');
      await recordAudit(trx, actorRef(actor), { action: 'report.returned', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: version.version, comment } }, now());
      return { status: 'draft' as const };
    });
  }

  async function signatureBlock(trx: Transaction<DB>, reportId: string, version: { version: number; submission: number; chain: ChainLevel[]; submittedBy: string | null }, examRegisteredBy: string | null) {
    const steps = await trx.selectFrom('reviewStep').select(['actorId', 'level', 'at']).where('reportId', '=', reportId).where('version', '=', version.version).where('submission', '=', version.submission).where('action', '=', 'approve').orderBy('level').execute();
    const approvals = steps.map((s) => ({ userId: s.actorId!, level: s.level!, at: s.at }));
    const people: Array<{ role: ReportSignature['role']; roleLabel: string; userId: string | null; at: Date | null }> = [];
    if (examRegisteredBy) people.push({ role: 'technician', roleLabel: ROLE_LABELS.technician, userId: examRegisteredBy, at: null });
    for (const a of approvals) {
      const level = version.chain.find((c) => c.level === a.level);
      const role = a.level === 1 ? 'reporter' : a.level === 2 ? 'reviewer' : 'director';
      people.push({ role, roleLabel: level?.name ?? ROLE_LABELS[role], userId: a.userId, at: a.at });
    }
    const ids = people.map((p) => p.userId).filter((id): id is string => !!id);
    const users = ids.length ? await trx.selectFrom('appUser').select(['id', 'displayName']).where('id', 'in', ids).execute() : [];
    const images = await signatures.images(trx, ids);
    return people.map((p): ReportSignature => ({
      role: p.role, roleLabel: p.roleLabel, name: users.find((u) => u.id === p.userId)?.displayName ?? '',
      signedAt: p.at ? hospitalWallClock(p.at).slice(0, 16) : null, image: (p.userId && images.get(p.userId)) || null,
    }));
  }

  async function template(): Promise<ReportTemplate> {
    const layout = await reports.layout();
    return layout;
  }

  async function approve(actor: Actor, reportId: string, pin: string) {
    const key = await signatures.unlock(actor.userId, pin);
    return db.transaction().execute(async (trx) => {
      const { report, version, decision } = await checked(trx, actor, reportId, 'approve');
      if (!decision.ok) throw new Error('unreachable');
      const level = decision.level!;
      await step(trx, actor, reportId, version.version, version.submission, 'approve', level);
      const final = decision.next.status === 'approved';
      if (!final) {
        await trx.updateTable('reportVersion').set({ approvedLevels: decision.next.approvedLevels, updatedAt: now() }).where('reportId', '=', reportId).where('version', '=', version.version).execute();
        await recordAudit(trx, actorRef(actor), { action: 'report.approved-level', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: version.version, level } }, now());
        return { status: 'pending' as const, level, final: null };
      }
      // The last level: render the final document with every signature, sign it with the approver's key, keep it.
      const exam = await reports.examRow(trx, report.examId);
      const code = randomBytes(12).toString('base64url');
      const facts = await reports.documentFacts(trx, reportId, version.version, {
        final: true,
        signatures: await signatureBlock(trx, reportId, version, exam.registeredBy),
        verification: { code, url: `${publicUrl.replace(/\/$/, '')}/verify/${code}` },
      });
      const unsigned = await renderer.pdf(reports.documentOf(facts), facts.layout);
      const signed = await signatures.signPdf(key, unsigned, { signingTime: now(), reason: `${level === version.chain.length ? '审核' : '报告'}签名 ${exam.accessionNo}`, location: facts.campusName });
      const sha256 = sha256Hex(signed);
      await files.put(sha256, signed);
      await trx
        .updateTable('reportVersion')
        .set({ status: 'approved', approvedLevels: decision.next.approvedLevels, approvedAt: now(), signerId: actor.userId, signatureAlgorithm: key.algorithm, finalSha256: sha256, finalSm3: sm3Hex(signed), verificationCode: code, updatedAt: now() })
        .where('reportId', '=', reportId).where('version', '=', version.version)
        .execute();
      await trx.updateTable('reportVersion').set({ status: 'superseded', updatedAt: now() }).where('reportId', '=', reportId).where('version', '<', version.version).where('status', '=', 'approved').execute();
      await setExamStatus(trx, reportId, 'approved');
      // The event delivery listens to, in this transaction: an approved report is queued for the HIS exactly when it exists.
      await enqueue(trx, { topic: REPORT_APPROVED_TOPIC, key: `approved:${reportId}:${version.version}`, payload: { reportId, version: version.version, campusId: report.campusId }, campusId: report.campusId }, now());
      await recordAudit(trx, actorRef(actor), { action: 'report.approved', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: version.version, level, sha256, algorithm: key.algorithm } }, now());
      return { status: 'approved' as const, level, final: { sha256, verificationCode: code } };
    });
  }

  async function correct(actor: Actor, reportId: string, reason: string) {
    return db.transaction().execute(async (trx) => {
      const { report, version } = await checked(trx, actor, reportId, 'correct');
      const next = version.version + 1;
      await trx
        .insertInto('reportVersion')
        .values({
          reportId, version: next, content: JSON.stringify(version.content), conclusionText: version.conclusionText, pattern: version.pattern, severity: version.severity, bdr: version.bdr,
          authorId: actor.userId, authorName: actor.displayName, correctionReason: reason, updatedAt: now(),
        })
        .execute();
      await trx.updateTable('report').set({ currentVersion: next }).where('id', '=', reportId).execute();
      await step(trx, actor, reportId, version.version, version.submission, 'correct', null, reason);
      await recordAudit(trx, actorRef(actor), { action: 'report.correction-started', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { from: version.version, to: next, reason } }, now());
      return { version: next };
    });
  }

  /**
   * Withdraws an approved report (e.g. the wrong patient): the version becomes revoked, the HIS is told through the
   * outbox, and a correction can follow. Needs a reason and the signer's PIN.
   */
  async function revoke(actor: Actor, reportId: string, reason: string, pin: string) {
    await signatures.unlock(actor.userId, pin);
    return db.transaction().execute(async (trx) => {
      const final = await latestFinal(trx, reportId);
      if (!final) refuse('revoke', 'not_revocable');
      const { report, version } = await checked(trx, actor, reportId, 'revoke', final.version);
      await trx.updateTable('reportVersion').set({ status: 'revoked', revokedAt: now(), revocationReason: reason, updatedAt: now() }).where('reportId', '=', reportId).where('version', '=', version.version).execute();
      await step(trx, actor, reportId, version.version, version.submission, 'revoke', null, reason);
      const exam = await trx.selectFrom('report').select('examId').where('id', '=', reportId).executeTakeFirstOrThrow();
      await trx.updateTable('exam').set({ status: 'results', updatedAt: now() }).where('id', '=', exam.examId).where('status', 'in', ['approved', 'delivered']).execute();
      await enqueue(trx, { topic: REPORT_REVOKED_TOPIC, key: `revoked:${reportId}:${version.version}`, payload: { reportId, version: version.version, campusId: report.campusId }, campusId: report.campusId }, now());
      await recordAudit(trx, actorRef(actor), { action: 'report.revoked', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: version.version, reason } }, now());
      return { status: 'revoked' as const, version: version.version };
    });
  }

  /** The latest approved version's signed PDF, or null. */
  async function latestFinal(ex: Kysely<DB> | Transaction<DB>, reportId: string) {
    return ex.selectFrom('reportVersion').selectAll().where('reportId', '=', reportId).where('status', '=', 'approved').executeTakeFirst();
  }

  /** A watermarked 草稿 rendering of a version (the caller checked the campus). */
  async function renderDraft(actor: AuditActor, reportId: string, versionNo: number) {
    const { report, version } = await reports.version(db, reportId, versionNo);
    const exam = await reports.examRow(db, report.examId);
    return db.transaction().execute(async (trx) => {
      const facts = await reports.documentFacts(trx, reportId, version.version, { final: false, signatures: await signatureBlock(trx, reportId, version, exam.registeredBy), verification: null });
      await recordAudit(trx, actor, { action: 'report.draft-rendered', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: version.version } }, now());
      return renderer.pdf(reports.documentOf(facts), facts.layout);
    });
  }

  async function inCampus(actor: Actor, reportId: string, versionNo?: number) {
    const found = await reports.version(db, reportId, versionNo);
    if (!actor.campusIds.includes(found.report.campusId)) throw new NotFound('report', reportId);
    return found;
  }

  /**
   * One-click print: the signed final PDF (counted and audited), or — when nothing is approved yet — a draft with the
   * 草稿 watermark. Never an unwatermarked unapproved report.
   */
  async function print(actor: Actor, reportId: string, pin?: string) {
    const { report } = await inCampus(actor, reportId);
    const final = await latestFinal(db, reportId);
    if (!final) return { final: false, pdf: await renderDraft(actorRef(actor), reportId, report.currentVersion) };
    if ((await policy()).pinOnPrint) {
      if (!pin) throw new AppError({ code: 'review-pin-required', status: 400, title: '打印前请输入签名密码', message: 'the lab requires the signing PIN to print' });
      await signatures.unlock(actor.userId, pin);
    }
    return db.transaction().execute(async (trx) => {
      await trx.updateTable('reportVersion').set((eb) => ({ printCount: eb('printCount', '+', 1), updatedAt: now() })).where('reportId', '=', reportId).where('version', '=', final.version).execute();
      await step(trx, actor, reportId, final.version, final.submission, 'print', null);
      await recordAudit(trx, actorRef(actor), { action: 'report.printed', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: final.version, copy: final.printCount + 1 } }, now());
      return { final: true, pdf: new Uint8Array(await files.get(final.finalSha256!)) };
    });
  }

  /** A stored version's document for viewing: the signed PDF when final, else a watermarked draft. */
  async function pdf(actor: Actor, reportId: string, versionNo?: number) {
    const { report, version } = await inCampus(actor, reportId, versionNo);
    if (version.finalSha256) {
      await db.transaction().execute((trx) => recordAudit(trx, actorRef(actor), { action: 'report.final-viewed', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: version.version } }, now()));
      return { final: true, pdf: new Uint8Array(await files.get(version.finalSha256)) };
    }
    return { final: false, pdf: await renderDraft(actorRef(actor), reportId, version.version) };
  }

  /** For scripted use (pftis render): the latest signed final PDF of an exam's report, else a watermarked draft. */
  async function exportForExam(actor: AuditActor, examId: string) {
    const report = await db.selectFrom('report').select(['id', 'currentVersion', 'campusId']).where('examId', '=', examId).executeTakeFirst();
    if (!report) throw new NotFound('report of exam', examId);
    const final = await latestFinal(db, report.id);
    if (!final) return { final: false, version: report.currentVersion, pdf: await renderDraft(actor, report.id, report.currentVersion) };
    await db.transaction().execute((trx) => recordAudit(trx, actor, { action: 'report.exported', entityType: 'report', entityId: report.id, campusId: report.campusId, detail: { version: final.version } }, now()));
    return { final: true, version: final.version, pdf: new Uint8Array(await files.get(final.finalSha256!)) };
  }

  /** JPG pages of the final PDF (for HIS that take only images). */
  async function jpgPages(actor: Actor, reportId: string, versionNo: number) {
    const { version: row } = await inCampus(actor, reportId, versionNo);
    if (!row.finalSha256) throw new Conflict('report-not-final', '报告尚未审核，不能生成正式图片');
    const layout = await template();
    return renderer.jpg(new Uint8Array(await files.get(row.finalSha256)), { dpi: layout.jpgDpi, quality: layout.jpgQuality });
  }

  /** 待审核: versions waiting at a level the actor can approve, on the actor's campuses. */
  async function queue(actor: Actor) {
    const rows = await db
      .selectFrom('reportVersion')
      .innerJoin('report', 'report.id', 'reportVersion.reportId')
      .innerJoin('exam', 'exam.id', 'report.examId')
      .innerJoin('patient', 'patient.id', 'exam.patientId')
      .select([
        'report.id as reportId', 'reportVersion.version', 'reportVersion.chain', 'reportVersion.approvedLevels', 'reportVersion.submittedAt', 'reportVersion.submittedBy', 'reportVersion.pattern', 'reportVersion.correctionReason',
        'exam.id as examId', 'exam.accessionNo', 'exam.visitType', 'exam.ward', 'exam.bed', 'exam.itemName', 'exam.examDate', 'exam.campusId', 'patient.name as patientName', 'patient.sex',
      ])
      .where('reportVersion.status', '=', 'pending')
      .where('exam.campusId', 'in', actor.campusIds.length ? actor.campusIds : ['00000000-0000-0000-0000-000000000000'])
      .orderBy('reportVersion.submittedAt')
      .execute();
    const at = now().getTime();
    const items = rows
      .map((r) => {
        const chain = r.chain as ChainLevel[];
        const level = chain[r.approvedLevels];
        return { ...r, chain: undefined, level: level?.level ?? null, levelName: level?.name ?? '', permission: level?.permission ?? null, waitingMinutes: r.submittedAt ? Math.round((at - r.submittedAt.getTime()) / 60_000) : 0, submittedAt: r.submittedAt?.toISOString() ?? null, urgent: r.visitType === 'inpatient' || r.visitType === 'emergency' };
      })
      .filter((r) => r.permission && (actor.permissions as ReadonlySet<string>).has(r.permission));
    // Inpatients and emergencies first, then the longest waiting.
    items.sort((a, b) => Number(b.urgent) - Number(a.urgent) || b.waitingMinutes - a.waitingMinutes);
    const levels = new Map<string, { level: number; name: string; count: number; oldestMinutes: number }>();
    for (const item of items) {
      const key = `${item.level}`;
      const entry = levels.get(key) ?? { level: item.level!, name: item.levelName, count: 0, oldestMinutes: 0 };
      entry.count += 1;
      entry.oldestMinutes = Math.max(entry.oldestMinutes, item.waitingMinutes);
      levels.set(key, entry);
    }
    return { items: items.map(({ chain: _chain, permission: _p, ...rest }) => rest), levels: [...levels.values()].sort((a, b) => a.level - b.level) };
  }

  /** Public verification (no login): only what is safe to show without the patient's consent. */
  async function verification(code: string, presented?: Uint8Array) {
    const row = await db
      .selectFrom('reportVersion')
      .innerJoin('report', 'report.id', 'reportVersion.reportId')
      .innerJoin('exam', 'exam.id', 'report.examId')
      .innerJoin('campus', 'campus.id', 'exam.campusId')
      .leftJoin('appUser', 'appUser.id', 'reportVersion.signerId')
      .select(['reportVersion.version', 'reportVersion.status', 'reportVersion.finalSha256', 'reportVersion.finalSm3', 'reportVersion.approvedAt', 'reportVersion.signatureAlgorithm', 'exam.examDate', 'campus.name as campusName', 'appUser.displayName as signer', 'report.currentVersion'])
      .where('reportVersion.verificationCode', '=', code)
      .executeTakeFirst();
    if (!row || !row.finalSha256) throw new NotFound('verification code', code);
    const stored = new Uint8Array(await files.get(row.finalSha256));
    const signatureCheck = await signatures.verifyPdf(presented ?? stored);
    const presentedSha256 = presented ? sha256Hex(presented) : null;
    return {
      campus: row.campusName,
      examDate: row.examDate,
      version: row.version,
      superseded: row.status === 'superseded',
      revoked: row.status === 'revoked',
      signer: row.signer ?? '',
      signedAt: row.approvedAt?.toISOString() ?? null,
      algorithm: row.signatureAlgorithm ?? '',
      sha256: row.finalSha256,
      sm3: row.finalSm3 ?? '',
      storedIntact: sha256Hex(stored) === row.finalSha256,
      presented: presented ? { sha256: presentedSha256!, matchesStored: presentedSha256 === row.finalSha256, signatureValid: signatureCheck.valid, reason: signatureCheck.reason } : null,
      signatureValid: signatureCheck.valid,
    };
  }

  return { policy, updatePolicy, workspace, create, save, submit, returnToAuthor, approve, correct, revoke, print, pdf, jpgPages, exportForExam, queue, verification, allowed };
}
