import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, AutoComplete, Button, Card, Col, Descriptions, Empty, Flex, Form, type GetRef, Input, Popconfirm, Row, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useRef, useState } from 'react';
import { errorTitle } from '../../api/forms.ts';
import { useLoad } from '../../api/useLoad.ts';
import { useCan } from '../../auth/SessionProvider.tsx';
import { useT } from '../../i18n/I18nProvider.tsx';
import { type ConclusionInput, PATTERNS, type PhraseScope, type ReportPhrase, reportApi, SEVERITIES } from './api.ts';
import { insertAt } from './format.ts';

export type Conclusion = Omit<ConclusionInput, 'refresh'>;
type TextAreaRef = GetRef<typeof Input.TextArea>;

/**
 * 结论: the structured fields (通气功能类型, 严重程度, 支气管舒张试验) and the text, with the 常用语 library beside it.
 * Controlled: the workspace keeps the value and saves it.
 */
export function ConclusionEditor({ value, onChange, editable, suggestion }: {
  value: Conclusion;
  onChange(value: Conclusion): void;
  editable: boolean;
  /** The clinical core's draft narrative, offered to start over from. */
  suggestion: string | null;
}) {
  const t = useT();
  const textRef = useRef<TextAreaRef>(null);

  function insert(text: string) {
    const area = textRef.current?.resizableTextArea?.textArea;
    const next = insertAt(value.conclusionText, text, area ? area.selectionStart : null, area ? area.selectionEnd : null);
    onChange({ ...value, conclusionText: next.value });
    // After React has written the new value: the cursor goes behind the inserted phrase.
    requestAnimationFrame(() => {
      const el = textRef.current?.resizableTextArea?.textArea;
      if (!el) return;
      el.focus();
      el.setSelectionRange(next.cursor, next.cursor);
    });
  }

  const patternOptions = PATTERNS.map((p) => ({ value: p, label: t(`pattern.${p}`) }));
  const severityOptions = SEVERITIES.map((s) => ({ value: s, label: t(`severity.${s}`) }));
  const bdrOptions = [
    { value: 'positive', label: t('bdr.positive') },
    { value: 'negative', label: t('bdr.negative') },
    { value: 'none', label: t('bdr.notDone') },
  ];

  if (!editable) {
    const none = t('common.none');
    return (
      <div data-testid="conclusion-view">
        <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 8 }}>
          <Descriptions.Item label={t('report.pattern')}>{value.pattern ? t(`pattern.${value.pattern}`) : none}</Descriptions.Item>
          <Descriptions.Item label={t('report.severity')}>{value.severity ? t(`severity.${value.severity}`) : none}</Descriptions.Item>
          <Descriptions.Item label={t('report.bdr')}>{value.bdr ? t(`bdr.${value.bdr}`) : t('bdr.notDone')}</Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', fontSize: 15, marginBottom: 0 }} data-testid="conclusion-text">
          {value.conclusionText || <Typography.Text type="secondary">{t('report.noConclusion')}</Typography.Text>}
        </Typography.Paragraph>
      </div>
    );
  }

  return (
    <Row gutter={16}>
      <Col xs={24} xl={16}>
        <Form layout="vertical" data-testid="conclusion-form">
          <Row gutter={12}>
            <Col xs={24} md={10}>
              <Form.Item label={t('report.pattern')}>
                <Select allowClear value={value.pattern ?? undefined} options={patternOptions} onChange={(pattern) => onChange({ ...value, pattern: pattern ?? null })} data-testid="conclusion-pattern" />
              </Form.Item>
            </Col>
            <Col xs={12} md={7}>
              <Form.Item label={t('report.severity')}>
                <Select allowClear value={value.severity ?? undefined} options={severityOptions} onChange={(severity) => onChange({ ...value, severity: severity ?? null })} data-testid="conclusion-severity" />
              </Form.Item>
            </Col>
            <Col xs={12} md={7}>
              <Form.Item label={t('report.bdr')}>
                <Select
                  value={value.bdr ?? 'none'}
                  options={bdrOptions}
                  onChange={(bdr: string) => onChange({ ...value, bdr: bdr === 'positive' || bdr === 'negative' ? bdr : null })}
                  data-testid="conclusion-bdr"
                />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item
            label={
              <Space>
                {t('report.conclusionText')}
                {suggestion && suggestion !== value.conclusionText && (
                  <Button type="link" size="small" onClick={() => onChange({ ...value, conclusionText: suggestion })} data-testid="conclusion-suggestion">
                    {t('report.useSuggestion')}
                  </Button>
                )}
              </Space>
            }
          >
            <Input.TextArea
              ref={textRef}
              value={value.conclusionText}
              onChange={(e) => onChange({ ...value, conclusionText: e.target.value })}
              autoSize={{ minRows: 5, maxRows: 14 }}
              maxLength={4000}
              showCount
              data-testid="conclusion-text"
            />
          </Form.Item>
        </Form>
      </Col>
      <Col xs={24} xl={8}>
        <PhrasePanel onInsert={insert} />
      </Col>
    </Row>
  );
}

/** 常用语: my own, my campus's and the department's phrases; a click inserts the phrase at the cursor. */
const PHRASE_SCOPE_LABEL = { personal: 'phrase.mine', campus: 'phrase.campus', department: 'phrase.lab' } as const;

function PhrasePanel({ onInsert }: { onInsert(text: string): void }) {
  const t = useT();
  const { message } = App.useApp();
  const mayShare = useCan('report.approve.level2');
  const loadPhrases = useCallback(() => reportApi.phrases(), []);
  const phrases = useLoad<ReportPhrase[]>(loadPhrases, []);
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm<{ text: string; category?: string; scope?: PhraseScope }>();

  const categories = [...new Set(phrases.data.map((p) => p.category))];
  const uncategorised = t('phrase.uncategorised');

  async function add(values: { text: string; category?: string; scope?: PhraseScope }) {
    try {
      await reportApi.addPhrase({ text: values.text, category: values.category?.trim() ?? '', scope: values.scope ?? 'personal' });
      form.resetFields();
      setAdding(false);
      void phrases.reload();
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  async function remove(phrase: ReportPhrase) {
    try {
      await reportApi.removePhrase(phrase.id);
      void phrases.reload();
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  return (
    <Card
      size="small"
      title={t('phrase.title')}
      data-testid="phrase-panel"
      extra={
        <Button size="small" type="link" icon={<PlusOutlined />} onClick={() => setAdding((a) => !a)} data-testid="phrase-add-toggle">
          {t('phrase.add')}
        </Button>
      }
      styles={{ body: { maxHeight: 360, overflowY: 'auto' } }}
    >
      {adding && (
        <Form form={form} layout="vertical" size="small" onFinish={add} style={{ marginBottom: 12 }} data-testid="phrase-add-form">
          <Form.Item name="text" rules={[{ required: true, whitespace: true, message: t('phrase.textRequired') }]} style={{ marginBottom: 8 }}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} placeholder={t('phrase.textPlaceholder')} maxLength={2000} data-testid="phrase-text" />
          </Form.Item>
          <Flex gap={8} align="center" wrap>
            <Form.Item name="category" style={{ marginBottom: 0, flex: 1, minWidth: 120 }}>
              <AutoComplete options={categories.filter(Boolean).map((c) => ({ value: c }))} placeholder={t('phrase.category')} />
            </Form.Item>
            {mayShare && (
              <Form.Item name="scope" initialValue="personal" style={{ marginBottom: 0, width: 110 }}>
                <Select
                  options={(['personal', 'campus', 'department'] as const).map((scope) => ({ value: scope, label: t(PHRASE_SCOPE_LABEL[scope]) }))}
                  aria-label={t('phrase.shared')}
                  data-testid="phrase-scope"
                />
              </Form.Item>
            )}
            <Button type="primary" htmlType="submit" size="small" data-testid="phrase-save">
              {t('common.save')}
            </Button>
          </Flex>
        </Form>
      )}
      {phrases.data.length === 0 && !phrases.loading && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('phrase.none')} />}
      {categories.map((category) => (
        <div key={category} style={{ marginBottom: 10 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {category || uncategorised}
          </Typography.Text>
          <Flex vertical gap={4} style={{ marginTop: 4 }}>
            {phrases.data
              .filter((p) => p.category === category)
              .map((p) => {
                const removable = p.removable;
                return (
                  <Flex key={p.id} gap={4} align="start">
                    <Tooltip title={t('phrase.insertHint')} mouseEnterDelay={0.8}>
                      <Button
                        size="small"
                        type="text"
                        onMouseDown={(e) => e.preventDefault()}
                        onClick={() => onInsert(p.text)}
                        style={{ height: 'auto', whiteSpace: 'normal', textAlign: 'left', flex: 1, justifyContent: 'flex-start' }}
                        data-testid="phrase-item"
                      >
                        {p.text}
                      </Button>
                    </Tooltip>
                    <Tag color={{ personal: 'default', campus: 'cyan', department: 'blue' }[p.scope]} style={{ marginTop: 2 }} title={p.campusName ?? undefined}>
                      {t(PHRASE_SCOPE_LABEL[p.scope])}
                    </Tag>
                    {removable && (
                      <Popconfirm title={t('common.confirmDelete')} onConfirm={() => void remove(p)}>
                        <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                      </Popconfirm>
                    )}
                  </Flex>
                );
              })}
          </Flex>
        </div>
      ))}
    </Card>
  );
}
