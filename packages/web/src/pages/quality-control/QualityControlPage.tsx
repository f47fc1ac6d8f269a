import { ExperimentOutlined, PlusOutlined, ReloadOutlined, SettingOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Empty, Segmented, Select, Space, Tabs, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useLoad } from '../../api/useLoad.ts';
import { useCan, useSession } from '../../auth/SessionProvider.tsx';
import { type CalibrationCheck, type CalibrationRecorded, type QcDaily, type QcOverviewRow, type QcPolicy, qcApi } from './api.ts';
import { BiologicalForm } from './BiologicalForm.tsx';
import { CheckForm } from './CheckForm.tsx';
import { ImportLogButton } from './ImportLogButton.tsx';
import { ControlChart } from './ControlChart.tsx';
import { biologicalSeries, daysBefore, deviceAlerts, monthOf, monthRange, shiftMonth, VOLUME_LIMIT_PCT, volumeSeries } from './logic.ts';
import { useQcT } from './messages.ts';
import { PolicyModal } from './PolicyModal.tsx';
import { QcCalendar, statusColor } from './QcCalendar.tsx';
import { RecordsTable } from './RecordsTable.tsx';

const CHART_DAYS = [30, 90, 180, 365] as const;
const beijingToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** 质控: per device, the calendar of daily checks, control charts, alerts, and the calibration and biological-control records. */
export function QualityControlPage() {
  const t = useQcT();
  const { message } = App.useApp();
  const { me } = useSession();
  const campusId = me?.campusId ?? null;
  const canWrite = useCan('calibration.write');
  const canSettings = useCan('system.settings');
  const [params, setParams] = useSearchParams();
  const [month, setMonth] = useState(() => monthOf(beijingToday()));
  const [chartDays, setChartDays] = useState<number>(90);
  const [entering, setEntering] = useState<'check' | 'bio' | null>(null);
  const [editingPolicy, setEditingPolicy] = useState(false);

  const loadOverview = useCallback(() => (campusId ? qcApi.overview(campusId) : Promise.resolve([])), [campusId]);
  const overview = useLoad<QcOverviewRow[]>(loadOverview, []);
  const policy = useLoad<QcPolicy | null>(qcApi.policy, null);
  const deviceId = params.get('device') ?? overview.data[0]?.deviceId ?? null;
  const device = overview.data.find((d) => d.deviceId === deviceId);

  const today = beijingToday();
  const loadDaily = useCallback(() => (deviceId ? qcApi.daily(deviceId, monthRange(month).from, monthRange(month).to) : Promise.resolve(null)), [deviceId, month]);
  const daily = useLoad<QcDaily | null>(loadDaily, null);
  const chartFrom = daysBefore(today, chartDays - 1);
  const loadChecks = useCallback(() => (deviceId ? qcApi.list(deviceId, { from: chartFrom, to: today }) : Promise.resolve([])), [deviceId, chartFrom, today]);
  const checks = useLoad<CalibrationCheck[]>(loadChecks, []);

  const volumeChecks = useMemo(() => checks.data.filter((c) => c.kind !== 'biological_control'), [checks.data]);
  const bioChecks = useMemo(() => checks.data.filter((c) => c.kind === 'biological_control'), [checks.data]);
  const subjects = useMemo(() => [...new Set(bioChecks.map((c) => c.subject).filter((s): s is string => !!s))], [bioChecks]);
  const range = { from: Date.parse(`${chartFrom}T00:00:00+08:00`), to: Date.parse(`${today}T23:59:59+08:00`) };

  const { reload: reloadOverview } = overview;
  const { reload: reloadDaily } = daily;
  const { reload: reloadChecks } = checks;
  const reloadAll = useCallback(() => void Promise.all([reloadOverview(), reloadDaily(), reloadChecks()]), [reloadOverview, reloadDaily, reloadChecks]);
  useEffect(() => setMonth(monthOf(beijingToday())), [deviceId]);

  function saved(result: CalibrationRecorded) {
    setEntering(null);
    const building = result.problems.some((p) => p.code === 'baseline');
    const text = t('form.saved', { result: building ? t('problem.baseline') : result.passed ? t('status.passed') : t('status.failed') });
    if (result.passed) message.success(text);
    else message.warning(text);
    reloadAll();
  }

  if (!campusId) return <Alert type="warning" showIcon title={t('noCampus')} />;

  return (
    <Card
      title={
        <Space>
          <ExperimentOutlined />
          {t('title')}
        </Space>
      }
      extra={
        <Space wrap>
          {canSettings && policy.data && (
            <Button icon={<SettingOutlined />} onClick={() => setEditingPolicy(true)} data-testid="qc-policy">
              {t('policy.title')}
            </Button>
          )}
          <Button icon={<ReloadOutlined />} onClick={reloadAll} aria-label={t('refresh')} />
        </Space>
      }
    >
      {!overview.loading && overview.data.length === 0 ? (
        <Empty description={t('noDevices')} />
      ) : (
        <>
          <Space wrap style={{ marginBottom: 16 }}>
            <Typography.Text>{t('device')}</Typography.Text>
            <Select
              style={{ width: 320 }}
              placeholder={t('chooseDevice')}
              value={deviceId ?? undefined}
              onChange={(id: string) => setParams({ device: id }, { replace: true })}
              data-testid="qc-device"
              options={overview.data.map((d) => ({
                value: d.deviceId,
                label: (
                  <Space>
                    <span>{d.room ? `${d.name}（${d.room}）` : d.name}</span>
                    <Tag style={{ background: statusColor[d.today].background, borderColor: statusColor[d.today].border, color: statusColor[d.today].text }}>{t(`status.${d.today}`)}</Tag>
                  </Space>
                ),
              }))}
            />
            {device && (
              <Typography.Text type="secondary">
                {t('overview.lastCheck')}：{device.lastCheckAt ? new Date(Date.parse(device.lastCheckAt) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : t('overview.never')}
              </Typography.Text>
            )}
            {canWrite && device && (
              <>
                <Button type="primary" icon={<PlusOutlined />} onClick={() => setEntering('check')} data-testid="qc-new-check">
                  {t('newCheck')}
                </Button>
                <Button icon={<PlusOutlined />} onClick={() => setEntering('bio')} data-testid="qc-new-bio">
                  {t('newBiological')}
                </Button>
                <ImportLogButton deviceId={device.deviceId} onImported={reloadAll} />
              </>
            )}
          </Space>
          <Space orientation="vertical" style={{ width: '100%', marginBottom: 16 }} data-testid="qc-alerts">
            {deviceAlerts(device, policy.data).map((a) => (
              <Alert key={a.key} type={a.type} showIcon title={t(a.key, a.values)} data-alert={a.key} />
            ))}
          </Space>
          <Tabs
            items={[
              {
                key: 'calendar',
                label: t('tab.calendar'),
                children: <QcCalendar month={month} days={daily.data?.days ?? []} today={daily.data?.today ?? today} onMonth={(delta) => setMonth((m) => shiftMonth(m, delta))} />,
              },
              {
                key: 'chart',
                label: t('tab.chart'),
                children: (
                  <Space orientation="vertical" size="large" style={{ width: '100%' }}>
                    <Space>
                      <Typography.Text>{t('chart.range')}</Typography.Text>
                      <Segmented value={chartDays} onChange={(v) => setChartDays(Number(v))} options={CHART_DAYS.map((d) => ({ value: d, label: t('chart.days', { days: d }) }))} />
                    </Space>
                    <ControlChart
                      testId="qc-volume-chart"
                      title={t('chart.volumeTitle', { limit: VOLUME_LIMIT_PCT })}
                      series={volumeSeries(volumeChecks)}
                      legend={{ strokes: t('chart.strokes'), extreme: t('chart.extreme') }}
                      limitPct={VOLUME_LIMIT_PCT}
                      {...range}
                      emptyText={t('chart.empty')}
                    />
                    <ControlChart
                      testId="qc-bio-chart"
                      title={t('chart.bioTitle', { limit: policy.data?.biologicalControlLimitPct ?? 5 })}
                      series={biologicalSeries(bioChecks)}
                      limitPct={policy.data?.biologicalControlLimitPct ?? 5}
                      {...range}
                      emptyText={t('chart.empty')}
                    />
                  </Space>
                ),
              },
              { key: 'records', label: t('tab.records'), children: <RecordsTable checks={volumeChecks} loading={checks.loading} biological={false} canWrite={canWrite} onChanged={reloadAll} /> },
              { key: 'biological', label: t('tab.biological'), children: <RecordsTable checks={bioChecks} loading={checks.loading} biological canWrite={canWrite} onChanged={reloadAll} /> },
            ]}
          />
        </>
      )}
      {entering === 'check' && device && <CheckForm deviceId={device.deviceId} deviceName={device.name} onClose={() => setEntering(null)} onSaved={saved} />}
      {entering === 'bio' && device && <BiologicalForm deviceId={device.deviceId} deviceName={device.name} subjects={subjects} policy={policy.data} onClose={() => setEntering(null)} onSaved={saved} />}
      {editingPolicy && policy.data && (
        <PolicyModal
          policy={policy.data}
          onClose={() => setEditingPolicy(false)}
          onSaved={() => {
            setEditingPolicy(false);
            message.success(t('policy.saved'));
            void policy.reload();
            reloadAll();
          }}
        />
      )}
    </Card>
  );
}
