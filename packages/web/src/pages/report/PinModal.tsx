import { Alert, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { errorTitle } from '../../api/forms.ts';
import { useT } from '../../i18n/I18nProvider.tsx';

/**
 * Asks for the 签名密码 (signing PIN) and hands it to `onSubmit`; a refusal (wrong PIN, locked) stays in the dialog
 * with the server's title so the user can try again.
 */
export function PinModal({ open, title, okText, hint, label, onSubmit, onClose, testId = 'pin' }: {
  open: boolean;
  title: string;
  okText: string;
  hint?: string;
  /** The field's label; 签名密码 unless told (printing also takes the login password). */
  label?: string;
  onSubmit(pin: string): Promise<void>;
  onClose(): void;
  testId?: string;
}) {
  const t = useT();
  const [form] = Form.useForm<{ pin: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit({ pin }: { pin: string }) {
    setBusy(true);
    setError(null);
    try {
      await onSubmit(pin);
      form.resetFields();
    } catch (failure) {
      setError(errorTitle(failure));
      form.setFieldValue('pin', '');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={title}
      okText={okText}
      okButtonProps={{ loading: busy, 'data-testid': `${testId}-submit` }}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null);
        form.resetFields();
        onClose();
      }}
      destroyOnHidden
      data-testid={`${testId}-modal`}
    >
      {hint && <Typography.Paragraph type="secondary">{hint}</Typography.Paragraph>}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid={`${testId}-error`} />}
      <Form form={form} layout="vertical" onFinish={submit} preserve={false}>
        <Form.Item name="pin" label={label ?? t('sign.pin')} rules={[{ required: true, message: t('sign.pinRequired') }]}>
          <Input.Password autoFocus autoComplete="off" data-testid={`${testId}-input`} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
