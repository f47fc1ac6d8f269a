import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readGdtExamResult } from './result.ts';

/** Builds GDT lines with byte-exact lengths in the given encoding. */
function gdt(fields: Array<[string, string]>, encoding: string): Uint8Array {
  const body = fields.map(([field, content]) => {
    const length = 3 + 4 + iconv.encode(content, encoding).length + 2;
    return `${String(length).padStart(3, '0')}${field}${content}\r\n`;
  });
  return new Uint8Array(iconv.encode(body.join(''), encoding));
}

describe('GDT 6310 examination result', () => {
  it('reads ids, date, each parameter group with decimal commas, findings and the attached file', () => {
    const bytes = gdt(
      [
        ['8000', '6310'], ['3000', 'P00000042'], ['3101', '张三丰'], ['8413', 'MAIN202611250007'], ['6200', '25112026'], ['6201', '093015'],
        ['8410', 'FEV1'], ['8411', '一秒量'], ['8420', '2,85'], ['8421', 'L'], ['8461', '2,61'], ['8462', '4,30'],
        ['8410', 'FVC'], ['8420', '3.92'], ['8421', 'L'],
        ['8410', 'FEV1/FVC'], ['8420', '<0,1'],
        ['6220', '轻度阻塞性通气功能障碍'], ['6305', 'C:\\Export\\MAIN202611250007.pdf'],
      ],
      'gbk',
    );
    const result = readGdtExamResult(bytes, 'gbk');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ patientId: 'P00000042', requestId: 'MAIN202611250007', examDate: '2026-11-25', examTime: '093015', findings: ['轻度阻塞性通气功能障碍'], fileReference: 'C:\\Export\\MAIN202611250007.pdf', problems: [] });
    expect(result.value.measurements).toEqual([
      { testId: 'FEV1', name: '一秒量', value: 2.85, rawValue: '2,85', unit: 'L', lowerLimit: 2.61, upperLimit: 4.3 },
      { testId: 'FVC', name: null, value: 3.92, rawValue: '3.92', unit: 'L', lowerLimit: null, upperLimit: null },
      { testId: 'FEV1/FVC', name: null, value: null, rawValue: '<0,1', unit: null, lowerLimit: null, upperLimit: null },
    ]);
  });

  it('refuses another record type and empty input without throwing', () => {
    expect(readGdtExamResult(gdt([['8000', '6302']], 'gbk'), 'gbk')).toEqual({ ok: false, reason: 'record type 6302, expected 6310' });
    expect(readGdtExamResult(new Uint8Array(), 'gbk').ok).toBe(false);
    expect(readGdtExamResult(new Uint8Array([0xff, 0xfe, 0x00]), 'utf-8').ok).toBe(false);
  });
});
