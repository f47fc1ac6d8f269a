import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/types.js';
import type { Actor } from '../../platform/access.js';
import { type AuditActor, type AuditInput, recordAudit, recordAuditAlone } from '../../platform/audit.js';
import { sha256Hex, sm3Hex } from '../../platform/crypto.js';
import { AppError, Conflict, NotFound } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import { enqueue } from '../../platform/outbox.js';
import { hospitalWallClock } from '../../platform/hospital-time.js';
import { readSetting, writeSetting } from '../../platform/settings.js';
import { actorRef } from '../auth/auth.service.js';
import type { ConclusionInput, ReportsService } from '../reports/reports.service.js';
import type { ReportDocument, ReportSignature, ReportTemplate } from '../reports/render/report-document.js';
import { type ChainFacts, chainFor, type ChainLevel, decide, DEFAULT_REVIEW_POLICY, isAbnormalResult, isUnconditional, matchedConditions, refusalMessages, type ReviewCommand, type ReviewPolicy, type VersionState } from './review-machine.js';
import type { SignaturesService } from './signatures.service.js';

export const REVIEW_POLICY_KEY = 'review.policy';
/** Outbox topic written when a version completes review; the delivery module fans it out to its targets. */
export const REPORT_APPROVED_TOPIC = 'report.approved';
/** Outbox topic written when an approved version is revoked (withdrawn from the HIS). */
export const REPORT_REVOKED_TOPIC = 'report.revoked';

const approvePermission = z.enum(['report.approve.level1', 'report.approve.level2', 'report.approve.level3'], { error: '请选择审核权限' });
const LevelCondition = z.object({
  abnormal: z.boolean().optional(),
  /** Paediatric: the patient is younger than this many years at the exam. */
  ageBelow: z.number().min(1, '年龄须在 1–30 岁之间').max(30, '年龄须在 1–30 岁之间').optional(),
  /** Role codes (e.g. trainee); checked against the existing roles when the policy is saved. */
  authorRoles: z.array(z.string().trim().min(1).max(40)).max(10).optional(),
});
export const ReviewPolicySchema = z
  .object({
    levels: z
      .array(
        z.object({
          name: z.string().trim().min(1, '请填写级别名称').max(20),
          nameEn: z.string().trim().min(1).max(40),
          permission: approvePermission,
          /** An empty condition is no condition: the level applies to every report (saved without `when`). */
          when: LevelCondition.optional(),
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

const ROLE_LABELS = { reporter: '报告医师', reviewer: '审核医师', director: '科主任' } as const;

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

  async function updatePolicy(actor: AuditActor, input: ReviewPolicy) {
    const value: ReviewPolicy = { ...input, levels: input.levels.map(({ when, ...level }) => (isUnconditional(when) ? level : { ...level, when })) };
    // A misspelt role code would silently never match: refuse codes no role has.
    const wanted = [...new Set(value.levels.flatMap((l) => l.when?.authorRoles ?? []))];
    const known = new Set(wanted.length ? (await db.selectFrom('role').select('code').where('code', 'in', wanted).execute()).map((r) => r.code) : []);
    const errors = value.levels.flatMap((l, i) => (l.when?.authorRoles ?? []).filter((code) => !known.has(code)).map((code) => ({ field: `body.levels.${i}.when.authorRoles`, message: `角色代码不存在：${code}` })));
    if (errors.length) throw new AppError({ code: 'validation', status: 400, title: errors[0]!.message, message: 'unknown role code in the review chain', extra: { errors } });
    await db.transaction().execute(async (trx) => {
      const before = await readSetting(trx, REVIEW_POLICY_KEY, ReviewPolicySchema);
      await writeSetting(trx, REVIEW_POLICY_KEY, value, actor.userId);
      await recordAudit(trx, actor, { action: 'review.policy-updated', entityType: 'setting', entityId: REVIEW_POLICY_KEY, before, after: value }, now());
    });
    return value;
  }

  async function stateOf(ex: Kysely<DB> | Transaction<DB>, reportId: string, v: { version: number; status: VersionState['status']; chain: ChainLevel[]; approvedLevels: number; submittedBy: string | null; submission: number }, currentVersion: number): Promise<VersionState> {
    const steps = await ex.selectFrom('reviewStep').select(['action', 'actorId', 'level']).where('reportId', '=', reportId).where('version', '=', v.version).where('submission', '=', v.submission).where('action', 'in', ['approve', 'edit']).orderBy('id').execute();
    return {
      status: v.status, chain: v.chain, approvedLevels: v.approvedLevels, submittedBy: v.submittedBy,
      approvers: steps.filter((s) => s.action === 'approve').sort((a, b) => (a.level ?? 0) - (b.level ?? 0)).map((a) => a.actorId ?? ''),
      // Only edits of this submission while it is under review; edits of the draft before it are the author's work.
      editors: v.status === 'pending' ? [...new Set(steps.filter((s) => s.action === 'edit' && s.actorId).map((s) => s.actorId!))] : [],
      hasNewerVersion: currentVersion > v.version,
    };
  }

  function refuse(command: ReviewCommand, refusal: keyof typeof refusalMessages, extra: Record<string, unknown> = {}): never {
    const message = refusalMessages[refusal];
    throw new AppError({ code: `review-${refusal.replaceAll('_', '-')}`, status: refusal === 'no_permission' || refusal === 'four_eyes' || refusal === 'four_eyes_editor' ? 403 : 409, title: message.zh, message: `${command}: ${message.en}`, extra });
  }

  /**
   * The facts that decide a version's chain if this user submitted it now. The authors are the person who last wrote
   * its content (report_version.author_id, set by every save) and the submitter.
   */
  async function chainFacts(ex: Kysely<DB> | Transaction<DB>, submitterId: string, version: { authorId: string | null; pattern: string | null; severity: string | null; bdr: string | null; content: { subject: { ageYears: number | null } } }): Promise<ChainFacts> {
    const authors = [...new Set([version.authorId ?? submitterId, submitterId])];
    const roles = await ex.selectFrom('userRole').innerJoin('role', 'role.id', 'userRole.roleId').select('role.code').where('userRole.userId', 'in', authors).execute();
    return { abnormal: isAbnormalResult(version), ageYears: version.content.subject.ageYears, authorRoles: [...new Set(roles.map((r) => r.code))] };
  }

  /** The levels a version must pass if it were submitted now by this user (fixed at submission). */
  async function chainIfSubmitted(ex: Kysely<DB> | Transaction<DB>, submitterId: string, version: Parameters<typeof chainFacts>[2]) {
    return chainFor(await policy(ex), await chainFacts(ex, submitterId, version));
  }

  /** Refusals thrown inside a review transaction, with the denial to audit once that transaction has rolled back. */
  const denials = new WeakMap<Error, AuditInput>();

  /** Locks the version, checks the command against the state machine, and returns everything the caller needs. */
  async function checked(trx: Transaction<DB>, actor: Actor, reportId: string, command: ReviewCommand, versionNo?: number) {
    const { report, version } = await reports.version(trx, reportId, versionNo, true);
    if (!actor.campusIds.includes(report.campusId)) throw new NotFound('report', reportId);
    let state = await stateOf(trx, reportId, version, report.currentVersion);
    if (command === 'submit') state = { ...state, chain: await chainIfSubmitted(trx, actor.userId, version) };
    const decision = decide(state, command, actor, await policy(trx));
    if (!decision.ok) {
      try {
        refuse(command, decision.refusal);
      } catch (error) {
        denials.set(error as Error, { action: `report.${command}`, outcome: 'denied', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: version.version, refusal: decision.refusal } });
        throw error;
      }
    }
    return { report, version, state, decision };
  }

  /** Runs one review command in a transaction; a refusal is audited in a transaction of its own (the command's rolled back). */
  async function inReview<T>(actor: Actor, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      const denial = error instanceof Error ? denials.get(error) : undefined;
      if (denial) await recordAuditAlone(db, actorRef(actor), denial, now());
      throw error;
    }
  }

  async function step(trx: Transaction<DB>, actor: Actor, reportId: string, version: number, submission: number, action: 'submit' | 'approve' | 'return' | 'correct' | 'print' | 'revoke' | 'edit', level: number | null, comment: string | null = null) {
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
    return inReview(actor, async (trx) => {
      const { report, version, decision } = await checked(trx, actor, reportId, 'edit');
      const { refresh, ...conclusion } = input;
      if (refresh) {
        if (version.status !== 'draft') refuse('edit', 'not_draft');
        await reports.refreshContent(trx, actorRef(actor), reportId, version.version, report.examId);
      }
      await reports.saveConclusion(trx, actorRef(actor), reportId, version.version, conclusion, report.campusId);
      // An edit under review is part of the review record: four-eyes keeps its author from giving the final approval.
      if (version.status === 'pending') await step(trx, actor, reportId, version.version, version.submission, 'edit', decision.ok ? decision.level : null);
      return { version: version.version };
    });
  }

  async function submit(actor: Actor, reportId: string) {
    return inReview(actor, async (trx) => {
      const { report, version, state } = await checked(trx, actor, reportId, 'submit');
      const chain = state.chain;
      if (!version.conclusionText.trim()) throw new Conflict('report-no-conclusion', '请先填写检查结论再提交');
      const facts = await chainFacts(trx, actor.userId, version);
      const levelsPolicy = (await policy(trx)).levels;
      // Why each conditional level applies, for the audit trail.
      const because = Object.fromEntries(levelsPolicy.map((l) => [l.name, matchedConditions(l.when, facts)]).filter(([, m]) => (m as string[]).length));
      const submission = version.submission + 1;
      await trx
        .updateTable('reportVersion')
        .set({ status: 'pending', submission, chain: JSON.stringify(chain), approvedLevels: 0, submittedBy: actor.userId, submittedAt: now(), returnedComment: null, updatedAt: now() })
        .where('reportId', '=', reportId).where('version', '=', version.version)
        .execute();
      await step(trx, actor, reportId, version.version, submission, 'submit', null);
      await setExamStatus(trx, reportId, 'pending_review');
      await recordAudit(trx, actorRef(actor), { action: 'report.submitted', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: version.version, chain: chain.map((c) => c.name), facts, because } }, now());
      return { status: 'pending' as const, chain };
    });
  }

  async function returnToAuthor(actor: Actor, reportId: string, comment: string) {
    // The route validates this too; the service refuses it for every caller (the author must know what to change).
    if (!comment.trim()) throw new AppError({ code: 'review-comment-required', status: 400, title: '请填写退回意见', message: 'a return needs a comment' });
    return inReview(actor, async (trx) => {
      const { report, version, decision } = await checked(trx, actor, reportId, 'return');
      await step(trx, actor, reportId, version.version, version.submission, 'return', decision.ok ? decision.level : null, comment);
      await trx.updateTable('reportVersion').set({ status: 'draft', approvedLevels: 0, returnedComment: comment, updatedAt: now() }).where('reportId', '=', reportId).where('version', '=', version.version).execute();
      await setExamStatus(trx, reportId, 'draft');
      await recordAudit(trx, actorRef(actor), { action: 'report.returned', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: version.version, comment } }, now());
      return { status: 'draft' as const };
    });
  }

  /** The approvers' lines of the signature block (the reports module puts the 检查技师 line first). */
  async function signatureBlock(trx: Transaction<DB>, reportId: string, version: { version: number; submission: number; chain: ChainLevel[] }) {
    const steps = await trx.selectFrom('reviewStep').select(['actorId', 'level', 'at']).where('reportId', '=', reportId).where('version', '=', version.version).where('submission', '=', version.submission).where('action', '=', 'approve').orderBy('level').execute();
    const ids = steps.map((s) => s.actorId!);
    const users = ids.length ? await trx.selectFrom('appUser').select(['id', 'displayName']).where('id', 'in', ids).execute() : [];
    const images = await signatures.images(trx, ids);
    return steps.map((step): ReportSignature => {
      const role = step.level === 1 ? 'reporter' : step.level === 2 ? 'reviewer' : 'director';
      return {
        role,
        roleLabel: version.chain.find((c) => c.level === step.level)?.name ?? ROLE_LABELS[role],
        name: users.find((u) => u.id === step.actorId)?.displayName ?? '',
        signedAt: hospitalWallClock(step.at).slice(0, 16),
        image: images.get(step.actorId!) ?? null,
      };
    });
  }

  async function template(): Promise<ReportTemplate> {
    const layout = await reports.layout();
    return layout;
  }

  async function approve(actor: Actor, reportId: string, pin: string) {
    // Refused before the PIN is tried: whoever may not approve learns why, and spends no PIN attempt.
    await inReview(actor, (trx) => checked(trx, actor, reportId, 'approve'));
    const key = await signatures.unlock(actor.userId, pin);
    return inReview(actor, async (trx) => {
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
        signatures: await signatureBlock(trx, reportId, version),
        verification: { code, url: `${publicUrl.replace(/\/$/, '')}/verify/${code}` },
      });
      const unsigned = await renderer.pdf(reports.documentOf(facts), facts.layout);
      const signed = await signatures.signPdf(key, unsigned, { signingTime: now(), reason: `${level === version.chain.length ? '审核' : '报告'}签名 ${exam.accessionNo}`, location: facts.campusName });
      const sha256 = sha256Hex(signed);
      await files.put(sha256, signed);
      await trx
        .updateTable('reportVersion')
        .set({ status: 'approved', approvedLevels: decision.next.approvedLevels, approvedAt: now(), signerId: actor.userId, signerCertificatePem: key.credential.certificatePem, signatureAlgorithm: key.algorithm, finalSha256: sha256, finalSm3: sm3Hex(signed), verificationCode: code, updatedAt: now() })
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
    return inReview(actor, async (trx) => {
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
  /**
   * Withdraws the approved version. The revoker confirms with their signing PIN, or without a signing key their login
   * password: nothing is signed, so a certificate since removed from the trust list does not stand in the way.
   */
  async function revoke(actor: Actor, reportId: string, reason: string, secret: string) {
    const revocable = async (trx: Transaction<DB>) => {
      const final = await latestFinal(trx, reportId);
      if (!final) refuse('revoke', 'not_revocable');
      return checked(trx, actor, reportId, 'revoke', final.version);
    };
    // Refused before the secret is tried, as for approval: whoever may not revoke spends no attempt.
    await inReview(actor, revocable);
    await signatures.confirmIntent(actor, secret);
    return inReview(actor, async (trx) => {
      const { report, version } = await revocable(trx);
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
    return db.transaction().execute(async (trx) => {
      const facts = await reports.documentFacts(trx, reportId, version.version, { final: false, signatures: await signatureBlock(trx, reportId, version), verification: null });
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
   * 草稿 watermark. Never an unwatermarked unapproved report. Where the lab asks for intent to print (pinOnPrint),
   * `secret` is the signing PIN of a user with a signing key, else the user's login password (technicians).
   */
  async function print(actor: Actor, reportId: string, secret?: string) {
    const { report } = await inCampus(actor, reportId);
    const final = await latestFinal(db, reportId);
    if (!final) return { final: false, pdf: await renderDraft(actorRef(actor), reportId, report.currentVersion) };
    let intent: 'pin' | 'password' | null = null;
    if ((await policy()).pinOnPrint) {
      if (!secret) throw new AppError({ code: 'review-pin-required', status: 400, title: '打印正式报告前请输入签名密码（未设置签名证书的用户输入登录密码）', message: 'the lab requires the signing PIN (or, without a signing key, the login password) to print' });
      intent = await signatures.confirmIntent(actor, secret);
    }
    return db.transaction().execute(async (trx) => {
      await trx.updateTable('reportVersion').set((eb) => ({ printCount: eb('printCount', '+', 1), updatedAt: now() })).where('reportId', '=', reportId).where('version', '=', final.version).execute();
      await step(trx, actor, reportId, final.version, final.submission, 'print', null);
      await recordAudit(trx, actorRef(actor), { action: 'report.printed', entityType: 'report', entityId: reportId, campusId: report.campusId, detail: { version: final.version, copy: final.printCount + 1, intent } }, now());
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

  /**
   * 待审核: versions waiting at a level whose permission the actor holds, on the actor's campuses. A version the actor
   * may not approve because of four-eyes (their own submission, a level they already approved, or the final level of
   * content they edited under review) stays listed, marked `approvable: false` with the reason, after the ones they can
   * approve, and is left out of the per-level counts: the counts are the actor's own work. Urgent means an inpatient
   * or emergency exam (住院/急诊, from the order's visit type); urgent ones come first, then the longest waiting.
   */
  async function queue(actor: Actor) {
    const rows = await db
      .selectFrom('reportVersion')
      .innerJoin('report', 'report.id', 'reportVersion.reportId')
      .innerJoin('exam', 'exam.id', 'report.examId')
      .innerJoin('patient', 'patient.id', 'exam.patientId')
      .select([
        'report.id as reportId', 'report.currentVersion', 'reportVersion.version', 'reportVersion.status', 'reportVersion.submission', 'reportVersion.chain', 'reportVersion.approvedLevels', 'reportVersion.submittedAt', 'reportVersion.submittedBy', 'reportVersion.pattern', 'reportVersion.correctionReason',
        'exam.id as examId', 'exam.accessionNo', 'exam.visitType', 'exam.ward', 'exam.bed', 'exam.itemName', 'exam.examDate', 'exam.campusId', 'patient.name as patientName', 'patient.sex',
      ])
      .where('reportVersion.status', '=', 'pending')
      .where('exam.campusId', 'in', actor.campusIds.length ? actor.campusIds : ['00000000-0000-0000-0000-000000000000'])
      .orderBy('reportVersion.submittedAt')
      .execute();
    const mine = rows.filter((r) => {
      const level = (r.chain as ChainLevel[])[r.approvedLevels];
      return !!level && (actor.permissions as ReadonlySet<string>).has(level.permission);
    });
    const steps = mine.length
      ? await db.selectFrom('reviewStep').select(['reportId', 'version', 'submission', 'action', 'actorId', 'level']).where('reportId', 'in', mine.map((r) => r.reportId)).where('action', 'in', ['approve', 'edit']).orderBy('id').execute()
      : [];
    const p = await policy();
    const at = now().getTime();
    const items = mine.map((r) => {
      const chain = r.chain as ChainLevel[];
      const level = chain[r.approvedLevels]!;
      const own = steps.filter((s) => s.reportId === r.reportId && s.version === r.version && s.submission === r.submission);
      const state: VersionState = {
        status: 'pending', chain, approvedLevels: r.approvedLevels, submittedBy: r.submittedBy, hasNewerVersion: r.currentVersion > r.version,
        approvers: own.filter((s) => s.action === 'approve').sort((a, b) => (a.level ?? 0) - (b.level ?? 0)).map((s) => s.actorId ?? ''),
        editors: [...new Set(own.filter((s) => s.action === 'edit' && s.actorId).map((s) => s.actorId!))],
      };
      const decision = decide(state, 'approve', actor, p);
      return {
        reportId: r.reportId, version: r.version, examId: r.examId, accessionNo: r.accessionNo, patientName: r.patientName, sex: r.sex, visitType: r.visitType, ward: r.ward, bed: r.bed,
        itemName: r.itemName, examDate: r.examDate, level: level.level, levelName: level.name, levelNameEn: level.nameEn,
        waitingMinutes: r.submittedAt ? Math.max(0, Math.floor((at - r.submittedAt.getTime()) / 60_000)) : 0, submittedAt: r.submittedAt?.toISOString() ?? null,
        urgent: r.visitType === 'inpatient' || r.visitType === 'emergency', pattern: r.pattern, correctionReason: r.correctionReason,
        approvable: decision.ok, blockedBy: decision.ok ? null : (decision.refusal as 'four_eyes' | 'four_eyes_editor'),
      };
    });
    items.sort((a, b) => Number(b.approvable) - Number(a.approvable) || Number(b.urgent) - Number(a.urgent) || b.waitingMinutes - a.waitingMinutes);
    const levels = new Map<number, { level: number; name: string; nameEn: string; count: number; oldestMinutes: number; urgent: number; blocked: number }>();
    for (const item of items) {
      const entry = levels.get(item.level) ?? { level: item.level, name: item.levelName, nameEn: item.levelNameEn, count: 0, oldestMinutes: 0, urgent: 0, blocked: 0 };
      if (item.approvable) {
        entry.count += 1;
        entry.urgent += item.urgent ? 1 : 0;
        entry.oldestMinutes = Math.max(entry.oldestMinutes, item.waitingMinutes);
      } else entry.blocked += 1;
      levels.set(item.level, entry);
    }
    return { items, levels: [...levels.values()].sort((a, b) => a.level - b.level) };
  }

  /** Public verification (no login): only what is safe to show without the patient's consent. */
  async function verification(code: string, presented?: Uint8Array) {
    const row = await db
      .selectFrom('reportVersion')
      .innerJoin('report', 'report.id', 'reportVersion.reportId')
      .innerJoin('exam', 'exam.id', 'report.examId')
      .innerJoin('campus', 'campus.id', 'exam.campusId')
      .leftJoin('appUser', 'appUser.id', 'reportVersion.signerId')
      .select(['reportVersion.version', 'reportVersion.status', 'reportVersion.finalSha256', 'reportVersion.finalSm3', 'reportVersion.approvedAt', 'reportVersion.signatureAlgorithm', 'reportVersion.signerCertificatePem', 'exam.examDate', 'campus.name as campusName', 'appUser.displayName as signer', 'report.currentVersion'])
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
      signerCertificate: signatures.signerCertificate(row.signerCertificatePem),
      sha256: row.finalSha256,
      sm3: row.finalSm3 ?? '',
      storedIntact: sha256Hex(stored) === row.finalSha256,
      presented: presented ? { sha256: presentedSha256!, matchesStored: presentedSha256 === row.finalSha256, signatureValid: signatureCheck.valid, reason: signatureCheck.reason, signer: signatureCheck.signer } : null,
      signatureValid: signatureCheck.valid,
    };
  }

  return { policy, updatePolicy, workspace, create, save, submit, returnToAuthor, approve, correct, revoke, print, pdf, jpgPages, exportForExam, queue, verification, allowed };
}
