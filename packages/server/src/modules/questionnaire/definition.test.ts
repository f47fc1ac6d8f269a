import { describe, expect, it } from 'vitest';
import { applicableAnswers, BUILTIN_QUESTIONNAIRE, flagsOf, validateAnswers, visibleQuestions } from './definition.js';
import { QuestionnaireContent } from './questionnaire.schemas.js';

const now = new Date('2026-12-07T02:00:00Z'); // 10:00 in Beijing
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
const ids = (answers: Record<string, unknown>, testKind = 'spirometry') => visibleQuestions(BUILTIN_QUESTIONNAIRE, answers as never, testKind).map((q) => q.id);
const base = { anthropometricsMeasured: true, smoking: 'never', inhaledMedication: false, respiratoryInfection: false, contraindications: ['none'] };

const parse = (content: unknown) => {
  const result = QuestionnaireContent.safeParse(content);
  return result.success ? [] : result.error.issues.map((i) => i.message);
};
const q = (extra: Record<string, unknown>) => ({ id: 'q', type: 'yesno', label: { zh: '题' }, ...extra });

describe('the built-in questionnaire', () => {
  it('is a valid definition, Chinese and English, with contraindications and withholding times', () => {
    expect(parse(BUILTIN_QUESTIONNAIRE)).toEqual([]);
    for (const question of BUILTIN_QUESTIONNAIRE.questions) {
      expect(question.label.zh, question.id).toMatch(/\p{Script=Han}/u);
      expect(question.label.en, question.id).not.toBe('');
    }
    const contraindications = BUILTIN_QUESTIONNAIRE.questions.find((x) => x.id === 'contraindications')!;
    expect(contraindications.options!.map((o) => o.value)).toEqual(expect.arrayContaining(['miShock', 'eyeSurgery', 'thoracoabdominalSurgery', 'pneumothorax', 'haemoptysis', 'latePregnancy', 'hypertension', 'none']));
    const withholding = Object.fromEntries(BUILTIN_QUESTIONNAIRE.questions.filter((x) => x.flags.some((f) => f.when.withinHours)).map((x) => [x.id, x.flags[0]!.when.withinHours]));
    expect(withholding).toEqual({ lastSmoked: 1, lastSaba: 4, lastSama: 12, lastLaba: 24, lastUltraLaba: 36, lastLama: 36 });
  });

  it('shows a question only when its condition holds, through a chain of conditions', () => {
    expect(ids(base)).not.toContain('medications');
    expect(ids({ ...base, inhaledMedication: true })).toContain('medications');
    expect(ids({ ...base, inhaledMedication: true })).not.toContain('lastSaba');
    expect(ids({ ...base, inhaledMedication: true, medications: ['saba', 'ics'] })).toEqual(expect.arrayContaining(['lastSaba']));
    expect(ids({ ...base, inhaledMedication: true, medications: ['ics'] })).not.toContain('lastSaba');
    // the last dose disappears with the medication question it depends on
    expect(ids({ ...base, inhaledMedication: false, medications: ['saba'] })).not.toContain('lastSaba');
    expect(ids({ ...base, smoking: 'former' })).toContain('packYears');
    expect(ids({ ...base, smoking: 'former' })).not.toContain('lastSmoked');
    expect(ids({ ...base, smoking: 'current' })).toContain('lastSmoked');
    expect(ids(base, 'bronchodilator')).toContain('bronchodilatorAllergy');
    expect(ids(base, 'provocation')).toEqual(expect.arrayContaining(['antihistamine']));
    expect(ids(base, 'provocation')).not.toContain('bronchodilatorAllergy');
  });
});

describe('validating answers', () => {
  const errors = (answers: Record<string, unknown>, testKind = 'spirometry') => validateAnswers(BUILTIN_QUESTIONNAIRE, answers as never, testKind, now);

  it('accepts complete answers', () => {
    expect(errors(base)).toEqual([]);
    expect(errors({ ...base, smoking: 'current', packYears: 12.5, lastSmoked: hoursAgo(2), inhaledMedication: true, medications: ['saba'], lastSaba: '2026-12-07T08:30+08:00', notes: '' })).toEqual([]);
  });

  it('names each kind of problem on its field', () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...base, anthropometricsMeasured: undefined }, 'anthropometricsMeasured', '请回答：身高、体重是否为今日实测（脱鞋）'],
      [{ ...base, anthropometricsMeasured: 1 }, 'anthropometricsMeasured', '请选择"是"或"否"'],
      [{ ...base, smoking: ['never'] }, 'smoking', '请选择一个选项'],
      [{ ...base, smoking: 'occasionally' }, 'smoking', '没有选项"occasionally"'],
      [{ ...base, contraindications: 'none' }, 'contraindications', '请选择一个或多个选项'],
      [{ ...base, contraindications: ['none', 'aneurysm'] }, 'contraindications', '"以上均无"不能与其他选项同时选择'],
      [{ ...base, contraindications: ['aneurysm', 'aneurysm'] }, 'contraindications', '选项重复'],
      [{ ...base, contraindications: ['flu'] }, 'contraindications', '没有选项"flu"'],
      [{ ...base, systolicBp: '120' }, 'systolicBp', '请填写数值'],
      [{ ...base, systolicBp: 20 }, 'systolicBp', '不能小于 50 mmHg'],
      [{ ...base, systolicBp: 301 }, 'systolicBp', '不能大于 300 mmHg'],
      [{ ...base, systolicBp: 120.5 }, 'systolicBp', '应为整数'],
      [{ ...base, smoking: 'current', lastSmoked: '2026-12-07 08:00' }, 'lastSmoked', '时间格式不正确'],
      [{ ...base, smoking: 'current', lastSmoked: hoursAgo(-1) }, 'lastSmoked', '时间不能晚于现在'],
      [{ ...base, notes: 42 }, 'notes', '请填写文字'],
      [{ ...base, notes: '字'.repeat(501) }, 'notes', '不能超过 500 个字'],
      [{ ...base, packYears: 10 }, 'packYears', '按前面的回答本题不适用，请清除答案'],
      [{ ...base, weather: 'fine' }, 'weather', '问卷中没有这道题（weather）'],
    ];
    for (const [answers, field, message] of cases) {
      const found = errors(Object.fromEntries(Object.entries(answers).filter(([, v]) => v !== undefined)));
      expect(found, field).toHaveLength(1);
      expect(found[0]!.field).toBe(`answers.${field}`);
      expect(found[0]!.message).toContain(message);
    }
  });

  it('checks dates as calendar dates in Beijing', () => {
    const content = QuestionnaireContent.parse({ title: { zh: '测' }, questions: [q({ id: 'lastVisit', type: 'date', past: true })] });
    const check = (value: string) => validateAnswers(content, { lastVisit: value }, 'spirometry', now).map((e) => e.message);
    expect(check('2026-12-07')).toEqual([]);
    expect(check('2026-12-08')).toEqual(['题：日期不能晚于今天']);
    expect(check('2026-02-30')).toEqual(['题：日期格式应为 YYYY-MM-DD']);
  });

  it('drops answers that do not apply and empty ones', () => {
    expect(applicableAnswers(BUILTIN_QUESTIONNAIRE, { ...base, packYears: 3, symptoms: [], notes: '' }, 'spirometry')).toEqual(base);
  });
});

describe('flags', () => {
  const flags = (answers: Record<string, unknown>, testKind = 'spirometry') => flagsOf(BUILTIN_QUESTIONNAIRE, answers as never, testKind, now).map((f) => `${f.kind}:${f.message.zh}`);

  it('raises nothing for clean answers', () => {
    expect(flags(base)).toEqual([]);
  });

  it('names each contraindication chosen, and blood pressure above the limit', () => {
    expect(flags({ ...base, contraindications: ['pneumothorax', 'latePregnancy'], diastolicBp: 110, systolicBp: 200 })).toEqual([
      'contraindication:气胸',
      'contraindication:妊娠晚期',
      'contraindication:舒张压 > 100 mmHg',
    ]);
  });

  it('warns of medication within its withholding time, and of smoking within the hour', () => {
    const answers = { ...base, smoking: 'current', lastSmoked: hoursAgo(0.5), inhaledMedication: true, medications: ['laba', 'lama'], lastLaba: hoursAgo(23), lastLama: hoursAgo(37) };
    expect(flags(answers)).toEqual(['warning:检查前 1 小时内吸烟，可能影响结果', 'warning:LABA 停药不足 24 小时，可能影响结果']);
  });

  it('flags a "no" when the rule says so, and a question without a message by its label and answer', () => {
    expect(flags({ ...base, anthropometricsMeasured: false })).toEqual(['warning:身高体重非当日实测，预计值可能不准']);
    const content = QuestionnaireContent.parse({ title: { zh: '测' }, questions: [q({ id: 'fev1', type: 'number', label: { zh: '基础 FEV1 占预计值' }, unit: '%', flags: [{ kind: 'contraindication', when: { below: 70 } }] })] });
    expect(flagsOf(content, { fev1: 60 }, 'provocation', now).map((f) => f.message.zh)).toEqual(['基础 FEV1 占预计值：60 %']);
    expect(flagsOf(content, { fev1: 70 }, 'provocation', now)).toEqual([]);
  });

  it('does not flag a question that does not apply', () => {
    expect(flags({ ...base, bronchodilatorAllergy: true }, 'spirometry')).toEqual([]);
    expect(flags({ ...base, bronchodilatorAllergy: true }, 'bronchodilator')).toEqual(['contraindication:对支气管舒张剂过敏']);
  });
});

describe('checking a definition', () => {
  it('refuses what would make answers unreadable, each with its question', () => {
    const content = (...questions: unknown[]) => ({ title: { zh: '问卷' }, questions });
    expect(parse(content())).toEqual(['问卷至少需要一道题']);
    expect(parse(content(q({}), q({})))).toEqual([expect.stringContaining('题目编号重复')]);
    expect(parse(content(q({ id: 'Bad id' })))[0]).toContain('题目编号应以小写字母开头');
    expect(parse(content(q({ type: 'essay' })))[0]).toContain('题型应为');
    expect(parse(content(q({ type: 'single', options: [{ value: 'a', label: { zh: 'A' } }] })))).toEqual([expect.stringContaining('单选题至少需要 2 个选项')]);
    expect(parse(content(q({ type: 'multiple', options: [{ value: 'a', label: { zh: 'A' } }, { value: 'a', label: { zh: 'B' } }] })))).toEqual([expect.stringContaining('选项值 a 重复')]);
    expect(parse(content(q({ options: [{ value: 'a', label: { zh: 'A' } }] })))).toEqual([expect.stringContaining('只有单选题和多选题可以有选项')]);
    expect(parse(content(q({ unit: 'cm' })))).toEqual([expect.stringContaining('只有数值题可以设置单位和上下限')]);
    expect(parse(content(q({ type: 'number', min: 3, max: 2 })))).toEqual([expect.stringContaining('下限大于上限')]);
    expect(parse(content(q({ maxLength: 10 })))).toEqual([expect.stringContaining('只有文本题可以设置长度')]);
    expect(parse(content(q({ past: true })))).toEqual([expect.stringContaining('只有日期或时间题可以设置')]);
    expect(parse(content(q({ id: 'a', showIf: { question: 'b', is: true } }), q({ id: 'b' })))).toEqual([expect.stringContaining('显示条件引用的题目 b 不存在或不在本题之前')]);
    expect(parse(content(q({ id: 'a' }), q({ id: 'b', showIf: { question: 'a', is: 'yes' } })))).toEqual([expect.stringContaining('条件应为 true 或 false')]);
    expect(parse(content(q({ id: 'a', type: 'single', options: [{ value: 'x', label: { zh: 'X' } }, { value: 'y', label: { zh: 'Y' } }] }), q({ id: 'b', showIf: { question: 'a', is: 'z' } })))).toEqual([expect.stringContaining('没有选项 z')]);
    expect(parse(content(q({ showIf: { question: 'a' } })))[0]).toContain('条件须同时给出题目');
    expect(parse(content(q({ flags: [{ kind: 'warning', when: { is: true, above: 3 } }] })))[0]).toContain('标记条件须且只须给出一项');
    expect(parse(content(q({ flags: [{ kind: 'warning', when: { above: 3 } }] })))).toEqual([expect.stringContaining('"是/否"题的标记条件应为 is')]);
    expect(parse(content(q({ type: 'text', flags: [{ kind: 'warning', when: { is: true } }] })))).toEqual([expect.stringContaining('文本题不能设置标记')]);
    expect(parse(content(q({ type: 'multiple', options: [{ value: 'a', label: { zh: 'A' } }], flags: [{ kind: 'contraindication', when: { anyOf: ['b'] } }] })))).toEqual([expect.stringContaining('没有选项 b')]);
  });
});
