// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider, type Language } from '../../i18n/I18nProvider.tsx';
import type { QcDay } from './api.ts';
import { ControlChart } from './ControlChart.tsx';
import { VOLUME_LIMIT_PCT, volumeSeries } from './logic.ts';
import { QcCalendar } from './QcCalendar.tsx';

afterEach(cleanup);

const days: QcDay[] = [
  { date: '2026-12-01', volume: 'passed', checks: 1, biological: 'passed', exams: 12, },
  { date: '2026-12-02', volume: 'failed', checks: 2, biological: null, exams: 3 },
  { date: '2026-12-03', volume: 'missing', checks: 0, biological: null, exams: 0 },
];

function renderCalendar(language: Language = 'zh-CN', onMonth = vi.fn()) {
  render(
    <I18nProvider initialLanguage={language}>
      <QcCalendar month="2026-12" days={days} today="2026-12-03" onMonth={onMonth} />
    </I18nProvider>,
  );
  return onMonth;
}

describe('QcCalendar', () => {
  it('colours each day by its check, marks exams done without a passed check, and sums the month', () => {
    renderCalendar();
    const cell = (date: string) => document.querySelector(`td[data-date="${date}"]`)!;
    expect(cell('2026-12-01').getAttribute('data-status')).toBe('passed');
    expect(cell('2026-12-01').textContent).toBe('1通过生物质控 通过12 例检查');
    expect(cell('2026-12-02').getAttribute('data-uncovered')).toBe('1');
    expect(cell('2026-12-03').textContent).toBe('3未定标');
    expect(cell('2026-12-04').getAttribute('data-status')).toBe('future');
    expect(screen.getByTestId('qc-month-summary').textContent).toBe('本月：通过 1 天，未通过 1 天，未定标 1 天');
    expect(screen.getByText('未定标仍有检查 1 天')).toBeTruthy();
    // Monday first.
    expect([...document.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['一', '二', '三', '四', '五', '六', '日']);
  });

  it('speaks English and moves between months, not past the current one', () => {
    const onMonth = renderCalendar('en');
    expect(screen.getByTestId('qc-month-summary').textContent).toBe('This month: 1 day(s) passed, 1 failed, 1 missing');
    fireEvent.click(screen.getByLabelText('Previous month'));
    expect(onMonth).toHaveBeenCalledWith(-1);
    expect((screen.getByLabelText('Next month') as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('ControlChart', () => {
  it('draws the ±3 % limits and each stroke, red beyond them', () => {
    const series = volumeSeries([
      {
        id: 'a', deviceId: 'd', campusId: 'k', kind: 'volume_check', source: 'manual', performedAt: '2026-12-02T01:00:00.000Z', checkDate: '2026-12-02', operatorName: '',
        syringeVolumeL: 3, syringeSerial: null, temperatureC: null, pressureHpa: null, humidityPct: null, subject: null, fev1L: null, fvcL: null, baselineFev1L: null, baselineFvcL: null, baselineSessions: null,
        passed: false, problems: [], attachmentSha256: null, attachmentName: null, notes: '', documents: [], actions: [],
        injections: [{ measuredL: 2.97, errorPct: -1, withinLimit: true }, { measuredL: 3.12, errorPct: 4, withinLimit: false }, { measuredL: 3, errorPct: 0, withinLimit: true }],
      },
    ]);
    render(
      <I18nProvider initialLanguage="zh-CN">
        <ControlChart testId="chart" title="容积验证" series={series} limitPct={VOLUME_LIMIT_PCT} from={Date.parse('2026-11-30T16:00:00Z')} to={Date.parse('2026-12-03T16:00:00Z')} emptyText="无" legend={{ strokes: '各次注气' }} />
      </I18nProvider>,
    );
    const chart = screen.getByTestId('chart');
    expect([...chart.querySelectorAll('[data-limit]')].map((g) => g.textContent)).toEqual(['+3.00%', '−3.00%']);
    const strokes = chart.querySelectorAll('[data-series="strokes"] circle');
    expect([...strokes].map((c) => c.getAttribute('data-out'))).toEqual(['0', '1', '0']);
    expect(strokes[1]!.getAttribute('fill')).toBe('#ff4d4f');
    expect(chart.querySelectorAll('[data-series="extreme"] circle')).toHaveLength(1);
    expect(chart.textContent).toContain('各次注气');
  });

  it('says so when there is nothing to plot', () => {
    render(
      <I18nProvider initialLanguage="zh-CN">
        <ControlChart testId="chart" title="t" series={[]} limitPct={3} from={0} to={1} emptyText="所选时间内没有记录" />
      </I18nProvider>,
    );
    expect(screen.getByTestId('chart').querySelector('svg[role="img"]')).toBeNull();
    expect(screen.getByText('所选时间内没有记录')).toBeTruthy();
  });
});
