import { Alert, AutoComplete, Col, DatePicker, Form, InputNumber, Modal, Row, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../api/forms.ts';
import { type CalibrationRecorded, type QcPolicy, qcApi } from './api.ts';
import { useQcT } from './messages.ts';

interface BioValues {
  subject: string;
  performedAt: Dayjs;
  fev1L: number | null;
  fvcL: number | null;
}

/** 录入生物质控: a healthy staff member's FEV1 and FVC on this device, judged against their own baseline by the server. */
export function BiologicalForm({ deviceId, deviceName, subjects, policy, onClose, onSaved }: { deviceId: string; deviceName: string; subjects: string[]; policy: QcPolicy | null; onClose(): void; onSaved(result: CalibrationRecorded): void }) {
  const t = useQcT();
  const [form] = Form.useForm<BioValues>();
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(values: BioValues) {
    setSaving(true);
    setFailure(null);
    try {
      onSaved(await qcApi.record({ deviceId, kind: 'biological_control', subject: values.subject.trim(), performedAt: values.performedAt.toISOString(), fev1L: values.fev1L ?? undefined, fvcL: values.fvcL ?? undefined }));
    } catch (error) {
      if (!applyFieldErrors(form, error)) setFailure(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal open title={`${t('newBiological')} · ${deviceName}`} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} destroyOnHidden>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('form.bioHint', { pct: policy?.biologicalControlLimitPct ?? 5, litres: policy?.biologicalControlLimitL ?? 0.15 })}
      </Typography.Paragraph>
      <Form<BioValues> form={form} layout="vertical" onFinish={submit} initialValues={{ performedAt: dayjs(), subject: subjects[0] ?? '' }} data-testid="qc-bio-form">
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="subject" label={t('form.subject')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
              <AutoComplete options={subjects.map((s) => ({ value: s }))} maxLength={40} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="performedAt" label={t('form.performedAt')} rules={[{ required: true, message: t('form.required') }]}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="fev1L" label={t('form.fev1')} rules={[{ required: true, message: t('form.required') }]}>
              <InputNumber min={0.1} max={10} step={0.01} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="fvcL" label={t('form.fvc')} rules={[{ required: true, message: t('form.required') }]}>
              <InputNumber min={0.1} max={12} step={0.01} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        {failure && <Alert type="error" showIcon title={failure} />}
      </Form>
    </Modal>
  );
}
