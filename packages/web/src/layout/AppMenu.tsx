import { Menu } from 'antd';
import { Link, useLocation } from 'react-router';
import { useT } from '../i18n/I18nProvider.tsx';
import { selectedNavKey, visibleNavItems } from './navigation.tsx';

export function AppMenu({ permissions }: { permissions: readonly string[] }) {
  const t = useT();
  const { pathname } = useLocation();
  const selected = selectedNavKey(pathname);
  return (
    <Menu
      mode="inline"
      theme="dark"
      data-testid="side-menu"
      selectedKeys={selected ? [selected] : []}
      items={visibleNavItems(permissions).map((item) => ({
        key: item.key,
        icon: item.icon,
        label: (
          <Link to={item.path} data-testid={`menu-${item.key}`}>
            {t(item.label)}
          </Link>
        ),
      }))}
    />
  );
}
