import { EyeOutlined, FileAddOutlined, PrinterOutlined, ReloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Flex, Result, Row, Select, Space, Spin, Steps, Table, Tag, Timeline, Tooltip, Typography } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { errorTitle } from '../../api/forms.ts';
import { useCan } from '../../auth/SessionProvider.tsx';
import { useCodeLabel } from '../../i18n/codes.ts';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import { QuestionnaireBanner, QuestionnaireCard } from '../questionnaire/QuestionnaireCard.tsx';
import { type PreviousExam, reportApi, type ReportContent, type ReportWorkspace, type ReviewStep, type WorkspaceVersion } from './api.ts';
import { type Conclusion, ConclusionEditor } from './ConclusionEditor.tsx';
import { formatValue } from './format.ts';
import { algorithmName, warningText } from './labels.ts';
import { gradeColour, QualityExtras } from './QualityGrades.tsx';
import { ResultsTable } from './ResultsTable.tsx';
import { ReviewActions } from './ReviewActions.tsx';
import { usePrintReport } from './usePrintReport.tsx';

// ECharts is loaded only when a report is opened.
const Curves = lazy(() => import('./Curves.tsx'));

const EQUATION_NAMES: Record<string, string> = {
  gli2022: 'GLI Global 2022', gli2012: 'GLI-2012', gli2017: 'GLI-2017 (2020)', gli2021: 'GLI-2021', jian2017: 'Jian 2017', nhanes3: 'NHANES III',
};

const conclusionOf = (v: WorkspaceVersion): Conclusion => ({
  conclusionText: v.conclusionText,
  pattern: (v.pattern as Conclusion['pattern']) ?? null,
  severity: (v.severity as Conclusion['severity']) ?? null,
  bdr: v.bdr === 'positive' || v.bdr === 'negative' ? v.bdr : null,
});

const sameConclusion = (a: Conclusion, b: Conclusion) => a.conclusionText === b.conclusionText && a.pattern === b.pattern && a.severity === b.severity && a.bdr === b.bdr;

/** 报告工作台: one exam's results, curves and conclusion, and the review of its report. */
export function ReportWorkspacePage() {
  const { examId = '' } = useParams();
  const [searchParams, setSearchParams] = useSearchParams();
  const requestedVersion = Number(searchParams.get('version')) || undefined;
  const { t, language } = useI18n();
  const label = useCodeLabel();
  const { message } = App.useApp();
  const canPrint = useCan('report.print');

  const [ws, setWs] = useState<ReportWorkspace | null>(null);
  const [loadError, setLoadError] = useState<ApiError | Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [creating, setCreating] = useState(false);
  const [draft, setDraft] = useState<Conclusion | null>(null);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setWs(await reportApi.workspace(examId, requestedVersion));
      setLoadError(null);
    } catch (error) {
      setLoadError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setLoading(false);
    }
  }, [examId, requestedVersion]);

  useEffect(() => {
    void reload();
  }, [reload]);

  // The editor starts over only when the stored conclusion or the version's state changed, not on every reload
  // (printing reloads for the copy count and must not throw away what is being typed).
  const version = ws?.version ?? null;
  const serverKey = version && ws?.report ? `${ws.report.id}:${version.version}:${version.status}:${version.submission}:${version.pattern}:${version.severity}:${version.bdr}:${version.conclusionText}` : null;
  const [draftKey, setDraftKey] = useState<string | null>(null);
  if (serverKey !== draftKey) {
    setDraftKey(serverKey);
    setDraft(version ? conclusionOf(version) : null);
  }

  const { print, printingId, pinModal } = usePrintReport(() => void reload());

  const dirty = !!(version && draft && !sameConclusion(draft, conclusionOf(version)));
  const report = ws?.report ?? null;

  async function createReport() {
    setCreating(true);
    try {
      await reportApi.create(examId);
      message.success(t('report.created'));
      await reload();
    } catch (error) {
      message.error(errorTitle(error));
    } finally {
      setCreating(false);
    }
  }

  async function saveIfDirty() {
    if (!report || !draft || !dirty) return;
    await reportApi.save(report.id, draft);
  }

  const handlers = {
    save: async () => {
      try {
        await saveIfDirty();
        message.success(t('common.saved'));
        await reload();
      } catch (error) {
        message.error(errorTitle(error));
      }
    },
    submit: async () => {
      try {
        await saveIfDirty();
        await reportApi.submit(report!.id);
        message.success(t('report.submitted'));
        await reload();
      } catch (error) {
        message.error(errorTitle(error));
        await reload();
      }
    },
    approve: async (pin: string) => {
      if (ws?.allowed?.edit) await saveIfDirty();
      const outcome = await reportApi.approve(report!.id, pin);
      message.success(outcome.status === 'approved' ? t('report.approvedFinal') : t('report.approvedLevel', { level: outcome.level }));
      await reload();
    },
    returnToAuthor: async (comment: string) => {
      await reportApi.returnToAuthor(report!.id, comment);
      message.success(t('report.returned'));
      await reload();
    },
    revoke: async (reason: string, pin: string) => {
      await reportApi.revoke(report!.id, reason, pin);
      message.success(t('report.revoked'));
      await reload();
    },
    correct: async (reason: string) => {
      await reportApi.correct(report!.id, reason);
      message.success(t('report.correctionStarted'));
      if (requestedVersion) setSearchParams({});
      else await reload();
    },
  };

  if (loadError && !ws) {
    const notFound = loadError instanceof ApiError && loadError.status === 404;
    return (
      <Result
        status={notFound ? '404' : 'error'}
        title={notFound ? t('report.examNotFound') : errorTitle(loadError)}
        extra={
          <Space>
            <Button onClick={() => void reload()}>{t('worklist.refresh')}</Button>
            <Link to="/worklist">
              <Button type="primary">{t('menu.worklist')}</Button>
            </Link>
          </Space>
        }
      />
    );
  }
  if (!ws) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;

  const { exam } = ws;
  const hasFinal = !!report?.versions.some((v) => v.status === 'approved');
  const currentLevel = version?.status === 'pending' ? version.chain[version.approvedLevels] : undefined;
  const levelName = currentLevel ? (language === 'en' ? currentLevel.nameEn : currentLevel.name) : null;

  return (
    <Flex vertical gap={16} data-testid="report-workspace">
      <Card
        title={
          <Space wrap>
            <span data-testid="report-patient">{exam.patientName}</span>
            <Typography.Text type="secondary" style={{ fontWeight: 400 }}>
              {exam.itemName}
            </Typography.Text>
            {version && <StatusTag version={version} levelName={levelName} />}
            {!version && <Tag>{label('examStatus', exam.status)}</Tag>}
          </Space>
        }
        extra={
          <Space wrap>
            {report && report.versions.length > 1 && (
              <Select
                size="small"
                style={{ minWidth: 170 }}
                value={version?.version}
                onChange={(v: number) => setSearchParams(v === report.currentVersion ? {} : { version: String(v) })}
                options={report.versions.map((v) => ({ value: v.version, label: `${t('report.versionN', { n: v.version })} · ${label('reportStatus', v.status)}` }))}
                data-testid="version-select"
              />
            )}
            {report && (
              <Tooltip title={t('report.previewHint')}>
                <Button icon={<EyeOutlined />} href={reportApi.pdfUrl(report.id, version?.version)} target="_blank" data-testid="report-preview">
                  {t('report.preview')}
                </Button>
              </Tooltip>
            )}
            {report && canPrint && (
              <Button
                icon={<PrinterOutlined />}
                loading={printingId === report.id}
                onClick={() => void print(report.id, { pinFirst: ws.policy.pinOnPrint && hasFinal })}
                data-testid="report-print"
              >
                {t('report.print')}
              </Button>
            )}
            <Button icon={<ReloadOutlined />} loading={loading} onClick={() => void reload()} aria-label={t('worklist.refresh')} />
          </Space>
        }
      >
        <ExamHeader ws={ws} />
      </Card>

      <QuestionnaireBanner questionnaire={ws.questionnaire} />
      {version?.status === 'draft' && version.returnedComment && (
        <Alert type="warning" showIcon title={t('report.returnedBanner')} description={version.returnedComment} data-testid="returned-comment" />
      )}
      {version?.correctionReason && (
        <Alert type="info" showIcon title={t('report.correctionBanner', { n: version.version })} description={version.correctionReason} data-testid="correction-reason" />
      )}
      {version?.status === 'revoked' && <Alert type="error" showIcon title={t('report.revokedBanner')} description={version.revocationReason} data-testid="revoked-banner" />}
      {version?.status === 'superseded' && (
        <Alert
          type="error"
          showIcon
          title={t('report.supersededBanner')}
          action={
            <Button size="small" onClick={() => setSearchParams({})}>
              {t('report.viewCurrent')}
            </Button>
          }
        />
      )}
      {report && requestedVersion && version && version.version !== report.currentVersion && version.status !== 'superseded' && (
        <Alert type="info" showIcon title={t('report.olderVersion', { n: version.version, current: report.currentVersion })} />
      )}

      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={17}>
          <Flex vertical gap={16}>
            {!version ? (
              <Card>
                {exam.status === 'results' || ws.curves.length > 0 ? (
                  <Result
                    icon={<FileAddOutlined />}
                    title={t('report.noReport')}
                    subTitle={t('report.noReportHint')}
                    extra={
                      <Button type="primary" loading={creating} onClick={() => void createReport()} data-testid="report-create">
                        {t('report.create')}
                      </Button>
                    }
                  />
                ) : (
                  <Empty description={exam.status === 'cancelled' ? label('examStatus', 'cancelled') : t('report.noResults')} />
                )}
              </Card>
            ) : (
              <Card title={t('report.results')} size="small">
                <ResultsTable rows={version.content.rows} />
                <ContentNotes content={version.content} />
              </Card>
            )}

            {ws.curves.length > 0 && (
              <Card title={t('report.curves')} size="small">
                <Suspense fallback={<Spin style={{ display: 'block', margin: 40 }} />}>
                  <Curves curves={ws.curves} />
                </Suspense>
              </Card>
            )}

            {version && draft && ws.allowed && (
              <Card title={t('report.conclusion')} size="small" data-testid="conclusion-card" extra={dirty && <Tag color="orange">{t('report.unsaved')}</Tag>}>
                <ConclusionEditor value={draft} onChange={setDraft} editable={ws.allowed.edit} suggestion={version.content.interpretation?.narrative[language === 'en' ? 'en' : 'zh'] ?? null} />
                <div style={{ marginTop: 12 }}>
                  <ReviewActions allowed={ws.allowed} dirty={dirty} levelName={levelName} handlers={handlers} />
                </div>
              </Card>
            )}
          </Flex>
        </Col>
        <Col xs={24} xxl={7}>
          <Flex vertical gap={16}>
            <QuestionnaireCard questionnaire={ws.questionnaire} examId={exam.id} testKind={exam.testKind} />
            {version && version.chain.length > 0 && (
              <Card title={t('report.chain')} size="small">
                <Steps
                  orientation="vertical"
                  size="small"
                  current={version.approvedLevels}
                  status={version.status === 'approved' ? 'finish' : version.status === 'pending' ? 'process' : 'wait'}
                  items={version.chain.map((level) => ({ title: language === 'en' ? level.nameEn : level.name }))}
                />
              </Card>
            )}
            {version?.status === 'approved' || version?.status === 'superseded' || version?.status === 'revoked' ? <SignedCard version={version} /> : null}
            {version && (
              <Card title={t('report.history')} size="small" data-testid="review-history">
                {ws.steps.length === 0 ? <Typography.Text type="secondary">{t('report.noHistory')}</Typography.Text> : <History steps={ws.steps} version={version} />}
              </Card>
            )}
            <Card title={t('report.previous')} size="small">
              <PreviousTable rows={ws.previous} />
            </Card>
          </Flex>
        </Col>
      </Row>
      {pinModal}
    </Flex>
  );
}

function StatusTag({ version, levelName }: { version: WorkspaceVersion; levelName: string | null }) {
  const { t } = useI18n();
  const returned = version.status === 'draft' && !!version.returnedComment;
  const colour = { draft: returned ? 'orange' : 'gold', pending: 'processing', approved: 'green', superseded: 'default', revoked: 'red' }[version.status];
  return (
    <>
      <Tag color={colour} data-testid="report-status">
        {returned ? t('reportStatus.returned') : t(`reportStatus.${version.status}`)}
      </Tag>
      {levelName && <Tag color="blue">{levelName}</Tag>}
      {version.version > 1 && <Tag color="purple">{t('report.versionN', { n: version.version })}</Tag>}
    </>
  );
}

function ExamHeader({ ws }: { ws: ReportWorkspace }) {
  const { t } = useI18n();
  const label = useCodeLabel();
  const { exam } = ws;
  const dash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '—' : v);
  const body = [exam.heightCm !== null ? `${exam.heightCm} cm` : null, exam.weightKg !== null ? `${exam.weightKg} kg` : null].filter(Boolean).join(' / ');
  return (
    <Descriptions size="small" column={{ xs: 1, sm: 2, md: 3, xl: 4 }} data-testid="exam-header">
      <Descriptions.Item label={t('patient.name')}>{exam.patientName}</Descriptions.Item>
      <Descriptions.Item label={t('patient.sex')}>{label('sex', exam.sex)}</Descriptions.Item>
      <Descriptions.Item label={t('patient.age')}>{ws.age}</Descriptions.Item>
      <Descriptions.Item label={t('report.heightWeight')}>{body || '—'}</Descriptions.Item>
      <Descriptions.Item label={t('order.visitSerialNo')}>
        {label('visitType', exam.visitType)} {dash(exam.visitSerialNo)}
      </Descriptions.Item>
      <Descriptions.Item label={t('patient.wardBed')}>{[exam.ward, exam.bed].filter(Boolean).join(' / ') || '—'}</Descriptions.Item>
      <Descriptions.Item label={t('order.requestNo')}>{dash(exam.requestNo)}</Descriptions.Item>
      <Descriptions.Item label={t('exam.accessionNo')}>
        <span data-testid="report-accession">{exam.accessionNo}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('order.itemName')}>{exam.itemName}</Descriptions.Item>
      <Descriptions.Item label={t('order.requestingDepartment')}>{dash(exam.requestingDepartment)}</Descriptions.Item>
      <Descriptions.Item label={t('order.requestingDoctor')}>{dash(exam.requestingDoctor)}</Descriptions.Item>
      <Descriptions.Item label={t('report.examDate')}>
        {exam.examDate} · {exam.campusName}
      </Descriptions.Item>
      <Descriptions.Item label={t('order.clinicalDiagnosis')} span={2}>
        {dash(exam.clinicalDiagnosis)}
      </Descriptions.Item>
      <Descriptions.Item label={t('patient.hisPatientId')}>{dash(exam.hisPatientId)}</Descriptions.Item>
    </Descriptions>
  );
}

/** Quality grades, the reference equations used and what could not be computed. */
function ContentNotes({ content }: { content: ReportContent }) {
  const { t } = useI18n();
  const q = content.quality;
  const groups = { spirometry: t('report.group.spirometry'), volumes: t('report.group.volumes'), transfer: t('report.group.transfer') } as Record<string, string>;
  const equations = content.equations.map((e) => `${EQUATION_NAMES[e.equation] ?? e.equation}${e.ethnicity ? ` (${e.ethnicity})` : ''}（${groups[e.group] ?? e.group}）`).join('；');
  return (
    <Flex vertical gap={4} style={{ marginTop: 12 }} data-testid="content-notes">
      <Typography.Text>
        <Typography.Text type="secondary">{t('report.quality')}：</Typography.Text>
        {q ? (
          <span data-testid="quality-grade">
            FEV1 <Tag color={gradeColour(q.fev1)}>{q.fev1 ?? '—'}</Tag>FVC <Tag color={gradeColour(q.fvc)}>{q.fvc ?? '—'}</Tag>
            {q.source === 'ats2019' ? t('report.qualityAts', { fev1: q.acceptableFev1 ?? '—', fvc: q.acceptableFvc ?? '—' }) : t('report.qualityDevice')}
            <QualityExtras quality={q} />
          </span>
        ) : (
          t('common.none')
        )}
      </Typography.Text>
      <Typography.Text>
        <Typography.Text type="secondary">{t('report.equations')}：</Typography.Text>
        {equations || t('report.noEquations')}
      </Typography.Text>
      {content.warnings.map((w) => (
        <Alert key={w} type="warning" showIcon title={warningText(w, t)} style={{ padding: '2px 8px' }} data-testid="content-warning" />
      ))}
    </Flex>
  );
}

function SignedCard({ version }: { version: WorkspaceVersion }) {
  const { t, language } = useI18n();
  return (
    <Card title={<Space><SafetyCertificateOutlined />{t('report.signed')}</Space>} size="small" data-testid="signed-card">
      <Descriptions size="small" column={1}>
        <Descriptions.Item label={t('report.approvedAt')}>{version.approvedAt ? new Date(version.approvedAt).toLocaleString(language) : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('verify.algorithm')}>{algorithmName(version.signatureAlgorithm, t)}</Descriptions.Item>
        {version.verificationCode && (
          <Descriptions.Item label={t('report.verificationCode')}>
            <Link to={`/verify/${version.verificationCode}`} target="_blank" data-testid="verification-link">
              {version.verificationCode}
            </Link>
          </Descriptions.Item>
        )}
        {version.finalSha256 && (
          <Descriptions.Item label="SHA-256">
            <Typography.Text copyable={{ text: version.finalSha256 }} style={{ fontFamily: 'monospace', fontSize: 12 }}>
              {version.finalSha256.slice(0, 16)}…
            </Typography.Text>
          </Descriptions.Item>
        )}
        {version.finalSm3 && (
          <Descriptions.Item label="SM3">
            <Typography.Text copyable={{ text: version.finalSm3 }} style={{ fontFamily: 'monospace', fontSize: 12 }}>
              {version.finalSm3.slice(0, 16)}…
            </Typography.Text>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('report.printCount')}>
          <span data-testid="print-count">{version.printCount}</span>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

function History({ steps, version }: { steps: ReviewStep[]; version: WorkspaceVersion }) {
  const { t, language } = useI18n();
  const label = useCodeLabel();
  const levelName = (level: number | null) => {
    const found = version.chain.find((c) => c.level === level);
    return found ? (language === 'en' ? found.nameEn : found.name) : level ? t('report.levelN', { n: level }) : '';
  };
  const colour: Record<string, string> = { submit: 'blue', edit: 'gold', approve: 'green', return: 'red', correct: 'purple', print: 'gray', revoke: 'red' };
  const items = steps.map((s, i) => ({
    key: i,
    color: colour[s.action] ?? 'gray',
    content: (
      <div data-testid="history-step" data-action={s.action}>
        <Typography.Text strong>{label('step', s.action)}</Typography.Text>
        {s.action === 'approve' || s.action === 'return' ? <Typography.Text type="secondary">（{levelName(s.level)}）</Typography.Text> : null}
        <div>
          <Typography.Text>{s.actorName}</Typography.Text>
          <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
            {new Date(s.at).toLocaleString(language)}
          </Typography.Text>
        </div>
        {s.comment && <Typography.Paragraph style={{ margin: '4px 0 0', whiteSpace: 'pre-wrap', background: '#fafafa', padding: '4px 8px', borderRadius: 4 }}>{s.comment}</Typography.Paragraph>}
      </div>
    ),
  }));
  return <Timeline items={items} />;
}

function PreviousTable({ rows }: { rows: PreviousExam[] }) {
  const { t } = useI18n();
  const fev1fvc = (v: number | null) => formatValue({ param: 'FEV1FVC' }, v) || '—';
  const litres = (param: string, v: number | null) => formatValue({ param }, v) || '—';
  return (
    <Table<PreviousExam>
      rowKey="examId"
      size="small"
      dataSource={rows}
      pagination={false}
      data-testid="previous-exams"
      locale={{ emptyText: t('report.noPrevious') }}
      scroll={{ x: 'max-content' }}
      columns={[
        {
          title: t('report.examDate'),
          dataIndex: 'examDate',
          width: 100,
          render: (date: string, row) => <Link to={`/exams/${row.examId}/report`}>{date}</Link>,
        },
        { title: 'FEV1', dataIndex: 'fev1', align: 'right', width: 60, render: (v: number | null) => litres('FEV1', v) },
        { title: 'FVC', dataIndex: 'fvc', align: 'right', width: 60, render: (v: number | null) => litres('FVC', v) },
        { title: 'FEV1/FVC%', dataIndex: 'fev1fvc', align: 'right', width: 80, render: fev1fvc },
        {
          title: t('report.conclusion'),
          dataIndex: 'conclusion',
          ellipsis: { showTitle: true },
          width: 180,
          render: (text: string | null, row) => text ?? row.itemName,
        },
      ]}
    />
  );
}
