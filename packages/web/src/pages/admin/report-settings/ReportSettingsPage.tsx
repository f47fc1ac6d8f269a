import { Card, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { useT } from '../../../i18n/I18nProvider.tsx';
import { ReportLayoutTab } from './ReportLayoutTab.tsx';
import { ReviewPolicyTab } from './ReviewPolicyTab.tsx';
import { SigningTrustTab } from './SigningTrustTab.tsx';

const TABS = ['layout', 'review', 'signing'] as const;

/** 报告设置: the printed report's layout and the review chain, for the system administrator. */
export function ReportSettingsPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((k) => k === params.get('tab')) ?? 'layout';
  return (
    <Card title={t('reportSettings.title')} style={{ maxWidth: 960 }}>
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(key === 'layout' ? {} : { tab: key }, { replace: true })}
        items={[
          { key: 'layout', label: <span data-testid="tab-layout">{t('reportSettings.layoutTab')}</span>, children: <ReportLayoutTab /> },
          { key: 'review', label: <span data-testid="tab-review">{t('reportSettings.reviewTab')}</span>, children: <ReviewPolicyTab /> },
          { key: 'signing', label: <span data-testid="tab-signing">{t('reportSettings.signingTab')}</span>, children: <SigningTrustTab /> },
        ]}
      />
    </Card>
  );
}
