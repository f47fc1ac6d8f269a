import { describe, expect, it } from 'vitest';
import { splitPersonName } from './chinese-name.ts';
import { localDateTimeParts } from './local-time.ts';
import { encodeText, unrepresentableCharacters } from './text-encoding.ts';
import { parseIsoDate, validateWorklistEntry } from './worklist-entry.ts';
import { sampleEntry } from './worklist-entry.fixture.ts';

describe('validateWorklistEntry', () => {
  it('accepts the sample entry', () => {
    expect(validateWorklistEntry(sampleEntry())).toEqual([]);
  });

  it('reports missing keys, impossible dates and unit mix-ups', () => {
    const problems = validateWorklistEntry(
      sampleEntry({ accessionNumber: ' ', birthDate: '1958-02-30', heightCm: 1.72, weightKg: 68000, items: [] }),
    );
    expect(problems).toEqual([
      'accessionNumber is empty',
      "birthDate '1958-02-30' is not a YYYY-MM-DD date",
      'heightCm 1.72 is outside 30–250 cm',
      'weightKg 68000 is outside 1–400 kg',
      'items is empty',
    ]);
  });

  it('parses only real calendar dates', () => {
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseIsoDate('2023-02-29')).toBeUndefined();
    expect(parseIsoDate('1958-7-9')).toBeUndefined();
  });
});

describe('splitPersonName', () => {
  it('keeps the whole name as family name by default', () => {
    expect(splitPersonName('张三丰', 'whole-name-as-family')).toEqual({ family: '张三丰', given: '' });
  });

  it('splits one- and two-character surnames on request', () => {
    expect(splitPersonName('张三丰', 'split-chinese-surname')).toEqual({ family: '张', given: '三丰' });
    expect(splitPersonName('欧阳娜娜', 'split-chinese-surname')).toEqual({ family: '欧阳', given: '娜娜' });
    expect(splitPersonName('王五', 'split-chinese-surname')).toEqual({ family: '王', given: '五' });
    expect(splitPersonName('John Smith', 'split-chinese-surname')).toEqual({ family: 'John Smith', given: '' });
  });
});

describe('encodeText', () => {
  it('encodes 张 as D5 C5 in GBK (interfaces.md §2.6 check value)', () => {
    const bytes = encodeText('张', 'gbk');
    expect(bytes.ok && Buffer.from(bytes.value).toString('hex')).toBe('d5c5');
  });

  it('refuses instead of writing ?', () => {
    expect(encodeText('张三丰', 'iso-8859-1')).toEqual({
      ok: false,
      reason: "not representable in iso-8859-1: '张' (U+5F20), '三' (U+4E09), '丰' (U+4E30)",
    });
    expect(unrepresentableCharacters('𠮷田', 'gbk')).toEqual(['𠮷']);
    expect(encodeText('𠮷田', 'gb18030').ok).toBe(true);
  });
});

describe('localDateTimeParts', () => {
  it('gives hospital wall-clock time whatever the process time zone', () => {
    expect(localDateTimeParts(new Date('2025-03-14T16:05:09Z'), 'Asia/Shanghai')).toEqual({
      year: '2025', month: '03', day: '15', hour: '00', minute: '05', second: '09',
    });
  });
});
