import { EditOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Empty, Flex, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { useCan } from '../../auth/SessionProvider.tsx';
import type { WorkspaceQuestionnaire } from './api.ts';
import { answerText, hoursBefore, isEmpty, text, visibleQuestions } from './logic.ts';
import { useQT } from './messages.ts';
import { FlagList } from './QuestionnaireFillPage.tsx';

const FLAG_COLOUR = { contraindication: '#cf1322', warning: '#d46b08' } as const;

/** The contraindications of an exam's questionnaire, for the top of the report workspace; nothing when there are none. */
export function QuestionnaireBanner({ questionnaire }: { questionnaire: WorkspaceQuestionnaire | null }) {
  const { t, language } = useQT();
  const contraindications = questionnaire?.flags.filter((f) => f.kind === 'contraindication') ?? [];
  if (!contraindications.length) return null;
  return (
    <Alert
      type="error"
      showIcon
      icon={<WarningOutlined />}
      title={t('contraindicationsFound')}
      description={contraindications.map((f) => (language === 'en' && f.message.en ? f.message.en : f.message.zh)).join(language === 'en' ? '; ' : '；')}
      data-testid="questionnaire-banner"
    />
  );
}

/** 检查前问卷 in the report workspace: the answers in force, flagged ones highlighted, medication times with their distance to the test. */
export function QuestionnaireCard({ questionnaire, examId, testKind }: { questionnaire: WorkspaceQuestionnaire | null; examId: string; testKind: string }) {
  const { t, language } = useQT();
  const canFill = useCan('questionnaire.fill');
  const fillLink = canFill && (
    <Link to={`/exams/${examId}/questionnaire`} data-testid="questionnaire-edit">
      <Button size="small" type="link" icon={<EditOutlined />}>
        {questionnaire ? t('editAgain') : t('fillNow')}
      </Button>
    </Link>
  );
  if (!questionnaire) {
    return (
      <Card title={t('title')} size="small" extra={fillLink} data-testid="questionnaire-card">
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notAnswered')} />
      </Card>
    );
  }
  const { definition, answers, flags } = questionnaire;
  const flagOf = (id: string) => {
    const own = flags.filter((f) => f.questionId === id);
    return own.some((f) => f.kind === 'contraindication') ? 'contraindication' : own.length ? 'warning' : null;
  };
  const shown = visibleQuestions(definition.content, answers, testKind).filter((q) => !isEmpty(answers[q.id]));
  return (
    <Card
      title={t('title')}
      size="small"
      extra={fillLink}
      data-testid="questionnaire-card"
    >
      <Flex vertical gap={8}>
        <FlagList flags={flags} />
        <Descriptions size="small" column={1} data-testid="questionnaire-answers">
          {shown.map((q) => {
            const kind = flagOf(q.id);
            const value = answers[q.id];
            const hours = q.type === 'datetime' && typeof value === 'string' ? hoursBefore(value, questionnaire.answeredAt) : null;
            return (
              <Descriptions.Item key={q.id} label={text(q.label, language)}>
                <span style={kind ? { color: FLAG_COLOUR[kind], fontWeight: 600 } : undefined} data-testid={`answer-${q.id}`} data-flag={kind ?? undefined}>
                  {answerText(q, value, language, { yes: t('yes'), no: t('no') })}
                  {hours !== null && t('hoursAgo', { hours })}
                </span>
                {kind && (
                  <Tag color={kind === 'contraindication' ? 'red' : 'orange'} style={{ marginLeft: 6 }}>
                    {t(kind)}
                  </Tag>
                )}
              </Descriptions.Item>
            );
          })}
        </Descriptions>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('answeredBy', { name: questionnaire.answeredByName, at: new Date(questionnaire.answeredAt).toLocaleString(language) })} · {t('definitionVersion', { version: definition.version })}
          {questionnaire.revisions > 1 && ` · ${t('revisions', { n: questionnaire.revisions })}`}
        </Typography.Text>
      </Flex>
    </Card>
  );
}
