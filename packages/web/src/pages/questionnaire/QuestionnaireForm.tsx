import { Checkbox, DatePicker, Flex, Form, type FormInstance, Input, InputNumber, Radio, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { QuestionnaireAnswers, QuestionnaireAnswerValue, QuestionnaireContent, QuestionnaireQuestion } from './api.ts';
import { flaggedOptions, sections, text, visibleQuestions } from './logic.ts';
import { useQT } from './messages.ts';

/** What the form holds: answers, with dates and times as dayjs values for the pickers. */
export type FormValues = Record<string, QuestionnaireAnswerValue | Dayjs | null | undefined>;

export function toFormValues(content: QuestionnaireContent, answers: QuestionnaireAnswers): FormValues {
  const values: FormValues = {};
  for (const q of content.questions) {
    const v = answers[q.id];
    if (v === undefined) continue;
    values[q.id] = (q.type === 'date' || q.type === 'datetime') && typeof v === 'string' ? dayjs(v) : v;
  }
  return values;
}

/** The form's values as answers: a time as an ISO instant, a date as YYYY-MM-DD, text trimmed. */
export function fromFormValues(content: QuestionnaireContent, values: FormValues): Partial<QuestionnaireAnswers> {
  const answers: Partial<QuestionnaireAnswers> = {};
  for (const q of content.questions) {
    const v = values[q.id];
    if (v === undefined || v === null) continue;
    if (dayjs.isDayjs(v)) answers[q.id] = q.type === 'date' ? v.format('YYYY-MM-DD') : v.second(0).millisecond(0).toISOString();
    else if (typeof v === 'string') answers[q.id] = v.trim();
    else answers[q.id] = v;
  }
  return answers;
}

/** The questions that apply, grouped by section, each with a control large enough for a tablet. */
export function QuestionnaireFields({ content, form, testKind, disabled = false }: { content: QuestionnaireContent; form: FormInstance<FormValues>; testKind: string; disabled?: boolean }) {
  const { language } = useQT();
  // every value, so that a question appears as soon as the answer it depends on is given
  const values = (Form.useWatch([], { form, preserve: true }) ?? {}) as FormValues;
  const shown = visibleQuestions(content, fromFormValues(content, values), testKind);
  return (
    <>
      {sections(shown).map((group) => (
        <section key={group.key} style={{ marginBottom: 8 }}>
          {group.section && (
            <Typography.Title level={5} style={{ margin: '16px 0 12px', paddingBottom: 6, borderBottom: '1px solid #f0f0f0' }}>
              {text(group.section, language)}
            </Typography.Title>
          )}
          {group.questions.map((q) => (
            <div key={q.id} data-testid={`q-${q.id}`}>
              <Form.Item
                name={q.id}
                label={<span style={{ fontSize: 16 }}>{text(q.label, language)}</span>}
                required={q.required}
                extra={hintOf(q, language)}
                getValueFromEvent={q.type === 'multiple' ? exclusiveChoice(q, form) : undefined}
              >
                <QuestionControl question={q} disabled={disabled} />
              </Form.Item>
            </div>
          ))}
        </section>
      ))}
    </>
  );
}

function hintOf(q: QuestionnaireQuestion, language: 'zh-CN' | 'en') {
  const parts = [text(q.hint, language)];
  if (q.type === 'number' && q.min !== undefined && q.max !== undefined) parts.push(`${q.min}–${q.max}${q.unit ? ` ${q.unit}` : ''}`);
  return parts.filter(Boolean).join(' · ') || undefined;
}

/** Choosing an exclusive option (以上均无) clears the others, and choosing another clears it. */
function exclusiveChoice(q: QuestionnaireQuestion, form: FormInstance<FormValues>) {
  const exclusive = new Set((q.options ?? []).filter((o) => o.exclusive).map((o) => o.value));
  return (next: string[]) => {
    const before = (form.getFieldValue(q.id) as string[] | undefined) ?? [];
    const added = next.filter((v) => !before.includes(v));
    if (added.some((v) => exclusive.has(v))) return added.filter((v) => exclusive.has(v)).slice(-1);
    return added.length ? next.filter((v) => !exclusive.has(v)) : next;
  };
}

function QuestionControl({ question: q, disabled, value, onChange }: { question: QuestionnaireQuestion; disabled: boolean; value?: unknown; onChange?: (value: unknown) => void }) {
  const { t, language } = useQT();
  const marked = flaggedOptions(q);
  const optionLabel = (o: NonNullable<QuestionnaireQuestion['options']>[number]) => (
    <span style={{ fontSize: 15 }}>
      {text(o.label, language)}
      {marked.get(o.value) === 'contraindication' && (
        <Tag color="red" style={{ marginLeft: 6 }}>
          {t('contraindication')}
        </Tag>
      )}
    </span>
  );
  const common = { disabled };
  switch (q.type) {
    case 'yesno':
      return (
        <Radio.Group {...common} value={value} onChange={(e) => onChange?.(e.target.value)} optionType="button" buttonStyle="solid" size="large">
          <Radio.Button value={true} style={{ minWidth: 88, textAlign: 'center' }}>
            {t('yes')}
          </Radio.Button>
          <Radio.Button value={false} style={{ minWidth: 88, textAlign: 'center' }}>
            {t('no')}
          </Radio.Button>
        </Radio.Group>
      );
    case 'single':
      return (
        <Radio.Group {...common} value={value} onChange={(e) => onChange?.(e.target.value)} size="large">
          <Flex wrap gap={12}>
            {(q.options ?? []).map((o) => (
              <Radio key={o.value} value={o.value} style={{ padding: '6px 0' }}>
                {optionLabel(o)}
              </Radio>
            ))}
          </Flex>
        </Radio.Group>
      );
    case 'multiple':
      return (
        <Checkbox.Group {...common} value={value as string[] | undefined} onChange={(v) => onChange?.(v)} style={{ width: '100%' }}>
          <Flex vertical gap={10}>
            {(q.options ?? []).map((o) => (
              <Checkbox key={o.value} value={o.value}>
                {optionLabel(o)}
              </Checkbox>
            ))}
          </Flex>
        </Checkbox.Group>
      );
    case 'number':
      return (
        <InputNumber
          {...common}
          value={value as number | undefined}
          onChange={(v) => onChange?.(v ?? undefined)}
          size="large"
          style={{ width: 220 }}
          inputMode="decimal"
          placeholder={t('enterNumber')}
          suffix={q.unit}
        />
      );
    case 'date':
      return <DatePicker {...common} value={value as Dayjs | undefined} onChange={(v) => onChange?.(v ?? undefined)} size="large" style={{ width: 220 }} inputReadOnly={false} />;
    case 'datetime':
      return (
        <DatePicker
          {...common}
          value={value as Dayjs | undefined}
          onChange={(v) => onChange?.(v ?? undefined)}
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          size="large"
          style={{ width: 260 }}
          disabledDate={q.past ? (d) => d.isAfter(dayjs(), 'day') : undefined}
        />
      );
    default:
      return <Input.TextArea {...common} value={value as string | undefined} onChange={(e) => onChange?.(e.target.value)} autoSize={{ minRows: 2, maxRows: 6 }} maxLength={q.maxLength} showCount={!!q.maxLength} />;
  }
}
