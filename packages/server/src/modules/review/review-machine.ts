/**
 * The tiered review of one report version as a pure state machine: who may do what, in which state, and what
 * follows. The service applies the outcome; the database re-checks every approval (review_step_guard) and the
 * approval of the version (report_version_guard).
 *
 * Four-eyes (when the lab keeps it on): the submitter of a version may not approve any level of that submission, nobody
 * approves two levels of it, and whoever edited the content while it was under review (at their own level) may not
 * give the approval that completes the chain. An editor may still approve a non-final level, because a later level
 * must then be approved by someone else who sees the edited content; so no content becomes final on one person's word.
 */
export type ApprovePermission = 'report.approve.level1' | 'report.approve.level2' | 'report.approve.level3';

export interface ChainLevel {
  /** 1-based position in the chain. */
  level: number;
  name: string;
  nameEn: string;
  permission: string;
}

/**
 * A lab's review chain. A level with `when` applies only to reports that meet one of its conditions: an abnormal result
 * (see {@link isAbnormalResult}), a patient younger than `ageBelow` years at the exam, or an author holding one of
 * `authorRoles`. The authors of a submission are the person who last wrote its content before it was submitted and
 * the submitter (so a trainee's draft submitted by a technician, or a trainee submitting a draft, both count).
 */
export interface ReviewPolicy {
  levels: Array<{
    name: string;
    nameEn: string;
    permission: ApprovePermission;
    when?: { abnormal?: boolean; ageBelow?: number; authorRoles?: string[] };
  }>;
  /**
   * The submitter of a version, and each approver, may not approve it again at a later level; whoever edited it while
   * it was under review may not give its final approval.
   */
  fourEyes: boolean;
  /** Printing a final report asks for the signing PIN too. */
  pinOnPrint: boolean;
}

export const DEFAULT_REVIEW_POLICY: ReviewPolicy = {
  levels: [
    { name: '报告医师', nameEn: 'Reporting physician', permission: 'report.approve.level1' },
    { name: '审核医师', nameEn: 'Reviewing physician', permission: 'report.approve.level2' },
    // 规培/进修医师 reports get a third level (the built-in role `trainee`, migration 202612071200_review_chain).
    { name: '科主任', nameEn: 'Head of department', permission: 'report.approve.level3', when: { authorRoles: ['trainee'] } },
  ],
  fourEyes: true,
  pinOnPrint: false,
};

/** The facts of a report that decide its chain. */
export interface ChainFacts {
  abnormal: boolean;
  ageYears: number | null;
  /** Role codes of the report's authors (last writer of the content and submitter). */
  authorRoles: string[];
}

export type LevelCondition = NonNullable<ReviewPolicy['levels'][number]['when']>;

/** A level without any condition set applies to every report. */
export const isUnconditional = (when: LevelCondition | undefined) => !when || (when.abnormal !== true && when.ageBelow === undefined && !when.authorRoles?.length);

/**
 * An abnormal result for the chain's `abnormal` condition: a ventilatory pattern other than normal, any graded
 * impairment, or a positive bronchodilator response.
 */
export function isAbnormalResult(conclusion: { pattern: string | null; severity: string | null; bdr: string | null }): boolean {
  return (!!conclusion.pattern && conclusion.pattern !== 'normal') || (!!conclusion.severity && conclusion.severity !== 'none') || conclusion.bdr === 'positive';
}

/** Which conditions of a level a report meets (empty when the level applies to every report or to none of this one). */
export function matchedConditions(when: LevelCondition | undefined, report: ChainFacts): Array<'abnormal' | 'age' | 'author'> {
  if (isUnconditional(when)) return [];
  const matched: Array<'abnormal' | 'age' | 'author'> = [];
  if (when!.abnormal === true && report.abnormal) matched.push('abnormal');
  if (when!.ageBelow !== undefined && report.ageYears !== null && report.ageYears < when!.ageBelow) matched.push('age');
  if ((when!.authorRoles ?? []).some((role) => report.authorRoles.includes(role))) matched.push('author');
  return matched;
}

/** The levels one report must pass, fixed when it is submitted. */
export function chainFor(policy: Pick<ReviewPolicy, 'levels'>, report: ChainFacts): ChainLevel[] {
  const applies = (when: LevelCondition | undefined) => isUnconditional(when) || matchedConditions(when, report).length > 0;
  return policy.levels.filter((l) => applies(l.when)).map((l, i) => ({ level: i + 1, name: l.name, nameEn: l.nameEn, permission: l.permission }));
}

export type ReviewStatus = 'draft' | 'pending' | 'approved' | 'superseded' | 'revoked';
export type ReviewCommand = 'edit' | 'submit' | 'approve' | 'return' | 'correct' | 'revoke';

export interface VersionState {
  status: ReviewStatus;
  chain: ChainLevel[];
  approvedLevels: number;
  submittedBy: string | null;
  /** User ids that approved a level of the current submission, in level order. */
  approvers: string[];
  /** User ids that edited the content while the current submission was under review. */
  editors: string[];
  /** A newer version exists (a correction in progress or done). */
  hasNewerVersion: boolean;
}

export interface ReviewActor {
  userId: string;
  permissions: ReadonlySet<string>;
}

export type Refusal =
  | 'not_editable' | 'not_draft' | 'not_pending' | 'not_approved' | 'not_revocable' | 'already_corrected'
  | 'no_permission' | 'four_eyes' | 'four_eyes_editor' | 'empty_chain';

export type Decision = { ok: true; level: number | null; next: VersionState } | { ok: false; refusal: Refusal };

const refuse = (refusal: Refusal): Decision => ({ ok: false, refusal });
const canDraft = (actor: ReviewActor) => actor.permissions.has('report.draft') || actor.permissions.has('report.write');

export function decide(state: VersionState, command: ReviewCommand, actor: ReviewActor, policy: Pick<ReviewPolicy, 'fourEyes'>): Decision {
  const current = state.status === 'pending' ? state.chain[state.approvedLevels] : undefined;
  const holdsCurrent = current !== undefined && actor.permissions.has(current.permission);
  switch (command) {
    case 'edit':
      if (state.status === 'draft') return canDraft(actor) ? { ok: true, level: null, next: state } : refuse('no_permission');
      // The physician at the current level writes or adjusts the conclusion before approving it.
      // Recorded: an editor of the pending content may not give the final approval under four-eyes.
      if (state.status === 'pending') {
        if (!holdsCurrent || !actor.permissions.has('report.write')) return refuse('no_permission');
        return { ok: true, level: current!.level, next: state.editors.includes(actor.userId) ? state : { ...state, editors: [...state.editors, actor.userId] } };
      }
      return refuse('not_editable');
    case 'submit':
      if (state.status !== 'draft') return refuse('not_draft');
      if (!canDraft(actor)) return refuse('no_permission');
      if (state.chain.length === 0) return refuse('empty_chain');
      return { ok: true, level: null, next: { ...state, status: 'pending', approvedLevels: 0, submittedBy: actor.userId, approvers: [], editors: [] } };
    case 'approve': {
      if (state.status !== 'pending' || !current) return refuse('not_pending');
      if (!holdsCurrent) return refuse('no_permission');
      if (policy.fourEyes && (actor.userId === state.submittedBy || state.approvers.includes(actor.userId))) return refuse('four_eyes');
      const approvedLevels = state.approvedLevels + 1;
      const done = approvedLevels === state.chain.length;
      if (policy.fourEyes && done && state.editors.includes(actor.userId)) return refuse('four_eyes_editor');
      return { ok: true, level: current.level, next: { ...state, status: done ? 'approved' : 'pending', approvedLevels, approvers: [...state.approvers, actor.userId] } };
    }
    case 'return':
      if (state.status !== 'pending' || !current) return refuse('not_pending');
      if (!holdsCurrent) return refuse('no_permission');
      return { ok: true, level: current.level, next: { ...state, status: 'draft', approvedLevels: 0, approvers: [], editors: [] } };
    case 'correct':
      if (state.status !== 'approved' && state.status !== 'revoked') return refuse('not_approved');
      if (state.hasNewerVersion) return refuse('already_corrected');
      if (!actor.permissions.has('report.write')) return refuse('no_permission');
      return { ok: true, level: null, next: state };
    case 'revoke':
      // Withdrawing a signed report from the HIS (e.g. wrong patient) is for a reviewing physician.
      if (state.status !== 'approved') return refuse('not_revocable');
      if (!actor.permissions.has('report.approve.level2')) return refuse('no_permission');
      return { ok: true, level: null, next: { ...state, status: 'revoked' } };
  }
}

export const refusalMessages: Record<Refusal, { zh: string; en: string }> = {
  not_editable: { zh: '报告已审核锁定，如需修改请发起更正', en: 'The report is approved and locked; start a correction to change it' },
  not_draft: { zh: '只有草稿或被退回的报告可以提交', en: 'Only a draft or returned report can be submitted' },
  not_pending: { zh: '报告不在待审核状态', en: 'The report is not awaiting review' },
  not_approved: { zh: '只有已审核或已撤回的报告可以更正', en: 'Only an approved or revoked report can be corrected' },
  not_revocable: { zh: '只有已审核生效的报告可以撤回', en: 'Only an approved, current report can be revoked' },
  already_corrected: { zh: '该报告已有更正版本', en: 'A correction of this report already exists' },
  no_permission: { zh: '您没有当前审核级别的权限', en: 'You lack the permission for this step' },
  four_eyes: { zh: '同一人不能在提交或前一级审核后再审核同一份报告（双人复核）', en: 'The submitter or an earlier approver may not approve this report again (four-eyes rule)' },
  four_eyes_editor: { zh: '您在审核中修改了报告内容，最后一级须由其他医师审核（双人复核）', en: 'You edited this report during its review; another physician must give the final approval (four-eyes rule)' },
  empty_chain: { zh: '审核流程未配置任何级别', en: 'The review chain has no levels' },
};
