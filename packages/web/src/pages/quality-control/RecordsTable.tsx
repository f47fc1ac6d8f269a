import { PaperClipOutlined, ToolOutlined } from '@ant-design/icons';
import { App, Button, Input, Modal, Space, Table, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { errorTitle } from '../../api/forms.ts';
import { type CalibrationCheck, documentUrl, qcApi } from './api.ts';
import { biologicalDeviation, formatPct } from './logic.ts';
import { type QcTranslate, useQcT } from './messages.ts';

const time = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

function ResultTag({ check, t }: { check: CalibrationCheck; t: QcTranslate }) {
  const building = check.problems.some((p) => p.code === 'baseline');
  return (
    <Space orientation="vertical" size={2}>
      <Tag color={building ? 'blue' : check.passed ? 'green' : 'red'} data-testid="qc-result">
        {building ? t('problem.baseline') : check.passed ? t('status.passed') : t('status.failed')}
      </Tag>
      {check.problems
        .filter((p) => p.code !== 'baseline')
        .map((p) => (
          <Typography.Text key={p.detail} type="danger" style={{ fontSize: 12 }}>
            {t(`problem.${p.code}` as Parameters<QcTranslate>[0])}: {p.detail}
          </Typography.Text>
        ))}
    </Space>
  );
}

/** The device's records, newest first, with their report files and corrective actions. */
export function RecordsTable({ checks, loading, biological, canWrite, onChanged }: { checks: CalibrationCheck[]; loading: boolean; biological: boolean; canWrite: boolean; onChanged(): void }) {
  const t = useQcT();
  const { message } = App.useApp();
  const [acting, setActing] = useState<CalibrationCheck | null>(null);
  const [action, setAction] = useState('');
  const [saving, setSaving] = useState(false);

  async function saveAction() {
    if (!acting) return;
    setSaving(true);
    try {
      await qcApi.addAction(acting.id, action);
      message.success(t('action.saved'));
      setActing(null);
      setAction('');
      onChanged();
    } catch (error) {
      message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  async function attach(check: CalibrationCheck, file: File) {
    try {
      await qcApi.attach(check.id, file, file.name);
      onChanged();
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  const common = {
    time: { title: t('col.time'), dataIndex: 'performedAt', width: 140, render: time },
    result: { title: t('col.result'), key: 'result', width: 220, render: (_: unknown, c: CalibrationCheck) => <ResultTag check={c} t={t} /> },
    operator: { title: t('col.operator'), dataIndex: 'operatorName', width: 100 },
    documents: {
      title: t('col.documents'),
      key: 'documents',
      width: 180,
      render: (_: unknown, c: CalibrationCheck) => (
        <Space orientation="vertical" size={0}>
          {c.documents.map((d) => (
            <a key={d.id} href={documentUrl(d.id)} target="_blank" rel="noreferrer" title={`SHA-256 ${d.sha256}`}>
              <PaperClipOutlined /> {d.name}
            </a>
          ))}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(`source.${c.source}`)}
          </Typography.Text>
        </Space>
      ),
    },
    actions: {
      title: t('col.actions'),
      key: 'actions',
      width: 220,
      render: (_: unknown, c: CalibrationCheck) => (
        <Space orientation="vertical" size={2}>
          {c.actions.map((a) => (
            <Typography.Text key={a.id} style={{ fontSize: 12 }}>
              {time(a.createdAt)} {a.operatorName}：{a.action}
            </Typography.Text>
          ))}
          {canWrite && (
            <Space size={4}>
              <Button size="small" icon={<ToolOutlined />} onClick={() => setActing(c)} type={c.passed ? 'default' : 'primary'} danger={!c.passed}>
                {t('action.add')}
              </Button>
              <Upload accept=".pdf,.jpg,.jpeg,.png" showUploadList={false} beforeUpload={(file) => { void attach(c, file); return false; }}>
                <Button size="small" icon={<PaperClipOutlined />} aria-label={t('form.upload')} />
              </Upload>
            </Space>
          )}
        </Space>
      ),
    },
  };

  const columns = biological
    ? [
        common.time,
        { title: t('col.subject'), dataIndex: 'subject', width: 90 },
        { title: 'FEV1 / FVC (L)', key: 'values', width: 120, render: (_: unknown, c: CalibrationCheck) => `${c.fev1L ?? '–'} / ${c.fvcL ?? '–'}` },
        { title: t('col.baseline'), key: 'baseline', width: 150, render: (_: unknown, c: CalibrationCheck) => (c.baselineFev1L ? `${c.baselineFev1L} / ${c.baselineFvcL} (n=${c.baselineSessions})` : '–') },
        {
          title: t('col.deviation'),
          key: 'deviation',
          width: 150,
          render: (_: unknown, c: CalibrationCheck) => {
            const d = biologicalDeviation(c);
            return d ? `FEV1 ${formatPct(d.fev1Pct)}, FVC ${formatPct(d.fvcPct)}` : '–';
          },
        },
        common.result,
        common.operator,
        common.actions,
      ]
    : [
        common.time,
        { title: t('col.kind'), dataIndex: 'kind', width: 90, render: (k: CalibrationCheck['kind']) => t(`kind.${k}`) },
        common.result,
        { title: t('col.syringe'), key: 'syringe', width: 120, render: (_: unknown, c: CalibrationCheck) => [c.syringeVolumeL != null ? `${c.syringeVolumeL} L` : '', c.syringeSerial ?? ''].filter(Boolean).join(' · ') },
        {
          title: t('col.injections'),
          key: 'injections',
          width: 220,
          render: (_: unknown, c: CalibrationCheck) => (
            <Space size={[4, 4]} wrap>
              {c.injections.map((i, n) => (
                <Tag key={n} color={i.withinLimit ? 'default' : 'red'}>
                  {i.measuredL} L{i.flowLps != null ? ` @${i.flowLps}` : ''} ({formatPct(i.errorPct)})
                </Tag>
              ))}
            </Space>
          ),
        },
        {
          title: t('col.environment'),
          key: 'env',
          width: 150,
          render: (_: unknown, c: CalibrationCheck) => [c.temperatureC != null && `${c.temperatureC} °C`, c.pressureHpa != null && `${c.pressureHpa} hPa`, c.humidityPct != null && `${c.humidityPct}%`].filter(Boolean).join(' · '),
        },
        common.operator,
        common.documents,
        common.actions,
      ];

  return (
    <>
      <Table<CalibrationCheck> rowKey="id" size="small" loading={loading} dataSource={checks} columns={columns} pagination={{ pageSize: 20, hideOnSinglePage: true }} scroll={{ x: 'max-content' }} data-testid={biological ? 'qc-bio-records' : 'qc-records'} />
      {acting && (
        <Modal open title={t('action.add')} onCancel={() => setActing(null)} onOk={() => void saveAction()} confirmLoading={saving} okButtonProps={{ disabled: action.trim().length < 2 }}>
          <Input.TextArea rows={3} maxLength={1000} value={action} onChange={(e) => setAction(e.target.value)} placeholder={t('action.placeholder')} />
        </Modal>
      )}
    </>
  );
}
