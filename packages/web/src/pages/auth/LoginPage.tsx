import { LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { type ReactNode, useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import { FullPageSpin } from '../../App.tsx';
import { ApiError } from '../../api/client.ts';
import { applyFieldErrors, errorTitle } from '../../api/forms.ts';
import { authApi } from '../../auth/api.ts';
import { useSession } from '../../auth/SessionProvider.tsx';
import { useT } from '../../i18n/I18nProvider.tsx';
import { LanguageSwitch } from '../../i18n/LanguageSwitch.tsx';
import type { MessageKey } from '../../i18n/zh.ts';
import { PasswordChangeForm } from './PasswordChangeForm.tsx';
import { TotpEnrolment } from './TotpEnrolment.tsx';

/** Sign-in and the steps a session may have to pass before it is active. */
export function LoginPage() {
  const { me, loading, refresh } = useSession();
  const location = useLocation();
  if (loading) return <FullPageSpin />;
  if (me?.state === 'active') {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && from !== '/login' ? from : '/'} replace />;
  }
  const refreshSession = async () => void (await refresh());

  switch (me?.state) {
    case 'mfa':
      return (
        <LoginShell title="login.totpTitle" hint="login.totpHint">
          <TotpStep />
        </LoginShell>
      );
    case 'password_change':
      return (
        <LoginShell title="login.passwordChangeTitle" hint="login.passwordChangeHint">
          <PasswordChangeForm policy={me.passwordPolicy} onDone={refreshSession} block />
        </LoginShell>
      );
    case 'mfa_enroll':
      return (
        <LoginShell title="login.enrolTitle" hint="login.enrolHint">
          <TotpEnrolment onDone={refreshSession} />
        </LoginShell>
      );
    default:
      return (
        <LoginShell title="login.title">
          <LoginForm />
        </LoginShell>
      );
  }
}

function LoginShell({ title, hint, children }: { title: MessageKey; hint?: MessageKey; children: ReactNode }) {
  const t = useT();
  const { me, logout } = useSession();
  return (
    <div style={{ minHeight: '100vh', display: 'flex', flexDirection: 'column', background: 'linear-gradient(135deg, #0b4f6c 0%, #0e6e8c 45%, #3aa6b9 100%)' }}>
      <Flex justify="flex-end" style={{ padding: '12px 24px' }}>
        <span style={{ background: 'rgba(255,255,255,.9)', borderRadius: 6 }}>
          <LanguageSwitch />
        </span>
      </Flex>
      <Flex flex={1} align="center" justify="center" gap={64} wrap style={{ padding: 24 }}>
        <div style={{ color: '#fff', maxWidth: 420 }}>
          <Flex align="center" gap={16}>
            <img src="/favicon.svg" alt="" width={56} height={56} style={{ borderRadius: 12, boxShadow: '0 4px 16px rgba(0,0,0,.2)' }} />
            <div>
              <div style={{ fontSize: 34, fontWeight: 700, letterSpacing: 2 }}>{t('app.shortName')}</div>
              <div style={{ fontSize: 20, opacity: 0.95 }}>{t('app.subtitle')}</div>
            </div>
          </Flex>
          <p style={{ marginTop: 24, opacity: 0.85, lineHeight: 1.8 }}>
            <SafetyOutlined /> {t('login.notice')}
          </p>
        </div>
        <Card style={{ width: 380, boxShadow: '0 8px 32px rgba(0,0,0,.18)' }} data-testid="login-card">
          <Typography.Title level={3} style={{ marginTop: 0 }}>
            {t(title)}
          </Typography.Title>
          {hint && <Typography.Paragraph type="secondary">{t(hint)}</Typography.Paragraph>}
          {children}
          {me && (
            <Button type="link" block onClick={() => void logout()} style={{ marginTop: 8 }}>
              {t('common.backToLogin')}
            </Button>
          )}
        </Card>
      </Flex>
      <div style={{ textAlign: 'center', color: 'rgba(255,255,255,.7)', padding: 16, fontSize: 12 }}>{t('app.footer')}</div>
    </div>
  );
}

interface Credentials {
  username: string;
  password: string;
}

function LoginForm() {
  const t = useT();
  const { login, notice } = useSession();
  const [form] = Form.useForm<Credentials>();
  const [error, setError] = useState<ApiError | null>(null);
  const [submitting, setSubmitting] = useState(false);

  async function submit(values: Credentials) {
    setSubmitting(true);
    setError(null);
    try {
      await login(values.username, values.password);
    } catch (caught) {
      form.setFieldValue('password', '');
      if (!applyFieldErrors(form, caught)) setError(caught instanceof ApiError ? caught : new ApiError(0, { title: errorTitle(caught) }));
    } finally {
      setSubmitting(false);
    }
  }

  const noticeText = notice === 'session-expired' ? t('login.sessionExpired') : notice?.title;
  return (
    <Form form={form} onFinish={submit} size="large" requiredMark={false}>
      {error ? (
        <Alert type={error.status === 423 || error.status === 403 ? 'error' : 'warning'} showIcon title={error.title} data-testid="login-error" style={{ marginBottom: 16 }} />
      ) : (
        noticeText && <Alert type="info" showIcon title={noticeText} data-testid="login-notice" style={{ marginBottom: 16 }} />
      )}
      <Form.Item name="username" rules={[{ required: true, message: t('login.usernameRequired') }]}>
        <Input prefix={<UserOutlined />} placeholder={t('login.username')} autoComplete="username" autoFocus data-testid="login-username" />
      </Form.Item>
      <Form.Item name="password" rules={[{ required: true, message: t('login.passwordRequired') }]}>
        <Input.Password prefix={<LockOutlined />} placeholder={t('login.password')} autoComplete="current-password" data-testid="login-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
        {t('login.submit')}
      </Button>
    </Form>
  );
}

function TotpStep() {
  const t = useT();
  const { message } = App.useApp();
  const { refresh, endSession } = useSession();
  const [code, setCode] = useState('');
  const [submitting, setSubmitting] = useState(false);

  async function submit() {
    setSubmitting(true);
    try {
      await authApi.loginTotp(code);
      await refresh();
    } catch (error) {
      // A wrong code ends the session on the server: start again from the password.
      if (error instanceof ApiError && error.status === 401) endSession({ title: error.title });
      else message.error(errorTitle(error));
      setCode('');
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <Form layout="vertical" onFinish={submit}>
      <Form.Item label={t('login.totpCode')}>
        <Input.OTP length={6} value={code} onChange={setCode} autoFocus data-testid="totp-code" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block size="large" loading={submitting} disabled={!/^\d{6}$/.test(code)}>
        {t('login.verify')}
      </Button>
    </Form>
  );
}
