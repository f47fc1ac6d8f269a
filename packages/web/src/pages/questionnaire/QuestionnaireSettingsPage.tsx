import { Alert, App, Button, Card, Col, Drawer, Flex, Form, Input, List, Row, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { errorTitle } from '../../api/forms.ts';
import { useLoad } from '../../api/useLoad.ts';
import { questionnaireApi, type QuestionnaireContent, type QuestionnaireHistory, type QuestionnaireScope } from './api.ts';
import { useQT } from './messages.ts';
import { type FormValues, QuestionnaireFields } from './QuestionnaireForm.tsx';

const pretty = (content: unknown) => JSON.stringify(content, null, 2);

/** 问卷维护: the lab-wide questionnaire and each campus's own, edited as JSON and saved as new versions. */
export function QuestionnaireSettingsPage() {
  const { t } = useQT();
  const scopes = useLoad<QuestionnaireScope[]>(questionnaireApi.scopes, []);
  const [editing, setEditing] = useState<QuestionnaireScope | null>(null);
  const scopeName = (s: QuestionnaireScope) => s.campusName ?? t('labWide');

  return (
    <Card title={t('settingsTitle')} extra={<Button onClick={() => void scopes.reload()}>{t('refresh')}</Button>}>
      <Typography.Paragraph type="secondary">{t('settingsIntro')}</Typography.Paragraph>
      <Table<QuestionnaireScope>
        rowKey={(s) => s.campusId ?? 'lab'}
        size="middle"
        loading={scopes.loading}
        dataSource={scopes.data}
        pagination={false}
        data-testid="questionnaire-scopes"
        columns={[
          { title: t('scope'), key: 'scope', render: (_, s) => <Typography.Text strong={s.campusId === null}>{scopeName(s)}</Typography.Text> },
          {
            title: t('version'),
            key: 'version',
            render: (_, s) => (
              <Space size={4}>
                <Tag color={s.own ? 'blue' : 'default'}>v{s.version}</Tag>
                {s.builtin && <Tag>{t('builtin')}</Tag>}
                {s.campusId !== null && !s.own && <Typography.Text type="secondary">{t('inherits')}</Typography.Text>}
              </Space>
            ),
          },
          { title: t('savedVersions'), dataIndex: 'savedVersions' },
          { title: t('updated'), key: 'updated', render: (_, s) => (s.updatedAt ? `${new Date(s.updatedAt).toLocaleString()} · ${s.updatedByName}` : '—') },
          { title: '', key: 'actions', render: (_, s) => <Button type="link" onClick={() => setEditing(s)} data-testid="questionnaire-scope-edit">{t('edit')}</Button> },
        ]}
      />
      {editing && (
        <DefinitionEditor
          scope={editing}
          title={t('editTitle', { scope: scopeName(editing) })}
          onClose={() => setEditing(null)}
          onSaved={() => void scopes.reload()}
        />
      )}
    </Card>
  );
}

function DefinitionEditor({ scope, title, onClose, onSaved }: { scope: QuestionnaireScope; title: string; onClose(): void; onSaved(): void }) {
  const { t } = useQT();
  const { message } = App.useApp();
  const loadHistory = useCallback(() => questionnaireApi.history(scope.campusId), [scope.campusId]);
  const [json, setJson] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const [problems, setProblems] = useState<{ title: string; messages: string[] } | null>(null);
  const [saving, setSaving] = useState(false);
  const history = useLoad<QuestionnaireHistory | null>(loadHistory, null);
  const [previewForm] = Form.useForm<FormValues>();
  const source = json ?? (history.data ? pretty(history.data.current.content) : '');

  let parsed: { ok: true; content: QuestionnaireContent } | { ok: false; error: string } = { ok: false, error: '' };
  try {
    parsed = { ok: true, content: JSON.parse(source) as QuestionnaireContent };
  } catch (error) {
    parsed = { ok: false, error: (error as Error).message };
  }

  async function save() {
    if (!parsed.ok) {
      setProblems({ title: t('notJson', { message: parsed.error }), messages: [] });
      return;
    }
    setSaving(true);
    try {
      const saved = await questionnaireApi.saveDefinition({ campusId: scope.campusId, content: parsed.content, comment });
      message.success(t('savedVersion', { version: saved.version }));
      setProblems(null);
      setJson(null);
      setComment('');
      onSaved();
      void history.reload();
    } catch (error) {
      setProblems({ title: errorTitle(error), messages: error instanceof ApiError ? (error.errors ?? []).map((e) => `${e.field}：${e.message}`) : [] });
    } finally {
      setSaving(false);
    }
  }

  const questions = parsed.ok && Array.isArray(parsed.content?.questions) ? parsed.content.questions : [];
  return (
    <Drawer open size="95%" title={title} onClose={onClose} destroyOnHidden data-testid="questionnaire-editor">
      {problems && (
        <Alert
          type="error"
          showIcon
          title={problems.title}
          description={problems.messages.length ? <ul style={{ margin: 0, paddingLeft: 18 }}>{problems.messages.map((m) => <li key={m}>{m}</li>)}</ul> : undefined}
          style={{ marginBottom: 12 }}
          data-testid="definition-errors"
        />
      )}
      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Tabs
            items={[
              {
                key: 'json',
                label: t('json'),
                children: (
                  <Flex vertical gap={8}>
                    <Input.TextArea value={source} onChange={(e) => setJson(e.target.value)} autoSize={{ minRows: 20, maxRows: 40 }} style={{ fontFamily: 'monospace', fontSize: 12 }} spellCheck={false} data-testid="definition-json" />
                    {!parsed.ok && source && <Typography.Text type="danger">{t('notJson', { message: parsed.error })}</Typography.Text>}
                    <Input value={comment} onChange={(e) => setComment(e.target.value)} maxLength={200} placeholder={`${t('comment')}：${t('commentPlaceholder')}`} data-testid="definition-comment" />
                    <Space wrap>
                      <Button type="primary" loading={saving} onClick={() => void save()} data-testid="definition-save">
                        {t('saveVersion')}
                      </Button>
                      {history.data && <Button onClick={() => setJson(pretty(history.data!.builtin))}>{t('loadBuiltin')}</Button>}
                    </Space>
                  </Flex>
                ),
              },
              {
                key: 'preview',
                label: t('preview'),
                children: parsed.ok && questions.length ? (
                  <Form form={previewForm} layout="vertical">
                    <QuestionnaireFields content={parsed.content} form={previewForm} testKind="bronchodilator" />
                  </Form>
                ) : (
                  <Typography.Text type="secondary">—</Typography.Text>
                ),
              },
            ]}
          />
        </Col>
        <Col xs={24} lg={10}>
          <Typography.Title level={5}>{t('versions')}</Typography.Title>
          <List
            size="small"
            loading={history.loading}
            dataSource={history.data?.versions ?? []}
            locale={{ emptyText: t('builtin') }}
            renderItem={(v) => (
              <List.Item actions={[<Button key="use" size="small" type="link" onClick={() => setJson(pretty(v.content))}>{t('useVersion')}</Button>]}>
                <List.Item.Meta
                  title={<Space><Tag color="blue">v{v.version}</Tag>{v.comment}</Space>}
                  description={`${v.createdByName} · ${v.createdAt ? new Date(v.createdAt).toLocaleString() : ''} · ${t('questions', { n: v.content.questions.length })}`}
                />
              </List.Item>
            )}
          />
        </Col>
      </Row>
    </Drawer>
  );
}
