import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Checkbox, Col, Divider, Form, Input, Modal, Popconfirm, Row, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useI18n } from '../../../i18n/I18nProvider.tsx';
import type { MessageKey } from '../../../i18n/zh.ts';
import { type PermissionInfo, type RoleInput, type RoleView, rolesApi } from './api.ts';

const GROUPS = ['exam', 'quality', 'report', 'stats', 'system', 'security', 'audit'] as const;

export function RolesPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const roles = useLoad(rolesApi.list, []);
  const permissions = useLoad(rolesApi.permissions, []);
  const [editing, setEditing] = useState<RoleView | 'new' | null>(null);
  const permissionName = (code: string) => {
    const p = permissions.data.find((x) => x.code === code);
    return p ? (language === 'en' ? p.nameEn : p.name) : code;
  };

  async function remove(role: RoleView) {
    try {
      await rolesApi.remove(role.id);
      message.success(t('roles.deleted'));
      await roles.reload();
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  return (
    <Card
      title={t('roles.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {t('roles.create')}
        </Button>
      }
    >
      <Table<RoleView>
        rowKey="id"
        loading={roles.loading}
        dataSource={roles.data}
        pagination={false}
        expandable={{
          expandedRowRender: (role) => (
            <Space size={[4, 8]} wrap>
              {role.permissions.map((code) => (
                <Tag key={code} title={code}>
                  {permissionName(code)}
                </Tag>
              ))}
            </Space>
          ),
        }}
        columns={[
          { title: t('common.code'), dataIndex: 'code', render: (code: string) => <Typography.Text code>{code}</Typography.Text> },
          { title: t('common.name'), render: (_, r) => (language === 'en' ? r.nameEn : r.name) },
          { title: t('common.description'), dataIndex: 'description', ellipsis: true },
          {
            title: '',
            render: (_, r) => (
              <>
                <Tag color={r.builtin ? 'blue' : 'purple'}>{r.builtin ? t('roles.builtin') : t('roles.custom')}</Tag>
                {r.administrative && <Tag color="gold">{t('roles.administrative')}</Tag>}
              </>
            ),
          },
          { title: t('roles.permissions'), render: (_, r) => t('roles.permissionCount', { n: r.permissions.length }) },
          { title: t('roles.userCount'), dataIndex: 'userCount', align: 'right' },
          {
            title: t('common.actions'),
            render: (_, r) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => setEditing(r)}>
                  {t('common.edit')}
                </Button>
                {!r.builtin && r.userCount === 0 && (
                  <Popconfirm title={t('common.confirmDelete')} onConfirm={() => remove(r)}>
                    <Button type="link" size="small" danger>
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      {editing && (
        <RoleEditor
          role={editing === 'new' ? null : editing}
          catalogue={permissions.data}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            message.success(t('common.saved'));
            void roles.reload();
          }}
        />
      )}
    </Card>
  );
}

function RoleEditor({ role, catalogue, onClose, onSaved }: { role: RoleView | null; catalogue: PermissionInfo[]; onClose(): void; onSaved(): void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<RoleInput>();
  const [saving, setSaving] = useState(false);

  async function save(values: RoleInput) {
    setSaving(true);
    try {
      const permissions = values.permissions ?? [];
      if (role) await rolesApi.update(role.id, { name: values.name, nameEn: values.nameEn, description: values.description ?? '', permissions });
      else await rolesApi.create({ ...values, permissions });
      onSaved();
    } catch (error) {
      if (!applyFieldErrors(form, error)) message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal open width={760} title={role ? t('roles.edit') : t('roles.create')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={save} initialValues={role ?? { permissions: [] }}>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="code" label={t('common.code')} tooltip={t('roles.codeHint')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{1,31}$/, message: t('roles.codeHint') }]}>
              <Input disabled={!!role} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="name" label={t('common.name')} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="nameEn" label={t('common.nameEn')} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="description" label={t('common.description')}>
          <Input.TextArea rows={2} maxLength={200} />
        </Form.Item>
        <Form.Item name="permissions" label={t('roles.permissions')}>
          <Checkbox.Group style={{ display: 'block' }}>
            {GROUPS.map((group) => {
              const items = catalogue.filter((p) => p.group === group);
              if (!items.length) return null;
              return (
                <div key={group}>
                  <Divider titlePlacement="left" plain style={{ margin: '8px 0' }}>
                    {t(`permGroup.${group}` as MessageKey)}
                  </Divider>
                  <Row gutter={[8, 4]}>
                    {items.map((p) => (
                      <Col span={8} key={p.code}>
                        <Checkbox value={p.code} title={p.code}>
                          {language === 'en' ? p.nameEn : p.name}
                        </Checkbox>
                      </Col>
                    ))}
                  </Row>
                </div>
              );
            })}
          </Checkbox.Group>
        </Form.Item>
      </Form>
    </Modal>
  );
}
