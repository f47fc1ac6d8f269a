import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip } from 'antd';
import { useCallback, useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useI18n, useLocalName } from '../../../i18n/I18nProvider.tsx';
import { orgApi } from '../org/api.ts';
import { rolesApi } from '../roles/api.ts';
import { type NewUser, type UserView, usersApi } from './api.ts';

// Only role managers may list roles; a user manager without that right can still edit names and campuses.
const loadRoles = () => rolesApi.list().catch(() => []);

type Editing = { kind: 'create' } | { kind: 'edit'; user: UserView } | { kind: 'password'; user: UserView } | null;

export function UsersPage() {
  const { t, language } = useI18n();
  const localName = useLocalName();
  const { message } = App.useApp();
  const [query, setQuery] = useState('');
  const loadUsers = useCallback(() => usersApi.list(query || undefined), [query]);
  const users = useLoad(loadUsers, []);
  const roles = useLoad(loadRoles, []);
  const campuses = useLoad(orgApi.campuses, []);
  const [editing, setEditing] = useState<Editing>(null);

  async function act(action: () => Promise<unknown>) {
    try {
      await action();
      message.success(t('users.done'));
      await users.reload();
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  const isLocked = (user: UserView) => user.lockedUntil !== null && new Date(user.lockedUntil) > new Date();
  const formatTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString(language) : '—');

  return (
    <Card
      title={t('users.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'create' })} data-testid="create-user">
          {t('users.create')}
        </Button>
      }
    >
      <Input.Search placeholder={t('users.search')} allowClear onSearch={setQuery} style={{ maxWidth: 320, marginBottom: 16 }} />
      <Table<UserView>
        rowKey="id"
        loading={users.loading}
        dataSource={users.data}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 1100 }}
        columns={[
          { title: t('users.username'), dataIndex: 'username' },
          { title: t('users.displayName'), dataIndex: 'displayName' },
          { title: t('users.roles'), render: (_, u) => u.roles.map((r) => <Tag key={r.id} color="blue">{r.name}</Tag>) },
          { title: t('users.campuses'), render: (_, u) => u.campuses.map((c) => <Tag key={c.id}>{c.name}</Tag>) },
          {
            title: t('common.status'),
            render: (_, u) => (
              <Flex gap={4} wrap>
                {u.disabled && <Tag color="default">{t('users.disabled')}</Tag>}
                {isLocked(u) && (
                  <Tooltip title={formatTime(u.lockedUntil)}>
                    <Tag color="red">{t('users.locked')}</Tag>
                  </Tooltip>
                )}
                {u.mustChangePassword && <Tag color="orange">{t('users.mustChange')}</Tag>}
                {u.totpEnabled && <Tag color="green">{t('users.totp')}</Tag>}
                {!u.disabled && !isLocked(u) && !u.mustChangePassword && !u.totpEnabled && <Tag color="success">{t('users.normal')}</Tag>}
              </Flex>
            ),
          },
          { title: t('users.lastLogin'), render: (_, u) => formatTime(u.lastLoginAt) },
          {
            title: t('common.actions'),
            fixed: 'right',
            width: 300,
            render: (_, u) => (
              <Space size={0} wrap>
                <Button type="link" size="small" onClick={() => setEditing({ kind: 'edit', user: u })}>
                  {t('common.edit')}
                </Button>
                <Button type="link" size="small" onClick={() => setEditing({ kind: 'password', user: u })}>
                  {t('users.resetPassword')}
                </Button>
                {isLocked(u) ? (
                  <Button type="link" size="small" onClick={() => act(() => usersApi.unlock(u.id))}>
                    {t('users.unlock')}
                  </Button>
                ) : (
                  <Button type="link" size="small" onClick={() => act(() => usersApi.lock(u.id))}>
                    {t('users.lock')}
                  </Button>
                )}
                {u.totpEnabled && (
                  <Popconfirm title={t('users.resetTotpConfirm')} onConfirm={() => act(() => usersApi.resetTotp(u.id))}>
                    <Button type="link" size="small">
                      {t('users.resetTotp')}
                    </Button>
                  </Popconfirm>
                )}
                {u.disabled ? (
                  <Button type="link" size="small" onClick={() => act(() => usersApi.update(u.id, { disabled: false }))}>
                    {t('users.enable')}
                  </Button>
                ) : (
                  <Popconfirm title={t('users.disableConfirm')} onConfirm={() => act(() => usersApi.update(u.id, { disabled: true }))}>
                    <Button type="link" size="small" danger>
                      {t('users.disable')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      {(editing?.kind === 'create' || editing?.kind === 'edit') && (
        <UserForm
          user={editing.kind === 'edit' ? editing.user : null}
          roleOptions={roles.data.map((r) => ({ value: r.id, label: language === 'en' ? r.nameEn : r.name }))}
          campusOptions={campuses.data.map((c) => ({ value: c.id, label: localName(c) }))}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            message.success(t('common.saved'));
            void users.reload();
          }}
        />
      )}
      {editing?.kind === 'password' && (
        <ResetPasswordForm
          user={editing.user}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            message.success(t('users.done'));
            void users.reload();
          }}
        />
      )}
    </Card>
  );
}

type Option = { value: string; label: string };

function UserForm({ user, roleOptions, campusOptions, onClose, onSaved }: { user: UserView | null; roleOptions: Option[]; campusOptions: Option[]; onClose(): void; onSaved(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<NewUser>();
  const [saving, setSaving] = useState(false);

  async function save(values: NewUser) {
    setSaving(true);
    try {
      if (user) await usersApi.update(user.id, { displayName: values.displayName, roleIds: values.roleIds, campusIds: values.campusIds });
      else await usersApi.create({ ...values, roleIds: values.roleIds ?? [] });
      onSaved();
    } catch (error) {
      if (!applyFieldErrors(form, error)) message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal open title={user ? t('users.edit') : t('users.create')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden>
      <Form
        form={form}
        layout="vertical"
        onFinish={save}
        data-testid="user-form"
        initialValues={user ? { username: user.username, displayName: user.displayName, roleIds: user.roles.map((r) => r.id), campusIds: user.campuses.map((c) => c.id) } : { roleIds: [], campusIds: campusOptions.length === 1 ? [campusOptions[0]!.value] : [] }}
      >
        <Form.Item name="username" label={t('users.username')} rules={[{ required: true, message: t('login.usernameRequired') }]}>
          <Input disabled={!!user} autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t('users.displayName')} rules={[{ required: true }]}>
          <Input autoComplete="off" />
        </Form.Item>
        {!user && (
          <Form.Item name="password" label={t('users.initialPassword')} extra={t('users.initialPasswordHint')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
        <Form.Item name="roleIds" label={t('users.roles')}>
          <Select mode="multiple" options={roleOptions} optionFilterProp="label" data-testid="user-roles" />
        </Form.Item>
        <Form.Item name="campusIds" label={t('users.campuses')} rules={[{ required: true, message: t('users.campusesRequired') }]}>
          <Select mode="multiple" options={campusOptions} optionFilterProp="label" data-testid="user-campuses" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ResetPasswordForm({ user, onClose, onSaved }: { user: UserView; onClose(): void; onSaved(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ password: string }>();

  async function save({ password }: { password: string }) {
    try {
      await usersApi.resetPassword(user.id, password);
      onSaved();
    } catch (error) {
      if (!applyFieldErrors(form, error)) message.error(errorTitle(error));
    }
  }

  return (
    <Modal open title={t('users.resetPasswordTitle', { name: user.displayName })} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={save}>
        <Form.Item name="password" label={t('users.temporaryPassword')} extra={t('users.temporaryPasswordHint')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
