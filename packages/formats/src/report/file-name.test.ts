import { describe, expect, it } from 'vitest';
import { checkFileNamePattern, reportFileName, sanitizeFileName } from './file-name.ts';
import { sampleDeliveredReport } from './fixtures.ts';

describe('reportFileName', () => {
  const report = sampleDeliveredReport();

  it('fills the placeholders and appends the extension', () => {
    expect(reportFileName('{requestNo}_{accessionNo}_v{version}', report, 'pdf')).toBe('SQ2026112500815_PF20261125-0037_v1.pdf');
    expect(reportFileName('{requestNo}_{accessionNo}_v{version}', report, '.json')).toBe('SQ2026112500815_PF20261125-0037_v1.json');
    expect(reportFileName('{requestNo}_{accessionNo}_v{version}', report, 'p2.jpg')).toBe('SQ2026112500815_PF20261125-0037_v1.p2.jpg');
    expect(reportFileName('{accessionNo}', report, '../x/y')).toBe('PF20261125-0037._x_y');
    expect(reportFileName('{patientId}-{visitSerialNo}-{examDate}-{reportId}-{version}', report, 'xml')).toBe(
      'P000123456-MZLS20261125-004417-20261125-3f6d2a9e-8c41-4b7a-9e25-1d0c7b5a4e63-1.xml',
    );
  });

  it('lets the pattern place {ext} itself', () => {
    expect(reportFileName('{accessionNo}.v{version}.{ext}', report, 'pdf')).toBe('PF20261125-0037.v1.pdf');
    expect(reportFileName('{accessionNo}_{ext}', report, 'jpg')).toBe('PF20261125-0037_jpg');
  });

  it('rejects unknown placeholders and unbalanced braces with a clear error', () => {
    expect(() => reportFileName('{requestNo}_{patientName}', report, 'pdf')).toThrow(/unknown placeholder \{patientName\} \(known: \{requestNo\} \{accessionNo\}/);
    expect(() => reportFileName('{requestNo}_{accessionNo', report, 'pdf')).toThrow(/unbalanced/);
    expect(() => reportFileName('{version}_{examDate}', report, 'pdf')).toThrow(/needs \{requestNo\}, \{accessionNo\} or \{reportId\}/);
    expect(checkFileNamePattern('{requestNo}_{accessionNo}_v{version}')).toEqual([]);
    expect(checkFileNamePattern('{Requestno}')).toHaveLength(2);
  });

  it('sanitises values and the result for file systems', () => {
    const nasty = sampleDeliveredReport({ order: { requestNo: '../SQ/12:34*?"<>|\\x', accessionNo: '..PF 01.' } });
    const name = reportFileName('{requestNo}_{accessionNo}', nasty, 'pdf');
    expect(name).toBe('_SQ_12_34_______x_PF 01.pdf');
    expect(name).not.toMatch(/[/\\:*?"<>|]/);
    expect(reportFileName('{accessionNo}', sampleDeliveredReport({ order: { accessionNo: '...hidden' } }), 'pdf')).toBe('hidden.pdf');
    expect(reportFileName('{accessionNo}', sampleDeliveredReport({ order: { accessionNo: 'CON' } }), 'pdf')).toBe('_CON.pdf');
    expect(reportFileName('中文_{accessionNo}', report, 'pdf')).toBe('中文_PF20261125-0037.pdf');
    expect(sanitizeFileName(' .a\u0000b. ')).toBe('ab');
  });

  it('writes a missing value as empty and refuses a name that ends up empty', () => {
    const noRequest = sampleDeliveredReport({ order: { requestNo: null } });
    expect(reportFileName('{requestNo}_{accessionNo}_v{version}', noRequest, 'pdf')).toBe('_PF20261125-0037_v1.pdf');
    expect(() => reportFileName('{requestNo}', noRequest, 'pdf')).toThrow(/empty name/);
  });

  it('names a revoke like the version it withdraws, with the _revoked suffix, so it overwrites nothing', () => {
    const revoke = sampleDeliveredReport({ action: 'revoke' });
    expect(reportFileName('{requestNo}_{accessionNo}_v{version}', revoke, 'json')).toBe('SQ2026112500815_PF20261125-0037_v1_revoked.json');
    expect(reportFileName('{requestNo}_{accessionNo}_v{version}', revoke, 'xml')).toBe('SQ2026112500815_PF20261125-0037_v1_revoked.xml');
    expect(reportFileName('{accessionNo}.v{version}.{ext}', revoke, 'json')).toBe('PF20261125-0037.v1_revoked.json');
    expect(reportFileName('{accessionNo}', revoke, '')).toBe('PF20261125-0037_revoked');
    expect(reportFileName('{requestNo}_{accessionNo}_v{version}', report, 'json')).toBe('SQ2026112500815_PF20261125-0037_v1.json');
    // A long name is cut before the suffix, never the suffix itself.
    const long = reportFileName('{requestNo}_{accessionNo}', sampleDeliveredReport({ action: 'revoke', order: { requestNo: '申'.repeat(120) } }), 'json');
    expect(Buffer.byteLength(long, 'utf8')).toBeLessThanOrEqual(200);
    expect(long.endsWith('申_revoked.json')).toBe(true);
  });

  it('keeps long names within 200 bytes, the extension included', () => {
    const long = sampleDeliveredReport({ order: { requestNo: '申'.repeat(120) } });
    const name = reportFileName('{requestNo}_{accessionNo}', long, 'pdf');
    expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(200);
    expect(name.endsWith('申.pdf')).toBe(true);
  });
});
