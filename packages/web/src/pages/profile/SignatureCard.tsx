import { SafetyCertificateOutlined, UploadOutlined } from '@ant-design/icons';
import type { SignatureStatus, SigningAlgorithm } from '@pftis/server/api-types';
import { Alert, App, Button, Card, Descriptions, Flex, Form, Input, Modal, Radio, Tag, Typography, Upload } from 'antd';
import { useCallback, useState } from 'react';
import { apiRequest, apiUpload } from '../../api/client.ts';
import { errorTitle } from '../../api/forms.ts';
import { useLoad } from '../../api/useLoad.ts';
import { useCan } from '../../auth/SessionProvider.tsx';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { SingleFilePicker } from '../../layout/SingleFilePicker.tsx';
import { algorithmName } from '../report/labels.ts';

export const signatureApi = {
  status: () => apiRequest<SignatureStatus>('/api/me/signature'),
  setImage: (png: Blob) => apiUpload<SignatureStatus>('/api/me/signature/image', png, undefined, 'PUT'),
  issue: (algorithm: SigningAlgorithm, pin: string) => apiRequest<SignatureStatus>('/api/me/signature/issue', { method: 'POST', body: { algorithm, pin } }),
  importP12: (p12Base64: string, password: string, pin: string) => apiRequest<SignatureStatus>('/api/me/signature/import', { method: 'POST', body: { p12Base64, password, pin } }),
};

const MAX_IMAGE_BYTES = 512 * 1024;

/** A file's bytes as base64, in chunks (a whole PKCS#12 through String.fromCharCode(...bytes) overflows the stack). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * 电子签名: the handwritten signature printed on reports, and the signing certificate whose key is opened with the
 * 签名密码 on every approval. Physicians get one from the department CA or import their own (PKCS#12).
 */
export function SignatureCard() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const mayHoldKey = useCan(['report.write', 'report.approve.level1']);
  const load = useCallback(() => signatureApi.status(), []);
  const status = useLoad<SignatureStatus | null>(load, null);
  const [dialog, setDialog] = useState<'issue' | 'import' | null>(null);
  const [uploading, setUploading] = useState(false);
  const s = status.data;

  async function uploadImage(file: File) {
    if (file.type && file.type !== 'image/png') {
      message.error(t('sign.imagePngOnly'));
      return;
    }
    if (file.size > MAX_IMAGE_BYTES) {
      message.error(t('sign.imageTooLarge'));
      return;
    }
    setUploading(true);
    try {
      await signatureApi.setImage(file);
      message.success(t('sign.imageSaved'));
      void status.reload();
    } catch (error) {
      message.error(errorTitle(error));
    } finally {
      setUploading(false);
    }
  }

  const done = (text: string) => {
    message.success(text);
    setDialog(null);
    void status.reload();
  };

  return (
    <Card
      title={t('sign.title')}
      data-testid="signature-card"
      loading={status.loading && !s}
      extra={s && mayHoldKey && <Tag color={s.canSign ? 'green' : 'default'} data-testid="signature-can-sign">{s.canSign ? t('sign.ready') : t('sign.notReady')}</Tag>}
    >
      {s && (
        <Flex vertical gap={16}>
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t('sign.image')}>
              <Flex gap={12} align="center" wrap>
                <Tag color={s.hasImage ? 'green' : 'default'}>{s.hasImage ? t('sign.imageUploaded') : t('sign.imageMissing')}</Tag>
                <Upload
                  accept="image/png,.png"
                  showUploadList={false}
                  beforeUpload={(file) => {
                    void uploadImage(file);
                    return false;
                  }}
                >
                  <Button size="small" icon={<UploadOutlined />} loading={uploading} data-testid="signature-image-upload">
                    {s.hasImage ? t('sign.imageReplace') : t('sign.imageUpload')}
                  </Button>
                </Upload>
              </Flex>
            </Descriptions.Item>
            {mayHoldKey && (
              <>
                <Descriptions.Item label={t('sign.certificate')}>
                  {s.algorithm ? (
                    <span data-testid="signature-certificate">
                      {algorithmName(s.algorithm, t)} · {s.source === 'pkcs12' ? t('sign.source.pkcs12') : t('sign.source.department_ca')}
                      {s.trusted === false && (
                        <Tag color="red" style={{ marginLeft: 8 }} data-testid="signature-untrusted">
                          {t('sign.untrusted')}
                        </Tag>
                      )}
                    </span>
                  ) : (
                    <Typography.Text type="secondary">{t('sign.noCertificate')}</Typography.Text>
                  )}
                </Descriptions.Item>
                {s.subject && <Descriptions.Item label={t('sign.subject')}>{s.subject}</Descriptions.Item>}
                {s.serial && (
                  <Descriptions.Item label={t('sign.serial')}>
                    <Typography.Text style={{ fontFamily: 'monospace', fontSize: 12 }}>{s.serial}</Typography.Text>
                  </Descriptions.Item>
                )}
                {s.notAfter && <Descriptions.Item label={t('sign.notAfter')}>{new Date(s.notAfter).toLocaleDateString(language)}</Descriptions.Item>}
              </>
            )}
          </Descriptions>
          {mayHoldKey && s.trusted === false && <Alert type="error" showIcon title={t('sign.untrustedHint')} />}
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t('sign.imageHint')}
          </Typography.Paragraph>
          {mayHoldKey && (
            <Flex gap={8} wrap>
              <Button type={s.algorithm ? 'default' : 'primary'} icon={<SafetyCertificateOutlined />} onClick={() => setDialog('issue')} data-testid="signature-issue">
                {t('sign.issue')}
              </Button>
              <Button onClick={() => setDialog('import')} data-testid="signature-import">
                {t('sign.import')}
              </Button>
            </Flex>
          )}
        </Flex>
      )}
      <IssueModal open={dialog === 'issue'} replacing={!!s?.algorithm} onClose={() => setDialog(null)} onDone={() => done(t('sign.issued'))} />
      <ImportModal open={dialog === 'import'} replacing={!!s?.algorithm} onClose={() => setDialog(null)} onDone={() => done(t('sign.imported'))} />
    </Card>
  );
}

/** The two PIN fields every key set-up asks for: at least 6 characters, typed twice. */
function PinFields() {
  const { t } = useI18n();
  return (
    <>
      <Form.Item name="pin" label={t('sign.newPin')} extra={t('sign.pinHint')} rules={[{ required: true, message: t('sign.pinRequired') }, { min: 6, message: t('sign.pinTooShort') }]}>
        <Input.Password autoComplete="new-password" data-testid="signature-pin" />
      </Form.Item>
      <Form.Item
        name="pinConfirm"
        label={t('sign.pinConfirm')}
        dependencies={['pin']}
        rules={[
          { required: true, message: t('sign.pinRequired') },
          ({ getFieldValue }) => ({ validator: (_, value) => (!value || value === getFieldValue('pin') ? Promise.resolve() : Promise.reject(new Error(t('sign.pinMismatch')))) }),
        ]}
      >
        <Input.Password autoComplete="new-password" data-testid="signature-pin-confirm" />
      </Form.Item>
    </>
  );
}

function IssueModal({ open, replacing, onClose, onDone }: { open: boolean; replacing: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ algorithm: SigningAlgorithm; pin: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit({ algorithm, pin }: { algorithm: SigningAlgorithm; pin: string }) {
    setBusy(true);
    setError(null);
    try {
      await signatureApi.issue(algorithm, pin);
      onDone();
    } catch (e) {
      setError(errorTitle(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open={open} title={t('sign.issue')} okText={t('sign.issueSubmit')} okButtonProps={{ loading: busy, 'data-testid': 'signature-issue-submit' }} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      <Typography.Paragraph type="secondary">{t('sign.issueHint')}</Typography.Paragraph>
      {replacing && <Alert type="warning" showIcon title={t('sign.replaceWarning')} style={{ marginBottom: 12 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ algorithm: 'sm2' }} preserve={false}>
        <Form.Item name="algorithm" label={t('sign.algorithm')}>
          <Radio.Group
            options={[
              { value: 'sm2', label: t('sign.algorithm.sm2') },
              { value: 'rsa', label: t('sign.algorithm.rsa') },
            ]}
          />
        </Form.Item>
        <PinFields />
      </Form>
    </Modal>
  );
}

function ImportModal({ open, replacing, onClose, onDone }: { open: boolean; replacing: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ password: string; pin: string }>();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit({ password, pin }: { password?: string; pin: string }) {
    if (!file) {
      setError(t('sign.p12Required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signatureApi.importP12(await fileToBase64(file), password ?? '', pin);
      setFile(null);
      onDone();
    } catch (e) {
      setError(errorTitle(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open={open} title={t('sign.import')} okText={t('sign.importSubmit')} okButtonProps={{ loading: busy, 'data-testid': 'signature-import-submit' }} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      <Typography.Paragraph type="secondary">{t('sign.importHint')}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">{t('sign.importTrustHint')}</Typography.Paragraph>
      {replacing && <Alert type="warning" showIcon title={t('sign.replaceWarning')} style={{ marginBottom: 12 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} preserve={false}>
        <Form.Item label={t('sign.p12File')} required>
          <SingleFilePicker
            accept=".p12,.pfx,application/x-pkcs12"
            file={file}
            onChange={(f) => {
              setFile(f);
              setError(null);
            }}
            label={t('sign.p12Choose')}
          />
        </Form.Item>
        <Form.Item name="password" label={t('sign.p12Password')}>
          <Input.Password autoComplete="off" />
        </Form.Item>
        <PinFields />
      </Form>
    </Modal>
  );
}
