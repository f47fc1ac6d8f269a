import { App, Button, Card, Drawer, Space, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useCan } from '../../../auth/SessionProvider.tsx';
import { useI18n } from '../../../i18n/I18nProvider.tsx';
import { type HisView, hisViewsApi } from './api.ts';
import { ViewEditor } from './ViewEditor.tsx';
import { WriteBackCard } from './WriteBackCard.tsx';

/** 接口视图维护: the HIS lookups behind intake, their live status, and their versioned definitions. */
export function HisViewsPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canEdit = useCan('his.views.edit');
  const views = useLoad(hisViewsApi.list, []);
  const [openCode, setOpenCode] = useState<string | null>(null);
  const open = views.data.find((v) => v.code === openCode) ?? null;

  async function setEnabled(view: HisView, enabled: boolean) {
    try {
      await hisViewsApi.setEnabled(view.code, enabled);
      void views.reload();
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t('hisViews.title')} extra={<Button onClick={() => void views.reload()}>{t('worklist.refresh')}</Button>}>
        <Table<HisView>
          rowKey="code"
          size="middle"
          loading={views.loading}
          dataSource={views.data}
          pagination={false}
          data-testid="his-views-table"
          scroll={{ x: 1000 }}
          columns={[
            {
              title: t('hisViews.view'),
              key: 'view',
              render: (_, v) => (
                <Space orientation="vertical" size={0}>
                  <Typography.Text strong>{v.name}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }}>
                    {v.code}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: t('hisViews.version'), dataIndex: 'version', width: 70, render: (n: number) => `v${n}` },
            {
              title: t('common.active'),
              dataIndex: 'enabled',
              width: 80,
              render: (enabled: boolean, v) => <Switch size="small" checked={enabled} disabled={!canEdit} onChange={(on) => void setEnabled(v, on)} />,
            },
            {
              title: t('hisViews.lastSuccess'),
              key: 'lastSuccess',
              width: 180,
              render: (_, v) => (v.status.lastSuccessAt ? new Date(v.status.lastSuccessAt).toLocaleString(language) : <Typography.Text type="secondary">{t('hisViews.never')}</Typography.Text>),
            },
            { title: t('hisViews.calls'), key: 'calls', width: 90, render: (_, v) => v.status.calls },
            {
              title: t('hisViews.errorRate'),
              key: 'errorRate',
              width: 90,
              render: (_, v) => <Tag color={v.status.errorRate === 0 ? 'green' : v.status.errorRate < 0.05 ? 'orange' : 'red'}>{(v.status.errorRate * 100).toFixed(1)}%</Tag>,
            },
            { title: t('hisViews.medianLatency'), key: 'latency', width: 110, render: (_, v) => (v.status.medianLatencyMs === null ? '—' : `${v.status.medianLatencyMs} ms`) },
            {
              title: t('common.actions'),
              width: 90,
              render: (_, v) => (
                <Button type="link" size="small" onClick={() => setOpenCode(v.code)} data-testid={`edit-view-${v.code}`}>
                  {canEdit ? t('common.edit') : t('hisViews.open')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <WriteBackCard canEdit={canEdit} />
      <Drawer open={!!open} size={1200} title={open && `${open.name} · ${open.code} · v${open.version}`} onClose={() => setOpenCode(null)} destroyOnHidden>
        {open && <ViewEditor key={`${open.code}@${open.version}`} view={open} canEdit={canEdit} onChanged={() => void views.reload()} />}
      </Drawer>
    </Space>
  );
}
