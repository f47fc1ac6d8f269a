import { ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Drawer, Empty, Flex, Popconfirm, Row, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorTitle } from '../../../api/forms.ts';
import { useI18n } from '../../../i18n/I18nProvider.tsx';
import { type DeliveryAttempt, type DeliveryJob, type DeliveryJobStatus, type DeliveryOverview, type DeliveryTargetStatus, deliveryApi, isKind, JOB_STATUSES } from './api.ts';
import { formatWaiting, isRevocation, type TargetHealth, targetHealth } from './target-model.ts';

export const REFRESH_MS = 10_000;
const JOB_LIMIT = 200;

const statusColor: Record<DeliveryJobStatus, string> = { pending: 'processing', failed: 'error', done: 'success' };
const healthColor: Record<TargetHealth, string> = { failed: 'red', delayed: 'orange', ok: 'green', disabled: 'default' };
const monospace = { fontFamily: 'Consolas, "Courier New", monospace', fontSize: 12 };

/** 上传监控: each target's queue, the jobs with their reasons in Chinese, resend and the attempt log. Refreshes itself. */
export function MonitorTab({ onConfigure }: { onConfigure(): void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [status, setStatus] = useState<DeliveryJobStatus>();
  const [targetId, setTargetId] = useState<string>();
  const [overview, setOverview] = useState<DeliveryOverview | null>(null);
  const [jobs, setJobs] = useState<DeliveryJob[]>([]);
  const [loading, setLoading] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [tick, setTick] = useState(0);
  const [opened, setOpened] = useState<DeliveryJob | null>(null);
  /** Only the newest request may set the data (filters can change while an older one is still out). */
  const latest = useRef(0);
  /** A failing refresh is reported once, not every 10 seconds. */
  const failing = useRef(false);

  const refresh = useCallback(
    async (quiet = false) => {
      const request = ++latest.current;
      if (!quiet) setLoading(true);
      try {
        const [nextOverview, nextJobs] = await Promise.all([deliveryApi.overview(), deliveryApi.jobs({ status, targetId, limit: JOB_LIMIT })]);
        if (request !== latest.current) return;
        setOverview(nextOverview);
        setJobs(nextJobs);
        setUpdatedAt(new Date());
        setTick((n) => n + 1);
        failing.current = false;
      } catch (error) {
        if (request === latest.current && !failing.current) message.error(errorTitle(error));
        failing.current = true;
      } finally {
        if (request === latest.current) setLoading(false);
      }
    },
    [status, targetId, message],
  );

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      if (!document.hidden) void refresh(true);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  async function resend(job: DeliveryJob) {
    try {
      const reply = await deliveryApi.resend(job.id);
      message.success(reply.status === 'done' ? t('delivery.resendDoneHint') : t('delivery.resent'));
    } catch (error) {
      message.error(errorTitle(error));
    }
    await refresh(true);
  }

  const targets = overview?.targets ?? [];
  const targetName = (id: string) => targets.find((x) => x.id === id)?.name ?? id;
  /** Today's times without the date (the next attempt is minutes away), other days with it. */
  const shortTime = (iso: string) => {
    const at = new Date(iso);
    return at.toDateString() === new Date().toDateString() ? at.toLocaleTimeString(language) : at.toLocaleString(language);
  };
  const jobLabel = (job: DeliveryJob) => [job.requestNo, job.accessionNo, job.patientName].filter(Boolean).join(' · ') || `#${job.id}`;

  return (
    <Flex vertical gap={16}>
      {!!overview?.awaitingFanOut && (
        <Alert type="info" showIcon title={t('delivery.awaitingFanOut', { n: overview.awaitingFanOut })} description={t('delivery.awaitingFanOutHint')} data-testid="delivery-fan-out" />
      )}
      {overview && targets.length === 0 && (
        <Alert
          type="warning"
          showIcon
          title={t('delivery.noTargets')}
          action={
            <Button size="small" type="primary" onClick={onConfigure}>
              {t('delivery.addTarget')}
            </Button>
          }
          data-testid="delivery-no-targets"
        />
      )}
      <Row gutter={[12, 12]}>
        {targets.map((target) => (
          <Col key={target.id} xs={24} sm={12} lg={8} xxl={6}>
            <TargetCard target={target} selected={target.id === targetId} onSelect={() => setTargetId(target.id === targetId ? undefined : target.id)} />
          </Col>
        ))}
      </Row>

      <Card
        size="small"
        title={t('delivery.jobs')}
        extra={
          <Space wrap>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('delivery.autoRefresh')}
              {updatedAt && ` · ${t('delivery.updatedAt', { time: updatedAt.toLocaleTimeString(language) })}`}
            </Typography.Text>
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void refresh()} data-testid="delivery-refresh">
              {t('worklist.refresh')}
            </Button>
          </Space>
        }
      >
        <Space wrap style={{ marginBottom: 12 }}>
          <Select<DeliveryJobStatus>
            allowClear
            style={{ width: 180 }}
            placeholder={t('delivery.allStatuses')}
            value={status}
            onChange={setStatus}
            options={JOB_STATUSES.map((s) => ({ value: s, label: t(`delivery.status.${s}`) }))}
            data-testid="delivery-status-filter"
          />
          <Select<string>
            allowClear
            style={{ width: 220 }}
            placeholder={t('delivery.allTargets')}
            value={targetId}
            onChange={setTargetId}
            options={targets.map((x) => ({ value: x.id, label: x.name }))}
            data-testid="delivery-target-filter"
          />
        </Space>
        <Table<DeliveryJob>
          rowKey="id"
          size="middle"
          loading={loading}
          dataSource={jobs}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('delivery.noJobs')} /> }}
          data-testid="delivery-jobs"
          columns={[
            {
              title: `${t('delivery.job.requestNo')} / ${t('delivery.job.accessionNo')}`,
              key: 'numbers',
              width: 200,
              render: (_, job) => (
                <Flex vertical>
                  <span>{job.requestNo ?? '—'}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {job.accessionNo ?? '—'}
                  </Typography.Text>
                </Flex>
              ),
            },
            { title: t('delivery.job.patient'), dataIndex: 'patientName', width: 80, render: (v: string | null) => v ?? '—' },
            ...(targetId ? [] : [{ title: t('delivery.job.target'), dataIndex: 'targetId', width: 140, render: targetName }]),
            {
              title: t('delivery.job.version'),
              dataIndex: 'version',
              width: 70,
              render: (v: number, job: DeliveryJob) => (
                <Space size={4}>
                  {`v${v}`}
                  {isRevocation(job.key) && <Tag color="volcano">{t('delivery.revocation')}</Tag>}
                </Space>
              ),
            },
            { title: t('delivery.job.attempts'), dataIndex: 'attempts', width: 80, align: 'right' as const },
            {
              title: t('common.status'),
              dataIndex: 'status',
              width: 110,
              render: (s: DeliveryJobStatus) => (
                <Tag color={statusColor[s]} data-testid="job-status">
                  {t(`delivery.status.${s}`)}
                </Tag>
              ),
            },
            {
              title: t('delivery.job.reason'),
              key: 'reason',
              render: (_: unknown, job: DeliveryJob) =>
                job.reasonZh ? (
                  <Tooltip title={job.lastError && <span style={monospace}>{job.lastError}</span>}>
                    <Typography.Text type={job.status === 'done' ? 'secondary' : 'danger'} data-testid="job-reason" style={{ cursor: 'help' }}>
                      {job.reasonZh}
                    </Typography.Text>
                  </Tooltip>
                ) : (
                  '—'
                ),
            },
            {
              title: t('delivery.job.nextAttempt'),
              key: 'next',
              width: 120,
              render: (_: unknown, job: DeliveryJob) =>
                job.status === 'pending' ? (
                  shortTime(job.nextAttemptAt)
                ) : job.status === 'done' && job.doneAt ? (
                  <Typography.Text type="secondary">{t('delivery.job.deliveredAt', { time: shortTime(job.doneAt) })}</Typography.Text>
                ) : (
                  '—'
                ),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 160,
              render: (_: unknown, job: DeliveryJob) => (
                <Space size={0}>
                  {job.status === 'done' ? (
                    <Tooltip title={t('delivery.resendDoneHint')}>
                      <Button type="link" size="small" disabled>
                        {t('delivery.resend')}
                      </Button>
                    </Tooltip>
                  ) : (
                    <Popconfirm
                      title={t('delivery.resendConfirm')}
                      description={<div style={{ maxWidth: 320 }}>{t('delivery.resendConfirmHint')}</div>}
                      okText={t('delivery.resend')}
                      cancelText={t('common.cancel')}
                      onConfirm={() => resend(job)}
                    >
                      <Button type="link" size="small" data-testid="job-resend">
                        {t('delivery.resend')}
                      </Button>
                    </Popconfirm>
                  )}
                  <Button type="link" size="small" onClick={() => setOpened(job)} data-testid="job-attempts">
                    {t('delivery.viewAttempts')}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>

      <Drawer
        open={!!opened}
        size={720}
        title={opened && `${t('delivery.attempts.title')} · ${jobLabel(opened)} · ${targetName(opened.targetId)} · v${opened.version}`}
        onClose={() => setOpened(null)}
        destroyOnHidden
      >
        {opened && <AttemptList jobId={opened.id} tick={tick} />}
      </Drawer>
    </Flex>
  );
}

function Figure({ label, value, tone, testId }: { label: string; value: string | number; tone?: 'danger' | 'warning'; testId: string }) {
  return (
    <div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {label}
      </Typography.Text>
      <div style={{ fontSize: 20, lineHeight: '28px' }}>
        <Typography.Text type={tone} data-testid={testId}>
          {value}
        </Typography.Text>
      </div>
    </div>
  );
}

function TargetCard({ target, selected, onSelect }: { target: DeliveryTargetStatus; selected: boolean; onSelect(): void }) {
  const { t } = useI18n();
  const health = targetHealth(target);
  return (
    <Card
      size="small"
      hoverable
      onClick={onSelect}
      data-testid="delivery-target-card"
      data-target-id={target.id}
      style={selected ? { borderColor: '#0e6e8c', boxShadow: '0 0 0 1px #0e6e8c' } : undefined}
      title={
        <Space size={6}>
          <span data-testid="target-card-name">{target.name}</span>
          <Tag>{isKind(target.kind) ? t(`delivery.kind.${target.kind}`) : target.kind}</Tag>
        </Space>
      }
      extra={
        <Space size={0}>
          {!target.enabled && health !== 'disabled' && <Tag>{t('delivery.health.disabled')}</Tag>}
          <Tag color={healthColor[health]} data-testid="target-card-health">
            {t(`delivery.health.${health}`)}
          </Tag>
        </Space>
      }
    >
      <Row gutter={[8, 8]}>
        <Col span={12}>
          <Figure label={t('delivery.pending')} value={target.pending} testId="target-card-pending" />
        </Col>
        <Col span={12}>
          <Figure label={t('delivery.oldestPending')} value={formatWaiting(target.oldestPendingMinutes, t)} tone={health === 'delayed' ? 'warning' : undefined} testId="target-card-oldest" />
        </Col>
        <Col span={12}>
          <Figure label={t('delivery.failed')} value={target.failed} tone={target.failed > 0 ? 'danger' : undefined} testId="target-card-failed" />
        </Col>
        <Col span={12}>
          <Figure label={t('delivery.doneLastDay')} value={target.doneLastDay} testId="target-card-done" />
        </Col>
      </Row>
    </Card>
  );
}

/** Every attempt of one job, oldest first; reloaded with the monitor. */
function AttemptList({ jobId, tick }: { jobId: number; tick: number }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [attempts, setAttempts] = useState<DeliveryAttempt[] | null>(null);

  useEffect(() => {
    let current = true;
    deliveryApi.attempts(jobId).then(
      (rows) => current && setAttempts(rows),
      (error: unknown) => current && message.error(errorTitle(error)),
    );
    return () => {
      current = false;
    };
  }, [jobId, tick, message]);

  return (
    <Table<DeliveryAttempt & { n: number }>
      rowKey="n"
      size="small"
      loading={attempts === null}
      dataSource={(attempts ?? []).map((a, i) => ({ ...a, n: i + 1 }))}
      pagination={false}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('delivery.attempts.none')} /> }}
      data-testid="attempts-table"
      columns={[
        { title: '#', dataIndex: 'n', width: 40 },
        { title: t('delivery.attempts.time'), dataIndex: 'attemptedAt', width: 170, render: (iso: string) => new Date(iso).toLocaleString(language) },
        {
          title: t('delivery.attempts.result'),
          dataIndex: 'ok',
          width: 70,
          render: (ok: boolean) => <Tag color={ok ? 'success' : 'error'}>{ok ? t('delivery.attempts.ok') : t('delivery.attempts.failed')}</Tag>,
        },
        { title: t('delivery.attempts.duration'), dataIndex: 'durationMs', width: 100, align: 'right', render: (ms: number) => Math.round(ms).toLocaleString(language) },
        {
          title: t('delivery.attempts.reason'),
          key: 'detail',
          render: (_, a) => (
            <Flex vertical gap={2}>
              {a.reasonZh && <Typography.Text type="danger" data-testid="attempt-reason">{a.reasonZh}</Typography.Text>}
              {a.detail && (
                <Typography.Text type="secondary" style={{ ...monospace, wordBreak: 'break-all' }}>
                  {a.detail}
                </Typography.Text>
              )}
            </Flex>
          ),
        },
      ]}
    />
  );
}
