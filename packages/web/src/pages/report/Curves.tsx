import { Col, Empty, Row, Typography } from 'antd';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import { useT } from '../../i18n/I18nProvider.tsx';
import type { ReportCurve } from './api.ts';
import { bestTrialKeys, curveKey, curvePoints } from './format.ts';

// Only what the two line charts need: the full echarts build is several times larger.
echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/**
 * One chart on a div: created on mount, given the option whenever it changes, resized with its box, disposed on
 * unmount. (echarts-for-react would do the same, but its ESM build imports tslib without declaring it.)
 */
function Chart({ option, height, testId }: { option: echarts.EChartsCoreOption; height: number; testId: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const instance = echarts.init(box.current!, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(box.current!);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={box} style={{ height, width: '100%' }} data-testid={testId} />;
}

const PRE_COLOURS = ['#0e6e8c', '#3a8fb7', '#7fb8d4', '#a9cfe0'];
const POST_COLOURS = ['#d46b08', '#fa8c16', '#ffc069', '#ffd591'];

/** Flow–volume and volume–time curves of every trial; the best trial of each stage is drawn bold. */
export default function Curves({ curves }: { curves: ReportCurve[] }) {
  const t = useT();
  const options = useMemo(() => {
    const best = bestTrialKeys(curves);
    const counters = { pre: 0, post: 0 };
    const series = curves.map((c) => {
      const stage = c.stage === 'post' ? 'post' : 'pre';
      const colour = (stage === 'post' ? POST_COLOURS : PRE_COLOURS)[counters[stage]++ % 4];
      const bold = best.has(curveKey(c));
      return { name: `${stage === 'post' ? t('report.post') : t('report.pre')} ${c.number}${bold ? ` (${t('report.bestTrial')})` : ''}`, colour, bold, points: curvePoints(c) };
    });
    const line = (s: (typeof series)[number], data: Array<[number, number]>) => ({
      name: s.name,
      type: 'line',
      data,
      showSymbol: false,
      smooth: false,
      z: s.bold ? 3 : 2,
      lineStyle: { width: s.bold ? 2.5 : 1, color: s.colour, opacity: s.bold ? 1 : 0.7 },
      itemStyle: { color: s.colour },
    });
    const base = (xName: string, yName: string) => ({
      animation: false,
      grid: { left: 48, right: 16, top: 36, bottom: 40 },
      legend: { top: 0, type: 'scroll', textStyle: { fontSize: 11 } },
      tooltip: { trigger: 'axis', axisPointer: { type: 'cross' }, valueFormatter: (v: number) => (typeof v === 'number' ? v.toFixed(2) : v) },
      xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 24, min: 0, splitLine: { lineStyle: { color: '#f0f0f0' } } },
      yAxis: { type: 'value', name: yName, nameLocation: 'end', splitLine: { lineStyle: { color: '#f0f0f0' } } },
    });
    return {
      flowVolume: { ...base(t('report.volumeAxis'), t('report.flowAxis')), series: series.map((s) => line(s, s.points.flowVolume)) },
      volumeTime: { ...base(t('report.timeAxis'), t('report.volumeAxis')), series: series.map((s) => line(s, s.points.volumeTime)) },
    };
  }, [curves, t]);

  if (curves.length === 0) return <Empty description={t('report.noCurves')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <Row gutter={16} data-testid="curves">
      <Col xs={24} lg={12}>
        <Typography.Text strong>{t('report.flowVolume')}</Typography.Text>
        <Chart option={options.flowVolume} height={300} testId="chart-flow-volume" />
      </Col>
      <Col xs={24} lg={12}>
        <Typography.Text strong>{t('report.volumeTime')}</Typography.Text>
        <Chart option={options.volumeTime} height={300} testId="chart-volume-time" />
      </Col>
    </Row>
  );
}
