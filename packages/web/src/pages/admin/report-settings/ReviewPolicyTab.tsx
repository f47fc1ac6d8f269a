import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Col, Divider, Flex, Form, type FormInstance, Input, InputNumber, Row, Select, Space, Spin, Switch, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { ApiError } from '../../../api/client.ts';
import { applyFieldErrors, errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useT } from '../../../i18n/I18nProvider.tsx';
import { APPROVE_LEVEL_PERMISSIONS, KNOWN_ROLE_CODES, MAX_LEVELS, reportSettingsApi, type ReviewPolicy } from './api.ts';
import { DEFAULT_CHILD_AGE, formToPolicy, isConditional, type LevelForm, newLevel, type PolicyForm, policyToForm } from './settings-model.ts';

/**
 * Puts the server's errors about one level's condition (body.levels.N.when.authorRoles, e.g. an unknown role code) on
 * that level's field of the form, which keeps the conditions flat.
 */
function levelFieldErrors(form: FormInstance<PolicyForm>, error: unknown): boolean {
  if (!(error instanceof ApiError) || !error.errors?.length) return false;
  const fields = error.errors.flatMap(({ field, message }) => {
    const match = /^body\.levels\.(\d+)\.(?:when\.)?(name|nameEn|permission|abnormal|ageBelow|authorRoles)$/.exec(field);
    return match ? [{ name: ['levels', Number(match[1]), match[2] as keyof LevelForm] as ['levels', number, keyof LevelForm], errors: [message] }] : [];
  });
  if (!fields.length) return false;
  form.setFields(fields);
  return true;
}

/** 审核流程: the levels a report passes, the four-eyes rule and the PIN on printing. */
export function ReviewPolicyTab() {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<PolicyForm>();
  const policy = useLoad<ReviewPolicy | null>(reportSettingsApi.policy, null);
  const [saving, setSaving] = useState(false);
  const levels = Form.useWatch('levels', form) as LevelForm[] | undefined;
  const noUnconditionalLevel = !!levels?.length && levels.every((l) => l && isConditional(l));

  useEffect(() => {
    if (policy.data) form.setFieldsValue(policyToForm(policy.data));
  }, [policy.data, form]);

  async function save(values: PolicyForm) {
    setSaving(true);
    try {
      form.setFieldsValue(policyToForm(await reportSettingsApi.savePolicy(formToPolicy(values))));
      message.success(t('common.saved'));
    } catch (error) {
      if (!levelFieldErrors(form, error) && !applyFieldErrors(form, error)) message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  const roleOptions = KNOWN_ROLE_CODES.map((code) => ({ value: code, label: `${t(`reportSettings.role.${code}`)}（${code}）` }));

  return (
    <Spin spinning={policy.loading}>
      {!policy.loading && !policy.data && <Alert type="error" showIcon title={t('reportSettings.loadFailed')} style={{ marginBottom: 16 }} data-testid="policy-load-failed" />}
      <Alert type="info" showIcon title={t('reportSettings.chainFixedAtSubmit')} description={t('reportSettings.chainHelp')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" onFinish={save} data-testid="review-policy-form" disabled={!policy.data}>
        <Form.List
          name="levels"
          rules={[
            {
              validator: (_, value: LevelForm[] | undefined) =>
                !value?.length ? Promise.reject(new Error(t('reportSettings.levelsRequired'))) : value.length > MAX_LEVELS ? Promise.reject(new Error(t('reportSettings.levelsMax'))) : Promise.resolve(),
            },
          ]}
        >
          {(fields, { add, remove, move }, { errors }) => (
            <Flex vertical gap={12}>
              {fields.map((field, index) => {
                const level = levels?.[index];
                const conditional = !!level && isConditional(level);
                return (
                  <Card
                    key={field.key}
                    size="small"
                    data-testid={`review-level-${index}`}
                    title={
                      <Space>
                        {t('report.levelN', { n: index + 1 })}
                        <Tag color={conditional ? 'orange' : 'blue'}>{conditional ? t('reportSettings.whenMatching') : t('reportSettings.always')}</Tag>
                      </Space>
                    }
                    extra={
                      <Space size={4}>
                        <Tooltip title={t('reportSettings.moveUp')}>
                          <Button type="text" size="small" icon={<ArrowUpOutlined />} aria-label={t('reportSettings.moveUp')} disabled={index === 0} onClick={() => move(index, index - 1)} />
                        </Tooltip>
                        <Tooltip title={t('reportSettings.moveDown')}>
                          <Button type="text" size="small" icon={<ArrowDownOutlined />} aria-label={t('reportSettings.moveDown')} disabled={index === fields.length - 1} onClick={() => move(index, index + 1)} />
                        </Tooltip>
                        <Tooltip title={t('reportSettings.removeLevel')}>
                          <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('reportSettings.removeLevel')} disabled={fields.length <= 1} onClick={() => remove(index)} data-testid={`remove-level-${index}`} />
                        </Tooltip>
                      </Space>
                    }
                  >
                    <Row gutter={12}>
                      <Col xs={24} md={8}>
                        <Form.Item name={[field.name, 'name']} label={t('reportSettings.levelName')} rules={[{ required: true, whitespace: true, message: t('reportSettings.levelNameRequired') }, { max: 20 }]}>
                          <Input maxLength={20} placeholder={t('reportSettings.levelNamePlaceholder')} />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={8}>
                        <Form.Item name={[field.name, 'nameEn']} label={t('reportSettings.levelNameEn')} rules={[{ required: true, whitespace: true, message: t('reportSettings.levelNameEnRequired') }, { max: 40 }]}>
                          <Input maxLength={40} placeholder="Reviewing physician" />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={8}>
                        <Form.Item name={[field.name, 'permission']} label={t('reportSettings.levelPermission')} rules={[{ required: true, message: t('reportSettings.levelPermissionRequired') }]}>
                          <Select options={APPROVE_LEVEL_PERMISSIONS.map((p) => ({ value: p, label: `${t(`reportSettings.permission.${p}`)}（${p}）` }))} />
                        </Form.Item>
                      </Col>
                    </Row>
                    <Typography.Text strong>{t('reportSettings.conditions')}</Typography.Text>
                    <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
                      {t('reportSettings.conditionsHint')}
                    </Typography.Paragraph>
                    <Flex gap={24} wrap align="flex-start">
                      <Form.Item name={[field.name, 'abnormal']} valuePropName="checked" style={{ marginBottom: 0 }}>
                        <Checkbox>{t('reportSettings.whenAbnormal')}</Checkbox>
                      </Form.Item>
                      <Space align="start">
                        <Form.Item name={[field.name, 'child']} valuePropName="checked" style={{ marginBottom: 0 }}>
                          <Checkbox
                            onChange={(e) => {
                              if (e.target.checked && level?.ageBelow == null) form.setFieldValue(['levels', field.name, 'ageBelow'], DEFAULT_CHILD_AGE);
                            }}
                          >
                            {t('reportSettings.whenChild')}
                          </Checkbox>
                        </Form.Item>
                        <Form.Item name={[field.name, 'ageBelow']} style={{ marginBottom: 0 }} rules={[{ required: !!level?.child, message: t('reportSettings.ageRequired') }]}>
                          <InputNumber min={1} max={30} step={1} disabled={!level?.child} prefix={t('reportSettings.ageBelowPrefix')} suffix={t('reportSettings.ageBelowSuffix')} style={{ width: 170 }} />
                        </Form.Item>
                      </Space>
                      <Form.Item name={[field.name, 'authorRoles']} label={t('reportSettings.whenAuthorRoles')} extra={t('reportSettings.authorRolesHint')} style={{ marginBottom: 0, minWidth: 320, flex: 1 }}>
                        <Select mode="tags" allowClear options={roleOptions} tokenSeparators={[',', '，', ' ']} maxCount={10} placeholder={t('reportSettings.authorRolesPlaceholder')} />
                      </Form.Item>
                    </Flex>
                  </Card>
                );
              })}
              <Form.ErrorList errors={errors} />
              {noUnconditionalLevel && <Alert type="warning" showIcon title={t('reportSettings.noUnconditionalLevel')} data-testid="no-unconditional-level" />}
              <div>
                <Button icon={<PlusOutlined />} disabled={fields.length >= MAX_LEVELS} onClick={() => add(newLevel(levels ?? []))} data-testid="add-level">
                  {t('reportSettings.addLevel')}
                </Button>
                <Typography.Text type="secondary" style={{ marginLeft: 12 }}>
                  {t('reportSettings.levelsLimit')}
                </Typography.Text>
              </div>
            </Flex>
          )}
        </Form.List>

        <Divider />
        <Form.Item name="fourEyes" label={t('reportSettings.fourEyes')} extra={t('reportSettings.fourEyesHint')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="pinOnPrint" label={t('reportSettings.pinOnPrint')} extra={t('reportSettings.pinOnPrintHint')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={saving} data-testid="save-policy">
            {t('common.save')}
          </Button>
        </Form.Item>
      </Form>
    </Spin>
  );
}
