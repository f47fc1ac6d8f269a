import { describe, expect, it } from 'vitest';
import { type Mapping, MappingSchema, mapRows, parseDate, parseDateTime } from './mapping.js';

const orderMapping: Mapping = MappingSchema.parse({
  target: 'order',
  columns: {
    requestNo: 'SQDH', hisPatientId: 'BRID', visitType: 'JZLB', visitSerialNo: 'JZLSH', itemCode: 'XMDM', itemName: 'XMMC',
    requestedAt: 'SQSJ', status: 'ZT', heightCm: 'SG', weightKg: 'TZ', ward: 'BQ',
  },
  values: { status: { '0': 'pending', '1': 'registered', '2': 'examined', '3': 'reported', '9': 'cancelled' } },
  pftItemCodes: ['FG001', 'FG002'],
});

const row = (over: Record<string, unknown> = {}) => ({
  SQDH: 'SQ1', BRID: 'P1', JZLB: '门诊', JZLSH: 'ML1', XMDM: 'FG001', XMMC: '肺通气功能检查', SQSJ: '2026-11-25 08:30:00', ZT: '0', SG: '172.5', TZ: null, BQ: null, ...over,
});

describe('mapping HIS rows to orders', () => {
  it('maps columns case-insensitively, with codes, units and the hospital time zone', () => {
    const lower = Object.fromEntries(Object.entries(row()).map(([k, v]) => [k.toLowerCase(), v]));
    const { records, problems } = mapRows([lower], orderMapping);
    expect(problems).toEqual([]);
    expect(records[0]).toEqual({
      requestNo: 'SQ1', hisPatientId: 'P1', visitType: 'outpatient', visitSerialNo: 'ML1', itemCode: 'FG001', itemName: '肺通气功能检查',
      requestedAt: '2026-11-25T00:30:00.000Z', status: 'pending', heightCm: 172.5,
    });
  });

  it('skips items that are not lung-function tests', () => {
    const result = mapRows([row(), row({ SQDH: 'SQ2', XMDM: 'CT001' })], orderMapping);
    expect(result.records.map((r) => r.requestNo)).toEqual(['SQ1']);
    expect(result.skipped).toBe(1);
  });

  it('converts heights given in metres', () => {
    const m = { ...orderMapping, heightUnit: 'm' as const };
    expect(mapRows([row({ SG: 1.725 })], m).records[0]!.heightCm).toBe(172.5);
  });

  it('names every kind of problem', () => {
    const broken = { ...orderMapping, columns: { ...orderMapping.columns, ward: 'BINGQU' } };
    const { problems } = mapRows([row({ ZT: 'X', SG: 'tall', SQSJ: '2026-13-45', JZLSH: '' })], broken);
    expect(problems.map((p) => [p.kind, p.field])).toEqual([
      ['missing-column', 'ward'],
      ['missing-value', 'visitSerialNo'],
      ['wrong-type', 'requestedAt'],
      ['unmapped-value', 'status'],
      ['wrong-type', 'heightCm'],
    ]);
    expect(problems[0]!.message).toBe('视图中没有列 BINGQU（字段「病区」）');
    expect(mapRows([], orderMapping).problems).toEqual([{ kind: 'no-rows', message: '没有查到数据' }]);
    const unconfigured = MappingSchema.parse({ target: 'patient', columns: { hisPatientId: 'BRID' } });
    expect(mapRows([{ BRID: 'P1' }], unconfigured).problems.map((p) => p.field)).toEqual(['name', 'sex', 'birthDate']);
  });
});

describe('mapping patients', () => {
  it('understands the usual sex codes without configuration', () => {
    const m = MappingSchema.parse({ target: 'patient', columns: { hisPatientId: 'BRID', name: 'XM', sex: 'XB', birthDate: 'CSRQ' } });
    const sexes = ['1', '2', '男', '女', 'M', 'F'].map((XB) => mapRows([{ BRID: 'P', XM: '张三', XB, CSRQ: '19800101' }], m).records[0]!.sex);
    expect(sexes).toEqual(['male', 'female', 'male', 'female', 'male', 'female']);
    expect(mapRows([{ BRID: 'P', XM: '张三', XB: '1', CSRQ: '1980/1/2' }], m).records[0]!.birthDate).toBe('1980-01-02');
  });
});

describe('dates', () => {
  it.each([
    ['2026-11-25', '2026-11-25'],
    ['20261125', '2026-11-25'],
    ['2026/11/25', '2026-11-25'],
    ['2026-11-25 00:00:00', '2026-11-25'],
    ['2026-02-30', null],
    ['yesterday', null],
  ])('parses the date %s', (raw, expected) => expect(parseDate(raw)).toBe(expected));

  it('reads naive times in the hospital zone and honours explicit offsets', () => {
    expect(parseDateTime('2026-11-25 08:00:00', 'Asia/Shanghai')).toBe('2026-11-25T00:00:00.000Z');
    expect(parseDateTime('2026-11-25T08:00:00+09:00', 'Asia/Shanghai')).toBe('2026-11-24T23:00:00.000Z');
    expect(parseDateTime('2026-07-01 12:00', 'Europe/Paris')).toBe('2026-07-01T10:00:00.000Z');
  });
});
