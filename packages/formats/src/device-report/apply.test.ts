import { describe, expect, it } from 'vitest';
import { applyTemplate, chooseTemplate } from './apply.ts';
import type { TextItem } from './extraction.ts';
import { BUILTIN_TEMPLATES, chineseGeneric, easyOneConnectEn, sentrySuiteEn } from './index.ts';
import type { DeviceReportTemplate } from './template.ts';

/** A run of text as a PDF text layer or OCR gives it; width estimated from the characters. */
const at = (text: string, x: number, y: number, extra: Partial<TextItem> = {}): TextItem => ({
  page: 1, text, x, y, width: [...text].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 9 : 5), 0), height: 9, ...extra,
});

/** A French SentrySuite-style table: no unit header, units in the label area, date and time as table rows. */
const frenchTemplate: DeviceReportTemplate = {
  name: 'test-fr', version: 3, vendor: 'Jaeger', language: 'fr', decimal: ',', dateFormat: 'DD.MM.YY',
  anchors: [{ text: 'Théo Pré % Théo', weight: 2 }, { text: 'Date test' }, { text: 'Commentaire' }],
  fields: [{ field: 'name', labels: ['Nom :'] }, { field: 'sex', labels: ['Sexe :'] }],
  tables: [{
    columns: [
      { role: 'predicted', headers: ['Théo'] },
      { role: 'pre', headers: ['Pré'] },
      { role: 'pctPred', headers: ['% Théo'] },
    ],
    end: ['Commentaire'],
    rowFields: [
      { labels: ['Date test'], field: 'testDate', column: 'pre' },
      { labels: ['Heure test'], field: 'testTime', column: 'pre' },
    ],
  }],
  conclusion: { start: ['Commentaire'], maxLines: 4 },
};

function frenchPage(options: { jitter?: number; ocr?: boolean } = {}): TextItem[] {
  const j = options.jitter ?? 0;
  const extra = options.ocr ? { confidence: 88 } : {};
  const rows: Array<[string, string, string, string, string]> = [
    ['CI', 'L', '2,28', '2,27', '99'],
    ['CVF', 'L', '3,37', '3,86', '115'],
    ['VEMS', 'L', '2,91', '2,52', '86'],
    ['VEMS%CF', '%', '82,07', '65,26', '80'],
    ['DEM25', 'L/s', '1,90', '0,55', '29'],
    ['VIMS', 'L', '', '3,65', ''],
  ];
  const items: TextItem[] = [
    at('HOPITAL DEMO', 200, 40, extra), at('Service EFR', 210, 55, extra),
    at('Nom :', 40, 90, extra), at('DUPONT Marie', 80, 90, extra), at('Sexe :', 300, 90, extra), at('Féminin', 340, 90, extra),
    at('Théo', 255, 300, extra), at('Pré', 330, 300, extra), at('%', 392, 300, extra), at('Théo', 402, 300, extra),
    at('Date test', 40, 315, extra), at('05.02.19', 320, 315, extra),
    at('Heure test', 40, 330, extra), at('08:44', 327, 330, extra),
  ];
  rows.forEach(([label, unit, theo, pre, pct], i) => {
    const y = 350 + i * 15;
    // OCR boxes wander a point or two up and down within a row
    const d = (k: number) => (j ? ((i + k) % 3) - 1 : 0) * j;
    items.push(at(label, 40, y + d(0), extra), at(unit, 215, y + d(1), extra));
    if (theo) items.push(at(theo, 255, y + d(2), extra));
    items.push(at(pre, 328, y + d(1), extra));
    if (pct) items.push(at(pct, 398, y + d(0), extra));
  });
  items.push(at('Commentaire', 40, 600, extra), at('CS CE JOUR', 45, 615, extra));
  return items;
}

describe('applyTemplate on a French SentrySuite-style table', () => {
  for (const [name, options] of [['text layer', {}], ['OCR words, rows misaligned by ±2 pt', { jitter: 2, ocr: true }]] as const) {
    it(`reads every row (${name})`, () => {
      const ex = applyTemplate(frenchPage(options), frenchTemplate, options === undefined ? 'pdf' : 'image');
      expect(ex.template).toBe('test-fr@3');
      expect(ex.patient.name).toBe('DUPONT Marie');
      expect(ex.patient.sex).toBe('F');
      expect(ex.test.measuredAt).toBe('2019-02-05T08:44:00');
      expect(ex.conclusion).toBe('CS CE JOUR');
      const rows = ex.measurements.map((m) => [m.deviceParam, m.param, m.unit, m.predicted, m.value, m.pctPred]);
      expect(rows).toEqual([
        ['CI', 'IC', 'L', 2.28, 2.27, 99],
        ['CVF', 'FVC', 'L', 3.37, 3.86, 115],
        ['VEMS', 'FEV1', 'L', 2.91, 2.52, 86],
        ['VEMS%CF', 'FEV1FVC', null, expect.closeTo(0.8207, 12), expect.closeTo(0.6526, 12), 80],
        ['DEM25', 'FEF75', 'L/s', 1.9, 0.55, 29],
        // FIV1: no predicted value, no code in the clinical core, still kept
        ['VIMS', null, 'L', null, 3.65, null],
      ]);
      expect(ex.measurements.every((m) => m.stage === 'pre')).toBe(true);
      expect(ex.measurements.find((m) => m.deviceParam === 'VEMS')!.rawValue).toBe('2,52');
      expect(ex.test.type).toBe('spirometry');
      expect(ex.warnings).toEqual([]);
    });
  }

  it('tolerates OCR misreads of headers and labels when the words carry a confidence', () => {
    const items = frenchPage({ ocr: true }).map((i) => (i.text === 'Commentaire' ? { ...i, text: 'Commentalre' } : i.text === 'Théo' && i.x < 300 ? { ...i, text: 'Theo' } : i));
    const ex = applyTemplate(items, frenchTemplate, 'image');
    expect(ex.measurements).toHaveLength(6);
    expect(ex.conclusion).toBe('CS CE JOUR');
  });

  it('reads a misread unit standing in the unit column of an OCR page', () => {
    const items = frenchPage({ ocr: true }).map((i) => (i.text === 'L/s' ? { ...i, text: 'Lis' } : i.text === 'L' && i.y === 365 ? { ...i, text: 'E' } : i));
    const ex = applyTemplate(items, frenchTemplate, 'image');
    expect(ex.measurements.find((m) => m.param === 'FEF75')).toMatchObject({ deviceParam: 'DEM25', unit: 'L/s', value: 0.55 });
    expect(ex.measurements.find((m) => m.param === 'FVC')).toMatchObject({ deviceParam: 'CVF', unit: 'L', value: 3.86 });
    expect(ex.warnings).toEqual(['row "CVF": unit "E" not read; the parameter\'s usual unit is assumed']);
  });

  it('chooseTemplate picks the French template over the built-in ones', () => {
    const chosen = chooseTemplate(frenchPage(), [sentrySuiteEn, easyOneConnectEn, chineseGeneric, frenchTemplate]);
    expect(chosen?.template.name).toBe('test-fr');
    expect(chosen?.score).toBe(1);
    expect(chooseTemplate(frenchPage(), [sentrySuiteEn, easyOneConnectEn, chineseGeneric])).toBeNull();
  });
});

describe('a template that does not fit', () => {
  it('gives warnings and empty values, not an exception', () => {
    const ex = applyTemplate(frenchPage(), sentrySuiteEn);
    expect(ex.measurements).toEqual([]);
    expect(ex.warnings).toContain('results table 1: header row not found');
    expect(ex.warnings.some((w) => w.startsWith('anchors not found'))).toBe(true);
    expect(ex.warnings.some((w) => w.startsWith('field patientId not found'))).toBe(true);
    expect(ex.warnings).toContain('conclusion not found');
  });

  it('survives garbage', () => {
    const garbage = [
      { page: 1, text: 'FVC', x: Number.NaN, y: 10, width: -5, height: 0 },
      { page: 1, text: '', x: 0, y: 0, width: 0, height: 0 },
      null,
      { page: 1, text: 42, x: 1, y: 1, width: 1, height: 1 },
      at('参数 单位 预计值 实测值(前) 实/预%', 10, 10),
      at('用力肺活量 FVC L 3.9 x.y 9x', 10, 25),
    ] as unknown as TextItem[];
    expect(() => applyTemplate(garbage, chineseGeneric)).not.toThrow();
    expect(applyTemplate(garbage, chineseGeneric).warnings.length).toBeGreaterThan(0);
    expect(applyTemplate([], chineseGeneric).warnings).toEqual(['no text to read']);
    expect(applyTemplate(undefined as unknown as TextItem[], chineseGeneric).warnings).toEqual(['no text to read']);
    expect(chooseTemplate(garbage, BUILTIN_TEMPLATES)).toBeNull();
    const badPattern: DeviceReportTemplate = { ...frenchTemplate, tables: [{ columns: [{ role: 'pre', headers: [], pattern: '([' }] }] };
    expect(() => applyTemplate(frenchPage(), badPattern)).not.toThrow();
  });

  it('reports unreadable cells and unknown parameters', () => {
    const items = [
      at('参数', 40, 100), at('单位', 190, 100), at('预计值', 235, 100), at('实测值(前)', 320, 100), at('实/预%', 370, 100),
      at('用力肺活量 FVC', 40, 115), at('L', 188, 115), at('3.92', 232, 115), at('3.4l.1', 322, 115), at('87', 370, 115),
      at('神秘参数 XYZ', 40, 130), at('L', 188, 130), at('1.00', 232, 130), at('0.90', 322, 130), at('90', 370, 130),
    ];
    const ex = applyTemplate(items, chineseGeneric);
    expect(ex.measurements.map((m) => [m.param, m.value, m.rawValue])).toEqual([['FVC', null, '3.4l.1'], [null, 0.9, '0.90']]);
    expect(ex.warnings).toContain('row "用力肺活量 FVC": pre not a number: "3.4l.1"');
    expect(ex.warnings).toContain('unknown parameter "神秘参数 XYZ"');
  });
});

describe('labelled fields', () => {
  it('reads label and value in one run or in two, and stops at the next label', () => {
    const items = [
      at('姓名：张三', 40, 100), at('性别：女', 225, 100), at('年龄：45岁', 410, 100),
      at('出生日期：', 40, 115), at('1980年01月02日', 90, 115), at('身高：160 cm', 225, 115), at('体重：55.5 kg', 410, 115),
      at('门诊流水号：MZ1 住院流水号：— 申请单号：SQ9', 40, 130),
      at('检查日期：2025-05-06 10:30:15', 40, 145),
    ];
    const ex = applyTemplate(items, chineseGeneric);
    expect(ex.patient).toEqual({ name: '张三', id: null, sex: 'F', birthDate: '1980-01-02', age: 45, heightCm: 160, weightKg: 55.5 });
    expect(ex.identifiers).toMatchObject({ outpatientSerial: 'MZ1', inpatientSerial: null, requestNo: 'SQ9' });
    expect(ex.test.measuredAt).toBe('2025-05-06T10:30:15');
  });

  it('does not read one label for another on a text layer ("Weight:" is not "Height:")', () => {
    const ex = applyTemplate([at('Height:', 40, 100), at('172 cm', 100, 100)], sentrySuiteEn);
    expect(ex.patient.heightCm).toBe(172);
    expect(ex.patient.weightKg).toBeNull();
  });
});
