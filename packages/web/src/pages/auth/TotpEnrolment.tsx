import { App, Button, Flex, Form, Input, QRCode, Spin, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { errorTitle } from '../../api/forms.ts';
import { authApi, type SessionState } from '../../auth/api.ts';
import { useT } from '../../i18n/I18nProvider.tsx';

/** Starts a TOTP enrolment on mount, shows the QR code and secret, and confirms with a code. */
export function TotpEnrolment({ onDone }: { onDone(state: SessionState): void | Promise<void> }) {
  const t = useT();
  const { message } = App.useApp();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [code, setCode] = useState('');
  const [saving, setSaving] = useState(false);
  // Each call issues a new secret: ask once even when effects run twice (StrictMode).
  const requested = useRef(false);

  useEffect(() => {
    if (requested.current) return;
    requested.current = true;
    authApi.beginTotpEnrolment().then(setEnrolment, (error: unknown) => message.error(errorTitle(error)));
  }, [message]);

  async function confirm() {
    setSaving(true);
    try {
      const { state } = await authApi.confirmTotp(code);
      message.success(t('totp.enrolled'));
      await onDone(state);
    } catch (error) {
      message.error(errorTitle(error));
      setCode('');
    } finally {
      setSaving(false);
    }
  }

  if (!enrolment) return <Spin />;
  return (
    <Flex vertical align="center" gap={12} data-testid="totp-enrolment">
      <QRCode value={enrolment.otpauthUri} size={180} />
      <Typography.Text type="secondary">{t('totp.secret')}</Typography.Text>
      <Typography.Text code copyable data-testid="totp-secret">
        {enrolment.secret}
      </Typography.Text>
      <Form layout="vertical" onFinish={confirm} style={{ width: '100%' }}>
        <Form.Item label={t('login.totpCode')}>
          <Input.OTP length={6} value={code} onChange={setCode} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={saving} disabled={!/^\d{6}$/.test(code)}>
          {t('totp.confirm')}
        </Button>
      </Form>
    </Flex>
  );
}
