import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Descriptions, Form, Input, Select, Table, Tag, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { errorTitle } from '../../api/forms.ts';
import { useLoad } from '../../api/useLoad.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { type AuditEntry, type AuditFilter, type AuditOutcome, type AuditVerdict, auditApi } from './api.ts';

interface FilterValues extends Omit<AuditFilter, 'from' | 'to'> {
  range?: Array<{ toISOString(): string } | null> | null;
}

const OUTCOME_COLORS: Record<AuditOutcome, string> = { success: 'green', failure: 'orange', denied: 'red' };
const EMPTY_PAGE = { total: 0, page: 1, pageSize: 20, items: [] as AuditEntry[] };

export function AuditLogPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [filter, setFilter] = useState<AuditFilter>({});
  const [paging, setPaging] = useState({ page: 1, pageSize: 20 });
  const [verdict, setVerdict] = useState<AuditVerdict | null>(null);
  const [verifying, setVerifying] = useState(false);
  const load = useCallback(() => auditApi.entries(filter, paging.page, paging.pageSize), [filter, paging]);
  const entries = useLoad(load, EMPTY_PAGE);

  function search({ range, ...rest }: FilterValues) {
    const from = range?.[0]?.toISOString();
    const to = range?.[1]?.toISOString();
    setFilter({ ...rest, from, to });
    setPaging((p) => ({ ...p, page: 1 }));
  }

  async function verify() {
    setVerifying(true);
    try {
      setVerdict(await auditApi.verify());
    } catch (error) {
      message.error(errorTitle(error));
    } finally {
      setVerifying(false);
    }
  }

  const json = (value: unknown) =>
    value === null || value === undefined ? (
      '—'
    ) : (
      <pre style={{ margin: 0, maxHeight: 240, overflow: 'auto', fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{JSON.stringify(value, null, 2)}</pre>
    );

  return (
    <Card
      title={t('audit.title')}
      extra={
        <Button icon={<SafetyCertificateOutlined />} onClick={verify} loading={verifying} data-testid="audit-verify">
          {t('audit.verify')}
        </Button>
      }
    >
      {verdict && (
        <Alert
          style={{ marginBottom: 16 }}
          closable={{ onClose: () => setVerdict(null) }}
          showIcon
          type={verdict.ok ? 'success' : 'error'}
          data-testid="audit-verdict"
          title={verdict.ok ? t('audit.verifyOk', { n: verdict.checked }) : t('audit.verifyBroken', { id: verdict.brokenAtId ?? '?', reason: verdict.reason ?? '' })}
          description={verdict.headHash && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{verdict.headHash}</Typography.Text>}
        />
      )}
      <Form<FilterValues> layout="inline" onFinish={search} style={{ marginBottom: 16, rowGap: 8 }}>
        <Form.Item name="range" label={t('audit.range')}>
          <DatePicker.RangePicker showTime />
        </Form.Item>
        <Form.Item name="actor" label={t('audit.actor')}>
          <Input allowClear style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="action" label={t('audit.action')}>
          <Input allowClear placeholder={t('audit.actionHint')} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="entityType" label={t('audit.entityType')}>
          <Input allowClear style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="entityId" label={t('audit.entityId')}>
          <Input allowClear style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="outcome" label={t('audit.outcome')}>
          <Select allowClear style={{ width: 100 }} options={(['success', 'failure', 'denied'] as const).map((o) => ({ value: o, label: t(`audit.outcome.${o}`) }))} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit">
            {t('common.search')}
          </Button>
        </Form.Item>
      </Form>
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        loading={entries.loading}
        dataSource={entries.data.items}
        scroll={{ x: 1000 }}
        pagination={{
          current: paging.page,
          pageSize: paging.pageSize,
          total: entries.data.total,
          showSizeChanger: true,
          showTotal: (n) => t('audit.total', { n }),
          onChange: (page, pageSize) => setPaging({ page, pageSize }),
        }}
        expandable={{
          expandedRowRender: (entry) => (
            <Descriptions size="small" bordered column={1}>
              <Descriptions.Item label={t('audit.before')}>{json(entry.before)}</Descriptions.Item>
              <Descriptions.Item label={t('audit.after')}>{json(entry.after)}</Descriptions.Item>
              <Descriptions.Item label={t('audit.detail')}>{json(entry.detail)}</Descriptions.Item>
              <Descriptions.Item label={t('audit.hash')}>
                <Typography.Text code style={{ fontSize: 12 }}>
                  {entry.hash}
                </Typography.Text>
              </Descriptions.Item>
            </Descriptions>
          ),
        }}
        columns={[
          { title: '#', dataIndex: 'id', width: 70 },
          { title: t('audit.time'), dataIndex: 'occurredAt', width: 180, render: (iso: string) => new Date(iso).toLocaleString(language) },
          { title: t('audit.actor'), dataIndex: 'actorName', width: 120 },
          { title: t('audit.action'), dataIndex: 'action', render: (action: string) => <Typography.Text code>{action}</Typography.Text> },
          { title: t('audit.outcome'), dataIndex: 'outcome', width: 90, render: (o: AuditOutcome) => <Tag color={OUTCOME_COLORS[o]}>{t(`audit.outcome.${o}`)}</Tag> },
          { title: t('audit.entityType'), dataIndex: 'entityType', width: 120 },
          { title: t('audit.entityId'), dataIndex: 'entityId', ellipsis: true },
          { title: t('audit.ip'), dataIndex: 'ip', width: 130 },
        ]}
      />
    </Card>
  );
}
