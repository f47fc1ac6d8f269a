import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Space, Tag, Typography } from 'antd';
import type { QcDay } from './api.ts';
import { type CalendarCell, type CellStatus, monthGrid, monthSummary } from './logic.ts';
import { useQcT } from './messages.ts';

export const statusColor: Record<CellStatus, { background: string; border: string; text: string }> = {
  passed: { background: '#e8f6ec', border: '#52c41a', text: '#237804' },
  failed: { background: '#fff1f0', border: '#ff4d4f', text: '#a8071a' },
  missing: { background: '#fffbe6', border: '#faad14', text: '#ad6800' },
  future: { background: '#fafafa', border: '#f0f0f0', text: '#bfbfbf' },
  none: { background: '#fafafa', border: '#f0f0f0', text: '#bfbfbf' },
};

/** 每日定标日历: one month, each day coloured by its volume check, with biological control and exams marked. */
export function QcCalendar({ month, days, today, onMonth }: { month: string; days: QcDay[]; today: string; onMonth(delta: number): void }) {
  const t = useQcT();
  const weeks = monthGrid(month, days, today);
  const summary = monthSummary(weeks);
  const statusLabel = (c: CalendarCell) => (c.status === 'future' ? '' : c.status === 'none' ? t('status.none') : t(`status.${c.status}`));
  return (
    <div data-testid="qc-calendar">
      <Space style={{ marginBottom: 12, width: '100%', justifyContent: 'space-between' }} wrap>
        <Space>
          <Button icon={<LeftOutlined />} onClick={() => onMonth(-1)} aria-label={t('calendar.prev')} />
          <Typography.Text strong data-testid="qc-month">
            {month}
          </Typography.Text>
          <Button icon={<RightOutlined />} onClick={() => onMonth(1)} disabled={month >= today.slice(0, 7)} aria-label={t('calendar.next')} />
        </Space>
        <Space wrap>
          <Typography.Text type="secondary" data-testid="qc-month-summary">
            {t('calendar.summary', summary)}
          </Typography.Text>
          {summary.uncovered > 0 && <Tag color="red">{t('calendar.uncovered', { count: summary.uncovered })}</Tag>}
        </Space>
      </Space>
      <table style={{ width: '100%', borderCollapse: 'separate', borderSpacing: 4, tableLayout: 'fixed' }}>
        <thead>
          <tr>
            {t('weekdays')
              .split(',')
              .map((d) => (
                <th key={d} style={{ fontWeight: 500, color: '#8c8c8c', padding: 4 }}>
                  {d}
                </th>
              ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week, w) => (
            <tr key={w}>
              {week.map((cell, i) =>
                cell ? (
                  <td
                    key={cell.date}
                    data-date={cell.date}
                    data-status={cell.status}
                    data-uncovered={cell.uncovered ? '1' : '0'}
                    title={`${cell.date} ${statusLabel(cell)}`}
                    style={{
                      verticalAlign: 'top',
                      height: 64,
                      padding: 6,
                      borderRadius: 6,
                      background: statusColor[cell.status].background,
                      border: `${cell.today ? 2 : 1}px solid ${cell.today ? '#0e6e8c' : statusColor[cell.status].border}`,
                    }}
                  >
                    <div style={{ display: 'flex', justifyContent: 'space-between' }}>
                      <span style={{ fontWeight: cell.today ? 700 : 400 }}>{cell.dayOfMonth}</span>
                      <span style={{ color: statusColor[cell.status].text, fontSize: 12 }}>{statusLabel(cell)}</span>
                    </div>
                    {cell.biological && (
                      <div style={{ fontSize: 11, color: cell.biological === 'passed' ? '#237804' : '#a8071a' }} data-bio={cell.biological}>
                        {t('calendar.bio')} {t(`status.${cell.biological}`)}
                      </div>
                    )}
                    {cell.exams > 0 && (
                      <div style={{ fontSize: 11, color: cell.uncovered ? '#a8071a' : '#595959', fontWeight: cell.uncovered ? 600 : 400 }}>{t('calendar.exams', { count: cell.exams })}</div>
                    )}
                  </td>
                ) : (
                  <td key={`empty-${i}`} />
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <Space style={{ marginTop: 8 }} wrap>
        <Typography.Text type="secondary">{t('calendar.legend')}:</Typography.Text>
        {(['passed', 'failed', 'missing'] as const).map((s) => (
          <Tag key={s} style={{ background: statusColor[s].background, borderColor: statusColor[s].border, color: statusColor[s].text }}>
            {t(`status.${s}`)}
          </Tag>
        ))}
      </Space>
    </div>
  );
}
