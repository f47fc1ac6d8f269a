import { Alert, App, Button, Col, Empty, Form, Input, InputNumber, List, Popconfirm, Row, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { ApiError } from '../../../api/client.ts';
import { applyFieldErrors, errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useI18n, useT } from '../../../i18n/I18nProvider.tsx';
import type { MessageKey } from '../../../i18n/zh.ts';
import { type HisView, hisViewsApi, MAPPED_FIELDS, type ProblemKind, type ViewDraft, type ViewMapping, type ViewProblem, type ViewTestResult, type ViewVersion } from './api.ts';

interface EditorValues {
  sql: string;
  columns: Record<string, string | undefined>;
  /** The value maps (sex, visitType, status) as JSON text. */
  values: string;
  heightUnit: 'cm' | 'm';
  timeZone: string;
  pftItemCodes: string[];
  timeoutMs: number;
  sampleKey: string;
  comment?: string;
}

const problemColor: Record<ProblemKind, string> = {
  'missing-column': 'red',
  'wrong-type': 'volcano',
  'unmapped-value': 'orange',
  'missing-value': 'gold',
  'no-rows': 'default',
  timeout: 'magenta',
  error: 'red',
};

const monospace = { fontFamily: 'Consolas, "Courier New", monospace', fontSize: 13 };

/** One view: its definition to edit and test, and its version history. */
export function ViewEditor({ view, canEdit, onChanged }: { view: HisView; canEdit: boolean; onChanged(): void }) {
  const t = useT();
  return (
    <Tabs
      items={[
        { key: 'definition', label: t('hisViews.definition'), children: <DefinitionForm view={view} canEdit={canEdit} onSaved={onChanged} /> },
        { key: 'history', label: t('hisViews.history'), children: <VersionHistory code={view.code} canEdit={canEdit} onRolledBack={onChanged} /> },
      ]}
    />
  );
}

function DefinitionForm({ view, canEdit, onSaved }: { view: HisView; canEdit: boolean; onSaved(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditorValues>();
  const [result, setResult] = useState<ViewTestResult | null>(null);
  const [refused, setRefused] = useState<{ title: string; problems: ViewProblem[] } | null>(null);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const fields = MAPPED_FIELDS[view.mapping.target];

  /** The form as the server takes it, or null when the value-map JSON does not parse (the field says why). */
  function draft(values: EditorValues): ViewDraft | null {
    let valueMaps: ViewMapping['values'];
    try {
      valueMaps = values.values.trim() ? (JSON.parse(values.values) as ViewMapping['values']) : {};
    } catch {
      form.setFields([{ name: 'values', errors: [t('hisViews.valuesInvalid')] }]);
      return null;
    }
    const columns = Object.fromEntries(Object.entries(values.columns).filter((entry): entry is [string, string] => !!entry[1]?.trim()).map(([field, column]) => [field, column.trim()]));
    return {
      sql: values.sql,
      mapping: { target: view.mapping.target, columns, values: valueMaps, heightUnit: values.heightUnit, timeZone: values.timeZone, pftItemCodes: values.pftItemCodes },
      timeoutMs: values.timeoutMs,
      sampleKey: values.sampleKey,
    };
  }

  async function run(kind: 'test' | 'save') {
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const body = draft(values);
    if (!body) return;
    setBusy(kind);
    setRefused(null);
    try {
      if (kind === 'test') setResult(await hisViewsApi.test(view.code, body));
      else {
        const { version } = await hisViewsApi.save(view.code, { ...body, comment: values.comment ?? '' });
        message.success(t('hisViews.savedVersion', { version }));
        onSaved();
      }
    } catch (error) {
      if (error instanceof ApiError && error.code === 'his.view-test-failed') {
        setRefused({ title: error.title, problems: (error.extra.problems as ViewProblem[] | undefined) ?? [] });
      } else if (!applyFieldErrors(form, error)) message.error(errorTitle(error));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Form<EditorValues>
      form={form}
      layout="vertical"
      disabled={!canEdit}
      data-testid="view-form"
      initialValues={{
        sql: view.sql,
        columns: view.mapping.columns,
        values: Object.keys(view.mapping.values).length ? JSON.stringify(view.mapping.values, null, 2) : '',
        heightUnit: view.mapping.heightUnit,
        timeZone: view.mapping.timeZone,
        pftItemCodes: view.mapping.pftItemCodes,
        timeoutMs: view.timeoutMs,
        sampleKey: '',
      }}
    >
      <Form.Item name="sql" label={t('hisViews.sql')} extra={t('hisViews.sqlHint')} rules={[{ required: true }]}>
        <Input.TextArea autoSize={{ minRows: 6, maxRows: 20 }} style={monospace} spellCheck={false} data-testid="view-sql" />
      </Form.Item>
      <Row gutter={24}>
        <Col xs={24} lg={12}>
          <Typography.Title level={5}>{t('hisViews.columns')}</Typography.Title>
          <Table<string>
            rowKey={(field) => field}
            size="small"
            pagination={false}
            dataSource={fields}
            columns={[
              {
                title: t('hisViews.field'),
                key: 'field',
                width: '45%',
                render: (_, field) => (
                  <Space size={6}>
                    <span>{t(`hisField.${field}` as MessageKey)}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {field}
                    </Typography.Text>
                  </Space>
                ),
              },
              {
                title: t('hisViews.column'),
                key: 'column',
                render: (_, field) => (
                  <Form.Item name={['columns', field]} noStyle>
                    <Input size="small" style={monospace} placeholder={t('hisViews.unmapped')} />
                  </Form.Item>
                ),
              },
            ]}
          />
        </Col>
        <Col xs={24} lg={12}>
          <Form.Item name="values" label={t('hisViews.valueMaps')} extra={t('hisViews.valueMapsHint')}>
            <Input.TextArea autoSize={{ minRows: 5, maxRows: 14 }} style={monospace} spellCheck={false} placeholder={'{ "sex": { "1": "male", "2": "female" } }'} />
          </Form.Item>
          <Row gutter={12}>
            {view.mapping.target === 'order' && (
              <Col span={8}>
                <Form.Item name="heightUnit" label={t('hisViews.heightUnit')}>
                  <Select options={[{ value: 'cm', label: 'cm' }, { value: 'm', label: 'm' }]} />
                </Form.Item>
              </Col>
            )}
            <Col span={8}>
              <Form.Item name="timeZone" label={t('hisViews.timeZone')}>
                <Input />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="timeoutMs" label={t('hisViews.timeoutMs')} rules={[{ required: true }]}>
                <InputNumber min={100} max={60_000} step={500} suffix="ms" style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
          {view.mapping.target === 'order' && (
            <Form.Item name="pftItemCodes" label={t('hisViews.pftItemCodes')} extra={t('hisViews.pftItemCodesHint')}>
              <Select mode="tags" tokenSeparators={[',', '，', ' ']} open={false} />
            </Form.Item>
          )}
        </Col>
      </Row>
      {canEdit && (
        <Space wrap align="start" style={{ marginTop: 8 }}>
          <Form.Item name="sampleKey" label={t('hisViews.sampleKey')} rules={[{ required: true, message: t('hisViews.sampleKeyRequired') }]} style={{ marginBottom: 0 }}>
            <Input style={{ width: 220 }} data-testid="view-sample-key" onPressEnter={() => void run('test')} />
          </Form.Item>
          <Form.Item label=" " style={{ marginBottom: 0 }}>
            <Button onClick={() => void run('test')} loading={busy === 'test'} data-testid="view-test">
              {t('hisViews.test')}
            </Button>
          </Form.Item>
          <Form.Item name="comment" label={t('hisViews.comment')} style={{ marginBottom: 0 }}>
            <Input style={{ width: 280 }} maxLength={200} />
          </Form.Item>
          <Form.Item label=" " style={{ marginBottom: 0 }}>
            <Button type="primary" onClick={() => void run('save')} loading={busy === 'save'} data-testid="view-save">
              {t('hisViews.saveVersion')}
            </Button>
          </Form.Item>
        </Space>
      )}
      {refused && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 16 }}
          data-testid="view-save-refused"
          title={refused.title}
          description={<ProblemList problems={refused.problems} />}
        />
      )}
      {result && <TestResultView result={result} />}
    </Form>
  );
}

function TestResultView({ result }: { result: ViewTestResult }) {
  const t = useT();
  const recordColumns = [...new Set(result.records.flatMap((r) => Object.keys(r)))];
  const cell = (value: unknown) => (value === null || value === undefined ? <Typography.Text type="secondary">NULL</Typography.Text> : typeof value === 'object' ? JSON.stringify(value) : String(value));
  return (
    <div style={{ marginTop: 16 }} data-testid="view-test-result">
      <Alert
        type={result.ok ? 'success' : 'error'}
        showIcon
        title={result.ok ? t('hisViews.testPassed') : t('hisViews.testFailed')}
        description={t('hisViews.testSummary', { latency: result.latencyMs ?? '—', rows: result.rows.length, records: result.records.length, skipped: result.skipped })}
      />
      {result.problems.length > 0 && <ProblemList problems={result.problems} />}
      <Row gutter={16} style={{ marginTop: 16 }}>
        <Col xs={24} xl={12}>
          <Typography.Title level={5}>{t('hisViews.rawRows')}</Typography.Title>
          <Table
            size="small"
            bordered
            pagination={false}
            scroll={{ x: 'max-content' }}
            rowKey={(_, index) => String(index)}
            dataSource={result.rows}
            columns={result.columns.map((column) => ({ title: <span style={monospace}>{column}</span>, dataIndex: column, render: cell }))}
          />
        </Col>
        <Col xs={24} xl={12}>
          <Typography.Title level={5}>{t('hisViews.mappedRecords')}</Typography.Title>
          <Table
            size="small"
            bordered
            pagination={false}
            scroll={{ x: 'max-content' }}
            rowKey={(_, index) => String(index)}
            dataSource={result.records}
            columns={recordColumns.map((field) => ({ title: t(`hisField.${field}` as MessageKey), dataIndex: field, render: cell }))}
          />
        </Col>
      </Row>
    </div>
  );
}

function ProblemList({ problems }: { problems: ViewProblem[] }) {
  const t = useT();
  if (problems.length === 0) return null;
  return (
    <List
      size="small"
      data-testid="view-problems"
      dataSource={problems}
      renderItem={(p) => (
        <List.Item>
          <Space wrap>
            <Tag color={problemColor[p.kind] ?? 'default'}>{t(`problem.${p.kind}` as MessageKey)}</Tag>
            <span>{p.message}</span>
            {p.row !== undefined && <Typography.Text type="secondary">{t('hisViews.row', { n: p.row + 1 })}</Typography.Text>}
          </Space>
        </List.Item>
      )}
    />
  );
}

function VersionHistory({ code, canEdit, onRolledBack }: { code: string; canEdit: boolean; onRolledBack(): void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const loadHistory = useCallback(() => hisViewsApi.history(code), [code]);
  const history = useLoad<ViewVersion[]>(loadHistory, []);

  async function rollback(version: number) {
    try {
      const reply = await hisViewsApi.rollback(code, version);
      message.success(t('hisViews.rolledBack', { version: reply.version, from: version }));
      onRolledBack();
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  if (!history.loading && history.data.length === 0) return <Empty />;
  return (
    <List
      loading={history.loading}
      dataSource={history.data}
      data-testid="view-history"
      renderItem={(v) => (
        <List.Item style={{ display: 'block' }}>
          <Space wrap style={{ marginBottom: 8 }}>
            <Typography.Text strong>v{v.version}</Typography.Text>
            {v.current && <Tag color="green">{t('hisViews.current')}</Tag>}
            <span>{v.comment || <Typography.Text type="secondary">{t('hisViews.noComment')}</Typography.Text>}</span>
            <Typography.Text type="secondary">
              {v.createdByName} · {new Date(v.createdAt).toLocaleString(language)}
            </Typography.Text>
            {canEdit && !v.current && (
              <Popconfirm title={t('hisViews.rollbackConfirm', { version: v.version })} onConfirm={() => rollback(v.version)}>
                <Button size="small">{t('hisViews.rollback')}</Button>
              </Popconfirm>
            )}
          </Space>
          <DiffLines diff={v.diff} />
        </List.Item>
      )}
    />
  );
}

function DiffLines({ diff }: { diff: ViewVersion['diff'] }) {
  const style = { added: { background: '#e6ffec', color: '#116329' }, removed: { background: '#ffebe9', color: '#82071e' }, same: { color: '#595959' } } as const;
  const sign = { added: '+', removed: '-', same: ' ' } as const;
  return (
    <pre style={{ ...monospace, fontSize: 12, margin: 0, maxHeight: 320, overflow: 'auto', border: '1px solid #f0f0f0', borderRadius: 6, padding: '4px 0' }}>
      {diff.map((line, index) => (
        <div key={index} style={{ ...style[line.kind], padding: '0 8px', whiteSpace: 'pre-wrap' }}>
          {sign[line.kind]} {line.text}
        </div>
      ))}
    </pre>
  );
}
