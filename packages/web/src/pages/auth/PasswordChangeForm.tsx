import { App, Button, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../api/forms.ts';
import { authApi, type Me, type SessionState } from '../../auth/api.ts';
import { useT } from '../../i18n/I18nProvider.tsx';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

/** Changing one's own password: the forced step after sign-in and the profile page share it. */
export function PasswordChangeForm({ policy, onDone, block }: { policy: Me['passwordPolicy']; onDone(state: SessionState): void | Promise<void>; block?: boolean }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);

  async function submit(values: Values) {
    setSaving(true);
    try {
      const { state } = await authApi.changePassword({ currentPassword: values.currentPassword, newPassword: values.newPassword });
      form.resetFields();
      message.success(t('password.changed'));
      await onDone(state);
    } catch (error) {
      if (!applyFieldErrors(form, error)) message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} data-testid="password-change-form">
      <Typography.Paragraph type="secondary">{t('password.policy', { minLength: policy.minLength, minClasses: policy.minClasses })}</Typography.Paragraph>
      <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item name="newPassword" label={t('password.new')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t('password.confirm')}
        dependencies={['newPassword']}
        rules={[
          { required: true, message: t('login.passwordRequired') },
          ({ getFieldValue }) => ({
            validator: (_, value) => (!value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={saving} block={block}>
        {t('password.submit')}
      </Button>
    </Form>
  );
}
