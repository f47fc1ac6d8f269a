// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { I18nProvider } from '../../i18n/I18nProvider.tsx';
import type { ReportRow } from './api.ts';
import { ResultsTable } from './ResultsTable.tsx';

const row = (param: string, values: Partial<ReportRow>): ReportRow => ({
  param, unit: 'L', predicted: null, lln: null, uln: null, measured: null, zScore: null, pctPredicted: null, post: null, postZScore: null, postPctPredicted: null, changePct: null, reference: 'equation', ...values,
});

beforeAll(() => {
  // antd's responsive, sticky table asks for media queries and resize observers, which jsdom lacks.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  window.matchMedia ??= (query: string) =>
    ({ matches: false, media: query, onchange: null, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {}, dispatchEvent: () => false }) as MediaQueryList;
});

afterEach(cleanup);

function renderTable(rows: ReportRow[]) {
  render(
    <I18nProvider initialLanguage="zh-CN">
      <ResultsTable rows={rows} />
    </I18nProvider>,
  );
  const table = screen.getByTestId('results-table');
  const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent);
  const cells = (param: string) => [...table.querySelectorAll(`tr[data-param="${param}"] td`)].map((td) => td.textContent);
  return { table, headers, cells };
}

describe('ResultsTable', () => {
  it('shows the ATS 2017 columns (measured, LLN, z-score and its bar, % predicted last), FEV1/FVC in %, and marks values below the LLN on the bar', () => {
    const { headers, cells, table } = renderTable([
      row('FVC', { predicted: 4.1, lln: 3.3, measured: 3.9, zScore: -0.4, pctPredicted: 95.1 }),
      row('FEV1', { predicted: 3.3, lln: 2.6, measured: 2.1, zScore: -2.31, pctPredicted: 63.6 }),
      row('FEV1FVC', { unit: '', predicted: 0.79, lln: 0.69, measured: 0.5386, zScore: -3.02, pctPredicted: 68.2 }),
    ]);
    expect(headers).toEqual(['参数', '单位', '实测值', 'LLN', 'Z 值', 'Z 值图（−5 ~ +3）', '预计值', '实测/预计%']);
    // param, unit, measured, LLN, z, bar, predicted, %pred
    expect(cells('FEV1FVC').slice(1)).toEqual(['%', '53.9', '69.0', '-3.02', '', '79.0', '68']);
    expect(cells('FEV1').slice(2, 5)).toEqual(['2.10', '2.60', '-2.31']);
    const bars = [...table.querySelectorAll('[data-testid="zbar"]')].map((b) => b.getAttribute('data-below-lln'));
    expect(bars).toEqual(['0', '1', '1']);
  });

  it('adds 舒张后, 舒张后 Z 值, 舒张后% and 改善率 for a bronchodilator test, after the baseline columns', () => {
    const { headers, cells } = renderTable([row('FEV1', { predicted: 3.3, lln: 2.6, measured: 2.1, zScore: -2.31, pctPredicted: 63.6, post: 2.45, postZScore: -1.5, postPctPredicted: 74.2, changePct: 16.7 })]);
    expect(headers.slice(-5)).toEqual(['实测/预计%', '舒张后', '舒张后 Z 值', '舒张后%', '改善率%']);
    expect(cells('FEV1').slice(-4)).toEqual(['2.45', '-1.50', '74', '+16.7']);
  });

  it('leaves the post-bronchodilator columns out when there was no bronchodilator', () => {
    const { headers } = renderTable([row('FEV1', { measured: 2.1, zScore: -2.31 })]);
    expect(headers).not.toContain('舒张后 Z 值');
    expect(headers.at(-1)).toBe('实测/预计%');
  });
});
