import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseGdtLines } from './parse.ts';

describe('parseGdtLines', () => {
  it('reads a clean record', () => {
    const bytes = iconv.encode('01380006310\r\n014810000042\r\n0153101张三丰\r\n', 'gbk');
    expect(parseGdtLines(bytes, 'gbk')).toEqual({
      lines: [
        { lineNumber: 1, field: '8000', content: '6310' },
        { lineNumber: 2, field: '8100', content: '00042' },
        { lineNumber: 3, field: '3101', content: '张三丰' },
      ],
      problems: [],
    });
  });

  it('reports lengths counted in characters instead of bytes, LF-only ends and a wrong 8100', () => {
    const bytes = Buffer.from('01380006310\r\n014810000099\r\n0123101张三丰\n0133101OK', 'utf8');
    const { lines, problems } = parseGdtLines(bytes, 'utf-8');
    expect(lines.map((line) => line.content)).toEqual(['6310', '00099', '张三丰', 'OK']);
    expect(problems).toEqual([
      'line 3: line ends with LF only, not CR LF',
      'line 3: length 012 declared, but the line has 18 bytes',
      'line 4: no line end (CR LF)',
      'line 4: length 013 declared, but the line has 11 bytes',
      `line 2: record length (8100) '00099' declared, but the record has ${bytes.length} bytes`,
    ]);
  });

  it('never throws on garbage', () => {
    expect(parseGdtLines(new Uint8Array(), 'gbk')).toEqual({ lines: [], problems: ['no GDT lines'] });
    const garbage = parseGdtLines(new Uint8Array([0xff, 0x00, 0x0d, 0x0a, 0x0a, 0x41]), 'gbk');
    expect(garbage.lines).toEqual([]);
    expect(garbage.problems).toContain('line 1: does not start with a 3-digit length and a 4-digit field ID');
    expect(garbage.problems).toContain('line 2: empty line');
    for (let seed = 1; seed < 200; seed++) {
      const random = Uint8Array.from({ length: 64 }, (_, i) => (seed * 7919 + i * 104729) % 256);
      expect(() => parseGdtLines(random, 'gbk')).not.toThrow();
    }
  });
});
