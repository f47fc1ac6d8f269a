import { Card, Tabs } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useT } from '../../../i18n/I18nProvider.tsx';
import { MonitorTab } from './MonitorTab.tsx';
import { TargetsTab } from './TargetsTab.tsx';

const TABS = ['monitor', 'targets'] as const;

/** 上传监控 and 发送目标: how approved reports reach the HIS, for the system administrator. */
export function DeliveryPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((k) => k === params.get('tab')) ?? 'monitor';
  const [createRequested, setCreateRequested] = useState(false);
  const show = (key: string) => setParams(key === 'monitor' ? {} : { tab: key }, { replace: true });
  return (
    <Card title={t('delivery.title')}>
      <Tabs
        activeKey={tab}
        onChange={show}
        destroyOnHidden
        items={[
          {
            key: 'monitor',
            label: <span data-testid="tab-monitor">{t('delivery.tab.monitor')}</span>,
            children: (
              <MonitorTab
                onConfigure={() => {
                  setCreateRequested(true);
                  show('targets');
                }}
              />
            ),
          },
          {
            key: 'targets',
            label: <span data-testid="tab-targets">{t('delivery.tab.targets')}</span>,
            children: <TargetsTab createRequested={createRequested} onCreateHandled={() => setCreateRequested(false)} />,
          },
        ]}
      />
    </Card>
  );
}
