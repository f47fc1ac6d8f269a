import { z } from 'zod';

// 问卷调查: the pre-test questionnaire as the lab defines it (versioned JSON), the answers per exam, and the replies.

const text = (max: number) => z.string().trim().min(1, '不能为空').max(max);
/** A label in both interface languages, Chinese first. */
export const Bilingual = z.object({ zh: text(300), en: z.string().trim().max(300).default('') });
export type Bilingual = z.output<typeof Bilingual>;

export const QUESTION_TYPES = ['yesno', 'single', 'multiple', 'number', 'date', 'datetime', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const FLAG_KINDS = ['contraindication', 'warning'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

const questionId = z.string().regex(/^[a-z][a-zA-Z0-9_]{0,39}$/, '题目编号应以小写字母开头，只含字母、数字和下划线（最多 40 个字符）');
const optionValue = z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/, '选项值只能含字母、数字、下划线和横线（最多 40 个字符）');

/**
 * When a question is shown: another (earlier) question's answer is `is` (yes/no: the boolean; single choice: the
 * value or one of a list; multiple choice: any of the values chosen), and/or the exam is one of these test kinds.
 */
export const Condition = z
  .object({
    question: questionId.optional(),
    is: z.union([z.boolean(), optionValue, z.array(optionValue).min(1)]).optional(),
    testKinds: z.array(z.string().min(1).max(40)).min(1).optional(),
  })
  .refine((c) => (c.question === undefined) === (c.is === undefined), { message: '条件须同时给出题目（question）和答案（is）' })
  .refine((c) => c.question !== undefined || c.testKinds !== undefined, { message: '条件须给出题目答案或检查类型' });
export type Condition = z.output<typeof Condition>;

/**
 * An answer that must be seen: a contraindication (禁忌证) or a "may affect the result" warning. `when` fits the type:
 * yes/no `is`, choices `anyOf` (one flag per option chosen), numbers `below`/`above`, date and time `withinHours`
 * (the answer lies within this many hours before the questionnaire was saved, e.g. the last dose of a bronchodilator).
 */
export const FlagRule = z.object({
  kind: z.enum(FLAG_KINDS),
  when: z
    .object({
      is: z.boolean().optional(),
      anyOf: z.array(optionValue).min(1).optional(),
      below: z.number().optional(),
      above: z.number().optional(),
      withinHours: z.number().positive().max(24 * 365).optional(),
    })
    .refine((w) => Object.values(w).filter((v) => v !== undefined).length === 1, { message: '标记条件须且只须给出一项（is、anyOf、below、above 或 withinHours）' }),
  /** Shown with the flag; without it the question and the answer are shown. */
  message: Bilingual.optional(),
});
export type FlagRule = z.output<typeof FlagRule>;

export const QuestionOption = z.object({
  value: optionValue,
  label: Bilingual,
  /** Chosen alone only (e.g. 以上均无). */
  exclusive: z.boolean().default(false),
});

export const Question = z.object({
  id: questionId,
  type: z.enum(QUESTION_TYPES, { error: '题型应为 yesno、single、multiple、number、date、datetime 或 text' }),
  label: Bilingual,
  hint: Bilingual.optional(),
  /** Questions with the same section are shown together under this heading. */
  section: Bilingual.optional(),
  required: z.boolean().default(false),
  options: z.array(QuestionOption).max(40).optional(),
  unit: z.string().trim().max(20).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().optional(),
  maxLength: z.number().int().min(1).max(2000).optional(),
  /** A date or time may not lie in the future (e.g. the last dose). */
  past: z.boolean().optional(),
  showIf: Condition.optional(),
  flags: z.array(FlagRule).max(10).default([]),
});
export type Question = z.output<typeof Question>;

/** The questionnaire of a lab: a title and its questions in order. Checked as a whole: references, options, limits. */
export const QuestionnaireContent = z
  .object({
    title: Bilingual,
    description: Bilingual.optional(),
    questions: z.array(Question).min(1, '问卷至少需要一道题').max(200),
  })
  .superRefine((content, ctx) => {
    const seen = new Map<string, Question>();
    content.questions.forEach((q, i) => {
      const at = (...path: Array<string | number>) => ['questions', i, ...path];
      const issue = (message: string, ...path: Array<string | number>) => ctx.addIssue({ code: 'custom', message: `第 ${i + 1} 题（${q.id}）：${message}`, path: at(...path) });
      if (seen.has(q.id)) issue('题目编号重复', 'id');
      const choice = q.type === 'single' || q.type === 'multiple';
      const values = new Set<string>();
      if (choice) {
        if (!q.options || q.options.length < (q.type === 'single' ? 2 : 1)) issue(q.type === 'single' ? '单选题至少需要 2 个选项' : '多选题至少需要 1 个选项', 'options');
        for (const [j, o] of (q.options ?? []).entries()) {
          if (values.has(o.value)) issue(`选项值 ${o.value} 重复`, 'options', j, 'value');
          values.add(o.value);
        }
      } else if (q.options?.length) issue('只有单选题和多选题可以有选项', 'options');
      if (q.type !== 'number' && (q.min !== undefined || q.max !== undefined || q.integer !== undefined || q.unit !== undefined)) issue('只有数值题可以设置单位和上下限', 'type');
      if (q.min !== undefined && q.max !== undefined && q.min > q.max) issue('下限大于上限', 'min');
      if (q.type !== 'text' && q.maxLength !== undefined) issue('只有文本题可以设置长度', 'maxLength');
      if (q.type !== 'date' && q.type !== 'datetime' && q.past !== undefined) issue('只有日期或时间题可以设置"不晚于现在"', 'past');
      if (q.showIf?.question !== undefined) {
        const target = seen.get(q.showIf.question);
        if (!target) issue(`显示条件引用的题目 ${q.showIf.question} 不存在或不在本题之前`, 'showIf', 'question');
        else {
          const problem = conditionMismatch(target, q.showIf.is!);
          if (problem) issue(`显示条件：${problem}`, 'showIf', 'is');
        }
      }
      q.flags.forEach((f, j) => {
        const problem = flagMismatch(q, f, values);
        if (problem) issue(`标记 ${j + 1}：${problem}`, 'flags', j, 'when');
      });
      seen.set(q.id, q);
    });
  });
export type QuestionnaireContent = z.output<typeof QuestionnaireContent>;

function conditionMismatch(target: Question, is: boolean | string | string[]): string | null {
  if (target.type === 'yesno') return typeof is === 'boolean' ? null : `题目 ${target.id} 是"是/否"题，条件应为 true 或 false`;
  if (target.type === 'single' || target.type === 'multiple') {
    if (typeof is === 'boolean') return `题目 ${target.id} 是选择题，条件应为选项值`;
    const known = new Set((target.options ?? []).map((o) => o.value));
    const missing = (Array.isArray(is) ? is : [is]).filter((v) => !known.has(v));
    return missing.length ? `题目 ${target.id} 没有选项 ${missing.join('、')}` : null;
  }
  return `题目 ${target.id} 的题型不能作为显示条件`;
}

function flagMismatch(q: Question, f: FlagRule, values: Set<string>): string | null {
  const w = f.when;
  switch (q.type) {
    case 'yesno':
      return w.is === undefined ? '"是/否"题的标记条件应为 is' : null;
    case 'single':
    case 'multiple': {
      if (!w.anyOf) return '选择题的标记条件应为 anyOf';
      const missing = w.anyOf.filter((v) => !values.has(v));
      return missing.length ? `没有选项 ${missing.join('、')}` : null;
    }
    case 'number':
      return w.below === undefined && w.above === undefined ? '数值题的标记条件应为 below 或 above' : null;
    case 'date':
    case 'datetime':
      return w.withinHours === undefined ? '日期时间题的标记条件应为 withinHours' : null;
    case 'text':
      return '文本题不能设置标记';
  }
}

/** One answer as stored: yes/no, a chosen value, the chosen values, a number, a date ('YYYY-MM-DD'), an instant (ISO 8601), or text. */
export const AnswerValue = z.union([z.boolean(), z.number(), z.string(), z.array(z.string())]);
export type AnswerValue = z.output<typeof AnswerValue>;
export const Answers = z.record(z.string(), AnswerValue);
export type Answers = z.output<typeof Answers>;

export const Flag = z.object({ questionId: z.string(), kind: z.enum(FLAG_KINDS), message: Bilingual });
export type Flag = z.output<typeof Flag>;

export const DefinitionView = z.object({
  /** null: the built-in default, not saved yet (it is saved as version 1 with the first answers or the first edit). */
  id: z.string().nullable(),
  campusId: z.string().nullable(),
  version: z.number(),
  content: QuestionnaireContent,
  comment: z.string(),
  createdByName: z.string(),
  createdAt: z.string().nullable(),
});
export type DefinitionView = z.output<typeof DefinitionView>;

/** One answer set of an exam (the newest one is in force; earlier ones are kept). */
export const AnswerSet = z.object({
  revision: z.number(),
  definitionId: z.string(),
  definitionVersion: z.number(),
  answers: Answers,
  flags: z.array(Flag),
  answeredByName: z.string(),
  answeredAt: z.string(),
});

export const ExamQuestionnaire = z.object({
  exam: z.object({
    id: z.string(), accessionNo: z.string(), patientName: z.string(), sex: z.string(), birthDate: z.string(), itemName: z.string(), testKind: z.string(),
    campusId: z.string(), campusName: z.string(), status: z.string(), examDate: z.string(), heightCm: z.number().nullable(), weightKg: z.number().nullable(),
  }),
  /** What a new answer set is filled with: the lab's current definition for the exam's campus. */
  definition: DefinitionView,
  /** The answers in force with the definition they were given against, or null. */
  current: AnswerSet.extend({ definition: DefinitionView }).nullable(),
  history: z.array(AnswerSet.omit({ answers: true })),
});

/** The answers in force, as the report workspace shows them. */
export const WorkspaceQuestionnaire = AnswerSet.extend({ definition: DefinitionView, revisions: z.number() });

export const SaveAnswersBody = z.object({
  /** The definition the answers were given against; null: the built-in default. */
  definitionId: z.uuid('问卷版本编号格式不正确').nullable(),
  answers: Answers,
});

export const Saved = z.object({ revision: z.number(), definitionVersion: z.number(), flags: z.array(Flag) });

export const ScopeQuery = z.object({ campusId: z.uuid('院区编号格式不正确').optional() });

export const SaveDefinitionBody = z.object({
  /** Absent or null: the lab-wide questionnaire (every campus without its own). */
  campusId: z.uuid('院区编号格式不正确').nullable().default(null),
  content: z.unknown(),
  comment: z.string().trim().max(200).default(''),
});

export const DefinitionScopes = z.array(
  z.object({
    /** null: the lab-wide questionnaire. */
    campusId: z.string().nullable(),
    campusName: z.string().nullable(),
    /** The version filled in there now (a campus without its own fills in the lab's). */
    version: z.number(),
    /** Whether the scope has saved versions of its own. */
    own: z.boolean(),
    /** Whether what is filled in there is still the built-in, unsaved. */
    builtin: z.boolean(),
    savedVersions: z.number(),
    updatedAt: z.string().nullable(),
    updatedByName: z.string().nullable(),
  }),
);

export const DefinitionHistory = z.object({ current: DefinitionView, versions: z.array(DefinitionView), builtin: QuestionnaireContent });

export const FlagsQuery = z.object({
  date: z.iso.date('日期格式应为 YYYY-MM-DD').optional(),
  campusId: z.uuid('院区编号格式不正确').optional(),
});

export const ExamFlags = z.array(
  z.object({ examId: z.string(), revision: z.number(), answeredAt: z.string(), contraindications: z.number(), warnings: z.number(), flags: z.array(Flag) }),
);
