import { describe, expect, it } from 'vitest';
import { applyTemplate, chooseTemplate, scoreTemplates, traceTemplate } from './apply.ts';
import type { TextItem } from './extraction.ts';
import { BUILTIN_TEMPLATES } from './index.ts';
import type { DeviceReportTemplate } from './template.ts';
import type { TraceSource } from './trace.ts';

const at = (text: string, x: number, y: number, extra: Partial<TextItem> = {}): TextItem => ({
  page: 1, text, x, y, width: [...text].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 9 : 5), 0), height: 9, ...extra,
});

const template: DeviceReportTemplate = {
  name: 'trace-fr', version: 2, vendor: 'Jaeger', language: 'fr', decimal: ',', dateFormat: 'DD.MM.YY',
  anchors: [{ text: 'Théo Pré % Théo', weight: 2 }, { text: 'Date test' }, { text: 'Nowhere printed' }],
  fields: [
    { field: 'name', labels: ['Nom :'] },
    { field: 'sex', labels: ['Sexe :'] },
    { field: 'patientId', labels: ['N° patient'], position: 'below' },
    { field: 'operator', labels: ['Opérateur :'] },
  ],
  tables: [{
    columns: [{ role: 'predicted', headers: ['Théo'] }, { role: 'pre', headers: ['Pré'] }, { role: 'pctPred', headers: ['% Théo'] }],
    end: ['Commentaire'],
    rowFields: [{ labels: ['Date test'], field: 'testDate', column: 'pre' }],
  }],
  conclusion: { start: ['Commentaire'], maxLines: 4 },
};

/** A page with one run holding label and value ("Nom : DUPONT Marie"), as some PDF text layers give it. */
function page(extra: Partial<TextItem> = {}): TextItem[] {
  return [
    at('Nom : DUPONT Marie', 40, 90, extra), at('Sexe :', 300, 90, extra), at('Féminin', 340, 90, extra),
    at('N° patient', 40, 120, extra), at('P-0042', 42, 134, extra),
    at('Théo', 255, 300, extra), at('Pré', 330, 300, extra), at('%', 392, 300, extra), at('Théo', 402, 300, extra),
    at('Date test', 40, 315, extra), at('05.02.19', 320, 315, extra),
    at('CVF', 40, 350, extra), at('L', 215, 350, extra), at('3,37', 255, 350, extra), at('3,86', 328, 350, extra), at('115', 398, 350, extra),
    at('VEMS', 40, 365, extra), at('L', 215, 365, extra), at('2,91', 255, 365, extra), at('2,52', 328, 365, extra), at('86', 398, 365, extra),
    at('Commentaire', 40, 600, extra), at('Trouble ventilatoire', 45, 615, extra), at('obstructif léger', 45, 630, extra),
  ];
}

const texts = (items: TextItem[], s: TraceSource | undefined) => (s?.items ?? []).map((i) => items[i]!.text);
const words = (s: TraceSource | undefined) => (s?.boxes ?? []).map((b) => b.text);

describe('traceTemplate', () => {
  it('reads exactly what applyTemplate reads', () => {
    for (const extra of [{}, { confidence: 90 }]) {
      const items = page(extra);
      expect(traceTemplate(items, template).extraction).toEqual(applyTemplate(items, template));
    }
    for (const t of BUILTIN_TEMPLATES) expect(traceTemplate(page(), t, 'image').extraction).toEqual(applyTemplate(page(), t, 'image'));
  });

  it('traces each field to its label and value, down to the words of a shared run', () => {
    const items = page();
    const { trace, extraction } = traceTemplate(items, template);
    expect(extraction.patient).toMatchObject({ name: 'DUPONT Marie', sex: 'F', id: 'P-0042' });
    const field = (name: string) => trace.fields.find((f) => f.field === name)!;
    expect(field('name')).toMatchObject({ text: 'DUPONT Marie', from: 'label' });
    expect(words(field('name').label)).toEqual(['Nom', ':']);
    expect(words(field('name').value)).toEqual(['DUPONT', 'Marie']);
    expect(texts(items, field('name').value)).toEqual(['Nom : DUPONT Marie']);
    expect(texts(items, field('sex').label)).toEqual(['Sexe :']);
    expect(texts(items, field('sex').value)).toEqual(['Féminin']);
    // a value printed below its label
    expect(texts(items, field('patientId').value)).toEqual(['P-0042']);
    // a table row field
    expect(field('testDate')).toMatchObject({ from: 'table', text: '05.02.19' });
    expect(texts(items, field('testDate').label)).toEqual(['Date test']);
    expect(texts(items, field('testDate').value)).toEqual(['05.02.19']);
    // a field that was not found is not traced
    expect(trace.fields.find((f) => f.field === 'operator')).toBeUndefined();
    const box = field('sex').value.boxes[0]!;
    expect(box).toMatchObject({ page: 1, x: 340, y: 90, height: 9, text: 'Féminin' });
  });

  it('traces every measurement, in order, to its row label and each cell', () => {
    const items = page();
    const { trace, extraction } = traceTemplate(items, template);
    expect(extraction.measurements.map((m) => m.deviceParam)).toEqual(['CVF', 'VEMS']);
    expect(trace.measurements).toHaveLength(2);
    const vems = trace.measurements[1]!;
    expect(texts(items, vems.label)).toEqual(['VEMS']);
    expect(texts(items, vems.cells.predicted)).toEqual(['2,91']);
    expect(texts(items, vems.cells.pre)).toEqual(['2,52']);
    expect(texts(items, vems.cells.pctPred)).toEqual(['86']);
    expect(texts(items, vems.cells.unit)).toEqual(['L']);
    expect(vems.cells.post).toBeUndefined();
    expect(texts(items, trace.tables[0]!.header)).toEqual(['Théo', 'Pré', '%', 'Théo']);
  });

  it('traces the conclusion and the anchors', () => {
    const items = page();
    const { trace } = traceTemplate(items, template);
    expect(texts(items, trace.conclusion!.start)).toEqual(['Commentaire']);
    expect(texts(items, trace.conclusion!.text)).toEqual(['Trouble ventilatoire', 'obstructif léger']);
    expect(trace.anchors.map((a) => [a.text, a.found])).toEqual([['Théo Pré % Théo', true], ['Date test', true], ['Nowhere printed', false]]);
    expect(texts(items, trace.anchors[0]!.source)).toEqual(['Théo', 'Pré', '%', 'Théo']);
  });

  it('indexes the items as given, odd entries included, and never throws', () => {
    const items = [null, ...page()] as unknown as TextItem[];
    const { trace } = traceTemplate(items, template);
    expect(trace.fields.find((f) => f.field === 'sex')!.value.items).toEqual([3]);
    expect(() => traceTemplate('nonsense' as unknown as TextItem[], template)).not.toThrow();
    // no text: nothing read, nothing traced
    expect(traceTemplate([], template).trace).toEqual({ anchors: [], fields: [], tables: [], measurements: [], conclusion: null });
  });

  it('leaves applyTemplate untraced afterwards', () => {
    traceTemplate(page(), template);
    expect(applyTemplate(page(), template)).toEqual(traceTemplate(page(), template).extraction);
  });
});

describe('scoreTemplates', () => {
  it('scores every template as chooseTemplate does, with the anchors missing', () => {
    const items = page();
    const scores = scoreTemplates(items, [template, ...BUILTIN_TEMPLATES]);
    expect(scores[0]).toMatchObject({ template, score: 0.75, minScore: 0.6, fits: true, missing: ['Nowhere printed'] });
    for (const s of scores) {
      const alone = chooseTemplate(items, [{ ...s.template, minScore: 0 }]);
      expect(s.score).toBeCloseTo(alone?.score ?? 0, 10);
      expect(s.fits).toBe(chooseTemplate(items, [s.template]) !== null);
    }
    expect(scoreTemplates([], [template])[0]).toMatchObject({ score: 0, fits: false, missing: template.anchors.map((a) => a.text) });
  });
});
