import { describe, expect, it } from 'vitest';
import { chainFor, decide, DEFAULT_REVIEW_POLICY, isAbnormalResult, matchedConditions, type ReviewCommand, type VersionState } from './review-machine.js';

// The built-in roles' report permissions (foundation migration; trainee from 202612071200_review_chain).
const actors = {
  technician: { userId: 't', permissions: new Set(['report.draft', 'report.print']) },
  trainee: { userId: 'i', permissions: new Set(['report.draft', 'report.write', 'report.print']) },
  reporting: { userId: 'r', permissions: new Set(['report.draft', 'report.write', 'report.approve.level1', 'report.print']) },
  reviewing: { userId: 'v', permissions: new Set(['report.write', 'report.approve.level1', 'report.approve.level2', 'report.print']) },
  head: { userId: 'h', permissions: new Set(['report.write', 'report.approve.level1', 'report.approve.level2', 'report.approve.level3', 'report.print']) },
  auditor: { userId: 'a', permissions: new Set(['audit.read']) },
};
type Role = keyof typeof actors;
const roles = Object.keys(actors) as Role[];

const threeLevels = chainFor({ ...DEFAULT_REVIEW_POLICY, levels: DEFAULT_REVIEW_POLICY.levels.map((l) => ({ ...l, when: undefined })) }, { abnormal: false, ageYears: 40, authorRoles: [] });
const base: VersionState = { status: 'draft', chain: threeLevels, approvedLevels: 0, submittedBy: null, approvers: [], editors: [], hasNewerVersion: false };
const states: Record<string, VersionState> = {
  draft: base,
  level1: { ...base, status: 'pending', submittedBy: 't' },
  // The reporting physician adjusted the conclusion at level 1: they may still approve level 1 (two more follow).
  level1EditedByReporting: { ...base, status: 'pending', submittedBy: 't', editors: ['r'] },
  level2: { ...base, status: 'pending', submittedBy: 't', approvedLevels: 1, approvers: ['r'] },
  level3: { ...base, status: 'pending', submittedBy: 't', approvedLevels: 2, approvers: ['r', 'v'] },
  // The head of department edited at the last level: the final approval must be someone else's.
  level3EditedByHead: { ...base, status: 'pending', submittedBy: 't', approvedLevels: 2, approvers: ['r', 'v'], editors: ['h'] },
  approved: { ...base, status: 'approved', submittedBy: 't', approvedLevels: 3, approvers: ['r', 'v', 'h'] },
  corrected: { ...base, status: 'approved', submittedBy: 't', approvedLevels: 3, approvers: ['r', 'v', 'h'], hasNewerVersion: true },
  superseded: { ...base, status: 'superseded', submittedBy: 't', approvedLevels: 3, approvers: ['r', 'v', 'h'] },
  revoked: { ...base, status: 'revoked', submittedBy: 't', approvedLevels: 3, approvers: ['r', 'v', 'h'] },
};

// Expected outcome per state and command, for the roles technician, trainee, reporting, reviewing, head, auditor
// ('ok' = allowed).
type Row = [string, string, string, string, string, string];
const NP = 'no_permission';
const all = (outcome: string) => Array(6).fill(outcome) as Row;
const lockedAfterApproval = { edit: all('not_editable'), submit: all('not_draft'), approve: all('not_pending'), return: all('not_pending') };
const pendingAt = (level: 1 | 2 | 3): Record<'edit' | 'approve' | 'return', Row> => {
  const holds = (role: Role) => (level === 1 ? ['reporting', 'reviewing', 'head'] : level === 2 ? ['reviewing', 'head'] : ['head']).includes(role);
  const row = roles.map((role) => (holds(role) ? 'ok' : NP)) as Row;
  return { edit: row, approve: row, return: row };
};
const expected: Record<string, Record<ReviewCommand, Row>> = {
  draft: { edit: ['ok', 'ok', 'ok', 'ok', 'ok', NP], submit: ['ok', 'ok', 'ok', 'ok', 'ok', NP], approve: all('not_pending'), return: all('not_pending'), correct: all('not_approved'), revoke: all('not_revocable') },
  level1: { ...pendingAt(1), submit: all('not_draft'), correct: all('not_approved'), revoke: all('not_revocable') },
  level1EditedByReporting: { ...pendingAt(1), submit: all('not_draft'), correct: all('not_approved'), revoke: all('not_revocable') },
  level2: { ...pendingAt(2), submit: all('not_draft'), correct: all('not_approved'), revoke: all('not_revocable') },
  level3: { ...pendingAt(3), submit: all('not_draft'), correct: all('not_approved'), revoke: all('not_revocable') },
  level3EditedByHead: { ...pendingAt(3), approve: [NP, NP, NP, NP, 'four_eyes_editor', NP], submit: all('not_draft'), correct: all('not_approved'), revoke: all('not_revocable') },
  approved: { ...lockedAfterApproval, correct: [NP, 'ok', 'ok', 'ok', 'ok', NP], revoke: [NP, NP, NP, 'ok', 'ok', NP] },
  corrected: { ...lockedAfterApproval, correct: all('already_corrected'), revoke: [NP, NP, NP, 'ok', 'ok', NP] },
  revoked: { ...lockedAfterApproval, correct: [NP, 'ok', 'ok', 'ok', 'ok', NP], revoke: all('not_revocable') },
  superseded: { ...lockedAfterApproval, correct: all('not_approved'), revoke: all('not_revocable') },
};

describe('review state machine', () => {
  const commands: ReviewCommand[] = ['edit', 'submit', 'approve', 'return', 'correct', 'revoke'];
  const cases = Object.entries(expected).flatMap(([state, outcomes]) => commands.flatMap((command) => roles.map((role, i) => ({ state, command, role, outcome: outcomes[command][i]! }))));

  it('the table covers every state × command × role', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(states).sort());
    expect(cases).toHaveLength(Object.keys(states).length * commands.length * roles.length);
  });

  it.each(cases)('$state · $command by $role → $outcome', ({ state, command, role, outcome }) => {
    const decision = decide(states[state]!, command, actors[role], { fourEyes: true });
    expect(decision.ok ? 'ok' : decision.refusal).toBe(outcome);
  });

  it('approving walks the chain level by level and ends approved', () => {
    let state = decide(states.draft!, 'submit', actors.technician, { fourEyes: true });
    for (const [role, level] of [['reporting', 1], ['reviewing', 2], ['head', 3]] as const) {
      expect(state.ok).toBe(true);
      if (!state.ok) return;
      expect(state.next.status).toBe('pending');
      state = decide(state.next, 'approve', actors[role], { fourEyes: true });
      expect(state.ok && state.level).toBe(level);
    }
    expect(state.ok && state.next.status).toBe('approved');
    expect(state.ok && state.next.approvers).toEqual(['r', 'v', 'h']);
  });

  it('returning sends the version back to draft and forgets the approvals and edits of that submission', () => {
    const returned = decide({ ...states.level2!, editors: ['v'] }, 'return', actors.reviewing, { fourEyes: true });
    expect(returned.ok && returned.next).toMatchObject({ status: 'draft', approvedLevels: 0, approvers: [], editors: [] });
  });

  it('four-eyes: the submitter and earlier approvers may not approve again; off when the lab turns it off', () => {
    const submittedByReporting = { ...states.level1!, submittedBy: 'r' };
    expect(decide(submittedByReporting, 'approve', actors.reporting, { fourEyes: true })).toEqual({ ok: false, refusal: 'four_eyes' });
    expect(decide(submittedByReporting, 'approve', actors.reporting, { fourEyes: false }).ok).toBe(true);
    const level2ApprovedByReviewing = { ...states.level2!, approvers: ['v'] };
    expect(decide(level2ApprovedByReviewing, 'approve', actors.reviewing, { fourEyes: true })).toEqual({ ok: false, refusal: 'four_eyes' });
    expect(decide(level2ApprovedByReviewing, 'approve', actors.head, { fourEyes: true }).ok).toBe(true);
  });

  it('four-eyes: editing a pending report records the editor, who then cannot give the final approval alone', () => {
    // A one-level chain: the holder edits, then tries to approve — the bypass this rule closes.
    const oneLevel: VersionState = { ...base, chain: threeLevels.slice(0, 1), status: 'pending', submittedBy: 't' };
    const edited = decide(oneLevel, 'edit', actors.reporting, { fourEyes: true });
    expect(edited).toMatchObject({ ok: true, level: 1 });
    if (!edited.ok) return;
    expect(edited.next.editors).toEqual(['r']);
    expect(decide(edited.next, 'edit', actors.reporting, { fourEyes: true })).toMatchObject({ ok: true, next: { editors: ['r'] } });
    expect(decide(edited.next, 'approve', actors.reporting, { fourEyes: true })).toEqual({ ok: false, refusal: 'four_eyes_editor' });
    expect(decide(edited.next, 'approve', actors.reviewing, { fourEyes: true })).toMatchObject({ ok: true, next: { status: 'approved', approvers: ['v'] } });
    expect(decide(edited.next, 'approve', actors.reporting, { fourEyes: false })).toMatchObject({ ok: true, next: { status: 'approved' } });
    // At a non-final level the editor approves; the next level is someone else's, and they may not edit-and-finish either.
    const level1 = decide(states.level1EditedByReporting!, 'approve', actors.reporting, { fourEyes: true });
    expect(level1).toMatchObject({ ok: true, level: 1, next: { approvers: ['r'], editors: ['r'] } });
    if (!level1.ok) return;
    expect(decide(level1.next, 'approve', actors.reporting, { fourEyes: true })).toEqual({ ok: false, refusal: 'no_permission' });
    // A new submission starts with no editors.
    const resubmitted = decide({ ...states.draft!, editors: ['r'] }, 'submit', actors.technician, { fourEyes: true });
    expect(resubmitted.ok && resubmitted.next.editors).toEqual([]);
  });

  it('with four-eyes off, every holder of the current level may approve, edited or not', () => {
    for (const state of ['level1', 'level1EditedByReporting', 'level3', 'level3EditedByHead']) {
      for (const role of roles) {
        const on = decide(states[state]!, 'approve', actors[role], { fourEyes: true });
        const off = decide(states[state]!, 'approve', actors[role], { fourEyes: false });
        expect(off.ok ? 'ok' : off.refusal, `${state} by ${role}`).toBe(on.ok || (!on.ok && on.refusal.startsWith('four_eyes')) ? 'ok' : on.refusal);
      }
    }
  });

  it('a chain without levels cannot be submitted', () => {
    expect(decide({ ...states.draft!, chain: [] }, 'submit', actors.technician, { fourEyes: true })).toEqual({ ok: false, refusal: 'empty_chain' });
  });
});

describe('review chain per report', () => {
  const policy = {
    ...DEFAULT_REVIEW_POLICY,
    levels: [
      DEFAULT_REVIEW_POLICY.levels[0]!,
      DEFAULT_REVIEW_POLICY.levels[1]!,
      { ...DEFAULT_REVIEW_POLICY.levels[2]!, when: { abnormal: true, ageBelow: 14, authorRoles: ['trainee'] } },
    ],
  };
  it('adds the conditional third level only for abnormal, paediatric or trainee reports', () => {
    expect(chainFor(policy, { abnormal: false, ageYears: 40, authorRoles: ['technician'] }).map((l) => l.permission)).toEqual(['report.approve.level1', 'report.approve.level2']);
    for (const report of [
      { abnormal: true, ageYears: 40, authorRoles: [] },
      { abnormal: false, ageYears: 9.5, authorRoles: [] },
      { abnormal: false, ageYears: 40, authorRoles: ['trainee'] },
    ]) {
      expect(chainFor(policy, report).map((l) => [l.level, l.permission])).toEqual([[1, 'report.approve.level1'], [2, 'report.approve.level2'], [3, 'report.approve.level3']]);
    }
  });

  it('the default chain: two levels, the 科主任 only for a trainee-authored report', () => {
    const levels = (authorRoles: string[], abnormal = false, ageYears = 40) => chainFor(DEFAULT_REVIEW_POLICY, { abnormal, ageYears, authorRoles }).map((l) => l.name);
    expect(levels(['technician'])).toEqual(['报告医师', '审核医师']);
    expect(levels(['technician'], true, 8)).toEqual(['报告医师', '审核医师']);
    expect(levels(['technician', 'trainee'])).toEqual(['报告医师', '审核医师', '科主任']);
  });

  it('says which conditions a report meets, and a level in the middle renumbers the ones after it', () => {
    const when = { abnormal: true, ageBelow: 14, authorRoles: ['trainee'] };
    expect(matchedConditions(when, { abnormal: true, ageYears: 9, authorRoles: ['trainee'] })).toEqual(['abnormal', 'age', 'author']);
    expect(matchedConditions(when, { abnormal: false, ageYears: 14, authorRoles: ['reporting_physician'] })).toEqual([]);
    expect(matchedConditions(when, { abnormal: false, ageYears: null, authorRoles: [] })).toEqual([]);
    expect(matchedConditions(undefined, { abnormal: true, ageYears: 9, authorRoles: [] })).toEqual([]);
    const middle = { levels: [DEFAULT_REVIEW_POLICY.levels[0]!, { ...DEFAULT_REVIEW_POLICY.levels[1]!, when: { ageBelow: 18 } }, { ...DEFAULT_REVIEW_POLICY.levels[2]!, when: undefined }] };
    expect(chainFor(middle, { abnormal: false, ageYears: 40, authorRoles: [] }).map((l) => [l.level, l.permission])).toEqual([[1, 'report.approve.level1'], [2, 'report.approve.level3']]);
  });

  it('an abnormal result: a pattern other than normal, a graded impairment, or a positive bronchodilator response', () => {
    expect(isAbnormalResult({ pattern: 'normal', severity: 'none', bdr: 'negative' })).toBe(false);
    expect(isAbnormalResult({ pattern: null, severity: null, bdr: null })).toBe(false);
    expect(isAbnormalResult({ pattern: 'obstruction', severity: 'mild', bdr: null })).toBe(true);
    expect(isAbnormalResult({ pattern: 'prism', severity: null, bdr: null })).toBe(true);
    expect(isAbnormalResult({ pattern: null, severity: 'moderate', bdr: null })).toBe(true);
    expect(isAbnormalResult({ pattern: 'normal', severity: 'none', bdr: 'positive' })).toBe(true);
  });

  it('a level whose conditions are all empty applies to every report', () => {
    const always = { ...policy, levels: [{ ...policy.levels[0]!, when: {} }, { ...policy.levels[1]!, when: { authorRoles: [] } }] };
    expect(chainFor(always, { abnormal: false, ageYears: 40, authorRoles: [] })).toHaveLength(2);
  });
});
