import { App, Button, Card, Drawer, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { type DeviceReportTemplate, deviceTemplatesApi, type TemplateSummary } from './api.ts';
import { useDtT } from './messages.ts';
import { TemplateEditor } from './TemplateEditor.tsx';

const NAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** 报告模板: the layout templates that read device reports (built-in and saved), and their editor. */
export function DeviceTemplatesPage() {
  const { t, language } = useDtT();
  const { message } = App.useApp();
  const templates = useLoad(deviceTemplatesApi.list, []);
  const [open, setOpen] = useState<{ name: string; initial?: DeviceReportTemplate } | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<{ name: string; copyFrom: string }>();

  async function create() {
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    try {
      const base = (await deviceTemplatesApi.detail(values.copyFrom)).active;
      if (!base) throw new Error(t('inactive'));
      setCreating(false);
      form.resetFields();
      setOpen({ name: values.name, initial: { ...base, name: values.name, version: 1 } });
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  return (
    <Card
      title={t('title')}
      extra={
        <Space>
          <Button onClick={() => setCreating(true)} data-testid="new-template">
            {t('newTemplate')}
          </Button>
          <Button onClick={() => void templates.reload()}>{t('refresh')}</Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
      <Table<TemplateSummary>
        rowKey="name"
        size="middle"
        loading={templates.loading}
        dataSource={templates.data}
        pagination={false}
        data-testid="device-templates-table"
        scroll={{ x: 900 }}
        columns={[
          {
            title: t('name'),
            key: 'name',
            render: (_, v) => (
              <Space orientation="vertical" size={0}>
                <Typography.Text strong style={{ fontFamily: 'monospace' }}>
                  {v.name}
                </Typography.Text>
                {v.description && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {v.description}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          { title: t('vendor'), dataIndex: 'vendor', width: 170 },
          { title: t('language'), dataIndex: 'language', width: 70 },
          { title: t('kind'), key: 'kind', width: 90, render: (_, v) => (v.builtin ? <Tag>{t('builtin')}</Tag> : <Tag color="purple">{t('custom')}</Tag>) },
          {
            title: t('activeVersion'),
            key: 'active',
            width: 130,
            render: (_, v) =>
              v.activeVersion === null ? (
                <Tag color="default">{t('inactive')}</Tag>
              ) : (
                <Tag color={v.activeSource === 'saved' ? 'green' : 'blue'}>{t(v.activeSource === 'saved' ? 'activeSaved' : 'activeBuiltin', { version: v.activeVersion })}</Tag>
              ),
          },
          { title: t('savedVersions'), dataIndex: 'savedVersions', width: 100 },
          { title: t('updatedAt'), key: 'updatedAt', width: 170, render: (_, v) => (v.updatedAt ? new Date(v.updatedAt).toLocaleString(language) : '—') },
          {
            title: '',
            key: 'actions',
            width: 80,
            render: (_, v) => (
              <Button type="link" size="small" onClick={() => setOpen({ name: v.name })} data-testid={`edit-template-${v.name}`}>
                {t('edit')}
              </Button>
            ),
          },
        ]}
      />
      <Drawer title={open ? `${t('title')} · ${open.name}` : ''} size="95%" open={open !== null} onClose={() => setOpen(null)} destroyOnHidden>
        {open && <TemplateEditor key={open.name} name={open.name} initial={open.initial} onChanged={() => void templates.reload()} />}
      </Drawer>
      <Modal title={t('newTemplate')} open={creating} onOk={() => void create()} onCancel={() => setCreating(false)} okText={t('create')}>
        <Form form={form} layout="vertical">
          <Form.Item
            name="name"
            label={t('newName')}
            extra={t('newNameHint')}
            rules={[
              { required: true, pattern: NAME, message: t('newNameInvalid') },
              { validator: async (_, value: string) => (templates.data.some((x) => x.name === value) ? Promise.reject(new Error(t('newNameTaken'))) : undefined) },
            ]}
          >
            <Input style={{ fontFamily: 'monospace' }} />
          </Form.Item>
          <Form.Item name="copyFrom" label={t('copyFrom')} rules={[{ required: true }]}>
            <Select options={templates.data.filter((x) => x.activeVersion !== null).map((x) => ({ value: x.name, label: `${x.name} (${x.vendor})` }))} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
