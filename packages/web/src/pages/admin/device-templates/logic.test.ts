import { describe, expect, it } from 'vitest';
import type { DeviceExtraction, ExtractionTrace } from './api.ts';
import { checkJson, extractedValue, fieldRows, highlightOf, lineColumn, locatePath, NO_HIGHLIGHT, pageScale, pathOf, readablePath } from './logic.ts';

const src = (items: number[], text = 'w') => ({ items, boxes: items.map((i) => ({ page: 1, x: i * 10, y: 0, width: 8, height: 10, text })) });

const trace: ExtractionTrace = {
  anchors: [{ text: 'SentrySuite', found: true, source: src([0]) }],
  fields: [
    { field: 'patientId', text: 'P001', from: 'label', label: src([3]), value: src([4]) },
    { field: 'testDate', text: '05.02.19', from: 'table', label: src([7]), value: src([8]) },
  ],
  tables: [{ table: 0, found: true, header: src([10, 11, 12]) }],
  measurements: [{ label: src([20]), cells: { predicted: src([21]), pre: src([22]), pctPred: src([23]) } }],
  conclusion: { start: src([30]), text: src([31, 32]) },
};

describe('the JSON editor', () => {
  it('says where a syntax error is, in lines and columns', () => {
    const text = '{\n  "name": "x",\n  "vendor": "y"\n  "language": "en"\n}';
    const r = checkJson(text);
    expect(r.ok).toBe(false);
    if (r.ok || r.kind !== 'syntax') throw new Error('expected a syntax error');
    expect(r.line).toBe(4);
    expect(r.column).toBe(3);
    expect(checkJson('[1, 2]')).toEqual({ ok: false, kind: 'not-object' });
    expect(checkJson('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });

  it('names server paths the way people read them and finds them in the text', () => {
    expect(readablePath('template.tables.0.columns.1.role')).toBe('tables[0].columns[1].role');
    expect(readablePath('body.template.decimal')).toBe('decimal');
    expect(readablePath('template')).toBe('(模板)');
    const text = JSON.stringify({ name: 'x', tables: [{ columns: [{ role: 'pre' }, { role: 'bogus', headers: ['Pre'] }] }] }, null, 2);
    const at = locatePath(text, pathOf('template.tables.0.columns.1.role'))!;
    expect(text.slice(at, at + 6)).toBe('"role"');
    expect(lineColumn(text, at).line).toBe(text.split('\n').findIndex((l) => l.includes('"bogus"')) + 1);
    // a missing member points at the deepest part that exists
    const missing = locatePath(text, ['tables', 0, 'columns', 1, 'pattern'])!;
    expect(text.slice(missing, missing + 1)).toBe('{');
    expect(locatePath('{"a": ', ['a'])).toBeNull();
  });
});

describe('highlighting', () => {
  it('tints the items behind a field, its value boxed apart from its label', () => {
    const h = highlightOf(trace, { kind: 'field', index: 0 });
    expect([...h.items].sort((a, b) => a - b)).toEqual([3, 4]);
    expect(h.boxes.map((b) => b.x)).toEqual([40]);
    expect(h.labels.map((b) => b.x)).toEqual([30]);
  });

  it('a result row lights its label and all its cells; a cell only itself', () => {
    expect([...highlightOf(trace, { kind: 'measurement', index: 0 }).items].sort((a, b) => a - b)).toEqual([20, 21, 22, 23]);
    const cell = highlightOf(trace, { kind: 'measurement', index: 0, role: 'pre' });
    expect(cell.boxes.map((b) => b.x)).toEqual([220]);
    expect([...cell.items].sort((a, b) => a - b)).toEqual([20, 22]);
    expect(highlightOf(trace, { kind: 'measurement', index: 5 })).toEqual({ items: new Set(), boxes: [], labels: [] });
  });

  it('conclusion, anchors and table headers; nothing without a trace or a selection', () => {
    expect([...highlightOf(trace, { kind: 'conclusion' }).items].sort((a, b) => a - b)).toEqual([30, 31, 32]);
    expect([...highlightOf(trace, { kind: 'anchor', index: 0 }).items]).toEqual([0]);
    expect(highlightOf(trace, { kind: 'table', index: 0 }).labels).toHaveLength(3);
    expect(highlightOf(null, { kind: 'conclusion' })).toBe(NO_HIGHLIGHT);
    expect(highlightOf(trace, null)).toBe(NO_HIGHLIGHT);
  });
});

describe('fields as extracted', () => {
  const extraction = {
    patient: { name: 'WANG', id: 'P001', sex: 'M', birthDate: '1961-03-12', age: 64, heightCm: 172, weightKg: 71 },
    identifiers: { accessionNo: null, requestNo: null, outpatientSerial: null, inpatientSerial: null, patientId: 'P001' },
    test: { type: 'spirometry', measuredAt: '2019-02-05T08:44:00', operator: null, device: null, deviceSerial: null, qualityGrade: null },
  } as unknown as DeviceExtraction;

  it('lists every field the template asks for, found or not, with the parsed value', () => {
    const template = {
      fields: [{ field: 'patientId', labels: ['ID:'] }, { field: 'operator', labels: ['Technician:'] }],
      tables: [{ rowFields: [{ field: 'testDate', labels: ['Date test'] }] }],
    };
    expect(fieldRows(template, extraction, trace)).toEqual([
      { field: 'patientId', labels: ['ID:'], traceIndex: 0, text: 'P001', from: 'label', value: 'P001' },
      { field: 'operator', labels: ['Technician:'], traceIndex: null, text: null, from: null, value: null },
      { field: 'testDate', labels: ['Date test'], traceIndex: 1, text: '05.02.19', from: 'table', value: '2019-02-05T08:44:00' },
    ]);
    expect(extractedValue(extraction, 'heightCm')).toBe(172);
    expect(extractedValue(null, 'heightCm')).toBeNull();
  });
});

describe('page geometry', () => {
  it('fits the widest page, within a readable range, times the zoom', () => {
    expect(pageScale([{ width: 595 }], 597)).toBeCloseTo(1, 5);
    expect(pageScale([{ width: 595 }, { width: 842 }], 844, 2)).toBeCloseTo(2, 5);
    expect(pageScale([{ width: 595 }], 100)).toBe(0.4);
    expect(pageScale([], 5000)).toBe(2.5);
  });
});
