import { CheckCircleOutlined, FileTextOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Flex, Form, List, Result, Space, Spin, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { errorTitle } from '../../api/forms.ts';
import { useCodeLabel } from '../../i18n/codes.ts';
import { type ExamQuestionnaire, questionnaireApi, type QuestionnaireFlag, type QuestionnaireSaved } from './api.ts';
import { applicable } from './logic.ts';
import { useQT } from './messages.ts';
import { type FormValues, fromFormValues, QuestionnaireFields, toFormValues } from './QuestionnaireForm.tsx';

/** 问卷调查: the technician asks the pre-test questions of one exam, on a tablet or at the desk. */
export function QuestionnaireFillPage() {
  const { examId = '' } = useParams();
  const { t, language } = useQT();
  const label = useCodeLabel();
  const [form] = Form.useForm<FormValues>();
  const [page, setPage] = useState<ExamQuestionnaire | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<{ title: string; messages: string[] } | null>(null);
  const [saved, setSaved] = useState<QuestionnaireSaved | null>(null);

  const load = useCallback(async () => {
    try {
      setPage(await questionnaireApi.forExam(examId));
      setLoadError(null);
    } catch (error) {
      setLoadError(error);
    }
  }, [examId]);

  useEffect(() => {
    void load();
  }, [load]);

  if (loadError && !page) {
    const notFound = loadError instanceof ApiError && loadError.status === 404;
    return <Result status={notFound ? '404' : 'error'} title={errorTitle(loadError)} extra={<Link to="/worklist"><Button type="primary">{t('backToWorklist')}</Button></Link>} />;
  }
  if (!page) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;

  const { exam, definition } = page;
  const content = definition.content;

  async function save() {
    setSaving(true);
    setProblem(null);
    // errors shown from a previous attempt go; the values stay
    form.setFields(content.questions.map((q) => ({ name: q.id, errors: [] })));
    try {
      const answers = applicable(content, fromFormValues(content, form.getFieldsValue(true)), exam.testKind);
      const outcome = await questionnaireApi.save(examId, { definitionId: definition.id, answers });
      setSaved(outcome);
      void load();
    } catch (error) {
      const fieldErrors = error instanceof ApiError ? (error.errors ?? []) : [];
      const known = new Set(content.questions.map((q) => q.id));
      const onFields = fieldErrors.map((e) => ({ id: e.field.replace(/^answers\./, ''), message: e.message })).filter((e) => known.has(e.id));
      form.setFields(onFields.map((e) => ({ name: e.id, errors: [e.message] })));
      setProblem({ title: errorTitle(error), messages: fieldErrors.map((e) => e.message) });
      if (onFields[0]) document.querySelector(`[data-testid="q-${onFields[0].id}"]`)?.scrollIntoView({ behavior: 'smooth', block: 'center' });
      else window.scrollTo({ top: 0, behavior: 'smooth' });
    } finally {
      setSaving(false);
    }
  }

  const header = (
    <Descriptions size="small" column={{ xs: 1, sm: 2, md: 3 }} data-testid="questionnaire-exam">
      <Descriptions.Item label={t('patient')}>
        <Typography.Text strong>{exam.patientName}</Typography.Text> {label('sex', exam.sex)}
      </Descriptions.Item>
      <Descriptions.Item label={t('exam')}>{exam.itemName}</Descriptions.Item>
      <Descriptions.Item label="No.">{exam.accessionNo}</Descriptions.Item>
    </Descriptions>
  );

  if (saved) {
    return (
      <Card style={{ maxWidth: 900, margin: '0 auto' }} data-testid="questionnaire-saved">
        {header}
        <Result
          status={saved.flags.some((f) => f.kind === 'contraindication') ? 'warning' : 'success'}
          title={t('saved', { revision: saved.revision })}
          subTitle={<FlagList flags={saved.flags} />}
          extra={
            <Space wrap>
              <Link to="/worklist">
                <Button type="primary" size="large" icon={<UnorderedListOutlined />} data-testid="questionnaire-back">
                  {t('backToWorklist')}
                </Button>
              </Link>
              <Link to={`/exams/${examId}/report`}>
                <Button size="large" icon={<FileTextOutlined />}>
                  {t('openReport')}
                </Button>
              </Link>
              <Button size="large" onClick={() => setSaved(null)}>
                {t('editAgain')}
              </Button>
            </Space>
          }
        />
      </Card>
    );
  }

  const cancelled = exam.status === 'cancelled';
  const olderAnswers = page.current && page.current.definition.id !== definition.id;
  return (
    <Card
      style={{ maxWidth: 900, margin: '0 auto' }}
      title={
        <Space wrap>
          {t('fillTitle')}
          <Typography.Text type="secondary" style={{ fontWeight: 400 }}>
            {language === 'en' && content.title.en ? content.title.en : content.title.zh} · {t('definitionVersion', { version: definition.version })}
          </Typography.Text>
        </Space>
      }
      extra={page.current && <Tag icon={<CheckCircleOutlined />} color="green">{t('revision', { n: page.current.revision })}</Tag>}
      data-testid="questionnaire-page"
    >
      {header}
      {content.description && <Alert type="info" showIcon title={language === 'en' && content.description.en ? content.description.en : content.description.zh} style={{ margin: '12px 0' }} />}
      {olderAnswers && <Alert type="warning" showIcon title={t('newerDefinition', { version: definition.version })} style={{ margin: '12px 0' }} />}
      {cancelled && <Alert type="error" showIcon title={t('cancelled')} style={{ margin: '12px 0' }} />}
      {problem && (
        <Alert
          type="error"
          showIcon
          title={problem.title}
          description={problem.messages.length ? <ul style={{ margin: 0, paddingLeft: 18 }}>{problem.messages.map((m) => <li key={m}>{m}</li>)}</ul> : undefined}
          style={{ margin: '12px 0' }}
          data-testid="questionnaire-errors"
        />
      )}
      <Form
        form={form}
        layout="vertical"
        size="large"
        disabled={cancelled}
        // the answers in force, onto the questionnaire filled in now (questions that no longer exist are left out)
        initialValues={page.current ? toFormValues(content, page.current.answers) : undefined}
        onFinish={() => void save()}
        data-testid="questionnaire-form"
      >
        <QuestionnaireFields content={content} form={form} testKind={exam.testKind} disabled={cancelled} />
        <Flex justify="end" gap={12} style={{ position: 'sticky', bottom: 0, background: '#fff', padding: '12px 0', borderTop: '1px solid #f0f0f0', zIndex: 2 }}>
          <Link to="/worklist">
            <Button size="large">{t('backToWorklist')}</Button>
          </Link>
          <Button type="primary" size="large" htmlType="submit" loading={saving} disabled={cancelled} data-testid="questionnaire-save">
            {t('save')}
          </Button>
        </Flex>
      </Form>
      {page.history.length > 0 && <RevisionList revisions={page.history} />}
    </Card>
  );
}

/** Every saving of this exam's answers, newest first: who, when, against which version, and what it raised. */
function RevisionList({ revisions }: { revisions: ExamQuestionnaire['history'] }) {
  const { t, language } = useQT();
  // how many flags of one kind a saving raised, as a tag (nothing when none)
  const tag = (flags: QuestionnaireFlag[], kind: QuestionnaireFlag['kind'], color: string, key: 'contraindicationTag' | 'warningTag') => {
    const n = flags.filter((f) => f.kind === kind).length;
    return n > 0 && <Tag color={color}>{t(key, { n })}</Tag>;
  };
  return (
    <Card size="small" type="inner" title={t('history')} style={{ marginTop: 16 }} data-testid="questionnaire-history">
      <List
        size="small"
        dataSource={revisions}
        rowKey="revision"
        renderItem={(r) => (
          <List.Item data-testid="questionnaire-revision">
            <Space wrap>
              <Typography.Text strong>{t('revision', { n: r.revision })}</Typography.Text>
              <span>{t('answeredBy', { name: r.answeredByName, at: new Date(r.answeredAt).toLocaleString(language) })}</span>
              <Typography.Text type="secondary">{t('definitionVersion', { version: r.definitionVersion })}</Typography.Text>
              {tag(r.flags, 'contraindication', 'red', 'contraindicationTag')}
              {tag(r.flags, 'warning', 'orange', 'warningTag')}
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}

/** The contraindications first, then what may affect the result; or that nothing was found. */
export function FlagList({ flags }: { flags: QuestionnaireFlag[] }) {
  const { t, language } = useQT();
  const contraindications = flags.filter((f) => f.kind === 'contraindication');
  const warnings = flags.filter((f) => f.kind === 'warning');
  const message = (f: QuestionnaireFlag) => (language === 'en' && f.message.en ? f.message.en : f.message.zh);
  if (!flags.length) return <Typography.Text type="secondary">{t('noFlags')}</Typography.Text>;
  return (
    <Flex vertical gap={8} style={{ textAlign: 'left' }}>
      {contraindications.length > 0 && (
        <Alert
          type="error"
          showIcon
          title={t('contraindicationsFound')}
          description={<ul style={{ margin: 0, paddingLeft: 18 }}>{contraindications.map((f, i) => <li key={i}>{message(f)}</li>)}</ul>}
          data-testid="questionnaire-contraindications"
        />
      )}
      {warnings.length > 0 && (
        <Alert
          type="warning"
          showIcon
          title={t('warningsFound')}
          description={<ul style={{ margin: 0, paddingLeft: 18 }}>{warnings.map((f, i) => <li key={i}>{message(f)}</li>)}</ul>}
          data-testid="questionnaire-warnings"
        />
      )}
    </Flex>
  );
}
