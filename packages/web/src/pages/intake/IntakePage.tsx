import { CameraOutlined, ScanOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Form, Input, InputNumber, type InputRef, Select, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { applyFieldErrors, errorTitle } from '../../api/forms.ts';
import { useLoad } from '../../api/useLoad.ts';
import { useSession } from '../../auth/SessionProvider.tsx';
import { useCodeLabel } from '../../i18n/codes.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { type Device, devicesApi } from '../admin/devices/api.ts';
import { intakeApi, type Measurements, type PendingOrder, type RegisteredExam, type ScanKind, type ScannedPatient, type ScanResult } from './api.ts';
import { CameraScanModal } from './CameraScanModal.tsx';
import { ManualIntakeForm } from './ManualIntakeForm.tsx';
import { DeviceCheckNotice } from '../quality-control/DeviceCheckNotice.tsx';

interface Outcome {
  patientName: string;
  exams: RegisteredExam[];
  /** Registered by hand while the HIS was down: 待核对. */
  manual: boolean;
  /** From the server, in Chinese: e.g. the device has no passed volume check today. */
  warnings?: string[];
}

interface MeasurementValues {
  heightCm?: number | null;
  weightKg?: number | null;
  deviceId?: string;
}

const deviceStorageKey = (campusId: string) => `pftis.intake.device.${campusId}`;

/** 登记: scan a card or request form, check the orders, register — scan, Enter, Enter. */
export function IntakePage() {
  const { t } = useI18n();
  const { me } = useSession();
  const campusId = me?.campusId ?? null;
  const [form] = Form.useForm<MeasurementValues>();
  const scanBox = useRef<InputRef>(null);
  const [code, setCode] = useState('');
  const [scanned, setScanned] = useState<{ code: string; result: ScanResult } | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [hisDown, setHisDown] = useState<{ code: string; title: string } | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [cameraOpen, setCameraOpen] = useState(false);
  const chosenDeviceId = Form.useWatch('deviceId', form);

  const loadDevices = useCallback(() => (campusId ? devicesApi.list(campusId) : Promise.resolve([])), [campusId]);
  const devices = useLoad<Device[]>(loadDevices, []);
  const patterns = useLoad(intakeApi.scanPatterns, []);

  const focusScanBox = useCallback(() => setTimeout(() => scanBox.current?.focus(), 0), []);

  // The technician's device rarely changes between patients: remember it per campus.
  useEffect(() => {
    if (!campusId) return;
    const remembered = localStorage.getItem(deviceStorageKey(campusId));
    const enabled = devices.data.filter((d) => d.enabled);
    form.setFieldValue('deviceId', enabled.find((d) => d.id === remembered)?.id);
  }, [campusId, devices.data, form]);

  function chooseDevice(deviceId: string | undefined) {
    if (campusId) {
      if (deviceId) localStorage.setItem(deviceStorageKey(campusId), deviceId);
      else localStorage.removeItem(deviceStorageKey(campusId));
    }
    focusScanBox();
  }

  function clearPatient() {
    setScanned(null);
    setSelected([]);
    setHisDown(null);
    form.setFieldsValue({ heightCm: undefined, weightKg: undefined });
  }

  async function scan(scannedCode: string) {
    setBusy(true);
    setFailure(null);
    setOutcome(null);
    clearPatient();
    try {
      const result = await intakeApi.scan(scannedCode);
      const registrable = result.orders.filter((o) => o.registrable);
      setScanned({ code: scannedCode, result });
      setSelected(registrable.map((o) => o.requestNo));
      const first = registrable[0];
      form.setFieldsValue({ heightCm: first?.heightCm, weightKg: first?.weightKg });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'his.unavailable') setHisDown({ code: scannedCode, title: error.title });
      else setFailure(errorTitle(error));
    } finally {
      setCode('');
      setBusy(false);
      focusScanBox();
    }
  }

  async function register(values: MeasurementValues) {
    if (!scanned || selected.length === 0) return;
    setBusy(true);
    setFailure(null);
    try {
      const { exams, warnings } = await intakeApi.register({ requestNos: selected, ...measurements(values) });
      setOutcome({ patientName: scanned.result.patient.name, exams, manual: false, warnings });
      clearPatient();
    } catch (error) {
      if (!applyFieldErrors(form, error)) setFailure(errorTitle(error));
    } finally {
      setBusy(false);
      focusScanBox();
    }
  }

  function onScanBoxEnter() {
    const typed = code.trim();
    if (typed) void scan(typed);
    else if (scanned && selected.length > 0 && !busy) form.submit();
  }

  const scannedKind = hisDown ? kindOf(hisDown.code, patterns.data) : null;
  const deviceOptions = devices.data.filter((d) => d.enabled).map((d) => ({ value: d.id, label: d.room ? `${d.name}（${d.room}）` : d.name }));

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t('intake.title')}>
        {!campusId && <Alert type="warning" showIcon title={t('intake.noCampus')} style={{ marginBottom: 16 }} />}
        <Space.Compact style={{ width: '100%' }}>
          <Input
            ref={scanBox}
            autoFocus
            size="large"
            data-testid="scan-input"
            prefix={<ScanOutlined style={{ color: '#0e6e8c' }} />}
            placeholder={scanned ? t('intake.scanPlaceholderRegister') : t('intake.scanPlaceholder')}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            onPressEnter={onScanBoxEnter}
            autoComplete="off"
            style={{ fontSize: 22, height: 56 }}
          />
          <Button size="large" icon={<CameraOutlined />} style={{ height: 56 }} onClick={() => setCameraOpen(true)} data-testid="camera-scan">
            {t('intake.camera')}
          </Button>
        </Space.Compact>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {t('intake.scanHint')}
        </Typography.Paragraph>
        {failure && <Alert type="error" showIcon title={failure} style={{ marginTop: 16 }} data-testid="intake-error" closable={{ onClose: () => setFailure(null) }} />}
        {outcome && <OutcomeAlert outcome={outcome} />}
      </Card>

      {hisDown && (
        <Card>
          <Alert type="warning" showIcon data-testid="his-down" title={hisDown.title} description={t('intake.hisDownHint')} style={{ marginBottom: 16 }} />
          <ManualIntakeForm
            key={hisDown.code}
            code={hisDown.code}
            kind={scannedKind}
            deviceOptions={deviceOptions}
            defaultDeviceId={form.getFieldValue('deviceId') as string | undefined}
            onRegistered={(patientName, exam, warnings) => {
              setOutcome({ patientName, exams: [exam], manual: true, warnings });
              clearPatient();
              focusScanBox();
            }}
            onCancel={() => {
              setHisDown(null);
              focusScanBox();
            }}
          />
        </Card>
      )}

      {/* Always mounted, so the measurement form keeps the chosen device between patients. */}
      <Card
        title={t('intake.patient')}
        data-testid="patient-card"
        style={{ display: scanned ? undefined : 'none' }}
        extra={scanned && <Typography.Text type="secondary">{t('intake.scannedCode', { code: scanned.code })}</Typography.Text>}
      >
        {scanned && (
          <>
            <PatientDescriptions patient={scanned.result.patient} />
            <Typography.Title level={5} style={{ marginTop: 20 }}>
              {t('intake.orders')}
            </Typography.Title>
            <OrdersTable orders={scanned.result.orders} selected={selected} onSelect={setSelected} />
          </>
        )}
        <Form form={form} layout="inline" onFinish={register} style={{ marginTop: 20, rowGap: 12 }} data-testid="register-form">
          <Form.Item name="heightCm" label={t('intake.height')}>
            <InputNumber min={50} max={230} step={0.5} suffix="cm" style={{ width: 130 }} data-testid="height" />
          </Form.Item>
          <Form.Item name="weightKg" label={t('intake.weight')}>
            <InputNumber min={2} max={300} step={0.5} suffix="kg" style={{ width: 130 }} data-testid="weight" />
          </Form.Item>
          <Form.Item name="deviceId" label={t('intake.device')}>
            <Select allowClear style={{ width: 280 }} placeholder={t('intake.noDevice')} options={deviceOptions} onChange={chooseDevice} data-testid="device-select" />
          </Form.Item>
          <Form.Item>
            <Button type="primary" size="large" htmlType="submit" loading={busy} disabled={selected.length === 0} data-testid="register-button">
              {t('intake.register', { n: selected.length })}
            </Button>
          </Form.Item>
        </Form>
        <DeviceCheckNotice deviceId={chosenDeviceId} refreshKey={outcome} />
      </Card>

      {cameraOpen && (
        <CameraScanModal
          onDecoded={(decoded) => {
            setCameraOpen(false);
            void scan(decoded);
          }}
          onClose={() => {
            setCameraOpen(false);
            focusScanBox();
          }}
        />
      )}
    </Space>
  );
}

function measurements(values: MeasurementValues): Measurements {
  return { heightCm: values.heightCm ?? undefined, weightKg: values.weightKg ?? undefined, deviceId: values.deviceId ?? undefined };
}

/** Which kind of number the code is, by the lab's patterns, so the manual form can put it in the right field. */
function kindOf(code: string, patterns: Array<{ kind: ScanKind; pattern: string }>): ScanKind | null {
  return patterns.find((p) => new RegExp(p.pattern).test(code))?.kind ?? null;
}

function OutcomeAlert({ outcome }: { outcome: Outcome }) {
  const { t } = useI18n();
  const anyCreated = outcome.exams.some((e) => e.created);
  return (
    <Alert
      style={{ marginTop: 16 }}
      type={anyCreated ? 'success' : 'info'}
      showIcon
      data-testid="intake-outcome"
      title={outcome.manual ? t('intake.registeredManually', { name: outcome.patientName }) : t('intake.registered', { name: outcome.patientName })}
      description={
        <Space orientation="vertical" size={4}>
          {outcome.exams.map((exam) => (
            <Space key={exam.examId} wrap>
              {exam.requestNo && <Typography.Text type="secondary">{exam.requestNo}</Typography.Text>}
              <span>{t('intake.accessionNo')}</span>
              <Typography.Text strong copyable data-testid="accession-no" style={{ fontSize: 18 }}>
                {exam.accessionNo}
              </Typography.Text>
              {!exam.created && <Tag color="blue">{t('intake.alreadyRegistered')}</Tag>}
              {outcome.manual && <Tag color="orange">{t('exam.unverified')}</Tag>}
            </Space>
          ))}
          {outcome.manual && <Typography.Text type="secondary">{t('intake.reconcileLater')}</Typography.Text>}
          {outcome.warnings?.map((warning) => (
            <Alert key={warning} type="warning" showIcon title={warning} data-testid="intake-warning" />
          ))}
        </Space>
      }
    />
  );
}

function PatientDescriptions({ patient }: { patient: ScannedPatient }) {
  const { t } = useI18n();
  const label = useCodeLabel();
  const show = (value: string | null) => value || '—';
  return (
    <Descriptions size="small" bordered column={{ xs: 1, md: 2, xl: 4 }}>
      <Descriptions.Item label={t('patient.name')}>
        <Typography.Text strong style={{ fontSize: 18 }} data-testid="patient-name">
          {patient.name}
        </Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label={t('patient.sex')}>{label('sex', patient.sex)}</Descriptions.Item>
      <Descriptions.Item label={t('patient.age')}>{patient.age}</Descriptions.Item>
      <Descriptions.Item label={t('patient.birthDate')}>{patient.birthDate}</Descriptions.Item>
      <Descriptions.Item label={t('patient.idNumber')}>{show(patient.idNumber)}</Descriptions.Item>
      <Descriptions.Item label={t('patient.phone')}>{show(patient.phone)}</Descriptions.Item>
      <Descriptions.Item label={t('patient.cardNo')}>{show(patient.cardNo)}</Descriptions.Item>
      <Descriptions.Item label={t('patient.hisPatientId')}>{show(patient.hisPatientId)}</Descriptions.Item>
      <Descriptions.Item label={t('patient.outpatientNo')}>{show(patient.outpatientNo)}</Descriptions.Item>
      <Descriptions.Item label={t('patient.inpatientNo')}>{show(patient.inpatientNo)}</Descriptions.Item>
      {(patient.ward || patient.bed) && (
        <Descriptions.Item label={t('patient.wardBed')}>{[patient.ward, patient.bed].filter(Boolean).join(' / ')}</Descriptions.Item>
      )}
      <Descriptions.Item label={t('patient.address')} span={2}>
        {show(patient.address)}
      </Descriptions.Item>
    </Descriptions>
  );
}

function OrdersTable({ orders, selected, onSelect }: { orders: PendingOrder[]; selected: string[]; onSelect(requestNos: string[]): void }) {
  const { t, language } = useI18n();
  const label = useCodeLabel();
  return (
    <Table<PendingOrder>
      rowKey="requestNo"
      size="small"
      pagination={false}
      data-testid="orders-table"
      dataSource={orders}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: t('intake.noOrders') }}
      rowSelection={{
        selectedRowKeys: selected,
        onChange: (keys) => onSelect(keys.map(String)),
        getCheckboxProps: (order) => ({ disabled: !order.registrable }),
      }}
      columns={[
        { title: t('order.requestNo'), dataIndex: 'requestNo', width: 190 },
        { title: t('order.itemName'), dataIndex: 'itemName', width: 150 },
        {
          title: t('common.status'),
          key: 'state',
          width: 230,
          render: (_, order) =>
            order.registrable ? <Tag color="green">{t('intake.registrable')}</Tag> : <Tag color={order.exam ? 'blue' : 'default'}>{order.reason}</Tag>,
        },
        { title: t('order.visitType'), dataIndex: 'visitType', width: 90, render: (v: string) => label('visitType', v) },
        { title: t('order.visitSerialNo'), dataIndex: 'visitSerialNo', width: 190 },
        { title: t('order.requestingDepartment'), dataIndex: 'requestingDepartment', width: 110 },
        { title: t('order.requestingDoctor'), dataIndex: 'requestingDoctor', width: 90 },
        { title: t('order.clinicalDiagnosis'), dataIndex: 'clinicalDiagnosis', width: 160 },
        { title: t('order.requestedAt'), dataIndex: 'requestedAt', width: 170, render: (iso?: string) => (iso ? new Date(iso).toLocaleString(language) : '—') },
      ]}
    />
  );
}
