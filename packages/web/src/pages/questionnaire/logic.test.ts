import { describe, expect, it } from 'vitest';
import type { QuestionnaireContent } from './api.ts';
import { answerText, applicable, flaggedOptions, hoursBefore, sections, visibleQuestions } from './logic.ts';

const b = (zh: string, en = '') => ({ zh, en });
const content: QuestionnaireContent = {
  title: b('问卷'),
  questions: [
    { id: 'meds', type: 'yesno', label: b('用药'), section: b('用药情况'), required: true, flags: [] },
    {
      id: 'which', type: 'multiple', label: b('药物'), required: true, showIf: { question: 'meds', is: true },
      options: [{ value: 'saba', label: b('SABA'), exclusive: false }, { value: 'ics', label: b('ICS', 'Inhaled steroid'), exclusive: false }],
      flags: [{ kind: 'warning', when: { anyOf: ['saba'] } }],
    },
    { id: 'lastSaba', type: 'datetime', label: b('最后一次 SABA'), required: true, showIf: { question: 'which', is: ['saba'] }, flags: [{ kind: 'warning', when: { withinHours: 4 } }] },
    { id: 'bdAllergy', type: 'yesno', label: b('过敏'), section: b('本次检查'), required: true, showIf: { testKinds: ['bronchodilator'] }, flags: [] },
    { id: 'bp', type: 'number', label: b('收缩压'), unit: 'mmHg', required: false, flags: [] },
  ],
};

describe('questionnaire display rules', () => {
  it('shows a question when its condition holds, through the chain, and per test kind', () => {
    const ids = (answers: Record<string, unknown>, testKind = 'spirometry') => visibleQuestions(content, answers as never, testKind).map((q) => q.id);
    expect(ids({})).toEqual(['meds', 'bp']);
    expect(ids({ meds: true })).toEqual(['meds', 'which', 'bp']);
    expect(ids({ meds: true, which: ['ics', 'saba'] })).toEqual(['meds', 'which', 'lastSaba', 'bp']);
    expect(ids({ meds: false, which: ['saba'] })).toEqual(['meds', 'bp']);
    expect(ids({}, 'bronchodilator')).toEqual(['meds', 'bdAllergy', 'bp']);
  });

  it('sends only the answers that apply and are not empty', () => {
    expect(applicable(content, { meds: false, which: ['saba'], lastSaba: '2026-12-07T00:00:00.000Z', bp: undefined as never }, 'spirometry')).toEqual({ meds: false });
    expect(applicable(content, { meds: true, which: [] }, 'spirometry')).toEqual({ meds: true });
  });

  it('groups questions by section and marks flagged options', () => {
    expect(sections(content.questions).map((g) => [g.section?.zh, g.questions.map((q) => q.id)])).toEqual([
      ['用药情况', ['meds', 'which', 'lastSaba']],
      ['本次检查', ['bdAllergy', 'bp']],
    ]);
    expect([...flaggedOptions(content.questions[1]!)]).toEqual([['saba', 'warning']]);
  });

  it('reads answers as people do, in either language', () => {
    const [meds, which, , , bp] = content.questions;
    const yesNo = { yes: '是', no: '否' };
    expect(answerText(meds!, false, 'zh-CN', yesNo)).toBe('否');
    expect(answerText(which!, ['saba', 'ics'], 'zh-CN', yesNo)).toBe('SABA；ICS');
    expect(answerText(which!, ['ics'], 'en', yesNo)).toBe('Inhaled steroid');
    expect(answerText(bp!, 182, 'zh-CN', yesNo)).toBe('182 mmHg');
    expect(answerText(bp!, undefined, 'zh-CN', yesNo)).toBe('—');
    expect(hoursBefore('2026-12-07T00:00:00Z', '2026-12-07T02:30:00Z')).toBe(2.5);
    expect(hoursBefore('not a time', '2026-12-07T02:30:00Z')).toBeNull();
  });
});
