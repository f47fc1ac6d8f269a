import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Flex, Row, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { type HTMLAttributes, useCallback, useEffect } from 'react';
import { Link } from 'react-router';
import { useLoad } from '../../api/useLoad.ts';
import { useCodeLabel } from '../../i18n/codes.ts';
import { type Translate, useI18n } from '../../i18n/I18nProvider.tsx';
import { reportApi, type ReviewQueue, type ReviewQueueItem } from '../report/api.ts';
import { waitParts } from '../report/format.ts';

const REFRESH_MS = 30_000;
const EMPTY: ReviewQueue = { items: [], levels: [] };

/** How long a report has waited: 45 分钟, 2 小时 5 分, 3 天 2 小时. */
export function formatWait(minutes: number, t: Translate): string {
  const { days, hours, minutes: m } = waitParts(minutes);
  if (days > 0) return t('review.waitDays', { days, hours });
  if (hours > 0) return t('review.waitHours', { hours, minutes: m });
  return t('review.waitMinutes', { minutes: m });
}

/**
 * 待审核: reports waiting at a level I may approve, urgent (住院/急诊) first, then the longest waiting. Reports at my
 * level that four-eyes keeps me from approving (my own submission, a level I approved, content I edited) come last,
 * greyed and marked, and are not in the counts.
 */
export function ReviewQueuePage() {
  const { t, language } = useI18n();
  const label = useCodeLabel();
  const load = useCallback(() => reportApi.queue(), []);
  const queue = useLoad<ReviewQueue>(load, EMPTY);
  const { reload } = queue;

  useEffect(() => {
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  return (
    <Flex vertical gap={16}>
      <Row gutter={[16, 16]} data-testid="review-levels">
        {queue.data.levels.length === 0 && !queue.loading && (
          <Col span={24}>
            <Card>
              <Empty description={t('review.empty')} />
            </Card>
          </Col>
        )}
        {queue.data.levels.map((level) => (
          <Col key={level.level} xs={24} sm={12} lg={8}>
            <Card size="small" data-testid="review-level-card">
              <Typography.Text strong style={{ fontSize: 16 }}>
                {language === 'en' ? level.nameEn : level.name}
              </Typography.Text>
              <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                {t('report.levelN', { n: level.level })}
              </Typography.Text>
              <Row gutter={16} style={{ marginTop: 8 }}>
                <Col span={6}>
                  <Statistic title={t('review.count')} value={level.count} data-testid="review-level-count" />
                </Col>
                <Col span={8}>
                  <Statistic title={t('review.urgentCount')} value={level.urgent} styles={{ content: { color: level.urgent > 0 ? '#cf1322' : undefined } }} />
                </Col>
                <Col span={10}>
                  <Statistic title={t('review.oldest')} value={level.count > 0 ? formatWait(level.oldestMinutes, t) : '—'} styles={{ content: { color: level.oldestMinutes >= 24 * 60 ? '#cf1322' : undefined, fontSize: 20 } }} />
                </Col>
              </Row>
              {level.blocked > 0 && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="review-level-blocked">
                  {t('review.blockedCount', { count: level.blocked })}
                </Typography.Text>
              )}
            </Card>
          </Col>
        ))}
      </Row>
      <Card
        title={t('review.title')}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void reload()} data-testid="review-refresh">
            {t('worklist.refresh')}
          </Button>
        }
      >
        <Table<ReviewQueueItem>
          rowKey={(item) => `${item.reportId}-${item.version}`}
          size="small"
          data-testid="review-table"
          loading={queue.loading && queue.data.items.length === 0}
          dataSource={queue.data.items}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          locale={{ emptyText: t('review.empty') }}
          onRow={(item) => ({ 'data-approvable': String(item.approvable), style: item.approvable ? undefined : { opacity: 0.6 } }) as HTMLAttributes<HTMLElement>}
          columns={[
            {
              title: '',
              key: 'flags',
              width: 150,
              render: (_, item) => (
                <>
                  {item.urgent && <Tag color="red">{label('visitType', item.visitType)}</Tag>}
                  {!item.approvable && item.blockedBy && (
                    <Tooltip title={t(`review.blocked.${item.blockedBy}` as const)}>
                      <Tag data-testid="review-blocked">{t('review.notMine')}</Tag>
                    </Tooltip>
                  )}
                  {item.correctionReason && (
                    <Tooltip title={`${t('report.correctionReason')}：${item.correctionReason}`}>
                      <Tag color="purple">{t('review.correction')}</Tag>
                    </Tooltip>
                  )}
                </>
              ),
            },
            {
              title: t('patient.name'),
              key: 'patient',
              width: 120,
              render: (_, item) => (
                <>
                  {item.patientName}
                  <Typography.Text type="secondary" style={{ marginLeft: 6 }}>
                    {label('sex', item.sex)}
                  </Typography.Text>
                </>
              ),
            },
            { title: t('exam.accessionNo'), dataIndex: 'accessionNo', width: 170 },
            { title: t('order.itemName'), dataIndex: 'itemName', width: 150 },
            { title: t('patient.wardBed'), key: 'wardBed', width: 110, render: (_, item) => [item.ward, item.bed].filter(Boolean).join(' / ') || '—' },
            { title: t('report.examDate'), dataIndex: 'examDate', width: 100 },
            { title: t('review.level'), key: 'level', width: 100, render: (_, item) => <Tag color="blue">{language === 'en' ? item.levelNameEn : item.levelName}</Tag> },
            {
              title: t('review.waiting'),
              dataIndex: 'waitingMinutes',
              width: 110,
              render: (minutes: number) => <span style={{ color: minutes >= 24 * 60 ? '#cf1322' : undefined }}>{formatWait(minutes, t)}</span>,
            },
            {
              title: t('common.actions'),
              key: 'open',
              width: 90,
              fixed: 'right',
              render: (_, item) => (
                <Link to={`/exams/${item.examId}/report`} data-testid="review-open">
                  {t('review.open')}
                </Link>
              ),
            },
          ]}
        />
      </Card>
    </Flex>
  );
}
