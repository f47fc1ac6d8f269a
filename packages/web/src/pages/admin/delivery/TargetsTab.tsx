import { KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useLoad } from '../../../api/useLoad.ts';
import { useI18n, useLocalName } from '../../../i18n/I18nProvider.tsx';
import { orgApi } from '../org/api.ts';
import { type DeliveryTargetView, deliveryApi, isKind } from './api.ts';
import { TargetDrawer } from './TargetDrawer.tsx';

const listTargets = () => deliveryApi.targets();
const monospace = { fontFamily: 'Consolas, "Courier New", monospace', fontSize: 12 };

/** Where a target sends to, in one line. */
function endpoint(target: DeliveryTargetView): { text: string } | { statements: number } {
  const config = (typeof target.config === 'object' && target.config !== null ? target.config : {}) as Record<string, unknown>;
  switch (target.kind) {
    case 'sql':
      return { statements: Array.isArray(config.statements) ? config.statements.length : 0 };
    case 'http':
      return { text: `${String(config.format ?? 'json').toUpperCase()} → ${String(config.url ?? '')}` };
    case 'hl7':
      return { text: `MLLP ${String(config.host ?? '')}:${String(config.port ?? '')}` };
    case 'fhir':
      return { text: String(config.baseUrl ?? '') };
    case 'file':
      return { text: String(config.folder ?? '') };
    default:
      return { text: '' };
  }
}

/** 发送目标: where approved reports go, added and changed in a drawer. */
export function TargetsTab({ createRequested, onCreateHandled }: { createRequested: boolean; onCreateHandled(): void }) {
  const { t, language } = useI18n();
  const localName = useLocalName();
  const campuses = useLoad(orgApi.campuses, []);
  const targets = useLoad(listTargets, []);
  const [editing, setEditing] = useState<{ target: DeliveryTargetView | null } | null>(null);
  const open = editing ?? (createRequested ? { target: null } : null);
  const campusName = (id: string | null) => {
    if (!id) return t('delivery.target.allCampuses');
    const campus = campuses.data.find((c) => c.id === id);
    return campus ? localName(campus) : id;
  };
  const close = () => {
    setEditing(null);
    onCreateHandled();
  };

  return (
    <>
      <Flex justify="flex-end" style={{ marginBottom: 12 }}>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ target: null })} data-testid="create-target">
          {t('delivery.target.create')}
        </Button>
      </Flex>
      <Table<DeliveryTargetView>
        rowKey="id"
        size="middle"
        loading={targets.loading}
        dataSource={targets.data}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="targets-table"
        columns={[
          { title: t('delivery.target.name'), dataIndex: 'name', width: 180, render: (name: string) => <Typography.Text strong>{name}</Typography.Text> },
          { title: t('delivery.target.kind'), dataIndex: 'kind', width: 110, render: (kind: string) => <Tag>{isKind(kind) ? t(`delivery.kind.${kind}`) : kind}</Tag> },
          { title: t('delivery.target.campus'), dataIndex: 'campusId', width: 110, render: campusName },
          {
            title: t('delivery.target.endpoint'),
            key: 'endpoint',
            render: (_, target) => {
              const where = endpoint(target);
              return (
                <Flex gap={6} align="center">
                  <span style={monospace}>{'statements' in where ? t('delivery.target.statementsCount', { n: where.statements }) : where.text}</span>
                  {target.hasSecret && (
                    <Tooltip title={t('delivery.target.secretSet')}>
                      <KeyOutlined aria-label={t('delivery.target.secretSet')} />
                    </Tooltip>
                  )}
                </Flex>
              );
            },
          },
          { title: t('delivery.target.document'), dataIndex: 'document', width: 80, render: (d: string) => d.toUpperCase() },
          { title: t('delivery.target.maxAttempts'), dataIndex: 'maxAttempts', width: 110, align: 'right' },
          {
            title: t('common.status'),
            dataIndex: 'enabled',
            width: 80,
            render: (on: boolean) => <Tag color={on ? 'green' : 'default'}>{on ? t('common.active') : t('common.inactive')}</Tag>,
          },
          { title: t('delivery.target.updatedAt'), dataIndex: 'updatedAt', width: 170, render: (iso: string) => new Date(iso).toLocaleString(language) },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 80,
            render: (_, target) => (
              <Button type="link" size="small" onClick={() => setEditing({ target })} data-testid="edit-target">
                {t('common.edit')}
              </Button>
            ),
          },
        ]}
      />
      {open && (
        <TargetDrawer
          target={open.target}
          campusOptions={campuses.data.map((c) => ({ value: c.id, label: localName(c) }))}
          onClose={close}
          onSaved={() => {
            close();
            void targets.reload();
          }}
        />
      )}
    </>
  );
}
