import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { sampleEntry } from '../worklist/worklist-entry.fixture.ts';
import { gdtField, parseGdtLines } from './parse.ts';
import { type GdtRequestOptions, writeGdtRequest } from './request.ts';

const ids: GdtRequestOptions = { receiverId: 'SPIROSON', senderId: 'PFTIS' };

function record(lines: string[], encoding: string): Buffer {
  return iconv.encode(lines.map((line) => `${line}\r\n`).join(''), encoding);
}

function written(result: ReturnType<typeof writeGdtRequest>): Uint8Array {
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

describe('writeGdtRequest', () => {
  it('writes a GDT 2.1 record in GBK, counting the Chinese name as 6 bytes', () => {
    const bytes = written(writeGdtRequest(sampleEntry(), ids));
    const expected = record(
      [
        '01380006302',
        '014810000202',
        '0178315SPIROSON',
        '0148316PFTIS',
        '014921802.10',
        '0193000P000123456',
        '0153101张三丰',
        '017310309071958',
        '01031101',
        '0123622172',
        '011362368',
        '0148402SPIRO',
        '017620014032025',
        '0156201093000',
      ],
      'gbk',
    );
    expect(Buffer.from(bytes).equals(expected)).toBe(true);
    expect(bytes.length).toBe(202);
    const nameLine = Buffer.from(bytes).indexOf(Buffer.from('0153101'));
    expect(Buffer.from(bytes).subarray(nameLine + 7, nameLine + 13).toString('hex')).toBe('d5c5c8fdb7e1');
  });

  it('writes GDT 3.5 with its version and the accession number as request ID 8413', () => {
    const bytes = written(writeGdtRequest(sampleEntry(), { ...ids, version: '3.5' }));
    const { lines, problems } = parseGdtLines(bytes, 'gbk');
    expect(problems).toEqual([]);
    expect(gdtField(lines, '9218')).toBe('03.50');
    expect(gdtField(lines, '8413')).toBe('PF202503140007');
    expect(gdtField(lines, '8100')).toBe(String(bytes.length).padStart(5, '0'));
  });

  it('counts UTF-8 bytes, not characters, and leaves 9206 out for UTF-8', () => {
    const bytes = written(writeGdtRequest(sampleEntry(), { ...ids, encoding: 'utf-8' }));
    const text = Buffer.from(bytes).toString('utf8');
    expect(text).toContain('0183101张三丰\r\n');
    expect(text).not.toContain('9206');
    expect(text).toContain(`8100${String(bytes.length).padStart(5, '0')}\r\n`);
    expect(bytes.length).toBe(205);
  });

  it('writes ISO-8859-1 with 9206 = 3 and one byte per umlaut', () => {
    const bytes = written(
      writeGdtRequest(sampleEntry({ name: 'Müller', sex: 'female' }), { ...ids, encoding: 'iso-8859-1' }),
    );
    const buffer = Buffer.from(bytes);
    expect(buffer.includes(Buffer.from('01092063\r\n', 'latin1'))).toBe(true);
    expect(buffer.includes(Buffer.from('0153101Müller\r\n', 'latin1'))).toBe(true);
    expect(buffer.includes(Buffer.from('01031102\r\n', 'latin1'))).toBe(true);
    const { lines, problems } = parseGdtLines(bytes, 'iso-8859-1');
    expect(problems).toEqual([]);
    expect(gdtField(lines, '3101')).toBe('Müller');
  });

  it('refuses a Chinese name in ISO-8859-1 rather than writing ?', () => {
    const result = writeGdtRequest(sampleEntry(), { ...ids, encoding: 'iso-8859-1' });
    expect(result).toEqual({
      ok: false,
      reason: "patient name (3101/3102) not representable in iso-8859-1: '张' (U+5F20), '三' (U+4E09), '丰' (U+4E30)",
    });
  });

  it('uses the HIS pinyin or leaves the name out when told to', () => {
    const pinyin = written(
      writeGdtRequest(sampleEntry({ namePinyin: 'ZHANG SANFENG' }), {
        ...ids,
        encoding: 'iso-8859-1',
        unrepresentableName: 'pinyin',
      }),
    );
    expect(gdtField(parseGdtLines(pinyin, 'iso-8859-1').lines, '3101')).toBe('ZHANG SANFENG');

    expect(
      writeGdtRequest(sampleEntry(), { ...ids, encoding: 'iso-8859-1', unrepresentableName: 'pinyin' }).ok,
    ).toBe(false);

    const omitted = written(
      writeGdtRequest(sampleEntry(), { ...ids, encoding: 'iso-8859-1', unrepresentableName: 'omit' }),
    );
    const { lines, problems } = parseGdtLines(omitted, 'iso-8859-1');
    expect(problems).toEqual([]);
    expect(gdtField(lines, '3101')).toBeUndefined();
    expect(gdtField(lines, '3000')).toBe('P000123456');
  });

  it('writes GB2312-less rare characters (赟, 堃) in GBK, and needs GB18030 for 𠮷', () => {
    const rare = written(writeGdtRequest(sampleEntry({ name: '王赟堃' }), ids));
    expect(Buffer.from(rare).includes(Buffer.from('0153101', 'latin1'))).toBe(true);
    expect(gdtField(parseGdtLines(rare, 'gbk').lines, '3101')).toBe('王赟堃');

    const outsideGbk = writeGdtRequest(sampleEntry({ name: '𠮷田' }), ids);
    expect(outsideGbk.ok).toBe(false);
    expect(!outsideGbk.ok && outsideGbk.reason).toContain("'𠮷' (U+20BB7)");

    const gb18030 = written(writeGdtRequest(sampleEntry({ name: '𠮷田' }), { ...ids, encoding: 'gb18030' }));
    const { lines, problems } = parseGdtLines(gb18030, 'gb18030');
    expect(problems).toEqual([]);
    expect(gdtField(lines, '3101')).toBe('𠮷田');
    expect(Buffer.from(gb18030).includes(Buffer.from('0153101', 'latin1'))).toBe(true);
  });

  it('round-trips every field through the parser', () => {
    const entry = sampleEntry({ sex: 'female', items: [{ code: 'DL01', name: '弥散功能', test: 'dlco' }] });
    const bytes = written(
      writeGdtRequest(entry, { ...ids, version: '3.5', nameSplit: 'split-chinese-surname', examCodes: { dlco: 'LUFU02' } }),
    );
    const { lines, problems } = parseGdtLines(bytes, 'gbk');
    expect(problems).toEqual([]);
    expect(lines.map((line) => [line.field, line.content])).toEqual([
      ['8000', '6302'],
      ['8100', String(bytes.length).padStart(5, '0')],
      ['8315', 'SPIROSON'],
      ['8316', 'PFTIS'],
      ['9218', '03.50'],
      ['3000', 'P000123456'],
      ['3101', '张'],
      ['3102', '三丰'],
      ['3103', '09071958'],
      ['3110', '2'],
      ['3622', '172'],
      ['3623', '68'],
      ['8402', 'LUFU02'],
      ['6200', '14032025'],
      ['6201', '093000'],
      ['8413', 'PF202503140007'],
    ]);
  });

  it('leaves out unknown sex and missing body measures, and honours a site 9206 value', () => {
    const bytes = written(
      writeGdtRequest(sampleEntry({ sex: 'unknown', heightCm: undefined, weightKg: undefined }), {
        ...ids,
        charsetCode: '3',
      }),
    );
    const fields = parseGdtLines(bytes, 'gbk').lines.map((line) => line.field);
    expect(fields).not.toContain('3110');
    expect(fields).not.toContain('3622');
    expect(fields).not.toContain('3623');
    expect(fields).toContain('9206');
  });

  it('rejects an invalid entry and a field too long for a GDT line', () => {
    expect(writeGdtRequest(sampleEntry({ patientId: '' }), ids)).toEqual({
      ok: false,
      reason: 'invalid worklist entry: patientId is empty',
    });
    const long = writeGdtRequest(sampleEntry({ patientId: 'X'.repeat(991) }), ids);
    expect(!long.ok && long.reason).toBe('field 3000 has 991 bytes; a GDT line holds at most 990');
  });
});
