import { CheckCircleOutlined, FileTextOutlined, FormOutlined, PrinterOutlined, ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Select, Space, Table, Tabs, Tag, Tooltip } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { errorTitle } from '../../api/forms.ts';
import { useLoad } from '../../api/useLoad.ts';
import { useCan, useSession } from '../../auth/SessionProvider.tsx';
import { useCodeLabel } from '../../i18n/codes.ts';
import { useI18n, useLocalName } from '../../i18n/I18nProvider.tsx';
import { type Device, devicesApi } from '../admin/devices/api.ts';
import { type QuestionnaireExamFlags, questionnaireApi } from '../questionnaire/api.ts';
import { useQT } from '../questionnaire/messages.ts';
import { reportApi } from '../report/api.ts';
import { usePrintReport } from '../report/usePrintReport.tsx';
import { EXAM_STATUSES, type ExamStatus, type WorklistEntry, worklistApi } from './api.ts';

const REFRESH_MS = 15_000;

/** Exams that have a report to print (a draft prints with the 草稿 watermark). */
const PRINTABLE: ReadonlySet<ExamStatus> = new Set(['draft', 'pending_review', 'approved', 'delivered']);

const statusColor: Record<ExamStatus, string> = {
  registered: 'blue',
  in_progress: 'processing',
  results: 'cyan',
  draft: 'gold',
  pending_review: 'orange',
  approved: 'green',
  delivered: 'purple',
  cancelled: 'default',
};

/** 今日工作列表: one day's exams at a campus, refreshed by itself. */
export function WorklistPage() {
  const { t, language } = useI18n();
  const localName = useLocalName();
  const label = useCodeLabel();
  const { me } = useSession();
  const canRegister = useCan('exam.register');
  const canPrint = useCan('report.print');
  const { message } = App.useApp();
  const [date, setDate] = useState<Dayjs>(() => dayjs());
  const [campusId, setCampusId] = useState<string | undefined>(me?.campusId ?? undefined);
  const [deviceId, setDeviceId] = useState<string>();
  const [room, setRoom] = useState<string>();
  const [status, setStatus] = useState<ExamStatus | 'all'>('all');
  const [reconciling, setReconciling] = useState(false);
  const [reconciled, setReconciled] = useState<{ type: 'success' | 'error'; text: string } | null>(null);

  const loadDevices = useCallback(() => devicesApi.list(campusId), [campusId]);
  const devices = useLoad<Device[]>(loadDevices, []);
  // Counts per status come from the whole day, so the status filter is applied here rather than by the server.
  const loadEntries = useCallback(() => worklistApi.list({ date: date.format('YYYY-MM-DD'), campusId, deviceId, room }), [date, campusId, deviceId, room]);
  const entries = useLoad<WorklistEntry[]>(loadEntries, []);
  const { reload } = entries;
  // 问卷: whether each exam's questionnaire was filled in, and its contraindications and warnings
  const canFill = useCan('questionnaire.fill');
  const { t: qt, language: qLanguage } = useQT();
  const loadFlags = useCallback(() => questionnaireApi.flags({ date: date.format('YYYY-MM-DD'), campusId }), [date, campusId]);
  const flags = useLoad<QuestionnaireExamFlags[]>(loadFlags, []);
  const flagsOf = (examId: string) => flags.data.find((f) => f.examId === examId);

  useEffect(() => {
    const timer = setInterval(() => {
      void reload();
      void flags.reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload, flags.reload]);

  const { print, pinModal } = usePrintReport();
  const [resolvingExam, setResolvingExam] = useState<string | null>(null);

  /** 一键打印 from the list: find the exam's report, then print as the workspace does. */
  async function printExam(entry: WorklistEntry) {
    setResolvingExam(entry.id);
    try {
      const ws = await reportApi.workspace(entry.id);
      if (!ws.report) {
        message.warning(t('print.noReport'));
        return;
      }
      await print(ws.report.id, { pinFirst: ws.policy.pinOnPrint && ws.report.versions.some((v) => v.status === 'approved') });
    } catch (error) {
      message.error(errorTitle(error));
    } finally {
      setResolvingExam(null);
    }
  }

  async function reconcile() {
    setReconciling(true);
    try {
      const outcome = await worklistApi.reconcile();
      setReconciled({ type: 'success', text: t('worklist.reconciled', outcome) });
      void reload();
    } catch (error) {
      setReconciled({ type: 'error', text: errorTitle(error) });
    } finally {
      setReconciling(false);
    }
  }

  const rooms = [...new Set(devices.data.map((d) => d.room).filter(Boolean))];
  const count = (s: ExamStatus) => entries.data.filter((e) => e.status === s).length;
  const shown = status === 'all' ? entries.data : entries.data.filter((e) => e.status === status);

  return (
    <Card
      title={t('worklist.title')}
      extra={
        <Space>
          {canRegister && (
            <Button icon={<SyncOutlined />} loading={reconciling} onClick={reconcile} data-testid="reconcile">
              {t('worklist.reconcile')}
            </Button>
          )}
          <Button icon={<ReloadOutlined />} onClick={() => void reload()} data-testid="worklist-refresh">
            {t('worklist.refresh')}
          </Button>
        </Space>
      }
    >
      {reconciled && <Alert type={reconciled.type} showIcon title={reconciled.text} closable={{ onClose: () => setReconciled(null) }} style={{ marginBottom: 16 }} data-testid="reconcile-result" />}
      <Space wrap style={{ marginBottom: 8 }}>
        <DatePicker value={date} onChange={(d) => setDate(d ?? dayjs())} allowClear={false} data-testid="worklist-date" />
        <Select
          style={{ width: 160 }}
          value={campusId}
          placeholder={t('worklist.allCampuses')}
          allowClear
          onChange={(id?: string) => {
            setCampusId(id);
            setDeviceId(undefined);
            setRoom(undefined);
          }}
          options={(me?.campuses ?? []).map((c) => ({ value: c.id, label: localName(c) }))}
        />
        <Select
          style={{ width: 220 }}
          value={deviceId}
          placeholder={t('worklist.allDevices')}
          allowClear
          onChange={setDeviceId}
          options={devices.data.map((d) => ({ value: d.id, label: d.name }))}
        />
        <Select style={{ width: 160 }} value={room} placeholder={t('worklist.allRooms')} allowClear onChange={setRoom} options={rooms.map((r) => ({ value: r, label: r }))} />
      </Space>
      <Tabs
        activeKey={status}
        onChange={(key) => setStatus(key as ExamStatus | 'all')}
        items={[
          { key: 'all', label: `${t('worklist.all')} ${entries.data.length}` },
          ...EXAM_STATUSES.map((s) => ({ key: s, label: `${label('examStatus', s)} ${count(s)}` })),
        ]}
      />
      <Table<WorklistEntry>
        rowKey="id"
        size="small"
        data-testid="worklist-table"
        loading={entries.loading && entries.data.length === 0}
        dataSource={shown}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('exam.accessionNo'), dataIndex: 'accessionNo', width: 170, fixed: 'left' },
          {
            title: t('patient.name'),
            key: 'patientName',
            width: 90,
            // the questionnaire's contraindications beside the name, where a tablet shows them without scrolling
            render: (_, e) => (
              <Space size={4} wrap={false}>
                {e.patientName}
                <QuestionnaireTag flags={flagsOf(e.id)} t={qt} language={qLanguage} />
              </Space>
            ),
          },
          { title: t('patient.sex'), dataIndex: 'sex', width: 60, render: (sex: string) => label('sex', sex) },
          { title: t('patient.age'), dataIndex: 'age', width: 70 },
          {
            title: t('common.status'),
            key: 'status',
            width: 150,
            render: (_, e) => (
              <Space size={4}>
                <Tag color={statusColor[e.status]}>{label('examStatus', e.status)}</Tag>
                {!e.hisVerified && <Tag color="orange">{t('exam.unverified')}</Tag>}
              </Space>
            ),
          },
          { title: t('worklist.dispatch'), dataIndex: 'dispatch', width: 110, render: (dispatch: WorklistEntry['dispatch']) => <DispatchTag dispatch={dispatch} /> },
          { title: t('order.itemName'), dataIndex: 'itemName', width: 150 },
          { title: t('order.visitType'), dataIndex: 'visitType', width: 80, render: (v: string) => label('visitType', v) },
          { title: t('order.visitSerialNo'), dataIndex: 'visitSerialNo', width: 140 },
          { title: t('patient.wardBed'), key: 'wardBed', width: 110, render: (_, e) => [e.ward, e.bed].filter(Boolean).join(' / ') || '—' },
          { title: t('intake.device'), key: 'device', width: 170, render: (_, e) => [e.deviceName, e.room].filter(Boolean).join(' · ') || '—' },
          { title: t('worklist.registeredAt'), dataIndex: 'registeredAt', width: 90, render: (iso: string) => new Date(iso).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' }) },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 210,
            fixed: 'right',
            render: (_, e) =>
              e.status === 'cancelled' ? null : (
                <Space size={4}>
                  <Link to={`/exams/${e.id}/report`} data-testid="worklist-report" style={{ padding: '0 7px', whiteSpace: 'nowrap' }}>
                    <FileTextOutlined /> {t('worklist.report')}
                  </Link>
                  {canFill && (
                    <Link to={`/exams/${e.id}/questionnaire`} title={flagsOf(e.id) ? qt('worklistAnswered') : undefined} data-testid="worklist-questionnaire" style={{ padding: '0 7px', whiteSpace: 'nowrap' }}>
                      {flagsOf(e.id) ? <CheckCircleOutlined /> : <FormOutlined />} {qt('worklistAction')}
                    </Link>
                  )}
                  {canPrint && PRINTABLE.has(e.status) && (
                    <Button
                      size="small"
                      type="link"
                      icon={<PrinterOutlined />}
                      loading={resolvingExam === e.id}
                      onClick={() => void printExam(e)}
                      data-testid="worklist-print"
                    >
                      {t('report.print')}
                    </Button>
                  )}
                </Space>
              ),
          },
        ]}
      />
      {pinModal}
    </Card>
  );
}

/** The questionnaire's contraindications (red) and warnings (orange) on the worklist row, each listed on hover. */
function QuestionnaireTag({ flags, t, language }: { flags: QuestionnaireExamFlags | undefined; t: ReturnType<typeof useQT>['t']; language: 'zh-CN' | 'en' }) {
  if (!flags || flags.flags.length === 0) return null;
  const list = (kind: 'contraindication' | 'warning') => flags.flags.filter((f) => f.kind === kind).map((f) => (language === 'en' && f.message.en ? f.message.en : f.message.zh)).join('；');
  return (
    <>
      {flags.contraindications > 0 && (
        <Tooltip title={list('contraindication')}>
          <Tag color="red" data-testid="worklist-contraindication">{t('contraindicationTag', { n: flags.contraindications })}</Tag>
        </Tooltip>
      )}
      {flags.warnings > 0 && (
        <Tooltip title={list('warning')}>
          <Tag color="orange" data-testid="worklist-questionnaire-warning">{t('warningTag', { n: flags.warnings })}</Tag>
        </Tooltip>
      )}
    </>
  );
}

function DispatchTag({ dispatch }: { dispatch: WorklistEntry['dispatch'] }) {
  const { t } = useI18n();
  if (!dispatch) return <>—</>;
  if (dispatch.status === 'done') return <Tag color="green">{t('dispatch.done')}</Tag>;
  const detail = t('dispatch.detail', { attempts: dispatch.attempts, error: dispatch.lastError ?? '—' });
  return (
    <Tooltip title={detail}>
      {dispatch.status === 'failed' ? <Tag color="red">{t('dispatch.failed')}</Tag> : <Tag color="processing">{t('dispatch.pending')}</Tag>}
    </Tooltip>
  );
}
