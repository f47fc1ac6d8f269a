import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Form, Input, InputNumber, Modal, Row, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useLocalName, useT } from '../../../i18n/I18nProvider.tsx';
import { orgApi } from '../org/api.ts';
import { CHANNELS, type Device, type DeviceChannel, type DeviceInput, devicesApi, ENCODINGS, GDT_VERSIONS } from './api.ts';

const listDevices = () => devicesApi.list();

/** 设备管理: the lung-function devices of each campus and how each takes its worklist. */
export function DevicesPage() {
  const t = useT();
  const localName = useLocalName();
  const campuses = useLoad(orgApi.campuses, []);
  const devices = useLoad(listDevices, []);
  const [campusFilter, setCampusFilter] = useState<string>();
  const [editing, setEditing] = useState<{ device: Device | null } | null>(null);
  const campusName = (id: string) => {
    const campus = campuses.data.find((c) => c.id === id);
    return campus ? localName(campus) : id;
  };
  const shown = campusFilter ? devices.data.filter((d) => d.campusId === campusFilter) : devices.data;

  return (
    <Card
      title={t('devices.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ device: null })} data-testid="create-device">
          {t('devices.create')}
        </Button>
      }
    >
      <Space style={{ marginBottom: 16 }}>
        <Select
          allowClear
          style={{ width: 200 }}
          placeholder={t('worklist.allCampuses')}
          value={campusFilter}
          onChange={setCampusFilter}
          options={campuses.data.map((c) => ({ value: c.id, label: localName(c) }))}
        />
      </Space>
      <Table<Device>
        rowKey="id"
        loading={devices.loading}
        dataSource={shown}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('devices.campus'), dataIndex: 'campusId', width: 110, render: campusName, sorter: (a, b) => campusName(a.campusId).localeCompare(campusName(b.campusId)) },
          { title: t('devices.name'), dataIndex: 'name', width: 170 },
          { title: t('devices.room'), dataIndex: 'room', width: 120 },
          { title: t('devices.vendorModel'), key: 'model', width: 160, render: (_, d) => [d.vendor, d.model].filter(Boolean).join(' ') },
          { title: t('devices.channel'), dataIndex: 'channel', width: 150, render: (c: DeviceChannel) => t(`devices.channel.${c}`) },
          {
            title: t('devices.endpoint'),
            key: 'endpoint',
            render: (_, d) => <span style={{ fontFamily: 'monospace', fontSize: 12 }}>{d.channel === 'hl7_mllp' ? `${d.host ?? ''}:${d.port ?? ''}` : d.folder}</span>,
          },
          { title: t('devices.encoding'), dataIndex: 'encoding', width: 140, render: (e: string, d) => (d.channel === 'gdt' ? `${e.toUpperCase()} · GDT ${d.gdtVersion}` : e.toUpperCase()) },
          { title: t('common.status'), dataIndex: 'enabled', width: 80, render: (on: boolean) => <Tag color={on ? 'green' : 'default'}>{on ? t('common.active') : t('common.inactive')}</Tag> },
          {
            title: t('common.actions'),
            width: 80,
            render: (_, device) => (
              <Button type="link" size="small" onClick={() => setEditing({ device })}>
                {t('common.edit')}
              </Button>
            ),
          },
        ]}
      />
      {editing && (
        <DeviceForm
          device={editing.device}
          campusOptions={campuses.data.map((c) => ({ value: c.id, label: localName(c) }))}
          defaultCampusId={campusFilter}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void devices.reload();
          }}
        />
      )}
    </Card>
  );
}

function DeviceForm({
  device,
  campusOptions,
  defaultCampusId,
  onClose,
  onSaved,
}: {
  device: Device | null;
  campusOptions: Array<{ value: string; label: string }>;
  defaultCampusId: string | undefined;
  onClose(): void;
  onSaved(): void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<DeviceInput>();
  const [saving, setSaving] = useState(false);
  const channel = Form.useWatch('channel', form) ?? device?.channel;

  async function submit(values: DeviceInput) {
    setSaving(true);
    try {
      const endpoint = values.channel === 'hl7_mllp' || device?.channel === 'hl7_mllp' ? { host: values.host, port: values.port } : { folder: values.folder };
      const common = { name: values.name, room: values.room ?? '', vendor: values.vendor ?? '', model: values.model ?? '', encoding: values.encoding, gdtVersion: values.gdtVersion, enabled: values.enabled, ...endpoint };
      await (device ? devicesApi.update(device.id, common) : devicesApi.create({ ...common, campusId: values.campusId, channel: values.channel }));
      message.success(t('common.saved'));
      onSaved();
    } catch (error) {
      if (!applyFieldErrors(form, error)) message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal open title={device ? t('devices.edit') : t('devices.create')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden width={600}>
      <Form<DeviceInput>
        form={form}
        layout="vertical"
        onFinish={submit}
        data-testid="device-form"
        initialValues={device ?? { campusId: defaultCampusId, channel: 'gdt', encoding: 'gbk', gdtVersion: '2.1', enabled: true }}
      >
        <Form.Item name="campusId" label={t('devices.campus')} rules={[{ required: true }]}>
          <Select options={campusOptions} disabled={!!device} />
        </Form.Item>
        <Form.Item name="name" label={t('devices.name')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Row gutter={12}>
          <Col flex="1">
            <Form.Item name="room" label={t('devices.room')}>
              <Input />
            </Form.Item>
          </Col>
          <Col flex="1">
            <Form.Item name="vendor" label={t('devices.vendor')}>
              <Input />
            </Form.Item>
          </Col>
          <Col flex="1">
            <Form.Item name="model" label={t('devices.model')}>
              <Input />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="channel" label={t('devices.channel')} rules={[{ required: true }]} extra={device ? t('devices.channelFixed') : undefined}>
          <Select disabled={!!device} options={CHANNELS.map((c) => ({ value: c, label: t(`devices.channel.${c}`) }))} />
        </Form.Item>
        {channel === 'hl7_mllp' ? (
          <Row gutter={12}>
            <Col flex="3">
              <Form.Item name="host" label={t('devices.host')} rules={[{ required: true }]}>
                <Input placeholder="192.168.1.20" />
              </Form.Item>
            </Col>
            <Col flex="1">
              <Form.Item name="port" label={t('devices.port')} rules={[{ required: true }]}>
                <InputNumber min={1} max={65535} precision={0} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
        ) : (
          <Form.Item name="folder" label={t('devices.folder')} rules={[{ required: true }]} extra={t('devices.folderHint')}>
            <Input style={{ fontFamily: 'monospace' }} />
          </Form.Item>
        )}
        <Row gutter={12}>
          <Col flex="1">
            <Form.Item name="encoding" label={t('devices.encoding')}>
              <Select options={ENCODINGS.map((e) => ({ value: e, label: e.toUpperCase() }))} />
            </Form.Item>
          </Col>
          {channel === 'gdt' && (
            <Col flex="1">
              <Form.Item name="gdtVersion" label={t('devices.gdtVersion')}>
                <Select options={GDT_VERSIONS.map((v) => ({ value: v, label: `GDT ${v}` }))} />
              </Form.Item>
            </Col>
          )}
        </Row>
        <Form.Item name="enabled" label={t('common.active')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
