import type { z } from 'zod';
import type { FieldError } from '../../platform/errors.js';
import { type AnswerValue, type Answers, type Bilingual, type Condition, type Flag, type Question, QuestionnaireContent } from './questionnaire.schemas.js';

// Pure rules of the pre-test questionnaire: which questions apply, whether answers fit them, and what they flag.

const b = (zh: string, en: string): Bilingual => ({ zh, en });
const yes = (kind: 'contraindication' | 'warning', zh: string, en: string) => ({ kind, when: { is: true }, message: b(zh, en) });
const withinHours = (hours: number, zh: string, en: string) => ({ kind: 'warning' as const, when: { withinHours: hours }, message: b(zh, en) });
/** When a medicine ticked under 'medications' was last taken; flagged when within its withholding time. */
function lastDose(id: string, medication: string, [zh, en]: [string, string], hours: number, withhold: string) {
  const name = /^[A-Z]+$/.test(zh) ? ` ${zh} ` : zh; // a Latin abbreviation is spaced from the Chinese around it
  return {
    id, type: 'datetime' as const, section: S.medication, required: true, past: true,
    label: b(`最后一次使用${name}的时间`, `Last dose of ${en}`),
    hint: b(`检查前应停用 ${withhold} 小时`, `Withhold ${withhold} h before the test`),
    showIf: { question: 'medications', is: [medication] },
    flags: [withinHours(hours, `${name.trimStart()}停药不足 ${hours} 小时，可能影响结果`, `${en[0]!.toUpperCase()}${en.slice(1)} taken less than ${hours} h ago: may affect the result`)],
  };
}

const S = {
  preparation: b('检查前准备', 'Preparation'),
  smoking: b('吸烟史', 'Smoking'),
  medication: b('用药情况', 'Medication'),
  recent: b('近期情况与症状', 'Recent illness and symptoms'),
  contraindications: b('禁忌证筛查', 'Contraindications'),
  test: b('本次检查相关', 'For this test'),
  other: b('其他', 'Other'),
};

/**
 * The built-in questionnaire, after the ATS/ERS 2019 spirometry standard (pre-test checklist, Table 1 relative
 * contraindications, Table 6 bronchodilator withholding times) and the Chinese 2014 guideline's contraindications.
 * A lab edits it as a new version; this is version 1 of the lab-wide questionnaire until then.
 */
const builtin: z.input<typeof QuestionnaireContent> = {
  title: b('肺功能检查前问卷', 'Pre-test questionnaire'),
  description: b('请在检查前逐项询问并填写；标红的答案为禁忌证，须告知医师后再决定是否检查。', 'Ask each question before the test; answers marked red are contraindications and need a physician’s decision.'),
  questions: [
    {
      id: 'anthropometricsMeasured', type: 'yesno', section: S.preparation, required: true,
      label: b('身高、体重是否为今日实测（脱鞋）', 'Height and weight measured today (without shoes)'),
      flags: [{ kind: 'warning', when: { is: false }, message: b('身高体重非当日实测，预计值可能不准', 'Height/weight not measured today: predicted values may be wrong') }],
    },
    {
      id: 'recentExercise', type: 'yesno', section: S.preparation,
      label: b('检查前 1 小时内是否剧烈运动', 'Vigorous exercise within 1 hour'),
      flags: [yes('warning', '检查前 1 小时内剧烈运动，可能影响结果', 'Vigorous exercise within 1 h: may affect the result')],
    },
    {
      id: 'recentAlcohol', type: 'yesno', section: S.preparation,
      label: b('检查前 8 小时内是否饮酒', 'Alcohol within 8 hours'),
      flags: [yes('warning', '检查前 8 小时内饮酒，可能影响结果', 'Alcohol within 8 h: may affect the result')],
    },
    {
      id: 'smoking', type: 'single', section: S.smoking, required: true,
      label: b('吸烟情况', 'Smoking status'),
      options: [
        { value: 'never', label: b('从不吸烟', 'Never smoked') },
        { value: 'former', label: b('已戒烟', 'Former smoker') },
        { value: 'current', label: b('目前吸烟', 'Current smoker') },
      ],
    },
    {
      id: 'packYears', type: 'number', section: S.smoking, unit: '包年', min: 0, max: 200,
      label: b('吸烟量（包年）', 'Pack-years'),
      hint: b('每日吸烟包数 × 吸烟年数', 'Packs per day × years smoked'),
      showIf: { question: 'smoking', is: ['former', 'current'] },
    },
    {
      id: 'lastSmoked', type: 'datetime', section: S.smoking, required: true, past: true,
      label: b('最后一次吸烟时间', 'Last cigarette'),
      showIf: { question: 'smoking', is: 'current' },
      flags: [withinHours(1, '检查前 1 小时内吸烟，可能影响结果', 'Smoked within 1 h of the test: may affect the result')],
    },
    {
      id: 'inhaledMedication', type: 'yesno', section: S.medication, required: true,
      label: b('近期是否使用支气管舒张剂或其他吸入药物', 'Bronchodilators or other inhaled medication recently'),
    },
    {
      id: 'medications', type: 'multiple', section: S.medication, required: true,
      label: b('使用的药物', 'Medication used'),
      showIf: { question: 'inhaledMedication', is: true },
      options: [
        { value: 'saba', label: b('短效β2受体激动剂（SABA，如沙丁胺醇、特布他林）', 'SABA (e.g. salbutamol, terbutaline)') },
        { value: 'sama', label: b('短效抗胆碱能药（SAMA，如异丙托溴铵）', 'SAMA (e.g. ipratropium)') },
        { value: 'laba', label: b('长效β2受体激动剂（LABA，如沙美特罗、福莫特罗）', 'LABA (e.g. salmeterol, formoterol)') },
        { value: 'ultraLaba', label: b('超长效β2受体激动剂（如茚达特罗、奥达特罗、维兰特罗）', 'Ultra-LABA (e.g. indacaterol, olodaterol, vilanterol)') },
        { value: 'lama', label: b('长效抗胆碱能药（LAMA，如噻托溴铵、格隆溴铵）', 'LAMA (e.g. tiotropium, glycopyrronium)') },
        { value: 'ics', label: b('吸入糖皮质激素（ICS，如布地奈德、氟替卡松）', 'ICS (e.g. budesonide, fluticasone)') },
        { value: 'theophylline', label: b('茶碱类（口服）', 'Theophylline (oral)') },
        { value: 'other', label: b('其他', 'Other') },
      ],
    },
    lastDose('lastSaba', 'saba', ['SABA', 'SABA'], 4, '4–6'),
    lastDose('lastSama', 'sama', ['SAMA', 'SAMA'], 12, '12'),
    lastDose('lastLaba', 'laba', ['LABA', 'LABA'], 24, '24'),
    lastDose('lastUltraLaba', 'ultraLaba', ['超长效β2受体激动剂', 'ultra-LABA'], 36, '36'),
    lastDose('lastLama', 'lama', ['LAMA', 'LAMA'], 36, '36–48'),
    {
      id: 'respiratoryInfection', type: 'yesno', section: S.recent, required: true,
      label: b('近 4 周内是否有呼吸道感染（感冒、发热、咳嗽加重）', 'Respiratory infection in the last 4 weeks (cold, fever, worse cough)'),
      flags: [yes('warning', '近 4 周内呼吸道感染，可能影响结果', 'Respiratory infection within 4 weeks: may affect the result')],
    },
    {
      id: 'symptoms', type: 'multiple', section: S.recent,
      label: b('目前症状', 'Current symptoms'),
      options: [
        { value: 'cough', label: b('咳嗽', 'Cough') },
        { value: 'sputum', label: b('咳痰', 'Sputum') },
        { value: 'dyspnoea', label: b('气促、呼吸困难', 'Breathlessness') },
        { value: 'wheeze', label: b('喘息', 'Wheeze') },
        { value: 'chestTightness', label: b('胸闷', 'Chest tightness') },
        { value: 'chestPain', label: b('胸痛', 'Chest pain') },
        { value: 'none', label: b('无', 'None'), exclusive: true },
      ],
    },
    {
      id: 'contraindications', type: 'multiple', section: S.contraindications, required: true,
      label: b('是否有以下情况', 'Does any of these apply'),
      options: [
        { value: 'miShock', label: b('近 3 个月内心肌梗死或休克', 'Myocardial infarction or shock within 3 months') },
        { value: 'unstableCardiac', label: b('不稳定型心绞痛、严重心律失常或失代偿性心力衰竭', 'Unstable angina, significant arrhythmia or decompensated heart failure') },
        { value: 'hypertension', label: b('未控制的高血压（收缩压 > 200 mmHg 或舒张压 > 100 mmHg）', 'Uncontrolled hypertension (> 200/100 mmHg)') },
        { value: 'aneurysm', label: b('主动脉瘤或脑动脉瘤', 'Aortic or cerebral aneurysm') },
        { value: 'strokeBrainSurgery', label: b('近 4 周内脑卒中或颅脑手术', 'Stroke or brain surgery within 4 weeks') },
        { value: 'eyeSurgery', label: b('近 1 周内眼部手术（如白内障）', 'Eye surgery within 1 week') },
        { value: 'sinusEarSurgery', label: b('近 1 周内鼻窦、中耳手术或感染', 'Sinus or middle-ear surgery or infection within 1 week') },
        { value: 'thoracoabdominalSurgery', label: b('近 4 周内胸部或腹部手术', 'Thoracic or abdominal surgery within 4 weeks') },
        { value: 'pneumothorax', label: b('气胸', 'Pneumothorax') },
        { value: 'haemoptysis', label: b('近期咯血', 'Recent haemoptysis') },
        { value: 'pulmonaryEmbolism', label: b('未稳定的肺栓塞', 'Unstable pulmonary embolism') },
        { value: 'syncope', label: b('曾因用力呼气或咳嗽而晕厥', 'Syncope with forced expiration or cough') },
        { value: 'latePregnancy', label: b('妊娠晚期', 'Late-term pregnancy') },
        { value: 'transmissibleInfection', label: b('活动性肺结核或其他呼吸道传染病', 'Active tuberculosis or another transmissible respiratory infection') },
        { value: 'none', label: b('以上均无', 'None of these'), exclusive: true },
      ],
      flags: [
        {
          kind: 'contraindication',
          when: { anyOf: ['miShock', 'unstableCardiac', 'hypertension', 'aneurysm', 'strokeBrainSurgery', 'eyeSurgery', 'sinusEarSurgery', 'thoracoabdominalSurgery', 'pneumothorax', 'haemoptysis', 'pulmonaryEmbolism', 'syncope', 'latePregnancy', 'transmissibleInfection'] },
        },
      ],
    },
    {
      id: 'systolicBp', type: 'number', section: S.contraindications, unit: 'mmHg', min: 50, max: 300, integer: true,
      label: b('今日血压：收缩压', "Today's blood pressure: systolic"),
      flags: [{ kind: 'contraindication', when: { above: 200 }, message: b('收缩压 > 200 mmHg', 'Systolic pressure > 200 mmHg') }],
    },
    {
      id: 'diastolicBp', type: 'number', section: S.contraindications, unit: 'mmHg', min: 30, max: 200, integer: true,
      label: b('今日血压：舒张压', "Today's blood pressure: diastolic"),
      flags: [{ kind: 'contraindication', when: { above: 100 }, message: b('舒张压 > 100 mmHg', 'Diastolic pressure > 100 mmHg') }],
    },
    {
      id: 'bronchodilatorAllergy', type: 'yesno', section: S.test, required: true,
      label: b('是否对沙丁胺醇等支气管舒张剂过敏', 'Allergy to salbutamol or other bronchodilators'),
      showIf: { testKinds: ['bronchodilator'] },
      flags: [yes('contraindication', '对支气管舒张剂过敏', 'Allergic to bronchodilators')],
    },
    {
      id: 'antihistamine', type: 'yesno', section: S.test, required: true,
      label: b('近 48 小时内是否服用抗组胺药或白三烯受体拮抗剂', 'Antihistamine or leukotriene antagonist within 48 hours'),
      showIf: { testKinds: ['provocation'] },
      flags: [yes('warning', '48 小时内服用抗组胺药或白三烯受体拮抗剂，可能影响激发试验结果', 'Antihistamine or leukotriene antagonist within 48 h: may affect the challenge')],
    },
    {
      id: 'notes', type: 'text', section: S.other, maxLength: 500,
      label: b('其他需要说明的情况', 'Anything else'),
    },
  ],
};

/** Parsed once at start: a mistake in the built-in stops the server rather than a technician. */
export const BUILTIN_QUESTIONNAIRE: QuestionnaireContent = QuestionnaireContent.parse(builtin);

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// An instant with its offset (the browser sends UTC); a bare local time would move with the server's zone.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const isEmpty = (v: AnswerValue | undefined) => v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** Whether a question applies to this exam with these answers (its condition's question must apply too). */
export function isVisible(content: QuestionnaireContent, question: Question, answers: Answers, testKind: string, depth = 0): boolean {
  const c = question.showIf;
  if (!c || depth > content.questions.length) return true;
  if (c.testKinds && !c.testKinds.includes(testKind)) return false;
  if (c.question === undefined) return true;
  const target = content.questions.find((q) => q.id === c.question);
  if (!target || !isVisible(content, target, answers, testKind, depth + 1)) return false;
  return conditionHolds(c, answers[target.id]);
}

function conditionHolds(c: Condition, answer: AnswerValue | undefined): boolean {
  if (answer === undefined) return false;
  const wanted = c.is!;
  if (typeof wanted === 'boolean') return answer === wanted;
  const list = Array.isArray(wanted) ? wanted : [wanted];
  if (Array.isArray(answer)) return answer.some((v) => list.includes(v));
  return typeof answer === 'string' && list.includes(answer);
}

/** The questions that apply to an exam with these answers, in order. */
export function visibleQuestions(content: QuestionnaireContent, answers: Answers, testKind: string): Question[] {
  return content.questions.filter((q) => isVisible(content, q, answers, testKind));
}

const labelOf = (q: Question) => q.label.zh;

/**
 * Every problem with a set of answers, as field errors ('answers.<id>') in Chinese: unknown questions, answers to a
 * question that does not apply, missing required answers, wrong types, unknown or exclusive options, numbers out of
 * limits or not whole, malformed or future dates and times, text too long. Empty: the answers fit.
 */
export function validateAnswers(content: QuestionnaireContent, answers: Answers, testKind: string, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const error = (id: string, message: string) => errors.push({ field: `answers.${id}`, message });
  const known = new Map(content.questions.map((q) => [q.id, q]));
  for (const id of Object.keys(answers)) if (!known.has(id)) error(id, `问卷中没有这道题（${id}）`);
  for (const q of content.questions) {
    const value = answers[q.id];
    if (!isVisible(content, q, answers, testKind)) {
      if (!isEmpty(value)) error(q.id, `${labelOf(q)}：按前面的回答本题不适用，请清除答案`);
      continue;
    }
    if (isEmpty(value)) {
      if (q.required) error(q.id, `请回答：${labelOf(q)}`);
      continue;
    }
    const problem = valueProblem(q, value!, now);
    if (problem) error(q.id, `${labelOf(q)}：${problem}`);
  }
  return errors;
}

function valueProblem(q: Question, value: AnswerValue, now: Date): string | null {
  const values = new Set((q.options ?? []).map((o) => o.value));
  switch (q.type) {
    case 'yesno':
      return typeof value === 'boolean' ? null : '请选择"是"或"否"';
    case 'single':
      if (typeof value !== 'string') return '请选择一个选项';
      return values.has(value) ? null : `没有选项"${value}"`;
    case 'multiple': {
      if (!Array.isArray(value)) return '请选择一个或多个选项';
      const unknown = value.filter((v) => !values.has(v));
      if (unknown.length) return `没有选项"${unknown.join('、')}"`;
      if (new Set(value).size !== value.length) return '选项重复';
      const exclusive = (q.options ?? []).find((o) => o.exclusive && value.includes(o.value));
      return exclusive && value.length > 1 ? `"${exclusive.label.zh}"不能与其他选项同时选择` : null;
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return '请填写数值';
      const unit = q.unit ? ` ${q.unit}` : '';
      if (q.min !== undefined && value < q.min) return `不能小于 ${q.min}${unit}`;
      if (q.max !== undefined && value > q.max) return `不能大于 ${q.max}${unit}`;
      return q.integer && !Number.isInteger(value) ? '应为整数' : null;
    }
    case 'date': {
      if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) return '日期格式应为 YYYY-MM-DD';
      // a calendar date is in the future when it is after today in Beijing
      return q.past && value > new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10) ? '日期不能晚于今天' : null;
    }
    case 'datetime': {
      if (typeof value !== 'string' || !INSTANT.test(value) || Number.isNaN(Date.parse(value))) return '时间格式不正确';
      // a minute's grace for a tablet whose clock runs slightly ahead
      return q.past && Date.parse(value) > now.getTime() + 60_000 ? '时间不能晚于现在' : null;
    }
    case 'text': {
      if (typeof value !== 'string') return '请填写文字';
      const max = q.maxLength ?? 2000;
      return value.length > max ? `不能超过 ${max} 个字` : null;
    }
  }
}

/** The contraindications and warnings a valid set of answers raises, in question order. */
export function flagsOf(content: QuestionnaireContent, answers: Answers, testKind: string, answeredAt: Date): Flag[] {
  const flags: Flag[] = [];
  for (const q of visibleQuestions(content, answers, testKind)) {
    const value = answers[q.id];
    if (isEmpty(value)) continue;
    for (const rule of q.flags) {
      const w = rule.when;
      const raise = (detail: Bilingual) => flags.push({ questionId: q.id, kind: rule.kind, message: rule.message ?? detail });
      const answered = (answer: Bilingual) => b(`${q.label.zh}：${answer.zh}`, `${q.label.en || q.label.zh}: ${answer.en || answer.zh}`);
      if (w.is !== undefined && value === w.is) raise(answered(w.is ? b('是', 'yes') : b('否', 'no')));
      if (w.anyOf) {
        const chosen = Array.isArray(value) ? value : [value];
        // one flag per option, so each contraindication is named on its own
        for (const o of q.options ?? []) {
          if (chosen.includes(o.value) && w.anyOf.includes(o.value)) flags.push({ questionId: q.id, kind: rule.kind, message: rule.message ?? o.label });
        }
      }
      if (typeof value === 'number') {
        const shown = b(`${value}${q.unit ? ` ${q.unit}` : ''}`, `${value}${q.unit ? ` ${q.unit}` : ''}`);
        if ((w.below !== undefined && value < w.below) || (w.above !== undefined && value > w.above)) raise(answered(shown));
      }
      if (w.withinHours !== undefined && typeof value === 'string') {
        const at = q.type === 'date' ? Date.parse(`${value}T00:00:00+08:00`) : Date.parse(value);
        const hours = (answeredAt.getTime() - at) / 3_600_000;
        if (Number.isFinite(hours) && hours < w.withinHours) raise(answered(b(`${Math.max(0, Math.round(hours * 10) / 10)} 小时前`, `${Math.max(0, Math.round(hours * 10) / 10)} h ago`)));
      }
    }
  }
  return flags;
}

/** Drops the answers to questions that do not apply (the form may still hold them) and empty ones. */
export function applicableAnswers(content: QuestionnaireContent, answers: Answers, testKind: string): Answers {
  const out: Answers = {};
  for (const q of visibleQuestions(content, answers, testKind)) if (!isEmpty(answers[q.id])) out[q.id] = answers[q.id]!;
  return out;
}
