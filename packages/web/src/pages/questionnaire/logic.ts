import type { QuestionnaireAnswers, QuestionnaireAnswerValue, QuestionnaireContent, QuestionnaireFlag, QuestionnaireQuestion } from './api.ts';

// The questionnaire's display rules, as the server applies them (modules/questionnaire/definition.ts): the server
// decides what is stored and flagged; the page uses these to show and hide questions while they are answered.

type Lang = 'zh-CN' | 'en';

export const isEmpty = (v: QuestionnaireAnswerValue | undefined | null) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Whether a question applies to this exam with these answers (its condition's question must apply too). */
export function isVisible(content: QuestionnaireContent, question: QuestionnaireQuestion, answers: Partial<QuestionnaireAnswers>, testKind: string, depth = 0): boolean {
  const c = question.showIf;
  if (!c || depth > content.questions.length) return true;
  if (c.testKinds && !c.testKinds.includes(testKind)) return false;
  if (c.question === undefined) return true;
  const target = content.questions.find((q) => q.id === c.question);
  if (!target || !isVisible(content, target, answers, testKind, depth + 1)) return false;
  const answer = answers[target.id];
  if (answer === undefined || answer === null) return false;
  const wanted = c.is!;
  if (typeof wanted === 'boolean') return answer === wanted;
  const list = Array.isArray(wanted) ? wanted : [wanted];
  if (Array.isArray(answer)) return answer.some((v) => list.includes(v));
  return typeof answer === 'string' && list.includes(answer);
}

export function visibleQuestions(content: QuestionnaireContent, answers: Partial<QuestionnaireAnswers>, testKind: string) {
  return content.questions.filter((q) => isVisible(content, q, answers, testKind));
}

/** What is sent: the answers to the questions that apply, without empty ones (hidden answers stay in the form only). */
export function applicable(content: QuestionnaireContent, answers: Partial<QuestionnaireAnswers>, testKind: string): QuestionnaireAnswers {
  const out: QuestionnaireAnswers = {};
  for (const q of visibleQuestions(content, answers, testKind)) {
    const v = answers[q.id];
    if (!isEmpty(v)) out[q.id] = v!;
  }
  return out;
}

export const text = (label: { zh: string; en: string } | undefined, language: Lang) => (label ? (language === 'en' && label.en ? label.en : label.zh) : '');

/** Questions grouped under their sections, in order (a question without a section joins the group before it). */
export function sections(questions: QuestionnaireQuestion[]) {
  const groups: Array<{ key: string; section: QuestionnaireQuestion['section']; questions: QuestionnaireQuestion[] }> = [];
  for (const q of questions) {
    const last = groups[groups.length - 1];
    if (last && (!q.section || q.section.zh === last.section?.zh)) last.questions.push(q);
    else groups.push({ key: `${groups.length}-${q.section?.zh ?? ''}`, section: q.section, questions: [q] });
  }
  return groups;
}

/** Options (of choice questions) that a contraindication or warning rule names, for marking them in the form. */
export function flaggedOptions(question: QuestionnaireQuestion): Map<string, QuestionnaireFlag['kind']> {
  const marked = new Map<string, QuestionnaireFlag['kind']>();
  for (const rule of question.flags) for (const v of rule.when.anyOf ?? []) if (marked.get(v) !== 'contraindication') marked.set(v, rule.kind);
  return marked;
}

/** An answer as people read it, in the interface language; times in the browser's zone (Beijing in the lab). */
export function answerText(question: QuestionnaireQuestion, value: QuestionnaireAnswerValue | undefined, language: Lang, yesNo: { yes: string; no: string }): string {
  if (isEmpty(value)) return '—';
  const option = (v: string) => text(question.options?.find((o) => o.value === v)?.label, language) || v;
  switch (question.type) {
    case 'yesno':
      return value ? yesNo.yes : yesNo.no;
    case 'single':
      return option(String(value));
    case 'multiple':
      return (value as string[]).map(option).join(language === 'en' ? '; ' : '；');
    case 'number':
      return `${value}${question.unit ? ` ${question.unit}` : ''}`;
    case 'datetime':
      return new Date(String(value)).toLocaleString(language, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    default:
      return String(value);
  }
}

/** Hours between an answered time and when the answers were saved, to one decimal (e.g. the last dose before the test). */
export function hoursBefore(value: string, answeredAt: string): number | null {
  const hours = (Date.parse(answeredAt) - Date.parse(value)) / 3_600_000;
  return Number.isFinite(hours) ? Math.round(hours * 10) / 10 : null;
}
