import { InboxOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, List, Select, Space, Table, Tabs, Tag, Typography, Upload } from 'antd';
import { useCallback, useState } from 'react';
import { errorTitle } from '../../api/forms.ts';
import { useLoad } from '../../api/useLoad.ts';
import { useSession } from '../../auth/SessionProvider.tsx';
import { useCodeLabel } from '../../i18n/codes.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { type Device, devicesApi } from '../admin/devices/api.ts';
import { deviceImportApi, type ImportedFile, type ImportStatus, type ReceivedFile } from './api.ts';
import { BindExamModal } from './BindExamModal.tsx';
import { reasonZh } from './reason.ts';
import { ResultsModal } from './ResultsModal.tsx';

type TabKey = 'unmatched' | 'quarantined' | 'imported' | 'all';
const TABS: TabKey[] = ['unmatched', 'quarantined', 'imported', 'all'];

export const importStatusColor: Record<ImportStatus, string> = {
  received: 'processing',
  imported: 'green',
  unmatched: 'orange',
  quarantined: 'red',
};

/** One file sent from this page, newest first. */
interface SentFile {
  uid: string;
  name: string;
  reply?: ReceivedFile;
  error?: string;
}

/** 结果导入: upload device result files, then deal with what could not be bound (待匹配) or read (已隔离). */
export function DeviceImportPage() {
  const { t, language } = useI18n();
  const label = useCodeLabel();
  const { message } = App.useApp();
  const { me } = useSession();
  const campusId = me?.campusId ?? null;
  const [deviceId, setDeviceId] = useState<string>();
  const [sent, setSent] = useState<SentFile[]>([]);
  const [tab, setTab] = useState<TabKey>('unmatched');
  const [busyId, setBusyId] = useState<string | null>(null);
  const [binding, setBinding] = useState<ImportedFile | null>(null);
  const [viewing, setViewing] = useState<ImportedFile | null>(null);

  const loadDevices = useCallback(() => (campusId ? devicesApi.list(campusId) : Promise.resolve([])), [campusId]);
  const devices = useLoad<Device[]>(loadDevices, []);
  const loadFiles = useCallback(() => deviceImportApi.list(tab === 'all' ? undefined : tab), [tab]);
  const files = useLoad<ImportedFile[]>(loadFiles, []);
  const { reload } = files;

  async function send(file: File) {
    const uid = `${file.name}-${Date.now()}-${Math.random()}`;
    setSent((list) => [{ uid, name: file.name }, ...list]);
    let outcome: Partial<SentFile>;
    try {
      outcome = { reply: await deviceImportApi.upload(file, file.name, deviceId) };
    } catch (error) {
      outcome = { error: errorTitle(error) };
    }
    setSent((list) => list.map((s) => (s.uid === uid ? { ...s, ...outcome } : s)));
    void reload();
  }

  async function reprocess(file: ImportedFile) {
    setBusyId(file.id);
    try {
      const { status } = await deviceImportApi.reprocess(file.id);
      message.info(t('deviceImport.reprocessed', { status: label('importStatus', status) }));
    } catch (error) {
      message.error(errorTitle(error));
    } finally {
      setBusyId(null);
      void reload();
    }
  }

  const deviceOptions = devices.data.filter((d) => d.enabled).map((d) => ({ value: d.id, label: d.room ? `${d.name}（${d.room}）` : d.name }));

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t('deviceImport.title')}>
        <Form layout="inline" style={{ marginBottom: 12 }}>
          <Form.Item label={t('deviceImport.device')}>
            <Select allowClear style={{ width: 280 }} value={deviceId} onChange={setDeviceId} placeholder={t('deviceImport.anyDevice')} options={deviceOptions} data-testid="import-device" />
          </Form.Item>
        </Form>
        <Upload.Dragger
          multiple
          showUploadList={false}
          data-testid="import-drop"
          beforeUpload={(file) => {
            void send(file);
            return false;
          }}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('deviceImport.drop')}</p>
          <p className="ant-upload-hint">{t('deviceImport.dropHint')}</p>
        </Upload.Dragger>
        {sent.length > 0 && (
          <List
            size="small"
            style={{ marginTop: 12 }}
            data-testid="import-sent"
            dataSource={sent}
            renderItem={(file) => (
              <List.Item data-testid="import-sent-item">
                <Space wrap>
                  <Typography.Text>{file.name}</Typography.Text>
                  <SentTags file={file} />
                </Space>
              </List.Item>
            )}
          />
        )}
      </Card>

      <Card>
        <Tabs
          activeKey={tab}
          onChange={(key) => setTab(key as TabKey)}
          items={TABS.map((key) => ({ key, label: key === 'all' ? t('deviceImport.all') : label('importStatus', key) }))}
          data-testid="import-tabs"
          tabBarExtraContent={
            <Button icon={<ReloadOutlined />} onClick={() => void reload()} data-testid="import-refresh">
              {t('deviceImport.refresh')}
            </Button>
          }
        />
        <Table<ImportedFile>
          rowKey="id"
          size="small"
          data-testid="import-files"
          loading={files.loading}
          dataSource={files.data}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          columns={[
            { title: t('deviceImport.fileName'), dataIndex: 'originalName', width: 220 },
            { title: t('deviceImport.format'), dataIndex: 'format', width: 90, render: (format: string | null) => label('importFormat', format) },
            { title: t('deviceImport.source'), dataIndex: 'source', width: 70, render: (source: string) => label('importSource', source) },
            { title: t('deviceImport.receivedAt'), dataIndex: 'receivedAt', width: 170, render: (iso: string) => new Date(iso).toLocaleString(language) },
            {
              title: t('common.status'),
              key: 'status',
              width: 280,
              render: (_, file) => (
                <Space orientation="vertical" size={2}>
                  <Tag color={importStatusColor[file.status]}>{label('importStatus', file.status)}</Tag>
                  {file.reason && (
                    <Typography.Text type="secondary" data-testid="import-reason" title={file.reason}>
                      {t('deviceImport.reason')}：{language === 'zh-CN' ? reasonZh(file.reason) : file.reason}
                    </Typography.Text>
                  )}
                </Space>
              ),
            },
            { title: t('deviceImport.attempts'), dataIndex: 'attempts', width: 100, align: 'right' },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 120,
              render: (_, file) => (
                <Space>
                  {file.status === 'unmatched' && (
                    <Button size="small" type="primary" onClick={() => setBinding(file)} data-testid="import-bind">
                      {t('deviceImport.bind')}
                    </Button>
                  )}
                  {file.status === 'quarantined' && (
                    <Button size="small" loading={busyId === file.id} onClick={() => void reprocess(file)} data-testid="import-reprocess">
                      {t('deviceImport.reprocess')}
                    </Button>
                  )}
                  {file.status === 'imported' && file.examId && (
                    <Button size="small" type="link" onClick={() => setViewing(file)} data-testid="import-view">
                      {t('deviceImport.viewResults')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>

      {binding && (
        <BindExamModal
          file={binding}
          onClose={() => {
            setBinding(null);
            void reload();
          }}
        />
      )}
      {viewing?.examId && <ResultsModal examId={viewing.examId} fileName={viewing.originalName} onClose={() => setViewing(null)} />}
    </Space>
  );
}

function SentTags({ file }: { file: SentFile }) {
  const { t } = useI18n();
  const label = useCodeLabel();
  if (file.error) {
    return (
      <>
        <Tag color="red">{t('deviceImport.uploadFailed')}</Tag>
        <Typography.Text type="danger">{file.error}</Typography.Text>
      </>
    );
  }
  if (!file.reply) return <Tag color="processing">{t('deviceImport.uploading')}</Tag>;
  return (
    <>
      <Tag color={importStatusColor[file.reply.status]}>{label('importStatus', file.reply.status)}</Tag>
      {file.reply.duplicate && <Tag color="blue">{t('deviceImport.duplicate')}</Tag>}
    </>
  );
}
