import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Divider, Flex, Form, type FormInstance, Input, InputNumber, Radio, Row, Select, Space, Spin, Tabs, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../api/client.ts';
import { errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { type LabSettings, type LabSettingsOptions, type LabSettingsPreview, labSettingsApi, PARAMETER_GROUPS } from './api.ts';
import { EquationChoice } from './EquationChoice.tsx';
import { type LsMessageKey, useLsT } from './messages.ts';
import { fieldName, formToSettings, type GroupForm, hasMatch, newGroup, rebaseTemplates, type SettingsForm, settingsToForm, type TemplateSet } from './model.ts';
import { PreviewPanel } from './PreviewPanel.tsx';
import { TemplatesEditor } from './TemplatesEditor.tsx';

const PREVIEW_DELAY_MS = 400;

/** 判读设置: reference equations per parameter and patient group, the interpretation scheme and the narrative templates. */
export function LabSettingsPage() {
  const { t } = useLsT();
  const { message } = App.useApp();
  const [form] = Form.useForm<SettingsForm>();
  const settings = useLoad<LabSettings | null>(labSettingsApi.get, null);
  const options = useLoad<LabSettingsOptions | null>(labSettingsApi.options, null);
  const [saving, setSaving] = useState(false);
  const [saveErrors, setSaveErrors] = useState<string[]>([]);
  const [preview, setPreview] = useState<LabSettingsPreview | null>(null);
  const [previewErrors, setPreviewErrors] = useState<string[]>([]);
  const [previewing, setPreviewing] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const previewRun = useRef(0);
  const groups = Form.useWatch(['reference', 'patientGroups'], form) as GroupForm[] | undefined;
  const scheme = Form.useWatch(['interpretation', 'scheme'], form) as SettingsForm['interpretation']['scheme'] | undefined;
  const ready = !!settings.data && !!options.data;
  /** Each scheme's default templates, per language. */
  const templateDefaults = options.data?.templateDefaults as unknown as Record<string, { zh: TemplateSet; en: TemplateSet }> | undefined;
  // The scheme the templates in the form were last based on: a change of scheme rebases them.
  const templatesScheme = useRef<string | null>(null);

  const runPreview = useCallback(async () => {
    const run = ++previewRun.current;
    setPreviewing(true);
    try {
      const result = await labSettingsApi.preview(formToSettings(form.getFieldsValue(true) as SettingsForm));
      if (run !== previewRun.current) return;
      setPreview(result);
      setPreviewErrors([]);
    } catch (error) {
      if (run !== previewRun.current) return;
      setPreviewErrors(error instanceof ApiError && error.errors?.length ? error.errors.map((e) => e.message) : [errorTitle(error)]);
    } finally {
      if (run === previewRun.current) setPreviewing(false);
    }
  }, [form]);

  const schedulePreview = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void runPreview(), PREVIEW_DELAY_MS);
  }, [runPreview]);

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const load = useCallback(
    (value: LabSettings) => {
      const defaults = templateDefaults?.[value.interpretation.scheme];
      if (!defaults) return;
      form.setFieldsValue(settingsToForm(value, defaults));
      templatesScheme.current = value.interpretation.scheme;
    },
    [form, templateDefaults],
  );

  useEffect(() => {
    if (settings.data && templateDefaults) {
      load(settings.data);
      void runPreview();
    }
  }, [settings.data, templateDefaults, load, runPreview]);

  function valuesChanged(changed: Partial<SettingsForm>) {
    const next = changed.interpretation?.scheme;
    const previous = templatesScheme.current;
    if (next && previous && next !== previous && templateDefaults?.[next] && templateDefaults[previous]) {
      const current = form.getFieldValue('templates') as SettingsForm['templates'];
      form.setFieldValue('templates', {
        zh: rebaseTemplates(current.zh, templateDefaults[previous].zh, templateDefaults[next].zh),
        en: rebaseTemplates(current.en, templateDefaults[previous].en, templateDefaults[next].en),
      });
      templatesScheme.current = next;
    }
    schedulePreview();
  }

  async function save() {
    setSaving(true);
    setSaveErrors([]);
    try {
      const saved = await labSettingsApi.save(formToSettings(form.getFieldsValue(true) as SettingsForm));
      load(saved);
      message.success(t('saved'));
      void runPreview();
    } catch (error) {
      if (error instanceof ApiError && error.errors?.length) {
        (form as FormInstance).setFields(error.errors.map((e) => ({ name: fieldName(e.field), errors: [e.message] })));
        setSaveErrors(error.errors.map((e) => e.message));
      } else {
        message.error(errorTitle(error));
      }
    } finally {
      setSaving(false);
    }
  }

  const equations = options.data?.equations ?? [];
  const groupLabel = (id: string) => groups?.find((g) => g?.id === id)?.label || id;

  const equationsTab = (
    <>
      <Typography.Paragraph type="secondary">{t('defaultEquationsHint')}</Typography.Paragraph>
      {PARAMETER_GROUPS.map((group) => (
        <Row gutter={12} key={group} align="top">
          <Col xs={24} md={5} style={{ paddingTop: 5 }}>
            <Typography.Text strong>{t(`group.${group}` as LsMessageKey)}</Typography.Text>
            <br />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t(`groupHint.${group}` as LsMessageKey)}
            </Typography.Text>
          </Col>
          <Col xs={24} md={19}>
            <EquationChoice form={form} name={['reference', 'defaults', group]} group={group} equations={equations} testId={`default-${group}`} />
          </Col>
        </Row>
      ))}
      <Divider />
      <Form.Item name={['reference', 'outOfRange']} label={t('outOfRange')} extra={t('outOfRangeHint')}>
        <Radio.Group
          data-testid="out-of-range"
          options={[
            { value: 'refuse', label: <Tooltip title={t('outOfRange.refuseHint')}>{t('outOfRange.refuse')}</Tooltip> },
            { value: 'extrapolate', label: <Tooltip title={t('outOfRange.extrapolateHint')}>{t('outOfRange.extrapolate')}</Tooltip> },
          ]}
        />
      </Form.Item>
    </>
  );

  const groupsTab = (
    <>
      <Alert type="info" showIcon title={t('groupsIntro')} style={{ marginBottom: 16 }} />
      <Form.List name={['reference', 'patientGroups']}>
        {(fields, { add, remove, move }, { errors }) => (
          <Flex vertical gap={12}>
            {fields.length === 0 && <Typography.Text type="secondary">{t('noGroups')}</Typography.Text>}
            {fields.map((field, index) => {
              const group = groups?.[index];
              return (
                <Card
                  key={field.key}
                  size="small"
                  data-testid={`patient-group-${index}`}
                  title={`${index + 1}. ${group?.label || group?.id || ''}`}
                  extra={
                    <Space size={4}>
                      <Tooltip title={t('moveUp')}>
                        <Button type="text" size="small" icon={<ArrowUpOutlined />} aria-label={t('moveUp')} disabled={index === 0} onClick={() => move(index, index - 1)} />
                      </Tooltip>
                      <Tooltip title={t('moveDown')}>
                        <Button type="text" size="small" icon={<ArrowDownOutlined />} aria-label={t('moveDown')} disabled={index === fields.length - 1} onClick={() => move(index, index + 1)} />
                      </Tooltip>
                      <Tooltip title={t('removeGroup')}>
                        <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('removeGroup')} onClick={() => remove(index)} data-testid={`remove-group-${index}`} />
                      </Tooltip>
                    </Space>
                  }
                >
                  <Row gutter={12}>
                    <Col xs={24} md={8}>
                      <Form.Item name={[field.name, 'id']} label={t('groupId')} extra={t('groupIdHint')} rules={[{ required: true, whitespace: true, message: t('groupIdRequired') }, { max: 32 }]}>
                        <Input maxLength={32} data-testid={`group-${index}-id`} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={8}>
                      <Form.Item name={[field.name, 'label']} label={t('groupLabel')} rules={[{ required: true, whitespace: true, message: t('groupLabelRequired') }, { max: 40 }]}>
                        <Input maxLength={40} data-testid={`group-${index}-label`} />
                      </Form.Item>
                    </Col>
                  </Row>
                  <Typography.Text strong>{t('match')}</Typography.Text>
                  <Flex gap={12} wrap style={{ marginTop: 8 }}>
                    <Form.Item name={[field.name, 'match', 'minAge']} label={t('minAge')} style={{ marginBottom: 8 }}>
                      <InputNumber min={0} max={130} step={1} suffix={t('years')} style={{ width: 130 }} data-testid={`group-${index}-min-age`} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'match', 'maxAge']} label={t('maxAge')} style={{ marginBottom: 8 }}>
                      <InputNumber min={0} max={130} step={1} suffix={t('years')} style={{ width: 130 }} data-testid={`group-${index}-max-age`} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'match', 'sex']} label={t('sex')} style={{ marginBottom: 8 }}>
                      <Radio.Group optionType="button" options={[{ value: '', label: t('sex.any') }, { value: 'male', label: t('sex.male') }, { value: 'female', label: t('sex.female') }]} />
                    </Form.Item>
                  </Flex>
                  {!hasMatch(group) && <Alert type="warning" showIcon title={t('noMatch')} style={{ marginBottom: 8 }} />}
                  <Typography.Text strong>{t('groupChoices')}</Typography.Text>
                  {PARAMETER_GROUPS.map((parameterGroup) => (
                    <Row gutter={12} key={parameterGroup} style={{ marginTop: 8 }}>
                      <Col xs={24} md={5} style={{ paddingTop: 5 }}>
                        {t(`group.${parameterGroup}` as LsMessageKey)}
                      </Col>
                      <Col xs={24} md={19}>
                        <EquationChoice
                          form={form}
                          name={['reference', 'patientGroups', field.name, 'choices', parameterGroup]}
                          itemName={[field.name, 'choices', parameterGroup]}
                          group={parameterGroup}
                          equations={equations}
                          allowDefault
                          testId={`group-${index}-${parameterGroup}`}
                        />
                      </Col>
                    </Row>
                  ))}
                </Card>
              );
            })}
            <Form.ErrorList errors={errors} />
            <Space wrap>
              <Button icon={<PlusOutlined />} onClick={() => add({ ...newGroup(groups ?? [], true), label: t('childrenLabel') })} data-testid="add-children-group">
                {t('addChildren')}
              </Button>
              <Button icon={<PlusOutlined />} onClick={() => add(newGroup(groups ?? []))} data-testid="add-group">
                {t('addGroup')}
              </Button>
            </Space>
          </Flex>
        )}
      </Form.List>
    </>
  );

  const interpretationTab = (
    <>
      <Form.Item name={['interpretation', 'scheme']} label={t('scheme')} extra={scheme ? `${t(`schemeHint.${scheme}` as LsMessageKey)} ${t('templatesFollowScheme')}` : undefined}>
        <Radio.Group data-testid="scheme" options={[{ value: 'ats2022', label: t('scheme.ats2022') }, { value: 'china2014', label: t('scheme.china2014') }]} />
      </Form.Item>
      <Row gutter={12}>
        <Col xs={24} md={14}>
          <Form.Item name={['interpretation', 'bdrRule']} label={t('bdrRule')}>
            <Select
              data-testid="bdr-rule"
              options={[
                { value: '', label: t('bdr.scheme') },
                { value: 'ats2022', label: t('bdr.ats2022') },
                { value: 'china2014', label: t('bdr.china2014') },
                { value: 'ats2005', label: t('bdr.ats2005') },
              ]}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={10}>
          <Form.Item name={['interpretation', 'bdrOperator']} label={t('bdrOperator')} extra={t('bdrOperatorHint')}>
            <Select options={[{ value: '', label: t('op.default') }, { value: '>', label: t('op.gt') }, { value: '>=', label: t('op.ge') }]} />
          </Form.Item>
        </Col>
      </Row>
      <Divider titlePlacement="left">{t('patternRules')}</Divider>
      <div hidden={scheme === 'china2014'}>
        <Form.Item name={['interpretation', 'pattern', 'isolatedLowFev1']} label={t('isolatedLowFev1')}>
          <Radio.Group options={(['prism', 'normal', 'non_specific'] as const).map((v) => ({ value: v, label: t(`isolated.${v}`) }))} />
        </Form.Item>
        <Form.Item name={['interpretation', 'pattern', 'lowFvcWithoutTlc']} label={t('lowFvcWithoutTlc')}>
          <Radio.Group options={(['possible_restriction', 'prism'] as const).map((v) => ({ value: v, label: t(`lowFvc.${v}`) }))} />
        </Form.Item>
      </div>
      <div hidden={scheme !== 'china2014'}>
        <Form.Item name={['interpretation', 'china2014', 'lowFvcWithObstructionWithoutTlc']} label={t('lowFvcWithObstructionWithoutTlc')}>
          <Radio.Group options={(['mixed', 'obstruction'] as const).map((v) => ({ value: v, label: t(`lowFvcObstruction.${v}`) }))} />
        </Form.Item>
      </div>
    </>
  );

  const templatesTab = (
    <>
      <Typography.Paragraph type="secondary">
        {t('templatesIntro')} <Typography.Text code>{'{severity}'}</Typography.Text> {t('placeholderSeverity')}
      </Typography.Paragraph>
      <Tabs
        size="small"
        items={(['zh', 'en'] as const).map((language) => ({
          key: language,
          forceRender: true,
          label: t(`lang.${language}`),
          children: <TemplatesEditor form={form} language={language} defaults={scheme ? templateDefaults?.[scheme]?.[language] : undefined} placeholders={options.data?.placeholders ?? {}} onReset={schedulePreview} />,
        }))}
      />
    </>
  );

  return (
    <Card title={t('title')} style={{ maxWidth: 1200 }}>
      <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
      <Spin spinning={settings.loading || options.loading}>
        {!settings.loading && !options.loading && !ready && <Alert type="error" showIcon title={t('loadFailed')} style={{ marginBottom: 16 }} data-testid="lab-settings-load-failed" />}
        <Form form={form} layout="vertical" onFinish={() => void save()} onValuesChange={valuesChanged} disabled={!ready} data-testid="lab-settings-form">
          <Tabs
            items={[
              { key: 'equations', forceRender: true, label: <span data-testid="tab-equations">{t('tab.equations')}</span>, children: equationsTab },
              { key: 'groups', forceRender: true, label: <span data-testid="tab-groups">{t('tab.groups')}</span>, children: groupsTab },
              { key: 'interpretation', forceRender: true, label: <span data-testid="tab-interpretation">{t('tab.interpretation')}</span>, children: interpretationTab },
              { key: 'templates', forceRender: true, label: <span data-testid="tab-templates">{t('tab.templates')}</span>, children: templatesTab },
            ]}
          />
          {saveErrors.length > 0 && (
            <Alert type="error" showIcon style={{ marginBottom: 16 }} title={t('saveFailed')} description={<ul style={{ margin: 0, paddingLeft: 18 }}>{saveErrors.map((e) => <li key={e}>{e}</li>)}</ul>} data-testid="lab-settings-errors" />
          )}
          <Form.Item style={{ marginTop: 24 }}>
            <Button type="primary" htmlType="submit" loading={saving} data-testid="save-lab-settings">
              {t('save')}
            </Button>
          </Form.Item>
        </Form>
        <PreviewPanel preview={preview} loading={previewing} errors={previewErrors} groupLabel={groupLabel} />
      </Spin>
    </Card>
  );
}
