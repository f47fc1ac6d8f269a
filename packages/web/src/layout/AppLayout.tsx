import { ApiOutlined, DownOutlined, LogoutOutlined, SettingOutlined, UserOutlined } from '@ant-design/icons';
import { App, Avatar, Dropdown, Layout, Select, Space, Typography } from 'antd';
import { Outlet, useNavigate } from 'react-router';
import { errorTitle } from '../api/forms.ts';
import { authApi, type Me } from '../auth/api.ts';
import { useSession } from '../auth/SessionProvider.tsx';
import { useLocalName, useT } from '../i18n/I18nProvider.tsx';
import { LanguageSwitch } from '../i18n/LanguageSwitch.tsx';
import { AppMenu } from './AppMenu.tsx';

const { Header, Sider, Content, Footer } = Layout;

export function AppLayout({ me }: { me: Me }) {
  const t = useT();
  const localName = useLocalName();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { refresh, logout } = useSession();

  async function switchCampus(campusId: string) {
    try {
      await authApi.switchCampus(campusId);
      const campus = me.campuses.find((c) => c.id === campusId);
      await refresh();
      if (campus) message.success(t('header.campusSwitched', { name: localName(campus) }));
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  const userMenu = {
    items: [
      { key: 'profile', icon: <SettingOutlined />, label: <span data-testid="user-menu-profile">{t('menu.profile')}</span> },
      { key: 'docs', icon: <ApiOutlined />, label: t('menu.apiDocs') },
      { type: 'divider' as const },
      { key: 'logout', icon: <LogoutOutlined />, danger: true, label: <span data-testid="user-menu-logout">{t('menu.logout')}</span> },
    ],
    onClick: async ({ key }: { key: string }) => {
      if (key === 'profile') navigate('/profile');
      if (key === 'docs') window.open('/api/docs', '_blank', 'noopener');
      if (key === 'logout') await logout();
    },
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider width={216} breakpoint="lg" collapsedWidth={64}>
        <div style={{ height: 64, display: 'flex', alignItems: 'center', gap: 10, padding: '0 20px', color: '#fff', overflow: 'hidden', whiteSpace: 'nowrap' }}>
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span style={{ fontSize: 18, fontWeight: 600, letterSpacing: 1 }}>{t('app.shortName')}</span>
        </div>
        <AppMenu permissions={me.permissions} />
      </Sider>
      <Layout>
        <Header style={{ background: '#fff', padding: '0 24px', display: 'flex', alignItems: 'center', justifyContent: 'space-between', boxShadow: '0 1px 4px rgba(0,21,41,.08)' }}>
          <Typography.Text strong style={{ fontSize: 16 }}>
            {t('app.subtitle')}
          </Typography.Text>
          <Space size="middle">
            {me.campuses.length > 0 && (
              <Space size={4}>
                <Typography.Text type="secondary">{t('header.campus')}</Typography.Text>
                <Select
                  data-testid="campus-switcher"
                  style={{ minWidth: 160 }}
                  value={me.campusId ?? undefined}
                  disabled={me.campuses.length < 2}
                  options={me.campuses.map((c) => ({ value: c.id, label: localName(c) }))}
                  onChange={switchCampus}
                />
              </Space>
            )}
            <LanguageSwitch />
            <Dropdown menu={userMenu} trigger={['click']}>
              <a data-testid="user-menu" onClick={(e) => e.preventDefault()} style={{ color: 'inherit' }}>
                <Space>
                  <Avatar size="small" icon={<UserOutlined />} style={{ background: '#0e6e8c' }} />
                  {me.user.displayName}
                  <DownOutlined style={{ fontSize: 10 }} />
                </Space>
              </a>
            </Dropdown>
          </Space>
        </Header>
        <Content style={{ margin: 24 }}>
          <Outlet />
        </Content>
        <Footer style={{ textAlign: 'center', color: '#8c8c8c', padding: '12px 24px' }}>{t('app.footer')}</Footer>
      </Layout>
    </Layout>
  );
}
