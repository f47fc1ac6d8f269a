import { Button, Result } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { type PermissionNeed, useCan } from '../auth/SessionProvider.tsx';
import { useT } from '../i18n/I18nProvider.tsx';

export function ForbiddenResult() {
  const t = useT();
  return (
    <Result
      status="403"
      title="403"
      subTitle={t('result.forbidden')}
      data-testid="forbidden"
      extra={
        <Link to="/">
          <Button type="primary">{t('result.backHome')}</Button>
        </Link>
      }
    />
  );
}

export function NotFoundResult() {
  const t = useT();
  return (
    <Result
      status="404"
      title="404"
      subTitle={t('result.notFound')}
      extra={
        <Link to="/">
          <Button type="primary">{t('result.backHome')}</Button>
        </Link>
      }
    />
  );
}

/** Renders the page only for users holding the permission; others get the 403 result, never the content. */
export function RequirePermission({ permission, children }: { permission: PermissionNeed; children: ReactNode }) {
  return useCan(permission) ? children : <ForbiddenResult />;
}
