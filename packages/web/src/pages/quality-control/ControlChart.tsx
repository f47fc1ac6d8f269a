import { Empty, Typography } from 'antd';
import { type ChartSeries, formatPct, yRange } from './logic.ts';

const WIDTH = 760;
const HEIGHT = 260;
const PAD = { left: 48, right: 16, top: 14, bottom: 30 };

/**
 * A control chart in plain SVG: error (percent) over time, the ±limit lines, points beyond them in red. Time runs
 * from `from` to `to` (ms); each point carries a <title> for hovering.
 */
export function ControlChart({ title, series, limitPct, from, to, emptyText, testId, legend = {} }: { title: string; series: ChartSeries[]; limitPct: number; from: number; to: number; emptyText: string; testId: string; legend?: Record<string, string> }) {
  const points = series.flatMap((s) => s.points);
  const range = yRange(series, limitPct);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + (to > from ? ((t - from) / (to - from)) * plotW : plotW / 2);
  const y = (v: number) => PAD.top + ((range - v) / (2 * range)) * plotH;
  const step = range > 12 ? 5 : range > 6 ? 2 : 1;
  const ticks: number[] = [];
  for (let v = -Math.floor(range / step) * step; v <= range; v += step) ticks.push(v);
  const dayTicks: number[] = [];
  const spanDays = Math.max(1, Math.round((to - from) / 86_400_000));
  const every = Math.max(1, Math.ceil(spanDays / 8));
  for (let t = from; t <= to; t += every * 86_400_000) dayTicks.push(t);
  const dateLabel = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(5, 10);

  return (
    <div data-testid={testId}>
      <Typography.Text strong>{title}</Typography.Text>
      {points.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText} />
      ) : (
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" role="img" aria-label={title} style={{ maxWidth: WIDTH, display: 'block' }}>
          <rect x={PAD.left} y={y(limitPct)} width={plotW} height={y(-limitPct) - y(limitPct)} fill="#f6ffed" />
          {ticks.map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={PAD.left + plotW} y1={y(v)} y2={y(v)} stroke={v === 0 ? '#8c8c8c' : '#f0f0f0'} />
              <text x={PAD.left - 6} y={y(v) + 4} fontSize={11} textAnchor="end" fill="#8c8c8c">
                {v}%
              </text>
            </g>
          ))}
          {[limitPct, -limitPct].map((v) => (
            <g key={`limit${v}`} data-limit={v}>
              <line x1={PAD.left} x2={PAD.left + plotW} y1={y(v)} y2={y(v)} stroke="#ff4d4f" strokeDasharray="6 4" />
              <text x={PAD.left + plotW - 2} y={y(v) - 3} fontSize={11} textAnchor="end" fill="#ff4d4f">
                {formatPct(v)}
              </text>
            </g>
          ))}
          {dayTicks.map((t) => (
            <text key={t} x={x(t)} y={HEIGHT - 8} fontSize={11} textAnchor="middle" fill="#8c8c8c">
              {dateLabel(t)}
            </text>
          ))}
          {series.map((s) => (
            <g key={s.key} data-series={s.key}>
              {s.line && s.points.length > 1 && <polyline fill="none" stroke={s.color} strokeWidth={1.5} points={s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ')} />}
              {s.points.map((p, i) => (
                <circle key={`${p.id}-${i}`} cx={x(p.t)} cy={y(p.y)} r={s.line ? 4 : 2.5} fill={p.out ? '#ff4d4f' : s.color} data-out={p.out ? '1' : '0'}>
                  <title>{`${new Date(p.t + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')} ${p.label}`}</title>
                </circle>
              ))}
            </g>
          ))}
          <rect x={PAD.left} y={PAD.top} width={plotW} height={plotH} fill="none" stroke="#d9d9d9" />
        </svg>
      )}
      <div style={{ display: 'flex', gap: 16, fontSize: 12, color: '#595959', marginTop: 4 }}>
        {series.map((s) => (
          <span key={s.key}>
            <span style={{ display: 'inline-block', width: 10, height: 10, borderRadius: 5, background: s.color, marginRight: 4 }} />
            {legend[s.key] ?? s.key}
          </span>
        ))}
      </div>
    </div>
  );
}
