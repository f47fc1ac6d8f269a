import { InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Checkbox, Col, Empty, Input, List, Popconfirm, Row, Segmented, Space, Spin, Tabs, Tag, Typography, Upload } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea.js';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, type FieldError } from '../../../api/client.ts';
import { errorTitle } from '../../../api/forms.ts';
import { type DeviceReportTemplate, deviceTemplatesApi, type TemplateDetail, type TemplateVersion, type TryResult } from './api.ts';
import { checkJson, highlightOf, locatePath, pathOf, readablePath, type Selection } from './logic.ts';
import { useDtT } from './messages.ts';
import { PageView } from './PageView.tsx';
import { ResultPanel } from './ResultPanel.tsx';

const monospace = { fontFamily: 'Consolas, "Courier New", monospace', fontSize: 12 };
const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** One template: edit its JSON and try it live on a sample; its versions with diffs, enable/disable and roll back. */
export function TemplateEditor({ name, initial, onChanged }: { name: string; initial?: DeviceReportTemplate; onChanged(): void }) {
  const { t } = useDtT();
  const { message } = App.useApp();
  const [detail, setDetail] = useState<TemplateDetail | null>(null);
  const [text, setText] = useState(initial ? pretty(initial) : '');
  const [tab, setTab] = useState('edit');

  const load = useCallback(async () => {
    try {
      const d = await deviceTemplatesApi.detail(name);
      setDetail(d);
      return d;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404 && initial)) message.error(errorTitle(error));
      return null;
    }
  }, [name, initial, message]);

  useEffect(() => {
    void load().then((d) => {
      if (d && !initial) setText(pretty(d.active ?? d.versions[0]?.template ?? {}));
    });
  }, [load, initial]);

  return (
    <Tabs
      activeKey={tab}
      onChange={setTab}
      items={[
        {
          key: 'edit',
          label: t('tab.edit'),
          children: (
            <EditAndTry
              name={name}
              text={text}
              onText={setText}
              reset={detail?.active ? () => setText(pretty(detail.active)) : undefined}
              onSaved={() => {
                void load();
                onChanged();
              }}
            />
          ),
        },
        {
          key: 'history',
          label: t('tab.history'),
          children: detail ? (
            <History
              detail={detail}
              onChanged={() => {
                void load();
                onChanged();
              }}
              onLoad={(v) => {
                setText(pretty({ ...v.template, version: v.version }));
                setTab('edit');
                message.info(t('history.loaded', { version: v.version }));
              }}
            />
          ) : (
            <Empty />
          ),
        },
      ]}
    />
  );
}

function EditAndTry({ name, text, onText, reset, onSaved }: { name: string; text: string; onText(text: string): void; reset?: () => void; onSaved(): void }) {
  const { t } = useDtT();
  const { message } = App.useApp();
  const area = useRef<TextAreaRef>(null);
  const check = useMemo(() => checkJson(text), [text]);
  const [serverErrors, setServerErrors] = useState<FieldError[]>([]);
  const [sample, setSample] = useState<{ file: string; first: TryResult } | null>(null);
  const [result, setResult] = useState<TryResult | null>(null);
  const [reading, setReading] = useState(false);
  const [hover, setHover] = useState<Selection | null>(null);
  const [pinned, setPinned] = useState<Selection | null>(null);
  const [zoom, setZoom] = useState(1);
  const [comment, setComment] = useState('');
  const [enable, setEnable] = useState(true);
  const [saving, setSaving] = useState(false);

  const template = check.ok ? { ...check.value, name } : null;

  // every valid edit is checked by the server and, with a sample loaded, read again (debounced)
  useEffect(() => {
    if (!template) return;
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const text = sample?.first ?? { format: 'pdf' as const, pages: [], items: [] };
        const reply = await deviceTemplatesApi.tryDraft(text, template);
        if (cancelled) return;
        setServerErrors([]);
        if (sample) setResult(reply);
      } catch (error) {
        if (cancelled) return;
        if (error instanceof ApiError && error.errors) setServerErrors(error.errors);
        else message.error(errorTitle(error));
      }
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // re-run on the text (the template object is derived from it on every render)
  }, [text, sample, name]);

  async function upload(file: File) {
    setReading(true);
    setPinned(null);
    try {
      const first = await deviceTemplatesApi.trySample(file);
      setSample({ file: file.name, first });
      setResult(template ? await deviceTemplatesApi.tryDraft(first, template).catch(() => first) : first);
    } catch (error) {
      message.error(errorTitle(error));
    } finally {
      setReading(false);
    }
  }

  async function save() {
    if (!template) return;
    setSaving(true);
    try {
      const { version } = await deviceTemplatesApi.save(name, { template, comment, enable });
      message.success(t(enable ? 'savedVersion' : 'savedDisabled', { version }));
      setComment('');
      setServerErrors([]);
      onText(pretty({ ...template, version }));
      onSaved();
    } catch (error) {
      if (error instanceof ApiError && error.errors) setServerErrors(error.errors);
      else message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  function goTo(offset: number | null, length = 1) {
    const element = area.current?.resizableTextArea?.textArea;
    if (!element || offset === null) return;
    element.focus();
    element.setSelectionRange(offset, offset + length);
    const line = text.slice(0, offset).split('\n').length;
    element.scrollTop = Math.max(0, (line - 5) * 16);
  }

  const selection = pinned ?? hover;
  const highlight = highlightOf(result?.trace ?? null, selection);
  const syntaxOffset = !check.ok && check.kind === 'syntax' ? text.split('\n').slice(0, check.line - 1).join('\n').length + (check.line > 1 ? 1 : 0) + check.column - 1 : null;

  return (
    <Row gutter={16}>
      <Col xs={24} xl={9}>
        <Space orientation="vertical" style={{ width: '100%' }} size={8}>
          <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
            <Typography.Text strong>{t('json')}</Typography.Text>
            <Space>
              <Button size="small" disabled={!check.ok} onClick={() => check.ok && onText(pretty(check.value))}>
                {t('format')}
              </Button>
              {reset && (
                <Button size="small" onClick={reset}>
                  {t('reset')}
                </Button>
              )}
            </Space>
          </Space>
          {!check.ok && (
            <Alert
              type="error"
              showIcon
              data-testid="template-json-error"
              title={check.kind === 'syntax' ? t('jsonSyntax', { line: check.line, column: check.column, message: check.message }) : t('jsonNotObject')}
              action={check.kind === 'syntax' ? <Button size="small" onClick={() => goTo(syntaxOffset)}>{t('goTo')}</Button> : undefined}
            />
          )}
          {check.ok && serverErrors.length > 0 && (
            <Alert
              type="error"
              showIcon
              data-testid="template-schema-errors"
              title={t('schemaErrors')}
              description={
                <List
                  size="small"
                  dataSource={serverErrors}
                  renderItem={(e) => (
                    <List.Item style={{ padding: '2px 0' }} actions={[<a key="go" onClick={() => goTo(locatePath(text, pathOf(e.field)))}>{t('goTo')}</a>]}>
                      <span>
                        <Typography.Text code>{readablePath(e.field)}</Typography.Text> {e.message}
                      </span>
                    </List.Item>
                  )}
                />
              }
            />
          )}
          {check.ok && serverErrors.length === 0 && <Tag color="green">{t('valid')}</Tag>}
          <Input.TextArea
            ref={area}
            value={text}
            onChange={(e) => onText(e.target.value)}
            autoSize={{ minRows: 20, maxRows: 32 }}
            spellCheck={false}
            style={monospace}
            data-testid="template-json"
            status={check.ok && serverErrors.length === 0 ? undefined : 'error'}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('jsonHint')}
          </Typography.Text>
          <Space wrap align="center">
            <Input style={{ width: 260 }} maxLength={200} placeholder={t('comment')} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="template-comment" />
            <Checkbox checked={enable} onChange={(e) => setEnable(e.target.checked)}>
              {t('enableNow')}
            </Checkbox>
            <Button type="primary" onClick={() => void save()} loading={saving} disabled={!check.ok || serverErrors.length > 0} data-testid="template-save">
              {t('saveVersion')}
            </Button>
          </Space>
        </Space>
      </Col>
      <Col xs={24} xl={15}>
        <Space orientation="vertical" style={{ width: '100%' }} size={8}>
          <Upload.Dragger
            accept=".pdf,.png,.jpg,.jpeg,.tif,.tiff,.bmp,.webp,application/pdf,image/*"
            showUploadList={false}
            multiple={false}
            beforeUpload={(file) => {
              void upload(file);
              return false;
            }}
            style={{ padding: 0 }}
          >
            <Space>
              <InboxOutlined style={{ fontSize: 22, color: '#0e6e8c' }} />
              <span>{t('uploadSample')}</span>
            </Space>
            <div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('sampleHint')}
              </Typography.Text>
            </div>
          </Upload.Dragger>
          {reading && <Spin description={t('reading')} />}
          {sample && result && (
            <>
              <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
                <Space wrap size={4}>
                  <Typography.Text>{t('sampleFile', { name: sample.file, pages: result.pages.length, items: result.items.length, seconds: sample.first.seconds })}</Typography.Text>
                  <Tag>{sample.first.chosen ? t('chosen', { name: sample.first.chosen }) : t('noneChosen')}</Tag>
                  {result.template && (
                    <Tag color={result.template.source === 'draft' ? 'orange' : 'blue'}>
                      {t('readWith')}: {result.template.source === 'draft' ? t('readWithDraft') : `${result.template.name} v${result.template.version}`}
                    </Tag>
                  )}
                </Space>
                <Segmented size="small" value={zoom} onChange={(v) => setZoom(Number(v))} options={[{ label: '75%', value: 0.75 }, { label: '100%', value: 1 }, { label: '150%', value: 1.5 }, { label: '200%', value: 2 }]} />
              </Space>
              {result.reason && <Alert type="warning" showIcon title={result.reason} />}
              {!result.reason && result.items.length === 0 && <Alert type="warning" showIcon title={t('noText')} />}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('hoverHint')}
              </Typography.Text>
              <Row gutter={12}>
                <Col xs={24} xxl={12}>
                  <PageView pages={result.pages} items={result.items} highlight={highlight} zoom={zoom} />
                </Col>
                <Col xs={24} xxl={12}>
                  <ResultPanel
                    result={result}
                    template={template as never}
                    selection={selection}
                    onHover={setHover}
                    onPin={(s) => setPinned((p) => (JSON.stringify(p) === JSON.stringify(s) ? null : s))}
                  />
                </Col>
              </Row>
            </>
          )}
        </Space>
      </Col>
    </Row>
  );
}

function History({ detail, onChanged, onLoad }: { detail: TemplateDetail; onChanged(): void; onLoad(version: TemplateVersion): void }) {
  const { t, language } = useDtT();
  const { message } = App.useApp();

  async function act(f: () => Promise<unknown>, done?: string) {
    try {
      await f();
      if (done) message.success(done);
      onChanged();
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  return (
    <List
      dataSource={detail.versions}
      data-testid="template-history"
      renderItem={(v) => (
        <List.Item style={{ display: 'block' }}>
          <Space wrap style={{ marginBottom: 8 }}>
            <Typography.Text strong>v{v.version}</Typography.Text>
            {v.builtin && <Tag>{t('history.builtin')}</Tag>}
            {v.active && <Tag color="green">{t('history.current')}</Tag>}
            {!v.builtin && v.enabled && !v.active && <Tag color="blue">{t('history.enabled')}</Tag>}
            <span>{v.comment || <Typography.Text type="secondary">{t('history.noComment')}</Typography.Text>}</span>
            <Typography.Text type="secondary">
              {v.createdByName}
              {v.createdAt ? ` · ${new Date(v.createdAt).toLocaleString(language)}` : ''}
            </Typography.Text>
            <Button size="small" onClick={() => onLoad(v)}>
              {t('history.load')}
            </Button>
            {!v.builtin && !v.enabled && (
              <Button size="small" onClick={() => void act(() => deviceTemplatesApi.setEnabled(detail.name, v.version, true))} data-testid={`enable-v${v.version}`}>
                {t('history.enable')}
              </Button>
            )}
            {!v.builtin && v.enabled && (
              <Popconfirm
                title={t('history.disableConfirm', { version: v.version, fallback: t(detail.builtin ? 'history.fallbackBuiltin' : 'history.fallbackNone') })}
                onConfirm={() => act(() => deviceTemplatesApi.setEnabled(detail.name, v.version, false))}
              >
                <Button size="small" danger data-testid={`disable-v${v.version}`}>
                  {t('history.disable')}
                </Button>
              </Popconfirm>
            )}
            {!v.active && (
              <Popconfirm
                title={t('history.rollbackConfirm', { version: v.version })}
                onConfirm={() =>
                  act(async () => {
                    const reply = await deviceTemplatesApi.rollback(detail.name, v.version);
                    message.success(t('history.rolledBack', { version: reply.version, from: v.version }));
                  })
                }
              >
                <Button size="small">{t('history.rollback')}</Button>
              </Popconfirm>
            )}
          </Space>
          <DiffLines diff={v.diff} />
        </List.Item>
      )}
    />
  );
}

function DiffLines({ diff }: { diff: TemplateVersion['diff'] }) {
  const { t } = useDtT();
  if (!diff.some((d) => d.kind !== 'same')) return <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('history.noChanges')}</Typography.Text>;
  const style = { added: { background: '#e6ffec', color: '#116329' }, removed: { background: '#ffebe9', color: '#82071e' }, same: { color: '#595959' } } as const;
  const sign = { added: '+', removed: '-', same: ' ' } as const;
  // long templates: show the changes with three lines of context
  const keep = diff.map((_, i) => diff.slice(Math.max(0, i - 3), i + 4).some((d) => d.kind !== 'same'));
  return (
    <pre style={{ ...monospace, margin: 0, maxHeight: 320, overflow: 'auto', border: '1px solid #f0f0f0', borderRadius: 6, padding: '4px 0' }}>
      {diff.map((line, index) =>
        keep[index] ? (
          <div key={index} style={{ ...style[line.kind], padding: '0 8px', whiteSpace: 'pre-wrap' }}>
            {sign[line.kind]} {line.text}
          </div>
        ) : index > 0 && keep[index - 1] ? (
          <div key={index} style={{ color: '#bfbfbf', padding: '0 8px' }}>
            ⋯
          </div>
        ) : null,
      )}
    </pre>
  );
}
