import { SafetyCertificateOutlined } from '@ant-design/icons';
import type { SigningTrustEntry, SigningTrustList } from '@pftis/server/api-types';
import { Alert, App, Button, Flex, Form, Input, Modal, Popconfirm, Table, Tag, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { apiRequest } from '../../../api/client.ts';
import { errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useI18n } from '../../../i18n/I18nProvider.tsx';
import { SingleFilePicker } from '../../../layout/SingleFilePicker.tsx';
import { algorithmName } from '../../report/labels.ts';
import { fileToBase64 } from '../../profile/SignatureCard.tsx';

export const signingTrustApi = {
  list: () => apiRequest<SigningTrustList>('/api/signing/trust'),
  add: (certificate: string, comment: string) => apiRequest<SigningTrustEntry>('/api/signing/trust', { method: 'POST', body: { certificate, comment } }),
  remove: (id: string) => apiRequest<{ ok: true }>(`/api/signing/trust/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};

/** A certificate file as the server takes it: PEM text as it is, DER as base64. */
export async function certificateFileText(file: Blob): Promise<string> {
  const text = await file.text();
  return text.includes('-----BEGIN CERTIFICATE-----') ? text : fileToBase64(file);
}

const mono = { fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' } as const;

/**
 * 签名证书信任: which certificates a report signature may chain to. The department CA is always trusted; the system
 * administrator adds the CA certificates of the certification authorities whose personal certificates physicians may
 * import (or one personal certificate itself).
 */
export function SigningTrustTab() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const load = useCallback(() => signingTrustApi.list(), []);
  const list = useLoad<SigningTrustList | null>(load, null);
  const [adding, setAdding] = useState(false);
  const date = (value: string) => new Date(value).toLocaleDateString(language);

  async function remove(entry: SigningTrustEntry) {
    try {
      await signingTrustApi.remove(entry.id);
      message.success(t('trust.removed'));
      void list.reload();
    } catch (error) {
      message.error(errorTitle(error));
    }
  }

  return (
    <Flex vertical gap={16} data-testid="signing-trust">
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('trust.intro')}
      </Typography.Paragraph>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t('trust.departmentCas')}
      </Typography.Title>
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        loading={list.loading && !list.data}
        dataSource={list.data?.departmentCas ?? []}
        columns={[
          { title: t('trust.subject'), dataIndex: 'subject' },
          { title: t('sign.algorithm'), dataIndex: 'algorithm', width: 120, render: (a: string) => algorithmName(a, t) },
          { title: t('trust.notAfter'), dataIndex: 'notAfter', width: 120, render: date },
        ]}
      />
      <Flex justify="space-between" align="center">
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('trust.entries')}
        </Typography.Title>
        <Button type="primary" icon={<SafetyCertificateOutlined />} onClick={() => setAdding(true)} data-testid="trust-add">
          {t('trust.add')}
        </Button>
      </Flex>
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        loading={list.loading && !list.data}
        dataSource={list.data?.entries ?? []}
        locale={{ emptyText: t('trust.empty') }}
        expandable={{ expandedRowRender: (e) => <Typography.Text style={mono}>{`${t('trust.fingerprint')}: ${e.sha256}`}</Typography.Text> }}
        columns={[
          { title: t('trust.subject'), dataIndex: 'subject' },
          { title: t('trust.issuer'), dataIndex: 'issuer' },
          { title: t('trust.kind'), dataIndex: 'isCa', width: 100, render: (isCa: boolean) => <Tag color={isCa ? 'blue' : 'default'}>{isCa ? t('trust.kindCa') : t('trust.kindPersonal')}</Tag> },
          { title: t('trust.notAfter'), dataIndex: 'notAfter', width: 110, render: date },
          { title: t('trust.comment'), dataIndex: 'comment', width: 140 },
          { title: t('trust.addedBy'), dataIndex: 'addedByName', width: 100 },
          {
            title: t('common.actions'),
            width: 80,
            render: (_: unknown, entry: SigningTrustEntry) => (
              <Popconfirm title={t('trust.removeConfirm')} onConfirm={() => remove(entry)} okButtonProps={{ danger: true }}>
                <Button size="small" danger data-testid="trust-remove">
                  {t('trust.remove')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      <AddTrustModal
        open={adding}
        onClose={() => setAdding(false)}
        onDone={() => {
          setAdding(false);
          message.success(t('trust.added'));
          void list.reload();
        }}
      />
    </Flex>
  );
}

function AddTrustModal({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ comment?: string }>();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit({ comment }: { comment?: string }) {
    if (!file) {
      setError(t('trust.fileRequired'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signingTrustApi.add(await certificateFileText(file), comment ?? '');
      setFile(null);
      onDone();
    } catch (e) {
      setError(errorTitle(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open={open} title={t('trust.add')} okText={t('trust.addSubmit')} okButtonProps={{ loading: busy, 'data-testid': 'trust-add-submit' }} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} preserve={false}>
        <Form.Item label={t('trust.file')} required>
          <SingleFilePicker
            accept=".cer,.crt,.pem,.der,application/x-x509-ca-cert,application/pkix-cert"
            file={file}
            onChange={(f) => {
              setFile(f);
              setError(null);
            }}
            label={t('trust.file')}
          />
        </Form.Item>
        <Form.Item name="comment" label={t('trust.comment')}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
