import { Card, Descriptions, Empty, Flex, Tag, Typography } from 'antd';
import { useLoad } from '../../api/useLoad.ts';
import { useSession } from '../../auth/SessionProvider.tsx';
import { useI18n, useLocalName } from '../../i18n/I18nProvider.tsx';
import { rolesApi } from '../admin/roles/api.ts';

export function HomePage() {
  const { me } = useSession();
  const { t, language } = useI18n();
  const localName = useLocalName();
  const { data: catalogue } = useLoad(rolesApi.permissions, []);
  if (!me) return null;
  const campus = me.campuses.find((c) => c.id === me.campusId);
  const permissionName = (code: string) => {
    const known = catalogue.find((p) => p.code === code);
    return known ? (language === 'en' ? known.nameEn : known.name) : code;
  };

  return (
    <Flex vertical gap={16}>
      <Card data-testid="welcome-card">
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t('home.welcome', { name: me.user.displayName })}
        </Typography.Title>
        <Descriptions column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('home.roles')}>
            {me.roles.length ? me.roles.map((r) => <Tag key={r.code} color="blue">{language === 'en' ? r.nameEn : r.name}</Tag>) : t('common.none')}
          </Descriptions.Item>
          <Descriptions.Item label={t('home.campus')}>{campus ? localName(campus) : t('common.none')}</Descriptions.Item>
          {me.user.passwordExpiresAt && (
            <Descriptions.Item label={t('home.passwordExpires')}>{new Date(me.user.passwordExpiresAt).toLocaleDateString(language)}</Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      <Card title={t('home.permissions')}>
        {me.permissions.length ? (
          <Flex wrap gap={8} data-testid="my-permissions">
            {me.permissions.map((code) => (
              <Tag key={code} title={code}>
                {permissionName(code)}
              </Tag>
            ))}
          </Flex>
        ) : (
          <Empty description={t('home.noPermissions')} />
        )}
      </Card>
    </Flex>
  );
}
