import { Alert } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useCan } from '../../auth/SessionProvider.tsx';
import { type QcDeviceToday, qcApi } from './api.ts';
import { type QcMessageKey, useQcT } from './messages.ts';

/** The notice registration shows for the chosen device: the message the server will give when registering on it. */
export function deviceNotice(today: QcDeviceToday | null): { type: 'warning' | 'error'; key: QcMessageKey; blocking: boolean } | null {
  if (!today || today.status === 'passed') return null;
  return { type: today.blockWithoutPassedCheck ? 'error' : 'warning', key: today.status === 'failed' ? 'alert.todayFailed' : 'alert.todayMissing', blocking: today.blockWithoutPassedCheck };
}

/** Registration: warns, before registering, that the chosen device has no passed volume check today. */
export function DeviceCheckNotice({ deviceId, refreshKey }: { deviceId: string | undefined; refreshKey?: unknown }) {
  const t = useQcT();
  const canSeeQc = useCan('calibration.read');
  const [today, setToday] = useState<QcDeviceToday | null>(null);
  useEffect(() => {
    let current = true;
    setToday(null);
    if (deviceId) {
      qcApi.deviceToday(deviceId).then(
        (reply) => current && setToday(reply),
        () => undefined, // the server says it again when registering; nothing to add here
      );
    }
    return () => {
      current = false;
    };
  }, [deviceId, refreshKey]);
  const notice = deviceNotice(today);
  if (!notice || !deviceId) return null;
  return (
    <Alert
      type={notice.type}
      showIcon
      data-testid="device-qc-notice"
      title={t(notice.key)}
      description={notice.blocking ? t('alert.blocking') : undefined}
      action={canSeeQc ? <Link to={`/quality-control?device=${deviceId}`}>{t('title')}</Link> : undefined}
      style={{ marginTop: 12 }}
    />
  );
}
