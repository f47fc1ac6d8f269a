import { describe, expect, it } from 'vitest';
import { COLUMNS, SECTIONS } from './api.ts';
import { formToLevel, formToPolicy, fromChoices, levelToForm, logoProblem, moveItem, newLevel, policyToForm, toChoices } from './settings-model.ts';

describe('ordered lists', () => {
  it('moves an item up or down and leaves the list alone at its ends', () => {
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 5, -1)).toEqual(['a', 'b', 'c']);
    const list = ['a', 'b'];
    expect(moveItem(list, 0, 1)).not.toBe(list);
    expect(list).toEqual(['a', 'b']);
  });

  it('lists the saved sections first in their order, then the left-out ones as hidden', () => {
    const choices = toChoices(SECTIONS, ['results', 'patient', 'signatures']);
    expect(choices).toEqual([
      { key: 'results', shown: true },
      { key: 'patient', shown: true },
      { key: 'signatures', shown: true },
      { key: 'curves', shown: false },
      { key: 'quality', shown: false },
      { key: 'interpretation', shown: false },
    ]);
    expect(fromChoices(choices)).toEqual(['results', 'patient', 'signatures']);
  });

  it('keeps the order of hidden items when they are shown again, and drops unknown or repeated keys', () => {
    const choices = toChoices(COLUMNS, ['measured', 'measured', 'bogus' as never, 'predicted']);
    expect(choices.slice(0, 2)).toEqual([{ key: 'measured', shown: true }, { key: 'predicted', shown: true }]);
    expect(choices).toHaveLength(COLUMNS.length);
    const moved = moveItem(choices, choices.findIndex((c) => c.key === 'zScore'), -1);
    const shown = moved.map((c) => (c.key === 'zScore' ? { ...c, shown: true } : c));
    expect(fromChoices(shown)).toEqual(['measured', 'predicted', 'zScore']);
  });
});

describe('logo files', () => {
  it('takes PNG and JPEG up to 500 KB', () => {
    expect(logoProblem({ type: 'image/png', size: 500 * 1024 })).toBeNull();
    expect(logoProblem({ type: 'image/jpeg', size: 10 })).toBeNull();
    expect(logoProblem({ type: 'image/png', size: 500 * 1024 + 1 })).toBe('size');
    expect(logoProblem({ type: 'image/gif', size: 10 })).toBe('type');
    expect(logoProblem({ type: 'image/svg+xml', size: 10 })).toBe('type');
  });
});

describe('review levels', () => {
  it('round-trips the conditions through the form', () => {
    const level = { name: '科主任', nameEn: 'Head of department', permission: 'report.approve.level3' as const, when: { abnormal: true, ageBelow: 14, authorRoles: ['trainee'] } };
    expect(levelToForm(level)).toEqual({ name: '科主任', nameEn: 'Head of department', permission: 'report.approve.level3', abnormal: true, child: true, ageBelow: 14, authorRoles: ['trainee'] });
    expect(formToLevel(levelToForm(level))).toEqual(level);
  });

  it('sends no `when` at all for a level without conditions (it applies to every report)', () => {
    const plain = { name: ' 报告医师 ', nameEn: 'Reporting physician', permission: 'report.approve.level1' as const, abnormal: false, child: false, ageBelow: 10, authorRoles: [' ', ''] };
    expect(formToLevel(plain)).toEqual({ name: '报告医师', nameEn: 'Reporting physician', permission: 'report.approve.level1' });
    expect('when' in formToLevel(plain)).toBe(false);
    expect(formToLevel({ ...plain, child: true, ageBelow: null })).not.toHaveProperty('when');
    expect(formToLevel({ ...plain, authorRoles: ['trainee', 'trainee'] }).when).toEqual({ authorRoles: ['trainee'] });
  });

  it('converts the whole policy and proposes the next permission for a new level', () => {
    const policy = { levels: [{ name: '报告医师', nameEn: 'Reporting physician', permission: 'report.approve.level1' as const }], fourEyes: true, pinOnPrint: false };
    const form = policyToForm(policy);
    expect(formToPolicy(form)).toEqual(policy);
    expect(newLevel(form.levels).permission).toBe('report.approve.level2');
    expect(newLevel([]).permission).toBe('report.approve.level1');
  });
});
