import { ImportOutlined } from '@ant-design/icons';
import { Alert, App, Button, List, Modal, Space, Tag, Tooltip, Typography, Upload } from 'antd';
import { useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { type CalibrationLogImport, qcApi } from './api.ts';
import { useQcT } from './messages.ts';

const wallClock = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/** 导入设备定标记录: uploads the device's calibration-log export and shows what it created and what it noted. */
export function ImportLogButton({ deviceId, onImported }: { deviceId: string; onImported: () => void }) {
  const t = useQcT();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<CalibrationLogImport | null>(null);

  async function send(file: File) {
    setBusy(true);
    try {
      const imported = await qcApi.importLog(deviceId, file, file.name);
      setResult(imported);
      if (imported.created.length && !imported.duplicate) onImported();
    } catch (error) {
      message.error(error instanceof ApiError ? error.title || error.message : t('import.failed'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Tooltip title={t('import.hint')}>
        <Upload
          accept=".csv,.txt,.tsv,.log,text/csv,text/plain"
          showUploadList={false}
          beforeUpload={(file) => {
            void send(file);
            return false;
          }}
        >
          <Button icon={<ImportOutlined />} loading={busy} data-testid="qc-import-log">
            {t('import.button')}
          </Button>
        </Upload>
      </Tooltip>
      {result && (
        <Modal open title={t('import.title', { name: result.name })} onCancel={() => setResult(null)} footer={<Button onClick={() => setResult(null)}>OK</Button>} width={720} data-testid="qc-import-result">
          <Space orientation="vertical" style={{ width: '100%' }}>
            {result.status === 'quarantined' && <Alert type="error" showIcon title={t('import.quarantined', { reason: result.reason ?? '' })} />}
            {result.duplicate && <Alert type="info" showIcon title={t('import.duplicate')} />}
            {result.status === 'imported' && !result.duplicate && <Alert type={result.created.length ? 'success' : 'info'} showIcon title={result.created.length ? t('import.created', { count: result.created.length }) : t('import.none')} />}
            {result.skipped.length > 0 && <Typography.Text type="secondary">{t('import.skipped', { count: result.skipped.length })}</Typography.Text>}
            {result.created.length > 0 && (
              <List
                size="small"
                bordered
                dataSource={result.created}
                renderItem={(c) => (
                  <List.Item>
                    <Space wrap>
                      <span>{wallClock(c.performedAt)}</span>
                      <Tag color={c.passed ? 'green' : 'red'}>{t(c.passed ? 'status.passed' : 'status.failed')}</Tag>
                      <Typography.Text type="secondary">
                        {c.injections.map((i) => `${i.flowLps ?? '–'} L/s → ${i.measuredL} L`).join('；')}
                      </Typography.Text>
                      <Typography.Text type={c.passed ? 'secondary' : 'danger'}>{t('import.maxError', { pct: Math.max(0, ...c.injections.map((i) => Math.abs(i.errorPct))).toFixed(2) })}</Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            )}
            {result.warnings.length > 0 && (
              <List size="small" header={t('import.warnings', { count: result.warnings.length })} dataSource={result.warnings} renderItem={(w) => <List.Item>{w.message}</List.Item>} />
            )}
          </Space>
        </Modal>
      )}
    </>
  );
}
