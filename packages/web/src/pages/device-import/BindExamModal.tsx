import { App, Modal, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { errorTitle } from '../../api/forms.ts';
import { useLoad } from '../../api/useLoad.ts';
import { useCodeLabel } from '../../i18n/codes.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { type WorklistEntry, worklistApi } from '../worklist/api.ts';
import { deviceImportApi, type ImportedFile } from './api.ts';

/** 绑定检查: an unmatched result file is given to one of today's exams at the current campus. */
export function BindExamModal({ file, campusId, onClose }: { file: ImportedFile; campusId: string | null; onClose(): void }) {
  const { t } = useI18n();
  const label = useCodeLabel();
  const { message } = App.useApp();
  const [examId, setExamId] = useState<string>();
  const [binding, setBinding] = useState(false);

  const loadExams = useCallback(
    () => worklistApi.list({ date: dayjs().format('YYYY-MM-DD'), campusId: campusId ?? undefined }).then((exams) => exams.filter((e) => e.status !== 'cancelled')),
    [campusId],
  );
  const exams = useLoad<WorklistEntry[]>(loadExams, []);

  async function bind() {
    if (!examId) return;
    setBinding(true);
    try {
      await deviceImportApi.bind(file.id, examId);
      message.success(t('deviceImport.bound'));
      onClose();
    } catch (error) {
      message.error(errorTitle(error));
      // Someone else bound or imported it meanwhile: nothing left to choose here.
      if (error instanceof ApiError && error.code === 'device-import.already-imported') onClose();
    } finally {
      setBinding(false);
    }
  }

  return (
    <Modal
      open
      width={820}
      title={t('deviceImport.bindTitle', { name: file.originalName })}
      okText={t('deviceImport.bindSubmit')}
      okButtonProps={{ disabled: !examId, loading: binding, 'data-testid': 'bind-submit' }}
      onOk={() => void bind()}
      onCancel={onClose}
      data-testid="bind-modal"
    >
      <Typography.Paragraph type="secondary">{t('deviceImport.bindHint')}</Typography.Paragraph>
      <Table<WorklistEntry>
        rowKey="id"
        size="small"
        data-testid="bind-exams"
        loading={exams.loading}
        dataSource={exams.data}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: t('deviceImport.noExams') }}
        rowSelection={{ type: 'radio', selectedRowKeys: examId ? [examId] : [], onChange: (keys) => setExamId(keys[0] === undefined ? undefined : String(keys[0])) }}
        onRow={(exam) => ({ onClick: () => setExamId(exam.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('patient.name'), dataIndex: 'patientName', width: 90 },
          { title: t('exam.accessionNo'), dataIndex: 'accessionNo', width: 170 },
          { title: t('order.itemName'), dataIndex: 'itemName', width: 150 },
          { title: t('common.status'), dataIndex: 'status', width: 90, render: (status: string) => <Tag>{label('examStatus', status)}</Tag> },
          { title: t('devices.room'), dataIndex: 'room', width: 100, render: (room: string | null) => room ?? '—' },
        ]}
      />
    </Modal>
  );
}
