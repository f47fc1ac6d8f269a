import { DeleteOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Select, Space, Tag, Typography, Upload, type UploadFile } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useRef, useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../api/forms.ts';
import { type CalibrationRecorded, qcApi } from './api.ts';
import { formatPct, previewVolumeCheck, strokeError } from './logic.ts';
import { useQcT } from './messages.ts';

interface CheckValues {
  kind: 'volume_check' | 'calibration';
  performedAt: Dayjs;
  syringeVolumeL: number | null;
  syringeSerial?: string;
  temperatureC?: number | null;
  pressureHpa?: number | null;
  humidityPct?: number | null;
  injections: Array<{ flowLps?: number | null; measuredL?: number | null }>;
  notes?: string;
}

/** Roughly 6, 2 and 0.5 L/s: a 3-L syringe emptied in about 0.5 s, 1–3 s and 6 s. */
const DEFAULT_FLOWS = [6, 2, 0.5];
const ACCEPT = '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png';

/** 录入定标记录: a volume check or calibration typed by hand, or from the device's report uploaded with it. */
export function CheckForm({ deviceId, deviceName, onClose, onSaved }: { deviceId: string; deviceName: string; onClose(): void; onSaved(result: CalibrationRecorded): void }) {
  const t = useQcT();
  const [form] = Form.useForm<CheckValues>();
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [files, setFiles] = useState<UploadFile[]>([]);
  // Uploaded once: a retry after a failed save links the same stored documents.
  const uploaded = useRef(new Map<string, string>());
  const syringe = Form.useWatch('syringeVolumeL', form);
  const injections = Form.useWatch('injections', form);
  const preview = previewVolumeCheck(syringe, (injections ?? []).map((i) => i?.measuredL));

  async function submit(values: CheckValues) {
    setSaving(true);
    setFailure(null);
    try {
      const documentIds: string[] = [];
      for (const file of files) {
        let id = uploaded.current.get(file.uid);
        if (!id) {
          id = (await qcApi.uploadDocument(file.originFileObj as Blob, file.name)).id;
          uploaded.current.set(file.uid, id);
        }
        documentIds.push(id);
      }
      const result = await qcApi.record({
        deviceId,
        kind: values.kind,
        performedAt: values.performedAt.toISOString(),
        syringeVolumeL: values.syringeVolumeL ?? undefined,
        syringeSerial: values.syringeSerial || undefined,
        temperatureC: values.temperatureC ?? undefined,
        pressureHpa: values.pressureHpa ?? undefined,
        humidityPct: values.humidityPct ?? undefined,
        injections: values.injections.filter((i) => i.measuredL != null).map((i) => ({ flowLps: i.flowLps ?? null, measuredL: i.measuredL as number })),
        notes: values.notes || undefined,
        documentIds: documentIds.length ? documentIds : undefined,
      });
      onSaved(result);
    } catch (error) {
      if (!applyFieldErrors(form, error)) setFailure(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal open width={720} title={`${t('newCheck')} · ${deviceName}`} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} destroyOnHidden>
      <Form<CheckValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        data-testid="qc-check-form"
        initialValues={{ kind: 'volume_check', performedAt: dayjs(), syringeVolumeL: 3, injections: DEFAULT_FLOWS.map((flowLps) => ({ flowLps, measuredL: null })) }}
      >
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item name="kind" label={t('form.kind')} rules={[{ required: true, message: t('form.required') }]}>
              <Select options={(['volume_check', 'calibration'] as const).map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="performedAt" label={t('form.performedAt')} rules={[{ required: true, message: t('form.required') }]}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="syringeVolumeL" label={t('form.syringeVolume')} rules={[{ required: true, message: t('form.required') }]}>
              <InputNumber min={0.5} max={10} step={0.5} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="syringeSerial" label={t('form.syringeSerial')}>
              <Input maxLength={60} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="temperatureC" label={t('form.temperature')}>
              <InputNumber min={-10} max={50} step={0.1} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="pressureHpa" label={t('form.pressure')}>
              <InputNumber min={500} max={1100} step={1} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="humidityPct" label={t('form.humidity')}>
              <InputNumber min={0} max={100} step={1} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Text strong>{t('form.injections')}</Typography.Text>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
          {t('form.injectionsHint')}
        </Typography.Paragraph>
        <Form.List name="injections">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, index) => {
                const measured = injections?.[index]?.measuredL;
                const stroke = syringe && syringe > 0 && measured ? strokeError(syringe, measured) : undefined;
                return (
                  <Space key={field.key} align="baseline" style={{ display: 'flex' }} data-testid="qc-stroke">
                    <Form.Item name={[field.name, 'flowLps']} label={index === 0 ? t('form.flow') : undefined}>
                      <InputNumber min={0} max={20} step={0.5} style={{ width: 120 }} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'measuredL']} label={index === 0 ? t('form.measured') : undefined}>
                      <InputNumber min={0.1} max={20} step={0.01} style={{ width: 140 }} />
                    </Form.Item>
                    <span style={{ width: 90, display: 'inline-block' }}>{stroke && <Tag color={stroke.withinLimit ? 'green' : 'red'}>{formatPct(stroke.errorPct)}</Tag>}</span>
                    <Button type="text" icon={<DeleteOutlined />} aria-label={t('form.remove')} onClick={() => remove(field.name)} />
                  </Space>
                );
              })}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ flowLps: null, measuredL: null })} disabled={fields.length >= 20}>
                {t('form.addInjection')}
              </Button>
            </>
          )}
        </Form.List>
        {preview.strokes.length > 0 && (
          <Alert
            style={{ marginTop: 12 }}
            type={preview.pass ? 'success' : 'warning'}
            showIcon
            data-testid="qc-preview"
            title={t('form.preview', { result: preview.pass ? t('status.passed') : `${t('status.failed')}（${preview.problems.map((p) => t(`problem.${p}`)).join('，')}）` })}
          />
        )}
        <Form.Item label={t('form.documents')} extra={t('form.documentsHint')} style={{ marginTop: 12 }}>
          <Upload multiple accept={ACCEPT} fileList={files} beforeUpload={() => false} onChange={({ fileList }) => setFiles(fileList.slice(0, 10))}>
            <Button icon={<UploadOutlined />}>{t('form.upload')}</Button>
          </Upload>
        </Form.Item>
        <Form.Item name="notes" label={t('form.notes')}>
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
        {failure && <Alert type="error" showIcon title={failure} />}
      </Form>
    </Modal>
  );
}
