import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Checkbox, Col, Divider, Drawer, Flex, Form, type FormInstance, Input, InputNumber, Radio, Row, Select, Space, Switch, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useRef, useState } from 'react';
import { ApiError } from '../../../api/client.ts';
import { errorTitle } from '../../../api/forms.ts';
import { type Translate, useT } from '../../../i18n/I18nProvider.tsx';
import { type DeliveryKind, type DeliveryTargetView, deliveryApi, DOCUMENTS, KINDS, KINDS_WITH_SECRET } from './api.ts';
import {
  ALL_CAMPUSES,
  type ConfigForm,
  configToForm,
  defaultConfig,
  DEFAULT_NAME_PATTERN,
  duplicateHeaders,
  fieldErrorsToForm,
  formToBody,
  type HeaderRow,
  isHeaderName,
  isWriteStatement,
  MAX_STATEMENTS,
  namePatternProblems,
  newTargetForm,
  RESERVED_HEADERS,
  SQL_PARAMETERS,
  type TargetForm,
  targetToForm,
  unknownSqlParameters,
} from './target-model.ts';

const monospace = { fontFamily: 'Consolas, "Courier New", monospace', fontSize: 13 };
const HTTP_URL = /^https?:\/\/\S+$/i;

/** Add or change one delivery target: the kind's own settings, then what all targets share. */
export function TargetDrawer({
  target,
  campusOptions,
  onClose,
  onSaved,
}: {
  target: DeliveryTargetView | null;
  campusOptions: Array<{ value: string; label: string }>;
  onClose(): void;
  onSaved(saved: DeliveryTargetView): void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<TargetForm>();
  const initial = useMemo(() => (target ? targetToForm(target) : newTargetForm()), [target]);
  const kind: DeliveryKind = Form.useWatch('kind', form) ?? initial.kind;
  const [saving, setSaving] = useState(false);
  const [refused, setRefused] = useState<{ title: string; details: string[] } | null>(null);
  /** What was typed for each kind, so switching back and forth loses nothing. */
  const drafts = useRef(new Map<DeliveryKind, ConfigForm>());
  const shownKind = useRef<DeliveryKind>(initial.kind);

  function changeKind(next: DeliveryKind) {
    const previous = shownKind.current;
    if (previous === next) return;
    drafts.current.set(previous, form.getFieldValue('config') as ConfigForm);
    shownKind.current = next;
    form.setFieldValue('config', drafts.current.get(next) ?? (target?.kind === next ? configToForm(next, target.config) : defaultConfig(next)));
  }

  async function submit(values: TargetForm) {
    setSaving(true);
    setRefused(null);
    try {
      const body = formToBody(values, target);
      const saved = await (target ? deliveryApi.updateTarget(target.id, body) : deliveryApi.createTarget(body));
      message.success(t('common.saved'));
      onSaved(saved);
    } catch (error) {
      const { fields, rest } = fieldErrorsToForm(error instanceof ApiError ? error.errors : undefined);
      if (fields.length) form.setFields(fields as Parameters<typeof form.setFields>[0]);
      if (!fields.length || rest.length) setRefused({ title: errorTitle(error), details: rest.map((e) => `${e.field.replace(/^body\./, '')}: ${e.message}`) });
      else message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Drawer
      open
      size={780}
      title={target ? `${t('delivery.target.edit')} · ${target.name}` : t('delivery.target.create')}
      onClose={onClose}
      destroyOnHidden
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={() => form.submit()} data-testid="save-target">
            {t('common.save')}
          </Button>
        </Flex>
      }
    >
      {refused && (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setRefused(null)}
          title={refused.title}
          description={refused.details.length ? refused.details.map((d) => <div key={d}>{d}</div>) : undefined}
          style={{ marginBottom: 16 }}
          data-testid="target-form-error"
        />
      )}
      <Form<TargetForm> form={form} layout="vertical" initialValues={initial} onFinish={submit} data-testid="target-form" scrollToFirstError>
        <Form.Item name="kind" label={t('delivery.target.kind')} extra={t(`delivery.kindHint.${kind}`)}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            onChange={(e) => changeKind(e.target.value as DeliveryKind)}
            options={KINDS.map((k) => ({ value: k, label: t(`delivery.kind.${k}`) }))}
            data-testid="target-kind"
          />
        </Form.Item>
        <Row gutter={12}>
          <Col xs={24} md={14}>
            <Form.Item name="name" label={t('delivery.target.name')} rules={[{ required: true, whitespace: true, message: t('delivery.target.nameRequired') }, { max: 60 }]}>
              <Input maxLength={60} placeholder={t('delivery.target.namePlaceholder')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={10}>
            <Form.Item name="campusId" label={t('delivery.target.campus')}>
              <Select options={[{ value: ALL_CAMPUSES, label: t('delivery.target.allCampuses') }, ...campusOptions]} />
            </Form.Item>
          </Col>
        </Row>

        <Divider titlePlacement="start" plain>
          {t('delivery.target.connection')}
        </Divider>
        {kind === 'sql' && <SqlFields t={t} />}
        {kind === 'http' && <HttpFields t={t} form={form} />}
        {kind === 'hl7' && <Hl7Fields t={t} />}
        {kind === 'fhir' && (
          <Form.Item name={['config', 'baseUrl']} label={t('delivery.fhir.baseUrl')} extra={t('delivery.fhir.baseUrlHint')} rules={[{ required: true, whitespace: true, message: t('delivery.fhir.baseUrlRequired') }, { pattern: HTTP_URL, message: t('delivery.http.urlInvalid') }]}>
            <Input style={monospace} placeholder="https://fhir.example.cn/fhir" />
          </Form.Item>
        )}
        {kind === 'file' && <FileFields t={t} />}
        {KINDS_WITH_SECRET.includes(kind) && <SecretFields t={t} form={form} kind={kind} stored={!!target?.hasSecret} />}
        {kind !== 'file' && <TimeoutField t={t} />}

        <Divider titlePlacement="start" plain>
          {t('delivery.target.delivery')}
        </Divider>
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item name="document" label={t('delivery.target.document')}>
              <Radio.Group options={DOCUMENTS.map((d) => ({ value: d, label: t(`delivery.target.document.${d}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="maxAttempts" label={t('delivery.target.maxAttempts')} rules={[{ required: true }]} extra={t('delivery.target.maxAttemptsHint')}>
              <InputNumber min={1} max={100} precision={0} style={{ width: 140 }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="updateStatus"
          label={t('delivery.target.updateStatus')}
          valuePropName="checked"
          extra={kind === 'sql' ? t('delivery.target.updateStatusSql') : t('delivery.target.updateStatusHint')}
        >
          <Switch disabled={kind === 'sql'} />
        </Form.Item>
        <Form.Item name="enabled" label={t('delivery.target.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

function TimeoutField({ t }: { t: Translate }) {
  return (
    <Form.Item name={['config', 'timeoutS']} label={t('delivery.timeout')} rules={[{ required: true }]}>
      <InputNumber min={0.5} max={120} step={1} suffix={t('delivery.seconds')} style={{ width: 140 }} />
    </Form.Item>
  );
}

function SqlFields({ t }: { t: Translate }) {
  return (
    <>
      <Alert type="warning" showIcon title={t('delivery.sql.idempotent')} style={{ marginBottom: 12 }} data-testid="sql-idempotent" />
      <Form.List
        name={['config', 'statements']}
        rules={[
          {
            validator: async (_, value: string[] | undefined) => {
              if (!value?.length) throw new Error(t('delivery.sql.statementRequired'));
              if (value.length > MAX_STATEMENTS) throw new Error(t('delivery.sql.statementsLimit'));
            },
          },
        ]}
      >
        {(fields, { add, remove }, { errors }) => (
          <>
            {fields.map((field, index) => (
              <Flex key={field.key} gap={8} align="flex-start">
                <Form.Item
                  name={field.name}
                  label={t('delivery.sql.statementN', { n: index + 1 })}
                  style={{ flex: 1 }}
                  validateFirst
                  rules={[
                    { required: true, whitespace: true, message: t('delivery.sql.statementRequired') },
                    { validator: async (_, v: string | undefined) => { if ((v ?? '').trim().length < 10) throw new Error(t('delivery.sql.statementTooShort')); } },
                    { validator: async (_, v: string | undefined) => { if (!isWriteStatement(v ?? '')) throw new Error(t('delivery.sql.onlyWrite')); } },
                    {
                      warningOnly: true,
                      validator: async (_, v: string | undefined) => {
                        const unknown = unknownSqlParameters(v ?? '');
                        if (unknown.length) throw new Error(t('delivery.sql.unknownParameters', { names: unknown.map((p) => `:${p}`).join('、') }));
                      },
                    },
                  ]}
                >
                  <Input.TextArea
                    autoSize={{ minRows: 3, maxRows: 14 }}
                    maxLength={4000}
                    style={monospace}
                    spellCheck={false}
                    placeholder={'INSERT INTO pft_report (idempotency_key, request_no, conclusion, pdf)\nVALUES (:idempotencyKey, :requestNo, :conclusion, :pdf)\nON DUPLICATE KEY UPDATE conclusion = VALUES(conclusion), pdf = VALUES(pdf)'}
                    data-testid={`sql-statement-${index}`}
                  />
                </Form.Item>
                <Tooltip title={t('delivery.sql.removeStatement')}>
                  <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('delivery.sql.removeStatement')} disabled={fields.length <= 1} onClick={() => remove(field.name)} style={{ marginTop: 30 }} />
                </Tooltip>
              </Flex>
            ))}
            <Form.ErrorList errors={errors} />
            <Space style={{ marginBottom: 16 }}>
              <Button icon={<PlusOutlined />} disabled={fields.length >= MAX_STATEMENTS} onClick={() => add('')} data-testid="add-statement">
                {t('delivery.sql.addStatement')}
              </Button>
              <Typography.Text type="secondary">{t('delivery.sql.statementsLimit')}</Typography.Text>
            </Space>
          </>
        )}
      </Form.List>
      <div style={{ marginBottom: 16 }} data-testid="sql-parameters">
        <Typography.Text strong>{t('delivery.sql.parameters')}</Typography.Text>
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(230px, 1fr))', gap: '2px 12px', marginTop: 6 }}>
          {SQL_PARAMETERS.map((p) => (
            <Typography.Text key={p} style={{ fontSize: 12 }}>
              <Typography.Text code style={{ fontSize: 12 }}>
                :{p}
              </Typography.Text>{' '}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t(`delivery.sql.parameter.${p}`)}
              </Typography.Text>
            </Typography.Text>
          ))}
        </div>
      </div>
    </>
  );
}

function HttpFields({ t, form }: { t: Translate; form: FormInstance<TargetForm> }) {
  return (
    <>
      <Form.Item name={['config', 'url']} label={t('delivery.http.url')} rules={[{ required: true, whitespace: true, message: t('delivery.http.urlRequired') }, { pattern: HTTP_URL, message: t('delivery.http.urlInvalid') }]}>
        <Input style={monospace} placeholder="https://his.example.cn/api/pft/report" />
      </Form.Item>
      <Form.Item name={['config', 'format']} label={t('delivery.http.format')}>
        <Radio.Group options={[{ value: 'json', label: 'JSON' }, { value: 'xml', label: 'XML' }]} />
      </Form.Item>
      <Form.Item name={['config', 'template']} label={t('delivery.http.template')} extra={t('delivery.http.templateHint')}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 14 }} maxLength={20_000} style={monospace} spellCheck={false} />
      </Form.Item>
      <Form.Item name={['config', 'authHeader']} label={t('delivery.http.authHeader')} extra={t('delivery.http.authHeaderHint')} rules={[{ max: 60 }, { validator: async (_, v: string | undefined) => { if (v?.trim() && !isHeaderName(v.trim())) throw new Error(t('delivery.http.headerInvalid')); } }]}>
        <Input style={{ ...monospace, maxWidth: 320 }} placeholder="Authorization" />
      </Form.Item>
      <Form.List
        name={['config', 'headers']}
        rules={[
          {
            validator: async (_, rows: HeaderRow[] | undefined) => {
              const repeated = duplicateHeaders(rows);
              if (repeated.length) throw new Error(t('delivery.http.headerDuplicate', { names: repeated.join(', ') }));
            },
          },
        ]}
      >
        {(fields, { add, remove }, { errors }) => (
          <Form.Item label={t('delivery.http.headers')}>
            {fields.map((field) => (
              <Flex key={field.key} gap={8} align="flex-start">
                <Form.Item
                  name={[field.name, 'name']}
                  style={{ flex: 2, marginBottom: 8 }}
                  rules={[
                    { required: true, whitespace: true, message: t('delivery.http.headerNameRequired') },
                    { max: 60 },
                    {
                      validator: async (_, v: string | undefined) => {
                        const name = (v ?? '').trim();
                        if (name && !isHeaderName(name)) throw new Error(t('delivery.http.headerInvalid'));
                        if (RESERVED_HEADERS.includes(name.toLowerCase())) throw new Error(t('delivery.http.headerReserved'));
                      },
                    },
                  ]}
                >
                  <Input style={monospace} placeholder={t('delivery.http.headerName')} onBlur={() => void form.validateFields([['config', 'headers']]).catch(() => {})} />
                </Form.Item>
                <Form.Item name={[field.name, 'value']} style={{ flex: 3, marginBottom: 8 }} rules={[{ max: 500 }]}>
                  <Input style={monospace} placeholder={t('delivery.http.headerValue')} />
                </Form.Item>
                <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} onClick={() => remove(field.name)} />
              </Flex>
            ))}
            <Form.ErrorList errors={errors} />
            <Button icon={<PlusOutlined />} onClick={() => add({ name: '', value: '' })} data-testid="add-header">
              {t('delivery.http.addHeader')}
            </Button>
          </Form.Item>
        )}
      </Form.List>
    </>
  );
}

function SecretFields({ t, form, kind, stored }: { t: Translate; form: FormInstance<TargetForm>; kind: DeliveryKind; stored: boolean }) {
  const clearing = Form.useWatch('clearSecret', form);
  return (
    <>
      <Form.Item
        name="secret"
        label={
          <Space size={6}>
            {t('delivery.secret')}
            {stored && <Tag color={clearing ? 'default' : 'blue'}>{t('delivery.secretStored')}</Tag>}
          </Space>
        }
        extra={kind === 'fhir' ? t('delivery.fhir.secretHint') : undefined}
        rules={[{ max: 2000 }]}
      >
        <Input.Password autoComplete="new-password" disabled={!!clearing} placeholder={stored ? t('delivery.secretKeep') : t('delivery.secretOptional')} style={{ maxWidth: 420 }} />
      </Form.Item>
      {stored && (
        <Form.Item name="clearSecret" valuePropName="checked" style={{ marginTop: -8 }}>
          <Checkbox>{t('delivery.secretClear')}</Checkbox>
        </Form.Item>
      )}
    </>
  );
}

function Hl7Fields({ t }: { t: Translate }) {
  return (
    <>
      <Row gutter={12}>
        <Col xs={24} md={12}>
          <Form.Item name={['config', 'host']} label={t('delivery.hl7.host')} rules={[{ required: true, whitespace: true, message: t('delivery.hl7.hostRequired') }, { max: 255 }]}>
            <Input style={monospace} placeholder="192.168.10.20" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name={['config', 'port']} label={t('delivery.hl7.port')} rules={[{ required: true, message: t('delivery.hl7.portRequired') }]}>
            <InputNumber min={1} max={65535} precision={0} style={{ width: '100%' }} placeholder="2575" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name={['config', 'encoding']} label={t('delivery.hl7.encoding')}>
            <Select options={[{ value: 'gbk', label: 'GBK' }, { value: 'utf-8', label: 'UTF-8' }]} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={12}>
        {(['sendingApplication', 'sendingFacility', 'receivingApplication', 'receivingFacility'] as const).map((field) => (
          <Col key={field} xs={24} md={12}>
            <Form.Item name={['config', field]} label={t(`delivery.hl7.${field}`)} rules={[{ max: 40 }]}>
              <Input style={monospace} maxLength={40} />
            </Form.Item>
          </Col>
        ))}
      </Row>
    </>
  );
}

function FileFields({ t }: { t: Translate }) {
  return (
    <>
      <Form.Item name={['config', 'folder']} label={t('delivery.file.folder')} extra={t('delivery.file.folderHint')} rules={[{ required: true, whitespace: true, message: t('delivery.file.folderRequired') }, { max: 500 }]}>
        <Input style={monospace} placeholder="/mnt/his-reports" />
      </Form.Item>
      <Form.Item
        name={['config', 'namePattern']}
        label={t('delivery.file.namePattern')}
        extra={t('delivery.file.namePatternHint')}
        rules={[
          { max: 200 },
          {
            validator: async (_, v: string | undefined) => {
              const problems = namePatternProblems((v ?? '').trim() || DEFAULT_NAME_PATTERN);
              const unknown = problems.flatMap((p) => (p.kind === 'unknown' ? [p.placeholder] : []));
              if (unknown.length) throw new Error(t('delivery.file.namePatternUnknown', { names: unknown.join(' ') }));
              if (problems.some((p) => p.kind === 'unbalanced')) throw new Error(t('delivery.file.namePatternUnbalanced'));
              if (problems.some((p) => p.kind === 'noKey')) throw new Error(t('delivery.file.namePatternNoKey'));
            },
          },
        ]}
      >
        <Input style={monospace} placeholder={DEFAULT_NAME_PATTERN} />
      </Form.Item>
      <Form.Item name={['config', 'sidecar']} label={t('delivery.file.sidecar')}>
        <Radio.Group options={(['json', 'xml', 'none'] as const).map((s) => ({ value: s, label: t(`delivery.file.sidecar.${s}`) }))} />
      </Form.Item>
    </>
  );
}
