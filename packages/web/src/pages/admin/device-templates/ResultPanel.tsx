import { Empty, List, Progress, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { ExtractedMeasurement } from '@pftis/formats/device-report/index';
import type { ReactNode } from 'react';
import type { TryResult } from './api.ts';
import { fieldRows, type Selection } from './logic.ts';
import { useDtT } from './messages.ts';

const same = (a: Selection | null, b: Selection) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What the template read from the sample: fields, result rows and cells, conclusion, notes and the fit of every
 * template. Hovering (or clicking, to keep it) an entry selects it; the page view highlights where it came from.
 */
export function ResultPanel({
  result,
  template,
  selection,
  onHover,
  onPin,
}: {
  result: TryResult;
  template: { fields?: Array<{ field: string; labels: string[] }>; tables?: Array<{ rowFields?: Array<{ field: string; labels: string[] }> }> } | null;
  selection: Selection | null;
  onHover(selection: Selection | null): void;
  onPin(selection: Selection): void;
}) {
  const { t, fieldLabel } = useDtT();
  const { extraction, trace } = result;
  const rows = fieldRows(template, extraction, trace);
  const hoverable = (s: Selection, children: ReactNode, enabled = true) =>
    enabled ? (
      <span
        style={{ cursor: 'pointer', display: 'block', background: same(selection, s) ? '#fff2e8' : undefined, borderRadius: 3 }}
        onMouseEnter={() => onHover(s)}
        onMouseLeave={() => onHover(null)}
        onClick={() => onPin(s)}
      >
        {children}
      </span>
    ) : (
      children
    );
  const num = (x: number | null | undefined) => (x === null || x === undefined ? <Typography.Text type="secondary">—</Typography.Text> : String(x));

  const measurementColumns = [
    { key: 'predicted', title: t('predicted'), get: (m: ExtractedMeasurement) => m.predicted },
    { key: 'lln', title: t('lln'), get: (m: ExtractedMeasurement) => m.lln },
    { key: 'value', title: t('measured'), get: (m: ExtractedMeasurement) => m.value },
    { key: 'pctPred', title: t('pctPred'), get: (m: ExtractedMeasurement) => m.pctPred },
    { key: 'z', title: t('zscore'), get: (m: ExtractedMeasurement) => m.zscore },
    { key: 'changePct', title: t('changePct'), get: (m: ExtractedMeasurement) => m.changePct ?? null },
  ];
  // the cell a displayed column came from: value comes from the stage's own column, the rest by role
  const roleOf = (key: string, m: ExtractedMeasurement) =>
    key === 'value' ? m.stage : key === 'pctPred' ? (m.stage === 'post' ? 'postPctPred' : 'pctPred') : key === 'z' ? (m.stage === 'post' ? 'postZ' : 'z') : key;

  const fields = (
    <Table
      size="small"
      pagination={false}
      rowKey="field"
      dataSource={rows}
      data-testid="result-fields"
      onRow={(r) => ({
        onMouseEnter: () => r.traceIndex !== null && onHover({ kind: 'field', index: r.traceIndex }),
        onMouseLeave: () => onHover(null),
        onClick: () => r.traceIndex !== null && onPin({ kind: 'field', index: r.traceIndex }),
        style: { cursor: r.traceIndex !== null ? 'pointer' : undefined, background: r.traceIndex !== null && same(selection, { kind: 'field', index: r.traceIndex }) ? '#fff2e8' : undefined },
        'data-field': r.field,
      })}
      columns={[
        { title: t('field'), key: 'field', width: 110, render: (_, r) => <Tooltip title={r.field}>{fieldLabel(r.field)}</Tooltip> },
        { title: t('labels'), key: 'labels', width: 150, ellipsis: { showTitle: false }, render: (_, r) => <Tooltip title={r.labels.join(' / ')}><Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.labels.join(' / ')}</Typography.Text></Tooltip> },
        {
          title: t('textRead'),
          key: 'text',
          render: (_, r) => (r.traceIndex === null ? <Tag color="orange">{t('notFound')}</Tag> : <span>{r.text || '—'}{r.from === 'table' && <Typography.Text type="secondary"> {t('fromTable')}</Typography.Text>}</span>),
        },
        { title: t('value'), key: 'value', render: (_, r) => (r.traceIndex === null ? null : num(r.value as number | null)) },
      ]}
    />
  );

  const measurements = (
    <Table<ExtractedMeasurement & { index: number }>
      size="small"
      pagination={false}
      rowKey="index"
      scroll={{ x: 'max-content' }}
      dataSource={(extraction?.measurements ?? []).map((m, index) => ({ ...m, index }))}
      data-testid="result-measurements"
      columns={[
        {
          title: t('deviceParam'),
          key: 'label',
          render: (_, m) =>
            hoverable(
              { kind: 'measurement', index: m.index },
              <Space size={4}>
                <span>{m.deviceParam}</span>
                {m.param ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{m.param}</Typography.Text> : <Tag color="orange">{t('unknownParam')}</Tag>}
              </Space>,
            ),
        },
        { title: t('stage'), key: 'stage', render: (_, m) => t(m.stage === 'post' ? 'stage.post' : 'stage.pre') },
        { title: t('unit'), key: 'unit', render: (_, m) => m.unit ?? '' },
        ...measurementColumns.map((c) => ({
          title: c.title,
          key: c.key,
          align: 'right' as const,
          render: (_: unknown, m: ExtractedMeasurement & { index: number }) => {
            const role = roleOf(c.key, m);
            const traced = !!trace?.measurements[m.index]?.cells[role];
            return hoverable({ kind: 'measurement', index: m.index, role }, <span data-cell={`${m.index}:${role}`}>{num(c.get(m))}</span>, traced);
          },
        })),
      ]}
    />
  );

  const conclusion = extraction?.conclusion ? (
    hoverable({ kind: 'conclusion' }, <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }} data-testid="result-conclusion">{extraction.conclusion}</Typography.Paragraph>, !!trace?.conclusion)
  ) : (
    <Typography.Text type="secondary">{t('noConclusion')}</Typography.Text>
  );

  const notes = extraction?.warnings.length ? (
    <List size="small" dataSource={extraction.warnings} renderItem={(w) => <List.Item style={{ fontSize: 12 }}>{w}</List.Item>} />
  ) : (
    <Typography.Text type="secondary">{t('noWarnings')}</Typography.Text>
  );

  const scores = (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="result-scores">
      {result.scores.map((s) => (
        <div key={`${s.name}@${s.version}`}>
          <Space wrap size={6}>
            <Typography.Text strong={s.name === result.template?.name}>{s.name}</Typography.Text>
            <Typography.Text type="secondary">v{s.version}{s.source === 'draft' ? ` · ${t('readWithDraft')}` : ''}</Typography.Text>
            {s.fits && <Tag color="green">{t('fits')}</Tag>}
          </Space>
          <Progress percent={Math.round(s.score * 100)} size="small" status={s.fits ? 'success' : 'normal'} format={() => `${Math.round(s.score * 100)}% / ${Math.round(s.minScore * 100)}%`} />
          {s.missing.length > 0 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('missingAnchors', { anchors: s.missing.map((m) => `"${m}"`).join(', ') })}</Typography.Text>}
        </div>
      ))}
      {trace && trace.anchors.length > 0 && (
        <div>
          <Typography.Text strong>{t('result.anchors')}</Typography.Text>
          <Space wrap size={4} style={{ display: 'flex', marginTop: 4 }}>
            {trace.anchors.map((a, index) => (
              <span key={index} onMouseEnter={() => onHover({ kind: 'anchor', index })} onMouseLeave={() => onHover(null)} onClick={() => onPin({ kind: 'anchor', index })} style={{ cursor: 'pointer' }}>
                <Tag color={a.found ? 'green' : 'default'}>{a.text}</Tag>
              </span>
            ))}
          </Space>
        </div>
      )}
    </Space>
  );

  if (!extraction) return <Empty description={result.reason ?? t('noneChosen')} />;
  return (
    <Tabs
      size="small"
      items={[
        { key: 'fields', label: `${t('result.fields')} (${rows.filter((r) => r.traceIndex !== null).length}/${rows.length})`, children: fields },
        { key: 'measurements', label: `${t('result.measurements')} (${extraction.measurements.length})`, children: <>{measurements}<div style={{ marginTop: 12 }}><Typography.Text strong>{t('result.conclusion')}</Typography.Text>{conclusion}</div></> },
        { key: 'warnings', label: `${t('result.warnings')} (${extraction.warnings.length})`, children: notes },
        { key: 'scores', label: t('result.scores'), children: scores },
      ]}
    />
  );
}
