import { Modal, Table, Tag, Typography } from 'antd';
import { useCallback } from 'react';
import { useLoad } from '../../api/useLoad.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { deviceImportApi, type Measurement } from './api.ts';

/** 查看结果: the values the devices reported for an exam, as they reported them. */
export function ResultsModal({ examId, fileName, onClose }: { examId: string; fileName: string; onClose(): void }) {
  const { t } = useI18n();
  const loadValues = useCallback(() => deviceImportApi.measurements(examId), [examId]);
  const values = useLoad<Measurement[]>(loadValues, []);
  const grades = [...new Set(values.data.map((v) => v.qualityGrade).filter(Boolean))];
  const number = (value: number | null) => value ?? '—';

  return (
    <Modal open width={720} title={t('deviceImport.resultsTitle', { name: fileName })} footer={null} onCancel={onClose} data-testid="results-modal">
      {grades.length > 0 && <Typography.Paragraph type="secondary">{t('deviceImport.qualityGrade', { grade: grades.join(' / ') })}</Typography.Paragraph>}
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
        ]}
      />
    </Modal>
  );
}
