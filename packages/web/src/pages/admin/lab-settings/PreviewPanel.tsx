import { Alert, Card, Col, Descriptions, Row, Spin, Tag, Typography } from 'antd';
import type { LabSettingsPreview, SamplePreview } from './api.ts';
import { type LsMessageKey, useLsT } from './messages.ts';

const VALUE_LABELS: Record<string, string> = {
  fev1: 'FEV1', fvc: 'FVC', postFev1: 'FEV1（舒张后）', postFvc: 'FVC（舒张后）', tlc: 'TLC', rv: 'RV', frc: 'FRC', dlcoSi: 'TLCO', va: 'VA',
};
const VALUE_LABELS_EN: Record<string, string> = { postFev1: 'FEV1 (post)', postFvc: 'FVC (post)' };
const UNITS: Record<string, string> = { dlcoSi: 'mmol/min/kPa' };

/** The sample patients interpreted with the settings being edited. */
export function PreviewPanel({ preview, loading, errors, groupLabel }: { preview: LabSettingsPreview | null; loading: boolean; errors: string[]; groupLabel: (id: string) => string }) {
  const { t } = useLsT();
  return (
    <Card size="small" title={t('preview')} data-testid="lab-settings-preview">
      <Typography.Paragraph type="secondary">{t('previewHint')}</Typography.Paragraph>
      {errors.length > 0 && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('previewInvalid')} description={<ul style={{ margin: 0, paddingLeft: 18 }}>{errors.map((e) => <li key={e}>{e}</li>)}</ul>} data-testid="preview-invalid" />
      )}
      <Spin spinning={loading}>
        <Row gutter={[12, 12]}>
          {(preview ?? []).map((sample) => (
            <Col xs={24} lg={12} key={sample.sample}>
              <SampleCard sample={sample} groupLabel={groupLabel} />
            </Col>
          ))}
        </Row>
      </Spin>
    </Card>
  );
}

function SampleCard({ sample, groupLabel }: { sample: SamplePreview; groupLabel: (id: string) => string }) {
  const { t, language } = useLsT();
  const [open, close, separator, colon] = language === 'en' ? [' (', ')', '; ', ': '] : ['（', '）', '；', '：'];
  const subject = t('sampleSubject', { sex: t(`sample.${sample.subject.sex}`), age: Math.floor(sample.subject.ageYears), height: sample.subject.heightCm });
  const values = Object.entries(sample.values)
    .map(([key, value]) => `${(language === 'en' && VALUE_LABELS_EN[key]) || VALUE_LABELS[key] || key} ${value} ${UNITS[key] ?? 'L'}`)
    .join(separator);
  return (
    <Card size="small" type="inner" title={`${language === 'en' ? sample.labelEn : sample.label}${open}${subject}${close}`} data-testid={`preview-${sample.sample}`}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {values}
      </Typography.Paragraph>
      <div style={{ marginBottom: 8 }}>
        {sample.equationChoices.map((c) => (
          <Tag key={c.group} color={c.source === 'patient_group' ? 'orange' : 'blue'} data-testid={`preview-${sample.sample}-${c.group}`}>
            {t(`group.${c.group}` as LsMessageKey)}
            {colon}
            {t(`eq.${c.equation}` as LsMessageKey)}
            {c.ethnicity != null ? ` · ${t(`eth.${c.ethnicity}` as LsMessageKey)}` : ''}
          </Tag>
        ))}
        {sample.patientGroupId && <Tag color="orange">{t('usedGroup', { label: groupLabel(sample.patientGroupId) })}</Tag>}
      </div>
      <Descriptions size="small" column={1} bordered styles={{ label: { width: 64, whiteSpace: 'nowrap' } }}>
        <Descriptions.Item label={t('narrativeZh')}>
          <span data-testid={`preview-${sample.sample}-zh`}>{sample.narrative.zh}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('narrativeEn')}>
          <span data-testid={`preview-${sample.sample}-en`}>{sample.narrative.en}</span>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
