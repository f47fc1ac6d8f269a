import { describe, expect, it } from 'vitest';
import { resolveParam, toCoreUnits } from './params.ts';
import { looksLikeUnit, normaliseUnit, ocrUnit, parseDate, parseNumber, parseTime } from './values.ts';

describe('parseNumber', () => {
  it('reads decimal points and decimal commas as the template says', () => {
    expect(parseNumber('3.43').value).toBe(3.43);
    expect(parseNumber('3,43', ',').value).toBe(3.43);
    expect(parseNumber('-0.75').value).toBe(-0.75);
    expect(parseNumber('−1,2', ',').value).toBe(-1.2);
    expect(parseNumber('+4.4').value).toBe(4.4);
    expect(parseNumber('92%').value).toBe(92);
    expect(parseNumber('1 234,5', ',').value).toBe(1234.5);
    expect(parseNumber('1,234.5').value).toBe(1234.5);
    expect(parseNumber('4.20*').value).toBe(4.2);
    expect(parseNumber('<0.1').value).toBe(0.1);
    expect(parseNumber('３．４３').value).toBe(3.43);
  });

  it('corrects OCR look-alikes inside numbers only', () => {
    expect(parseNumber('1O5').value).toBe(105);
    expect(parseNumber('l.23').value).toBe(1.23);
    expect(parseNumber('VEMS').value).toBeNull();
  });

  it('accepts the other separator as a decimal one, with a warning', () => {
    const p = parseNumber('3.43', ',');
    expect(p.value).toBe(3.43);
    expect('warning' in p && p.warning).toMatch(/decimal separator/);
  });

  it('returns a reason, never throws', () => {
    for (const raw of ['', '-', '---', 'NaN', 'n/a', null, undefined]) expect(parseNumber(raw)).toEqual({ value: null, reason: 'empty' });
    for (const raw of ['abc', '1.2.3', '1,2,3', '∞', '12-3']) {
      const p = parseNumber(raw);
      expect(p.value).toBeNull();
      expect('reason' in p && p.reason).not.toBe('empty');
    }
  });
});

describe('parseDate', () => {
  const today = new Date(2025, 5, 1);
  it('reads every format devices print', () => {
    expect(parseDate('05.02.19', 'DD.MM.YY', { today }).value).toBe('2019-02-05');
    expect(parseDate('12.03.1961', 'DD.MM.YYYY').value).toBe('1961-03-12');
    expect(parseDate('23/05/2025 15:59:33 PM', 'DD/MM/YYYY').value).toBe('2025-05-23');
    expect(parseDate('05/23/2025', 'MM/DD/YYYY').value).toBe('2025-05-23');
    expect(parseDate('2025-05-06 10:30:15', 'YYYY-MM-DD').value).toBe('2025-05-06');
    expect(parseDate('1961年03月12日', 'YYYY年MM月DD日').value).toBe('1961-03-12');
    expect(parseDate('1961年3月2日', 'YYYY年MM月DD日').value).toBe('1961-03-02');
    expect(parseDate('20250506', 'YYYYMMDD').value).toBe('2025-05-06');
  });

  it('puts two-digit years in the century that keeps the date out of the future', () => {
    expect(parseDate('12.03.61', 'DD.MM.YY', { today }).value).toBe('1961-03-12');
    expect(parseDate('01.06.25', 'DD.MM.YY', { today }).value).toBe('2025-06-01');
    expect(parseDate('02.06.25', 'DD.MM.YY', { today }).value).toBe('1925-06-02');
  });

  it('rejects impossible dates with a reason', () => {
    expect(parseDate('31.02.2020', 'DD.MM.YYYY').value).toBeNull();
    expect(parseDate('2020-13-01', 'YYYY-MM-DD').value).toBeNull();
    expect(parseDate('yesterday', 'YYYY-MM-DD')).toMatchObject({ value: null });
  });
});

describe('parseTime', () => {
  it('reads 24-hour clocks, stray suffixes, 12-hour clocks and Chinese', () => {
    expect(parseTime('08:44').value).toBe('08:44:00');
    expect(parseTime('15:59:33 PM').value).toBe('15:59:33');
    expect(parseTime('3:59 PM').value).toBe('15:59:00');
    expect(parseTime('12:05 AM').value).toBe('00:05:00');
    expect(parseTime('10时30分').value).toBe('10:30:00');
    expect(parseTime('下午3:15').value).toBe('15:15:00');
    expect(parseTime('25:00').value).toBeNull();
  });
});

describe('units', () => {
  it('normalises spellings and strips brackets', () => {
    expect(normaliseUnit('[L]')).toBe('L');
    expect(normaliseUnit('(L/sec)')).toBe('L/s');
    expect(normaliseUnit('ml')).toBe('mL');
    expect(normaliseUnit('[1/(KPA*S)]')).toBe('1/(kPa·s)');
    expect(normaliseUnit('Litres')).toBe('L');
    expect(normaliseUnit('furlongs')).toBe('furlongs');
    expect(looksLikeUnit('L/s')).toBe(true);
    expect(looksLikeUnit('(FEV1/FVC)')).toBe(false);
  });

  it('knows common OCR misreads of units', () => {
    expect(ocrUnit('Lis')).toBe('L/s');
    expect(ocrUnit('[L]')).toBe('L');
    expect(ocrUnit('xyz')).toBeNull();
  });

  it('converts into the clinical core units', () => {
    const fev1 = resolveParam('VEMS');
    expect(toCoreUnits(fev1, 'mL', { value: 3410, predicted: 3920, lln: 3050, uln: null })).toMatchObject({ param: 'FEV1', unit: 'L', value: 3.41, predicted: 3.92, lln: 3.05 });
    const ratio = resolveParam('VEMS%CF');
    expect(toCoreUnits(ratio, '%', { value: 65.26, predicted: 82.07, lln: null, uln: null })).toMatchObject({ param: 'FEV1FVC', unit: null });
    expect(toCoreUnits(ratio, '%', { value: 65.26, predicted: 82.07, lln: null, uln: null }).value).toBeCloseTo(0.6526, 12);
    // a ratio printed without a unit: percent when above 1.5, a fraction otherwise
    expect(toCoreUnits(ratio, null, { value: 0.79, predicted: 0.81, lln: 0.7, uln: null }).value).toBe(0.79);
    expect(toCoreUnits(ratio, null, { value: 79, predicted: 81, lln: 70, uln: null }).value).toBeCloseTo(0.79, 12);
    expect(toCoreUnits(resolveParam('PEF'), 'L/min', { value: 363, predicted: null, lln: null, uln: null })).toMatchObject({ unit: 'L/s', value: 6.05 });
    expect(toCoreUnits(resolveParam('DLCO'), 'mmol/min/kPa', { value: 7.1, predicted: null, lln: null, uln: null }).param).toBe('TLCO_SI');
    expect(toCoreUnits(resolveParam('TLCO'), 'ml/min/mmHg', { value: 21, predicted: null, lln: null, uln: null }).param).toBe('DLCO_trad');
    expect(toCoreUnits(resolveParam('VR/CPT'), null, { value: 0.35, predicted: null, lln: null, uln: null })).toMatchObject({ param: 'RVTLC', unit: '%', value: 35 });
    const odd = toCoreUnits(resolveParam('FEV1'), 'L/s', { value: 3, predicted: null, lln: null, uln: null });
    expect(odd.warnings[0]).toMatch(/unexpected/);
  });
});

describe('parameter aliases', () => {
  const cases: Array<[string, string | null]> = [
    ['VEMS', 'FEV1'], ['CVF', 'FVC'], ['DEP', 'PEF'], ['DPE', 'PEF'], ['DEM25-75', 'FEF2575'], ['DEMM', 'FEF2575'], ['CPT', 'TLC'],
    ['VR', 'RV'], ['CRF', 'FRC'], ['TLCO', 'TLCO_SI'], ['DLCO', 'DLCO_trad'], ['KCO', 'KCO_SI'], ['VA', 'VA'], ['CV', 'VC'],
    ['CI', 'IC'], ['VRE', 'ERV'], ['VEMS%CF', 'FEV1FVC'], ['VEMS/CVF', 'FEV1FVC'], ['FEV 1 % FVC', 'FEV1FVC'], ['FEV1/FVC', 'FEV1FVC'],
    ['FEV1_FVC', 'FEV1FVC'], ['FEV 1', 'FEV1'], ['VC MAX', 'VC'], ['MMEF 75/25', 'FEF2575'], ['MEF 25', 'FEF75'], ['DEM25', 'FEF75'],
    ['FEF75', 'FEF75'], ['RV % TLC', 'RVTLC'], ['ITGV', 'FRC'],
    ['一秒量', 'FEV1'], ['第一秒用力呼气容积', 'FEV1'], ['用力肺活量', 'FVC'], ['一秒率', 'FEV1FVC'], ['峰值呼气流量', 'PEF'], ['肺总量', 'TLC'],
    ['残气量', 'RV'], ['功能残气量', 'FRC'], ['残总比', 'RVTLC'], ['最大呼气中期流量', 'FEF2575'], ['一氧化碳弥散量', 'TLCO_SI'],
    ['用力肺活量 FVC', 'FVC'], ['第一秒用力呼气容积 FEV1', 'FEV1'], ['一秒率 FEV1/FVC', 'FEV1FVC'], ['一秒率(FEV1/FVC)', 'FEV1FVC'],
    ['FVC*', 'FVC'], ['ｆｅｖ１', 'FEV1'], ['Cl', 'IC'],
    // known parameters without a core code
    ['VEMS%CV', null], ['DEM75', null], ['VIMS', null],
  ];
  it.each(cases)('%s → %s', (label, param) => {
    const info = resolveParam(label);
    expect(info).not.toBeNull();
    expect(info!.param).toBe(param);
  });

  it('knows European flow naming: DEM75 / MEF75 is FEF25, not FEF75', () => {
    expect(resolveParam('DEM75')!.name).toBe('FEF25');
    expect(resolveParam('MEF75')!.name).toBe('FEF25');
  });

  it('returns null for unknown labels', () => {
    expect(resolveParam('Heure test')).toBeNull();
    expect(resolveParam('')).toBeNull();
  });
});
