import { describe, expect, it } from 'vitest';
import { child, childText, childrenNamed, parseXml } from '../xml/tiny-xml.ts';
import { sampleDeliveredReport } from './fixtures.ts';
import { toBase64 } from './ids.ts';
import { buildReportSidecar } from './sidecar.ts';

describe('buildReportSidecar', () => {
  it('writes the metadata as JSON, with the digests but not the document', () => {
    const report = sampleDeliveredReport();
    const sidecar = buildReportSidecar(report, 'json', { files: ['SQ2026112500815_PF20261125-0037_v1.pdf'] });
    expect(Buffer.from(sidecar.bytes).toString('utf8')).toBe(sidecar.text);
    const json = JSON.parse(sidecar.text);
    expect(json).toMatchObject({
      schema: 'pftis-report-sidecar/1',
      reportId: report.reportId,
      version: 1,
      action: 'publish',
      supersedesVersion: null,
      requestNo: 'SQ2026112500815',
      accessionNo: 'PF20261125-0037',
      visitSerialNo: 'MZLS20261125-004417',
      patient: { id: 'P000123456', name: '张伟', sex: 'male', birthDate: '1970-03-08', outpatientNo: 'MZ2026112537', inpatientNo: null },
      item: { code: 'FGN003', name: '支气管舒张试验' },
      examDate: '2026-11-25',
      conclusion: { text: report.conclusion.text, pattern: 'obstruction' },
      reviewer: '刘建国',
      approvedAt: '2026-11-25T15:20:00+08:00',
      signatureSerial: '5A3F09C1D27E4B88',
      verificationUrl: report.verificationUrl,
      pdf: { sha256: report.pdf.sha256, sm3: report.pdf.sm3, sizeBytes: report.pdf.bytes.byteLength },
      files: ['SQ2026112500815_PF20261125-0037_v1.pdf'],
    });
    expect(json.pdf.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.pdf.sm3).toMatch(/^[0-9a-f]{64}$/);
    expect(sidecar.text).not.toContain(toBase64(report.pdf.bytes).slice(0, 40));
  });

  it('writes well-formed XML with the same content, escaping markup characters', () => {
    const text = '结论 <b>&amp; "引号" \'单引号\' a<b && c>d\n第二行';
    const report = sampleDeliveredReport({ version: 2, action: 'replace', conclusion: { text }, reviewer: '刘<建>国&' });
    const sidecar = buildReportSidecar(report, 'xml');
    expect(sidecar.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<pftisReport>')).toBe(true);
    const parsed = parseXml(sidecar.text);
    if (!parsed.ok) throw new Error(parsed.reason);
    const root = parsed.value;
    expect(root.name).toBe('pftisReport');
    expect(childText(root, 'requestNo')).toBe('SQ2026112500815');
    expect(childText(root, 'version')).toBe('2');
    expect(childText(root, 'action')).toBe('replace');
    expect(childText(root, 'supersedesVersion')).toBe('1');
    expect(childText(root, 'correctionReason')).toBe('舒张后 FVC 录入有误，已按设备原始数据更正');
    expect(childText(root, 'reviewer')).toBe('刘<建>国&');
    expect(child(child(root, 'conclusion'), 'text')?.text).toBe(text);
    expect(childText(child(root, 'patient'), 'name')).toBe('张伟');
    expect(childText(child(root, 'patient'), 'inpatientNo')).toBe('');
    expect(childText(child(root, 'pdf'), 'sha256')).toBe(report.pdf.sha256);
    expect(childText(child(root, 'pdf'), 'sm3')).toBe(report.pdf.sm3);
    expect(childrenNamed(child(root, 'files'), 'file')).toEqual([]);
    const withFiles = parseXml(buildReportSidecar(report, 'xml', { files: ['a_p1.jpg', 'a_p2.jpg'] }).text);
    if (!withFiles.ok) throw new Error(withFiles.reason);
    expect(childrenNamed(child(withFiles.value, 'files'), 'file').map((f) => f.text)).toEqual(['a_p1.jpg', 'a_p2.jpg']);
  });

  it('writes a revoke: action revoke, the reason, the withdrawn version and its digests, and no files', () => {
    const report = sampleDeliveredReport({ action: 'revoke' });
    const json = JSON.parse(buildReportSidecar(report, 'json', { files: ['ignored.pdf'] }).text);
    expect(json).toMatchObject({
      action: 'revoke',
      revocationReason: report.revocationReason,
      version: 1,
      idempotencyKey: report.idempotencyKey,
      requestNo: 'SQ2026112500815',
      pdf: { sha256: report.pdf.sha256, sm3: report.pdf.sm3 },
      files: [],
    });
    expect(JSON.parse(buildReportSidecar(sampleDeliveredReport(), 'json').text).revocationReason).toBeNull();
    const parsed = parseXml(buildReportSidecar(report, 'xml').text);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect([childText(parsed.value, 'action'), childText(parsed.value, 'revocationReason')]).toEqual(['revoke', report.revocationReason]);
    expect(childrenNamed(child(parsed.value, 'files'), 'file')).toEqual([]);
  });

  it('drops characters XML 1.0 cannot hold instead of writing a file nobody can read', () => {
    const sidecar = buildReportSidecar(sampleDeliveredReport({ conclusion: { text: 'a\u0001b\u000bc\u{1F600}' } }), 'xml');
    const parsed = parseXml(sidecar.text);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(child(child(parsed.value, 'conclusion'), 'text')?.text).toBe('abc\u{1F600}');
  });
});
