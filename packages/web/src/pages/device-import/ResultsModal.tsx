import { Alert, Descriptions, Modal, Table, Tag, Typography } from 'antd';
import { useCallback } from 'react';
import { useLoad } from '../../api/useLoad.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { type DeviceResultSet, deviceImportApi, type Measurement } from './api.ts';

/**
 * 查看结果: the values the devices reported for an exam, as they reported them, with the device's conclusion, and
 * our own reference values and interpretation beside the device's (differences beyond rounding marked).
 */
export function ResultsModal({ examId, fileName, onClose }: { examId: string; fileName: string; onClose(): void }) {
  const { t } = useI18n();
  const loadValues = useCallback(() => deviceImportApi.measurements(examId), [examId]);
  const values = useLoad<Measurement[]>(loadValues, []);
  const loadSets = useCallback(() => deviceImportApi.deviceResults(examId), [examId]);
  const sets = useLoad<DeviceResultSet[]>(loadSets, []);
  const grades = [...new Set(values.data.map((v) => v.qualityGrade).filter(Boolean))];
  const number = (value: number | null | undefined) => value ?? '—';
  const compared = (m: Measurement) => sets.data.find((s) => s.setId === m.setId)?.comparison?.rows.find((r) => r.param === m.param && r.stage === m.stage);

  return (
    <Modal open width={880} title={t('deviceImport.resultsTitle', { name: fileName })} footer={null} onCancel={onClose} data-testid="results-modal">
      {grades.length > 0 && <Typography.Paragraph type="secondary">{t('deviceImport.qualityGrade', { grade: grades.join(' / ') })}</Typography.Paragraph>}
      {sets.data.map((set) => (
        <div key={set.setId} style={{ marginBottom: 12 }}>
          <Descriptions size="small" column={1} bordered>
            {set.template && <Descriptions.Item label={t('deviceImport.template')}>{set.template}</Descriptions.Item>}
            {set.deviceConclusion && (
              <Descriptions.Item label={t('deviceImport.deviceConclusion')}>
                <span style={{ whiteSpace: 'pre-wrap' }} data-testid="device-conclusion">{set.deviceConclusion}</span>
              </Descriptions.Item>
            )}
            {set.comparison?.ours?.narrative && <Descriptions.Item label={t('deviceImport.ourInterpretation')}>{set.comparison.ours.narrative}</Descriptions.Item>}
          </Descriptions>
          {set.comparison && set.comparison.rows.length > 0 && (
            <Alert
              style={{ marginTop: 8 }}
              type={set.comparison.flagged ? 'warning' : 'success'}
              showIcon
              data-testid="comparison-summary"
              title={set.comparison.flagged ? t('deviceImport.comparisonFlagged', { count: set.comparison.flagged }) : t('deviceImport.comparisonAgrees')}
              description={set.comparison.equations.join('; ') || undefined}
            />
          )}
        </div>
      ))}
      <Table<Measurement>
        rowKey={(m) => `${m.setId}-${m.deviceParam}-${m.stage}`}
        size="small"
        data-testid="results-table"
        loading={values.loading}
        dataSource={values.data}
        pagination={false}
        locale={{ emptyText: t('deviceImport.noResults') }}
        columns={[
          {
            title: t('deviceImport.param'),
            key: 'param',
            render: (_, m) => (
              <>
                {m.param ?? m.deviceParam}
                {m.stage === 'post' && <Tag style={{ marginLeft: 6 }}>{t('deviceImport.post')}</Tag>}
              </>
            ),
          },
          { title: t('deviceImport.value'), dataIndex: 'value', align: 'right', render: number },
          { title: t('deviceImport.unit'), dataIndex: 'unit', render: (unit: string | null) => unit ?? '' },
          { title: t('deviceImport.predicted'), dataIndex: 'devicePredicted', align: 'right', render: number },
          { title: t('deviceImport.lln'), dataIndex: 'deviceLln', align: 'right', render: number },
          { title: 'Z', dataIndex: 'deviceZscore', align: 'right', render: number },
          { title: '%', dataIndex: 'devicePctPred', align: 'right', render: number },
          {
            title: t('deviceImport.oursPredicted'),
            key: 'ours',
            align: 'right',
            render: (_, m) => {
              const row = compared(m);
              if (!row) return '—';
              return (
                <>
                  {number(row.ours.predicted)}
                  {row.differs.length > 0 && <Tag color="orange" style={{ marginLeft: 6 }} title={row.differs.join(', ')}>{t('deviceImport.differs')}</Tag>}
                </>
              );
            },
          },
        ]}
      />
    </Modal>
  );
}
