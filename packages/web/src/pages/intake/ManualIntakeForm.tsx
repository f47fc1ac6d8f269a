import { Alert, Button, Col, DatePicker, Form, Input, InputNumber, Radio, Row, Select, Space } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../api/forms.ts';
import { useCodeLabel } from '../../i18n/codes.ts';
import { useT } from '../../i18n/I18nProvider.tsx';
import { intakeApi, type ManualRegistration, type RegisteredExam, type ScanKind, SEXES, VISIT_TYPES } from './api.ts';

type ManualValues = Omit<ManualRegistration, 'patient' | 'heightCm' | 'weightKg'> & {
  patient: Omit<ManualRegistration['patient'], 'birthDate'> & { birthDate: Dayjs };
  heightCm?: number | null;
  weightKg?: number | null;
};

// The scanned code goes where it belongs, so the technician types only what the code cannot tell.
const fieldForKind: Partial<Record<ScanKind, keyof ManualRegistration['patient']>> = {
  card: 'cardNo',
  outpatientNo: 'outpatientNo',
  inpatientNo: 'inpatientNo',
  idNumber: 'idNumber',
};

/** 手工登记 while the HIS cannot answer; the exam stays 待核对 until reconciled with the HIS. */
export function ManualIntakeForm({
  code,
  kind,
  deviceOptions,
  defaultDeviceId,
  onRegistered,
  onCancel,
}: {
  code: string;
  kind: ScanKind | null;
  deviceOptions: Array<{ value: string; label: string }>;
  defaultDeviceId: string | undefined;
  /** warnings: from the server, in Chinese (e.g. the device has no passed volume check today). */
  onRegistered(patientName: string, exam: RegisteredExam, warnings: string[]): void;
  onCancel(): void;
}) {
  const t = useT();
  const label = useCodeLabel();
  const [form] = Form.useForm<ManualValues>();
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const kindField = kind ? fieldForKind[kind] : undefined;

  async function submit(values: ManualValues) {
    setSaving(true);
    setFailure(null);
    try {
      const patient = Object.fromEntries(Object.entries(values.patient).filter(([, value]) => value !== undefined && value !== '')) as ManualValues['patient'];
      const body: ManualRegistration = {
        patient: { ...patient, birthDate: values.patient.birthDate.format('YYYY-MM-DD') },
        requestNo: values.requestNo || undefined,
        itemName: values.itemName,
        visitType: values.visitType,
        heightCm: values.heightCm ?? undefined,
        weightKg: values.weightKg ?? undefined,
        deviceId: values.deviceId ?? undefined,
      };
      const exam = await intakeApi.registerManually(body);
      const { warnings, ...registered } = exam;
      onRegistered(body.patient.name, { requestNo: body.requestNo ?? '', ...registered }, warnings);
    } catch (error) {
      if (!applyFieldErrors(form, error)) setFailure(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Form<ManualValues>
      form={form}
      layout="vertical"
      onFinish={submit}
      data-testid="manual-form"
      initialValues={{
        requestNo: kind === 'requestNo' ? code : undefined,
        patient: { sex: 'unknown', ...(kindField ? { [kindField]: code } : {}) },
        itemName: t('manual.defaultItem'),
        visitType: 'outpatient',
        deviceId: defaultDeviceId,
      }}
    >
      <Alert type="info" showIcon title={t('manual.title')} description={t('manual.hint')} style={{ marginBottom: 16 }} />
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <Form.Item name={['patient', 'name']} label={t('patient.name')} rules={[{ required: true, message: t('manual.nameRequired') }]}>
            <Input autoFocus />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name={['patient', 'sex']} label={t('patient.sex')} rules={[{ required: true }]}>
            <Radio.Group optionType="button" options={SEXES.map((sex) => ({ value: sex, label: label('sex', sex) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name={['patient', 'birthDate']} label={t('patient.birthDate')} rules={[{ required: true, message: t('manual.birthDateRequired') }]}>
            <DatePicker style={{ width: '100%' }} format="YYYY-MM-DD" />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name={['patient', 'idNumber']} label={t('patient.idNumber')}>
            <Input maxLength={18} />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name={['patient', 'phone']} label={t('patient.phone')}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name={['patient', 'cardNo']} label={t('patient.cardNo')}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name={['patient', 'outpatientNo']} label={t('patient.outpatientNo')}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name={['patient', 'inpatientNo']} label={t('patient.inpatientNo')}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name="requestNo" label={t('order.requestNo')}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name="itemName" label={t('order.itemName')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name="visitType" label={t('order.visitType')}>
            <Select options={VISIT_TYPES.map((v) => ({ value: v, label: label('visitType', v) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name="deviceId" label={t('intake.device')}>
            <Select allowClear placeholder={t('intake.noDevice')} options={deviceOptions} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="heightCm" label={t('intake.height')}>
            <InputNumber min={50} max={230} suffix="cm" style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="weightKg" label={t('intake.weight')}>
            <InputNumber min={2} max={300} suffix="kg" style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      {failure && <Alert type="error" showIcon title={failure} style={{ marginBottom: 16 }} />}
      <Space>
        <Button type="primary" htmlType="submit" loading={saving} data-testid="manual-register">
          {t('manual.submit')}
        </Button>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
      </Space>
    </Form>
  );
}
