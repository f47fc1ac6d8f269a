import { describe, expect, it } from 'vitest';
import { chainFor, decide, DEFAULT_REVIEW_POLICY, type ReviewCommand, type VersionState } from './review-machine.js';

// The built-in roles' report permissions (foundation migration).
const actors = {
  technician: { userId: 't', permissions: new Set(['report.draft', 'report.print']) },
  reporting: { userId: 'r', permissions: new Set(['report.draft', 'report.write', 'report.approve.level1', 'report.print']) },
  reviewing: { userId: 'v', permissions: new Set(['report.write', 'report.approve.level1', 'report.approve.level2', 'report.print']) },
  head: { userId: 'h', permissions: new Set(['report.write', 'report.approve.level1', 'report.approve.level2', 'report.approve.level3', 'report.print']) },
  auditor: { userId: 'a', permissions: new Set(['audit.read']) },
};
type Role = keyof typeof actors;

const threeLevels = chainFor({ ...DEFAULT_REVIEW_POLICY, levels: DEFAULT_REVIEW_POLICY.levels.map((l) => ({ ...l, when: undefined })) }, { abnormal: false, ageYears: 40, authorRoles: [] });
const base: VersionState = { status: 'draft', chain: threeLevels, approvedLevels: 0, submittedBy: null, approvers: [], hasNewerVersion: false };
const states: Record<string, VersionState> = {
  draft: base,
  level1: { ...base, status: 'pending', submittedBy: 't' },
  level2: { ...base, status: 'pending', submittedBy: 't', approvedLevels: 1, approvers: ['r'] },
  level3: { ...base, status: 'pending', submittedBy: 't', approvedLevels: 2, approvers: ['r', 'v'] },
  approved: { ...base, status: 'approved', submittedBy: 't', approvedLevels: 3, approvers: ['r', 'v', 'h'] },
  corrected: { ...base, status: 'approved', submittedBy: 't', approvedLevels: 3, approvers: ['r', 'v', 'h'], hasNewerVersion: true },
  superseded: { ...base, status: 'superseded', submittedBy: 't', approvedLevels: 3, approvers: ['r', 'v', 'h'] },
  revoked: { ...base, status: 'revoked', submittedBy: 't', approvedLevels: 3, approvers: ['r', 'v', 'h'] },
};

// Expected outcome per state and command, for the roles technician, reporting, reviewing, head, auditor ('ok' = allowed).
const NP = 'no_permission';
const expected: Record<string, Record<ReviewCommand, [string, string, string, string, string]>> = {
  draft: { edit: ['ok', 'ok', 'ok', 'ok', NP], submit: ['ok', 'ok', 'ok', 'ok', NP], approve: Array(5).fill('not_pending') as never, return: Array(5).fill('not_pending') as never, correct: Array(5).fill('not_approved') as never, revoke: Array(5).fill('not_revocable') as never },
  level1: { edit: [NP, 'ok', 'ok', 'ok', NP], submit: Array(5).fill('not_draft') as never, approve: [NP, 'ok', 'ok', 'ok', NP], return: [NP, 'ok', 'ok', 'ok', NP], correct: Array(5).fill('not_approved') as never, revoke: Array(5).fill('not_revocable') as never },
  level2: { edit: [NP, NP, 'ok', 'ok', NP], submit: Array(5).fill('not_draft') as never, approve: [NP, NP, 'ok', 'ok', NP], return: [NP, NP, 'ok', 'ok', NP], correct: Array(5).fill('not_approved') as never, revoke: Array(5).fill('not_revocable') as never },
  level3: { edit: [NP, NP, NP, 'ok', NP], submit: Array(5).fill('not_draft') as never, approve: [NP, NP, NP, 'ok', NP], return: [NP, NP, NP, 'ok', NP], correct: Array(5).fill('not_approved') as never, revoke: Array(5).fill('not_revocable') as never },
  approved: { edit: Array(5).fill('not_editable') as never, submit: Array(5).fill('not_draft') as never, approve: Array(5).fill('not_pending') as never, return: Array(5).fill('not_pending') as never, correct: [NP, 'ok', 'ok', 'ok', NP], revoke: [NP, NP, 'ok', 'ok', NP] },
  corrected: { edit: Array(5).fill('not_editable') as never, submit: Array(5).fill('not_draft') as never, approve: Array(5).fill('not_pending') as never, return: Array(5).fill('not_pending') as never, correct: Array(5).fill('already_corrected') as never, revoke: [NP, NP, 'ok', 'ok', NP] },
  revoked: { edit: Array(5).fill('not_editable') as never, submit: Array(5).fill('not_draft') as never, approve: Array(5).fill('not_pending') as never, return: Array(5).fill('not_pending') as never, correct: [NP, 'ok', 'ok', 'ok', NP], revoke: Array(5).fill('not_revocable') as never },
  superseded: { edit: Array(5).fill('not_editable') as never, submit: Array(5).fill('not_draft') as never, approve: Array(5).fill('not_pending') as never, return: Array(5).fill('not_pending') as never, correct: Array(5).fill('not_approved') as never, revoke: Array(5).fill('not_revocable') as never },
};

describe('review state machine', () => {
  const roles = Object.keys(actors) as Role[];
  const cases = Object.entries(expected).flatMap(([state, commands]) =>
    (Object.entries(commands) as Array<[ReviewCommand, string[]]>).flatMap(([command, outcomes]) => roles.map((role, i) => ({ state, command, role, outcome: outcomes[i]! }))),
  );

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

  it('returning sends the version back to draft and forgets the approvals of that submission', () => {
    const returned = decide(states.level2!, 'return', actors.reviewing, { fourEyes: true });
    expect(returned.ok && returned.next).toMatchObject({ status: 'draft', approvedLevels: 0, approvers: [] });
  });

  it('four-eyes: the submitter and earlier approvers may not approve again; off when the lab turns it off', () => {
    const submittedByReporting = { ...states.level1!, submittedBy: 'r' };
    expect(decide(submittedByReporting, 'approve', actors.reporting, { fourEyes: true })).toEqual({ ok: false, refusal: 'four_eyes' });
    expect(decide(submittedByReporting, 'approve', actors.reporting, { fourEyes: false }).ok).toBe(true);
    const level2ApprovedByReviewing = { ...states.level2!, approvers: ['v'] };
    expect(decide(level2ApprovedByReviewing, 'approve', actors.reviewing, { fourEyes: true })).toEqual({ ok: false, refusal: 'four_eyes' });
    expect(decide(level2ApprovedByReviewing, 'approve', actors.head, { fourEyes: true }).ok).toBe(true);
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

  it('a level whose conditions are all empty applies to every report', () => {
    const always = { ...policy, levels: [{ ...policy.levels[0]!, when: {} }, { ...policy.levels[1]!, when: { authorRoles: [] } }] };
    expect(chainFor(always, { abnormal: false, ageYears: 40, authorRoles: [] })).toHaveLength(2);
  });
});
