import { App, Button, Card, Divider, Form, InputNumber, Spin, Switch } from 'antd';
import { useEffect, useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useT } from '../../../i18n/I18nProvider.tsx';
import { type SecurityPolicy, securityApi } from './api.ts';

export function SecurityPolicyPage() {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<SecurityPolicy>();
  const policy = useLoad<SecurityPolicy | null>(securityApi.policy, null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (policy.data) form.setFieldsValue(policy.data);
  }, [policy.data, form]);

  async function save(values: SecurityPolicy) {
    setSaving(true);
    try {
      form.setFieldsValue(await securityApi.save(values));
      message.success(t('common.saved'));
    } catch (error) {
      if (!applyFieldErrors(form, error)) message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  const number = (name: keyof SecurityPolicy, label: Parameters<typeof t>[0], min: number, max: number, extra?: Parameters<typeof t>[0]) => (
    <Form.Item name={name} label={t(label)} extra={extra && t(extra)} rules={[{ required: true }]}>
      <InputNumber min={min} max={max} precision={0} style={{ width: 160 }} />
    </Form.Item>
  );

  return (
    <Card title={t('security.title')} style={{ maxWidth: 720 }}>
      <Spin spinning={policy.loading}>
        <Form form={form} layout="horizontal" labelCol={{ span: 9 }} wrapperCol={{ span: 15 }} onFinish={save}>
          <Divider titlePlacement="left">{t('security.password')}</Divider>
          {number('passwordMinLength', 'security.passwordMinLength', 8, 64)}
          {number('passwordMinClasses', 'security.passwordMinClasses', 1, 4, 'security.passwordMinClassesHint')}
          {number('passwordMaxAgeDays', 'security.passwordMaxAgeDays', 0, 3650, 'security.passwordMaxAgeDaysHint')}
          <Divider titlePlacement="left">{t('security.lockout')}</Divider>
          {number('lockoutThreshold', 'security.lockoutThreshold', 1, 100)}
          {number('lockoutMinutes', 'security.lockoutMinutes', 1, 1440)}
          <Divider titlePlacement="left">{t('security.session')}</Divider>
          {number('idleTimeoutMinutes', 'security.idleTimeoutMinutes', 1, 1440)}
          {number('sessionMaxHours', 'security.sessionMaxHours', 1, 72)}
          <Form.Item name="mfaRequiredForAdmins" label={t('security.mfaRequiredForAdmins')} extra={t('security.mfaRequiredForAdminsHint')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item wrapperCol={{ offset: 9 }}>
            <Button type="primary" htmlType="submit" loading={saving} disabled={!policy.data}>
              {t('common.save')}
            </Button>
          </Form.Item>
        </Form>
      </Spin>
    </Card>
  );
}
