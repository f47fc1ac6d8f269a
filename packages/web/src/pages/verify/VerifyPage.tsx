import { CheckCircleFilled, CloseCircleFilled, InboxOutlined } from '@ant-design/icons';
import { Alert, Card, Descriptions, Flex, Layout, Result, Spin, Typography, Upload } from 'antd';
import type { Verification } from '@pftis/server/api-types';
import { type ReactNode, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { ApiError, apiRequest, apiUpload } from '../../api/client.ts';
import { errorTitle } from '../../api/forms.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { LanguageSwitch } from '../../i18n/LanguageSwitch.tsx';
import { algorithmName } from '../report/labels.ts';

const CODE = /^[A-Za-z0-9_-]{8,40}$/;

export const verifyApi = {
  check: (code: string) => apiRequest<Verification>(`/api/verify/${encodeURIComponent(code)}`),
  checkCopy: (code: string, pdf: Blob) => apiUpload<Verification>(`/api/verify/${encodeURIComponent(code)}`, pdf),
};

/**
 * 验证报告 (public, no sign-in): the QR code on a printed report leads here. Shows whether the stored report is intact
 * and its signature valid, and checks a PDF copy someone was given against it. The server sends no patient data.
 */
export function VerifyPage() {
  const { code = '' } = useParams();
  const { t, language } = useI18n();
  const [result, setResult] = useState<Verification | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [checking, setChecking] = useState(false);
  const [copy, setCopy] = useState<{ name: string; result?: Verification; error?: string } | null>(null);

  useEffect(() => {
    if (!CODE.test(code)) {
      setError(new ApiError(404, { title: t('verify.badCode') }));
      return;
    }
    let current = true;
    verifyApi
      .check(code)
      .then((r) => current && setResult(r))
      .catch((e: unknown) => current && setError(e instanceof Error ? e : new Error(String(e))));
    return () => {
      current = false;
    };
  }, [code, t]);

  async function checkCopy(file: File) {
    setChecking(true);
    setCopy({ name: file.name });
    try {
      setCopy({ name: file.name, result: await verifyApi.checkCopy(code, file) });
    } catch (e) {
      setCopy({ name: file.name, error: errorTitle(e) });
    } finally {
      setChecking(false);
    }
  }

  const yesNo = (ok: boolean, yes: string, no: string) => <Verdict ok={ok} text={ok ? yes : no} />;

  let body: ReactNode;
  if (error) {
    const notFound = error instanceof ApiError && (error.status === 404 || error.status === 400);
    body = <Result status={notFound ? 'warning' : 'error'} title={notFound ? t('verify.notFound') : errorTitle(error)} subTitle={notFound ? t('verify.notFoundHint') : undefined} data-testid="verify-not-found" />;
  } else if (!result) {
    body = <Spin size="large" style={{ display: 'block', margin: '60px auto' }} />;
  } else {
    const authentic = result.storedIntact && result.signatureValid;
    const presented = copy?.result?.presented ?? null;
    body = (
      <Flex vertical gap={16}>
        {result.revoked ? <Alert type="error" showIcon title={t('verify.revoked')} description={t('verify.revokedHint')} data-testid="verify-revoked" /> : null}
        {result.superseded ? (
          <Alert type="warning" showIcon title={t('verify.superseded')} description={t('verify.supersededHint')} data-testid="verify-superseded" />
        ) : authentic ? (
          <Alert type="success" showIcon title={t('verify.authentic')} data-testid="verify-verdict" />
        ) : (
          <Alert type="error" showIcon title={t('verify.notAuthentic')} data-testid="verify-verdict" />
        )}
        <Descriptions bordered size="small" column={1} data-testid="verify-details" styles={{ label: { width: 150 } }}>
          <Descriptions.Item label={t('verify.hospital')}>{result.hospital}</Descriptions.Item>
          <Descriptions.Item label={t('verify.campus')}>{result.campus}</Descriptions.Item>
          <Descriptions.Item label={t('report.examDate')}>{result.examDate}</Descriptions.Item>
          <Descriptions.Item label={t('verify.version')}>{t('report.versionN', { n: result.version })}</Descriptions.Item>
          <Descriptions.Item label={t('verify.signer')}>{result.signer || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('verify.signedAt')}>{result.signedAt ? new Date(result.signedAt).toLocaleString(language) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('verify.algorithm')}>{algorithmName(result.algorithm, t)}</Descriptions.Item>
          {result.signerCertificate && (
            <>
              <Descriptions.Item label={t('verify.certificate')}>
                <span data-testid="verify-certificate">{result.signerCertificate.subject}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('verify.certificateIssuer')}>{result.signerCertificate.issuer}</Descriptions.Item>
              <Descriptions.Item label={t('verify.certificateSerial')}>
                <Typography.Text style={{ fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' }}>{result.signerCertificate.serial}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('verify.certificateValidity')}>
                {new Date(result.signerCertificate.notBefore).toLocaleDateString(language)} – {new Date(result.signerCertificate.notAfter).toLocaleDateString(language)}
              </Descriptions.Item>
            </>
          )}
          <Descriptions.Item label="SHA-256">
            <Typography.Text copyable style={{ fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' }}>
              {result.sha256}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('verify.sm3')}>
            <Typography.Text copyable style={{ fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' }}>
              {result.sm3}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('verify.storedIntact')}>{yesNo(result.storedIntact, t('verify.intact'), t('verify.damaged'))}</Descriptions.Item>
          <Descriptions.Item label={t('verify.signatureValid')}>{yesNo(result.signatureValid, t('verify.valid'), t('verify.invalid'))}</Descriptions.Item>
        </Descriptions>

        <Card size="small" title={t('verify.copyTitle')}>
          <Typography.Paragraph type="secondary">{t('verify.copyHint')}</Typography.Paragraph>
          <Upload.Dragger
            accept="application/pdf,.pdf"
            showUploadList={false}
            disabled={checking}
            beforeUpload={(file) => {
              void checkCopy(file);
              return false;
            }}
            data-testid="verify-upload"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t('verify.drop')}</p>
          </Upload.Dragger>
          {checking && <Spin style={{ display: 'block', marginTop: 16 }} />}
          {copy?.error && <Alert type="error" showIcon title={copy.error} style={{ marginTop: 16 }} />}
          {presented && (
            <Descriptions bordered size="small" column={1} style={{ marginTop: 16 }} data-testid="verify-copy" styles={{ label: { width: 150 } }}>
              <Descriptions.Item label={t('verify.file')}>{copy?.name}</Descriptions.Item>
              <Descriptions.Item label={t('verify.copyMatches')}>{yesNo(presented.matchesStored, t('verify.matches'), t('verify.differs'))}</Descriptions.Item>
              <Descriptions.Item label={t('verify.signatureValid')}>
                {yesNo(presented.signatureValid, t('verify.valid'), presented.reason ? `${t('verify.invalid')}（${presented.reason}）` : t('verify.invalid'))}
              </Descriptions.Item>
              {presented.signer && <Descriptions.Item label={t('verify.copySigner')}>{presented.signer}</Descriptions.Item>}
              <Descriptions.Item label="SHA-256">
                <Typography.Text style={{ fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' }}>{presented.sha256}</Typography.Text>
              </Descriptions.Item>
            </Descriptions>
          )}
        </Card>
      </Flex>
    );
  }

  return (
    <Layout style={{ minHeight: '100vh', background: '#f0f4f7' }}>
      <Layout.Header style={{ background: '#0e6e8c', display: 'flex', alignItems: 'center', justifyContent: 'space-between', padding: '0 20px' }}>
        <Flex align="center" gap={10} style={{ color: '#fff' }}>
          <img src="/favicon.svg" alt="" width={26} height={26} />
          <span style={{ fontSize: 17, fontWeight: 600 }}>{t('verify.title')}</span>
        </Flex>
        <LanguageSwitch type="default" />
      </Layout.Header>
      <Layout.Content style={{ padding: 16 }}>
        <Card style={{ maxWidth: 760, margin: '0 auto' }} data-testid="verify-page">
          <Typography.Paragraph type="secondary" style={{ marginBottom: 16 }}>
            {t('verify.intro')}
            <Typography.Text code style={{ marginLeft: 6 }}>
              {code}
            </Typography.Text>
          </Typography.Paragraph>
          {body}
        </Card>
      </Layout.Content>
      <Layout.Footer style={{ textAlign: 'center', color: '#8c8c8c', padding: '12px 16px' }}>{t('app.footer')}</Layout.Footer>
    </Layout>
  );
}

function Verdict({ ok, text }: { ok: boolean; text: string }) {
  return (
    <span style={{ color: ok ? '#389e0d' : '#cf1322' }} data-ok={ok ? '1' : '0'}>
      {ok ? <CheckCircleFilled /> : <CloseCircleFilled />} {text}
    </span>
  );
}
