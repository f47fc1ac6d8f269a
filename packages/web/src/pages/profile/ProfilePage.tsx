import { App, Button, Card, Descriptions, Flex, Form, Input, Modal, Tag } from 'antd';
import { useState } from 'react';
import { errorTitle } from '../../api/forms.ts';
import { authApi } from '../../auth/api.ts';
import { useCan, useSession } from '../../auth/SessionProvider.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { PasswordChangeForm } from '../auth/PasswordChangeForm.tsx';
import { TotpEnrolment } from '../auth/TotpEnrolment.tsx';
import { SignatureCard } from './SignatureCard.tsx';

export function ProfilePage() {
  const { t, language } = useI18n();
  const { me, refresh } = useSession();
  const { message } = App.useApp();
  const [enrolling, setEnrolling] = useState(false);
  const [disabling, setDisabling] = useState(false);
  // Whoever's name goes on a report: the technician's signature image too, the physicians' signing keys.
  const signsReports = useCan(['report.draft', 'report.write', 'report.approve.level1']);
  if (!me) return null;

  async function disableTotp({ password }: { password: string }) {
    try {
      await authApi.disableTotp(password);
      message.success(t('totp.disabled'));
      setDisabling(false);
      await refresh();
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  return (
    <Flex vertical gap={16} style={{ maxWidth: 720 }}>
      <Card title={t('profile.account')}>
        <Descriptions column={1}>
          <Descriptions.Item label={t('profile.username')}>{me.user.username}</Descriptions.Item>
          <Descriptions.Item label={t('profile.displayName')}>{me.user.displayName}</Descriptions.Item>
          <Descriptions.Item label={t('home.roles')}>{me.roles.map((r) => (language === 'en' ? r.nameEn : r.name)).join('、') || t('common.none')}</Descriptions.Item>
          <Descriptions.Item label={t('home.passwordExpires')}>
            {me.user.passwordExpiresAt ? new Date(me.user.passwordExpiresAt).toLocaleString(language) : t('profile.passwordNeverExpires')}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('profile.password')}>
        <div style={{ maxWidth: 360 }}>
          <PasswordChangeForm policy={me.passwordPolicy} onDone={() => void refresh()} />
        </div>
      </Card>
      <Card title={t('profile.totp')} extra={<Tag color={me.user.totpEnabled ? 'green' : 'default'}>{me.user.totpEnabled ? t('totp.statusOn') : t('totp.statusOff')}</Tag>}>
        {me.user.totpEnabled ? (
          <Button danger onClick={() => setDisabling(true)}>
            {t('totp.disable')}
          </Button>
        ) : enrolling ? (
          <div style={{ maxWidth: 320 }}>
            <TotpEnrolment
              onDone={async () => {
                setEnrolling(false);
                await refresh();
              }}
            />
          </div>
        ) : (
          <Button type="primary" onClick={() => setEnrolling(true)}>
            {t('totp.start')}
          </Button>
        )}
      </Card>
      {signsReports && <SignatureCard />}
      <Modal open={disabling} title={t('totp.disable')} onCancel={() => setDisabling(false)} footer={null} destroyOnHidden>
        <Form layout="vertical" onFinish={disableTotp}>
          <Form.Item name="password" label={t('totp.disablePrompt')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button danger type="primary" htmlType="submit">
            {t('totp.disable')}
          </Button>
        </Form>
      </Modal>
    </Flex>
  );
}
