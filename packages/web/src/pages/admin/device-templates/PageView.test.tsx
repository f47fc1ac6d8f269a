// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { App } from 'antd';
import { useState } from 'react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { I18nProvider, type Language } from '../../../i18n/I18nProvider.tsx';
import type { TryResult } from './api.ts';
import { highlightOf, type Selection } from './logic.ts';
import { PageView } from './PageView.tsx';
import { ResultPanel } from './ResultPanel.tsx';

beforeAll(() => {
  // antd's tables and tabs ask for media queries and resize observers, which jsdom lacks.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  window.matchMedia ??= (query: string) =>
    ({ matches: false, media: query, onchange: null, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {}, dispatchEvent: () => false }) as MediaQueryList;
});

afterEach(cleanup);

const box = (page: number, x: number, y: number, text: string) => ({ page, x, y, width: 30, height: 10, text });
const result: TryResult = {
  format: 'pdf',
  sha256: null,
  reason: null,
  pages: [{ page: 1, width: 600, height: 800 }],
  items: [
    { page: 1, text: 'Patient ID: P001', x: 40, y: 100, width: 90, height: 10 },
    { page: 1, text: 'FEV1', x: 40, y: 300, width: 30, height: 10 },
    { page: 1, text: '3.01', x: 200, y: 300, width: 30, height: 10 },
    { page: 1, text: '1.98', x: 300, y: 300, width: 30, height: 10 },
  ],
  template: { name: 'jaeger-sentrysuite-en', version: 1, source: 'draft' },
  chosen: 'jaeger-sentrysuite-en',
  extraction: {
    format: 'pdf', vendor: 'Jaeger', template: 'jaeger-sentrysuite-en@1',
    patient: { name: null, id: 'P001', sex: null, birthDate: null, age: null, heightCm: null, weightKg: null },
    identifiers: { accessionNo: null, requestNo: null, outpatientSerial: null, inpatientSerial: null, patientId: 'P001' },
    test: { type: 'spirometry', measuredAt: null, operator: null, device: null, deviceSerial: null, qualityGrade: null },
    measurements: [{ param: 'FEV1', deviceParam: 'FEV1', stage: 'pre', value: 1.98, rawValue: '1.98', unit: 'L', predicted: 3.01, lln: null, uln: null, zscore: null, pctPred: null }],
    trials: [], conclusion: null, warnings: ['field operator not found (labels "Technician:")'],
  },
  trace: {
    anchors: [],
    fields: [{ field: 'patientId', text: 'P001', from: 'label', label: { items: [0], boxes: [box(1, 40, 100, 'Patient ID:')] }, value: { items: [0], boxes: [box(1, 100, 100, 'P001')] } }],
    tables: [],
    measurements: [{ label: { items: [1], boxes: [box(1, 40, 300, 'FEV1')] }, cells: { predicted: { items: [2], boxes: [box(1, 200, 300, '3.01')] }, pre: { items: [3], boxes: [box(1, 300, 300, '1.98')] } } }],
    conclusion: null,
  },
  scores: [{ name: 'jaeger-sentrysuite-en', version: 1, source: 'draft', score: 1, minScore: 0.6, fits: true, missing: [] }],
  seconds: 0.1,
};
const template = { fields: [{ field: 'patientId', labels: ['Patient ID:'] }, { field: 'operator', labels: ['Technician:'] }] };

/** The editor's right half: the page and the result table, wired as TemplateEditor wires them. */
function Harness() {
  const [hover, setHover] = useState<Selection | null>(null);
  const [pinned, setPinned] = useState<Selection | null>(null);
  const selection = pinned ?? hover;
  return (
    <App>
      <PageView pages={result.pages} items={result.items} highlight={highlightOf(result.trace, selection)} />
      <ResultPanel result={result} template={template} selection={selection} onHover={setHover} onPin={(s) => setPinned((p) => (JSON.stringify(p) === JSON.stringify(s) ? null : s))} />
    </App>
  );
}

function renderHarness(language: Language = 'zh-CN') {
  render(
    <I18nProvider initialLanguage={language}>
      <Harness />
    </I18nProvider>,
  );
}

const highlighted = () => [...document.querySelectorAll('[data-item][data-highlighted="1"]')].map((e) => Number(e.getAttribute('data-item'))).sort();

describe('sample page and extracted results', () => {
  it('draws every text item to scale on its page', () => {
    renderHarness();
    const page = document.querySelector('[data-page="1"]') as HTMLElement;
    // jsdom has no layout: the page fits the default 640 px
    const scale = (640 - 2) / 600;
    expect(parseFloat(page.style.width)).toBeCloseTo(600 * scale, 3);
    const item = document.querySelector('[data-item="2"]') as HTMLElement;
    expect(item.textContent).toBe('3.01');
    expect(parseFloat(item.style.left)).toBeCloseTo(200 * scale, 3);
    expect(parseFloat(item.style.top)).toBeCloseTo(300 * scale, 3);
    expect(highlighted()).toEqual([]);
  });

  it('hovering a field highlights its source text; a missing field says so', () => {
    renderHarness();
    const row = document.querySelector('tr[data-field="patientId"]')!;
    fireEvent.mouseEnter(row);
    expect(highlighted()).toEqual([0]);
    expect(screen.getAllByTestId('value-box')).toHaveLength(1);
    expect(screen.getAllByTestId('label-box')).toHaveLength(1);
    fireEvent.mouseLeave(row);
    expect(highlighted()).toEqual([]);
    expect(document.querySelector('tr[data-field="operator"]')!.textContent).toContain('未找到');
  });

  it('hovering a result cell highlights that cell and its row label; clicking keeps it', () => {
    renderHarness();
    fireEvent.click(screen.getByText(/结果/));
    const cell = document.querySelector('[data-cell="0:pre"]')!.parentElement!;
    fireEvent.mouseEnter(cell);
    expect(highlighted()).toEqual([1, 3]);
    fireEvent.click(cell);
    fireEvent.mouseLeave(cell);
    expect(highlighted()).toEqual([1, 3]);
    const predicted = document.querySelector('[data-cell="0:predicted"]')!.parentElement!;
    fireEvent.mouseEnter(predicted);
    // a pinned selection wins over hovering elsewhere
    expect(highlighted()).toEqual([1, 3]);
    fireEvent.click(cell);
    fireEvent.mouseLeave(predicted);
    expect(highlighted()).toEqual([]);
  });

  it('speaks English too', () => {
    renderHarness('en');
    expect(document.querySelector('tr[data-field="operator"]')!.textContent).toContain('Not found');
    expect(screen.getByText('Fields (1/2)')).toBeTruthy();
  });
});
