import { Table, type TableColumnsType, Tooltip, Typography } from 'antd';
import type { HTMLAttributes } from 'react';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { ReportRow } from './api.ts';
import { belowLln, displayUnit, formatChange, formatPct, formatValue, formatZ, paramInfo, Z_LLN, Z_MAX, Z_MIN, zPosition } from './format.ts';

const RED = '#cf1322';
const BAR_WIDTH = 132;
const BAR_HEIGHT = 18;

/**
 * The z-score bar of printed PFT reports: −5 to +3, the part below the LLN (z −1.645) shaded, a tick at 0, the value
 * as a dot (red below the LLN) and the post-bronchodilator value as a ring.
 */
export function ZScoreBar({ z, postZ }: { z: number | null; postZ?: number | null }) {
  const { t } = useI18n();
  if (z === null && (postZ ?? null) === null) return null;
  const x = (value: number) => 4 + zPosition(value) * (BAR_WIDTH - 8);
  const mid = BAR_HEIGHT / 2;
  const low = z !== null && z < Z_LLN;
  const label = [z !== null ? `Z ${formatZ(z)}` : null, postZ !== null && postZ !== undefined ? `${t('report.post')} Z ${formatZ(postZ)}` : null].filter(Boolean).join(' · ');
  return (
    <Tooltip title={label}>
      <svg width={BAR_WIDTH} height={BAR_HEIGHT} role="img" aria-label={label} data-testid="zbar" data-below-lln={low ? '1' : '0'} style={{ display: 'block' }}>
        <rect x={x(Z_MIN)} y={mid - 4} width={x(Z_LLN) - x(Z_MIN)} height={8} fill="#fff1f0" />
        <line x1={x(Z_MIN)} x2={x(Z_MAX)} y1={mid} y2={mid} stroke="#bfbfbf" />
        <line x1={x(Z_LLN)} x2={x(Z_LLN)} y1={1} y2={BAR_HEIGHT - 1} stroke={RED} strokeDasharray="2 2" />
        <line x1={x(0)} x2={x(0)} y1={4} y2={BAR_HEIGHT - 4} stroke="#8c8c8c" />
        {[-4, -3, -2, -1, 1, 2].map((tick) => (
          <line key={tick} x1={x(tick)} x2={x(tick)} y1={mid - 2} y2={mid + 2} stroke="#d9d9d9" />
        ))}
        {postZ !== null && postZ !== undefined && <circle cx={x(postZ)} cy={mid} r={4} fill="#fff" stroke={postZ < Z_LLN ? RED : '#0e6e8c'} strokeWidth={1.5} />}
        {z !== null && <circle cx={x(z)} cy={mid} r={4} fill={low ? RED : '#0e6e8c'} />}
      </svg>
    </Tooltip>
  );
}

/** The measurement table: rows in ATS 2017 order (the server sends them ordered), columns as the ATS 2017 report. */
export function ResultsTable({ rows }: { rows: ReportRow[] }) {
  const { t, language } = useI18n();
  const hasPost = rows.some((r) => r.post !== null);
  const number = (value: string) => value || '—';
  const cell = (text: string, low: boolean) => <span style={low ? { color: RED, fontWeight: 600 } : undefined}>{number(text)}</span>;

  // ATS 2017 standard-report order: measured, LLN, z-score with its graphic, % predicted last. Predicted stays, as
  // Chinese labs expect it, just before % predicted. A bronchodilator test adds post measured, post z, post %pred, change.
  const columns: TableColumnsType<ReportRow> = [
    {
      title: t('report.param'),
      key: 'param',
      fixed: 'left',
      width: 190,
      render: (_, row) => {
        const info = paramInfo(row.param);
        const name = language === 'en' ? info.en : info.zh;
        return (
          <span>
            <Typography.Text strong>{info.code}</Typography.Text>
            {name && (
              <Typography.Text type="secondary" style={{ marginLeft: 6, fontSize: 12 }}>
                {name}
              </Typography.Text>
            )}
          </span>
        );
      },
    },
    { title: t('report.unit'), key: 'unit', width: 60, render: (_, row) => displayUnit(row) },
    { title: t('report.measured'), key: 'measured', align: 'right', width: 80, render: (_, row) => cell(formatValue(row, row.measured), belowLln(row.measured, row.zScore, row.lln)) },
    { title: <Tooltip title={t('report.llnHint')}>{t('report.lln')}</Tooltip>, key: 'lln', align: 'right', width: 70, render: (_, row) => number(formatValue(row, row.lln)) },
    { title: t('report.zScore'), key: 'z', align: 'right', width: 70, render: (_, row) => cell(formatZ(row.zScore), row.zScore !== null && row.zScore < Z_LLN) },
    { title: t('report.zBar'), key: 'zbar', width: BAR_WIDTH + 16, render: (_, row) => <ZScoreBar z={row.zScore} postZ={hasPost ? row.postZScore : null} /> },
    {
      title: t('report.predicted'),
      key: 'predicted',
      align: 'right',
      width: 80,
      render: (_, row) => (
        <>
          {number(formatValue(row, row.predicted))}
          {row.reference === 'device' && row.predicted !== null && (
            <Tooltip title={t('report.deviceReference')}>
              <sup style={{ color: '#8c8c8c', marginLeft: 2 }}>*</sup>
            </Tooltip>
          )}
        </>
      ),
    },
    { title: t('report.pctPredicted'), key: 'pct', align: 'right', width: 90, render: (_, row) => number(formatPct(row.pctPredicted)) },
  ];
  if (hasPost) {
    columns.push(
      { title: t('report.post'), key: 'post', align: 'right', width: 80, render: (_, row) => cell(formatValue(row, row.post), belowLln(row.post, row.postZScore, row.lln)) },
      { title: t('report.postZ'), key: 'postZ', align: 'right', width: 80, render: (_, row) => cell(formatZ(row.postZScore), row.postZScore !== null && row.postZScore < Z_LLN) },
      { title: t('report.postPct'), key: 'postPct', align: 'right', width: 90, render: (_, row) => number(formatPct(row.postPctPredicted)) },
      { title: t('report.change'), key: 'change', align: 'right', width: 80, render: (_, row) => number(formatChange(row.changePct)) },
    );
  }

  return (
    <Table<ReportRow>
      rowKey="param"
      size="small"
      data-testid="results-table"
      dataSource={rows}
      columns={columns}
      pagination={false}
      scroll={{ x: 'max-content' }}
      onRow={(row) => ({ 'data-param': row.param }) as HTMLAttributes<HTMLElement>}
      locale={{ emptyText: t('report.noRows') }}
    />
  );
}
