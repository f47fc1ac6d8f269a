import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useT } from '../../../i18n/I18nProvider.tsx';
import { type Campus, type CampusInput, type Department, type DepartmentInput, type DepartmentKind, orgApi } from './api.ts';

const KINDS: DepartmentKind[] = ['pft_lab', 'clinical', 'administrative'];

type Editing =
  | { kind: 'campus'; campus: Campus | null }
  | { kind: 'department'; campus: Campus; department: Department | null }
  | null;

export function OrgPage() {
  const t = useT();
  const campuses = useLoad(orgApi.campuses, []);
  const [editing, setEditing] = useState<Editing>(null);
  const activeTag = (active: boolean) => <Tag color={active ? 'green' : 'default'}>{active ? t('common.active') : t('common.inactive')}</Tag>;

  return (
    <Card
      title={t('org.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'campus', campus: null })}>
          {t('org.createCampus')}
        </Button>
      }
    >
      <Table<Campus>
        rowKey="id"
        loading={campuses.loading}
        dataSource={campuses.data}
        pagination={false}
        expandable={{
          defaultExpandAllRows: true,
          expandedRowRender: (campus) => (
            <Table<Department>
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={campus.departments}
              title={() => (
                <Space>
                  <strong>{t('org.departments')}</strong>
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'department', campus, department: null })}>
                    {t('org.createDepartment')}
                  </Button>
                </Space>
              )}
              columns={[
                { title: t('common.code'), dataIndex: 'code' },
                { title: t('org.departmentName'), dataIndex: 'name' },
                { title: t('common.nameEn'), dataIndex: 'nameEn' },
                { title: t('org.kind'), dataIndex: 'kind', render: (kind: DepartmentKind) => t(`org.kind.${kind}`) },
                { title: t('common.status'), dataIndex: 'active', render: activeTag },
                {
                  title: t('common.actions'),
                  render: (_, department) => (
                    <Button type="link" size="small" onClick={() => setEditing({ kind: 'department', campus, department })}>
                      {t('common.edit')}
                    </Button>
                  ),
                },
              ]}
            />
          ),
        }}
        columns={[
          { title: t('common.code'), dataIndex: 'code' },
          { title: t('org.campusName'), dataIndex: 'name' },
          { title: t('common.nameEn'), dataIndex: 'nameEn' },
          { title: t('org.address'), dataIndex: 'address' },
          { title: t('common.status'), dataIndex: 'active', render: activeTag },
          {
            title: t('common.actions'),
            render: (_, campus) => (
              <Button type="link" size="small" onClick={() => setEditing({ kind: 'campus', campus })}>
                {t('common.edit')}
              </Button>
            ),
          },
        ]}
      />
      {editing?.kind === 'campus' && <CampusForm campus={editing.campus} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); void campuses.reload(); }} />}
      {editing?.kind === 'department' && (
        <DepartmentForm campus={editing.campus} department={editing.department} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); void campuses.reload(); }} />
      )}
    </Card>
  );
}

/** Runs a save and routes its errors to the form fields or a message. */
function useSave<V>(form: ReturnType<typeof Form.useForm<V>>[0], onSaved: () => void) {
  const t = useT();
  const { message } = App.useApp();
  const [saving, setSaving] = useState(false);
  async function save(action: () => Promise<unknown>) {
    setSaving(true);
    try {
      await action();
      message.success(t('common.saved'));
      onSaved();
    } catch (error) {
      if (!applyFieldErrors(form, error)) message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }
  return { saving, save };
}

function CampusForm({ campus, onClose, onSaved }: { campus: Campus | null; onClose(): void; onSaved(): void }) {
  const t = useT();
  const [form] = Form.useForm<CampusInput>();
  const { saving, save } = useSave(form, onSaved);
  const submit = (v: CampusInput) =>
    save(() => (campus ? orgApi.updateCampus(campus.id, { name: v.name, nameEn: v.nameEn || null, address: v.address || null, active: v.active }) : orgApi.createCampus(v)));

  return (
    <Modal open title={campus ? t('org.editCampus') : t('org.createCampus')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={submit} initialValues={campus ?? { active: true }}>
        <Form.Item name="code" label={t('common.code')} rules={[{ required: true }]}>
          <Input disabled={!!campus} />
        </Form.Item>
        <Form.Item name="name" label={t('org.campusName')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="nameEn" label={t('common.nameEn')}>
          <Input />
        </Form.Item>
        <Form.Item name="address" label={t('org.address')}>
          <Input />
        </Form.Item>
        {campus && (
          <Form.Item name="active" label={t('common.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function DepartmentForm({ campus, department, onClose, onSaved }: { campus: Campus; department: Department | null; onClose(): void; onSaved(): void }) {
  const t = useT();
  const [form] = Form.useForm<DepartmentInput>();
  const { saving, save } = useSave(form, onSaved);
  const submit = (v: DepartmentInput) =>
    save(() =>
      department
        ? orgApi.updateDepartment(department.id, { name: v.name, nameEn: v.nameEn || null, kind: v.kind, active: v.active })
        : orgApi.createDepartment({ ...v, campusId: campus.id }),
    );

  return (
    <Modal
      open
      title={`${department ? t('org.editDepartment') : t('org.createDepartment')} · ${campus.name}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={saving}
      okText={t('common.save')}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} initialValues={department ?? { kind: 'pft_lab', active: true }}>
        <Form.Item name="code" label={t('common.code')} rules={[{ required: true }]}>
          <Input disabled={!!department} />
        </Form.Item>
        <Form.Item name="name" label={t('org.departmentName')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="nameEn" label={t('common.nameEn')}>
          <Input />
        </Form.Item>
        <Form.Item name="kind" label={t('org.kind')}>
          <Select options={KINDS.map((kind) => ({ value: kind, label: t(`org.kind.${kind}`) }))} />
        </Form.Item>
        {department && (
          <Form.Item name="active" label={t('common.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
