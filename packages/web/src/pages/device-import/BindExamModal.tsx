import { App, type ButtonProps, Descriptions, Modal, Table, Tag, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { errorTitle } from '../../api/forms.ts';
import { useLoad } from '../../api/useLoad.ts';
import { useCodeLabel } from '../../i18n/codes.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { MessageKey } from '../../i18n/zh.ts';
import { deviceImportApi, type ImportCandidate, type ImportCandidates, type ImportedFile } from './api.ts';

/**
 * 绑定检查: an unmatched result file is given to an exam. The exams come ranked by how likely they are (identifiers,
 * name, birth date, sex, test day), with what differs from the HIS in red; binding across a difference needs a
 * second, explicit confirmation and is audited.
 */
export function BindExamModal({ file, onClose }: { file: ImportedFile; onClose(): void }) {
  const { t } = useI18n();
  const label = useCodeLabel();
  const { message, modal } = App.useApp();
  const [examId, setExamId] = useState<string>();
  const [binding, setBinding] = useState(false);
  const load = useCallback(() => deviceImportApi.candidates(file.id), [file.id]);
  const ranked = useLoad<ImportCandidates>(load, { extraction: null, candidates: [] });
  const chosen = ranked.data.candidates.find((c) => c.examId === examId);
  const fieldNames = (c: ImportCandidate) => c.conflicts.map((x) => t(`deviceImport.field.${x.field}` as MessageKey)).join('、');

  async function bind(acceptConflicts: boolean) {
    if (!chosen) return;
    setBinding(true);
    try {
      await deviceImportApi.bind(file.id, chosen.examId, acceptConflicts);
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

  function submit() {
    if (!chosen) return;
    if (chosen.conflicts.length === 0) return void bind(false);
    modal.confirm({
      title: t('deviceImport.confirmConflictTitle'),
      content: t('deviceImport.confirmConflict', { fields: fieldNames(chosen) }),
      okText: t('deviceImport.confirmBind'),
      okButtonProps: { danger: true, 'data-testid': 'confirm-conflict' } as ButtonProps,
      onOk: () => bind(true),
    });
  }

  const device = ranked.data.extraction;
  return (
    <Modal
      open
      width={960}
      title={t('deviceImport.bindTitle', { name: file.originalName })}
      okText={t('deviceImport.bindSubmit')}
      okButtonProps={{ disabled: !chosen, loading: binding, 'data-testid': 'bind-submit' }}
      onOk={submit}
      onCancel={onClose}
      data-testid="bind-modal"
    >
      {device && (
        <Descriptions size="small" column={3} style={{ marginBottom: 12 }} data-testid="bind-device-patient">
          <Descriptions.Item label={t('deviceImport.devicePatient')}>
            {[device.patient.name, device.patient.sex, device.patient.birthDate, device.patient.id].filter(Boolean).join(' · ') || '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('deviceImport.deviceIds')} span={2}>
            {Object.values(device.identifiers).filter(Boolean).join(' · ') || '—'}
          </Descriptions.Item>
        </Descriptions>
      )}
      <Typography.Paragraph type="secondary">{t('deviceImport.bindRanked')}</Typography.Paragraph>
      <Table<ImportCandidate>
        rowKey="examId"
        size="small"
        data-testid="bind-exams"
        loading={ranked.loading}
        dataSource={ranked.data.candidates}
        pagination={{ pageSize: 8, hideOnSinglePage: true }}
        locale={{ emptyText: t('deviceImport.noExams') }}
        rowSelection={{ type: 'radio', selectedRowKeys: examId ? [examId] : [], onChange: (keys) => setExamId(keys[0] === undefined ? undefined : String(keys[0])) }}
        onRow={(c) => ({ onClick: () => setExamId(c.examId), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('patient.name'), dataIndex: 'patientName', width: 90 },
          { title: t('exam.accessionNo'), dataIndex: 'accessionNo', width: 170 },
          { title: t('deviceImport.examDate'), dataIndex: 'examDate', width: 100 },
          { title: t('common.status'), dataIndex: 'status', width: 80, render: (status: string) => <Tag>{label('examStatus', status)}</Tag> },
          {
            title: t('deviceImport.matchReasons'),
            key: 'reasons',
            render: (_, c) => c.reasons.map((r) => <Tag key={r} color="green">{t(`deviceImport.match.${r}` as MessageKey)}</Tag>),
          },
          {
            title: t('deviceImport.conflicts'),
            key: 'conflicts',
            render: (_, c) =>
              c.conflicts.map((x) => (
                <Tag key={x.field} color="red" data-testid="bind-conflict">
                  {t(`deviceImport.field.${x.field}` as MessageKey)} {x.device} ≠ {x.his}
                </Tag>
              )),
          },
        ]}
      />
    </Modal>
  );
}
