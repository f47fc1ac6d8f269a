/**
 * The tiered review of one report version as a pure state machine: who may do what, in which state, and what
 * follows. The service applies the outcome; the database re-checks the approval count (report_version_guard).
 */
export type ApprovePermission = 'report.approve.level1' | 'report.approve.level2' | 'report.approve.level3';

export interface ChainLevel {
  /** 1-based position in the chain. */
  level: number;
  name: string;
  nameEn: string;
  permission: string;
}

/** A lab's review chain. A level with `when` applies only to reports that meet one of its conditions. */
export interface ReviewPolicy {
  levels: Array<{
    name: string;
    nameEn: string;
    permission: ApprovePermission;
    when?: { abnormal?: boolean; ageBelow?: number; authorRoles?: string[] };
  }>;
  /** The submitter of a version, and each approver, may not approve it again at a later level. */
  fourEyes: boolean;
  /** Printing a final report asks for the signing PIN too. */
  pinOnPrint: boolean;
}

export const DEFAULT_REVIEW_POLICY: ReviewPolicy = {
  levels: [
    { name: '报告医师', nameEn: 'Reporting physician', permission: 'report.approve.level1' },
    { name: '审核医师', nameEn: 'Reviewing physician', permission: 'report.approve.level2' },
    { name: '科主任', nameEn: 'Head of department', permission: 'report.approve.level3', when: { authorRoles: ['trainee'] } },
  ],
  fourEyes: true,
  pinOnPrint: false,
};

/** The levels one report must pass, fixed when it is submitted. */
export function chainFor(policy: ReviewPolicy, report: { abnormal: boolean; ageYears: number | null; authorRoles: string[] }): ChainLevel[] {
  const applies = (when: ReviewPolicy['levels'][number]['when']) =>
    !when ||
    (when.abnormal !== true && when.ageBelow === undefined && !when.authorRoles?.length) ||
    (when.abnormal === true && report.abnormal) ||
    (when.ageBelow !== undefined && report.ageYears !== null && report.ageYears < when.ageBelow) ||
    (when.authorRoles ?? []).some((role) => report.authorRoles.includes(role));
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
  /** A newer version exists (a correction in progress or done). */
  hasNewerVersion: boolean;
}

export interface ReviewActor {
  userId: string;
  permissions: ReadonlySet<string>;
}

export type Refusal =
  | 'not_editable' | 'not_draft' | 'not_pending' | 'not_approved' | 'not_revocable' | 'already_corrected'
  | 'no_permission' | 'four_eyes' | 'empty_chain';

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
      if (state.status === 'pending') return holdsCurrent && actor.permissions.has('report.write') ? { ok: true, level: current!.level, next: state } : refuse('no_permission');
      return refuse('not_editable');
    case 'submit':
      if (state.status !== 'draft') return refuse('not_draft');
      if (!canDraft(actor)) return refuse('no_permission');
      if (state.chain.length === 0) return refuse('empty_chain');
      return { ok: true, level: null, next: { ...state, status: 'pending', approvedLevels: 0, submittedBy: actor.userId, approvers: [] } };
    case 'approve': {
      if (state.status !== 'pending' || !current) return refuse('not_pending');
      if (!holdsCurrent) return refuse('no_permission');
      if (policy.fourEyes && (actor.userId === state.submittedBy || state.approvers.includes(actor.userId))) return refuse('four_eyes');
      const approvedLevels = state.approvedLevels + 1;
      const done = approvedLevels === state.chain.length;
      return { ok: true, level: current.level, next: { ...state, status: done ? 'approved' : 'pending', approvedLevels, approvers: [...state.approvers, actor.userId] } };
    }
    case 'return':
      if (state.status !== 'pending' || !current) return refuse('not_pending');
      if (!holdsCurrent) return refuse('no_permission');
      return { ok: true, level: current.level, next: { ...state, status: 'draft', approvedLevels: 0, approvers: [] } };
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
  empty_chain: { zh: '审核流程未配置任何级别', en: 'The review chain has no levels' },
};
