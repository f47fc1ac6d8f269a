import { createHash } from 'node:crypto';
import { Hl7Message } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { sampleDeliveredReport, samplePdfBytes } from '../report/fixtures.ts';
import { reportControlId, toBase64 } from '../report/ids.ts';
import { decodeText } from '../worklist/text-encoding.ts';
import { unescapeHl7 } from './escape.ts';
import { readOru } from './oru.ts';
import { type ReportOruOptions, buildReportOru } from './report-oru.ts';

const options: ReportOruOptions = {
  sendingApplication: 'PFTIS',
  sendingFacility: 'JNFY',
  receivingApplication: 'HIS',
  receivingFacility: 'JNFY',
  encoding: 'gbk',
  now: new Date('2026-11-25T07:30:00Z'),
};

/** Our messages end every segment with CR, the last one too; @medplum/core reads that as an empty segment. */
const parse = (message: string) => Hl7Message.parse(message.replace(/\r$/, ''));
const segments = (message: string, name: string) => message.split('\r').filter((s) => s.startsWith(`${name}|`)).map((s) => s.split('|'));
const read = (input: string | Uint8Array) => {
  const result = readOru(input);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
};

describe('buildReportOru', () => {
  it('round-trips through readOru: ids, patient, values, units, stages and the conclusion come back', () => {
    const report = sampleDeliveredReport();
    const oru = buildReportOru(report, options);
    const r = read(oru.bytes);
    expect(r).toMatchObject({
      messageControlId: oru.controlId,
      sendingApplication: 'PFTIS',
      declaredCharset: 'GB 18030-2000',
      patientId: 'P000123456',
      patientName: '张伟',
      placerOrderNo: 'SQ2026112500815',
      fillerOrderNo: 'PF20261125-0037',
      interpretation: report.conclusion.text,
    });
    // The reader maps the LOINC codes it knows to parameters (FEV1/FVC as a fraction) and tells the stages apart.
    const measured = r.observations.filter((o) => o.param).map((o) => [o.param, o.stage, Number(o.value?.toFixed(6)), o.unit]);
    expect(measured).toEqual([
      ['FEV1', 'pre', 2.36, 'L'], ['FVC', 'pre', 3.86, 'L'], ['FEV1FVC', 'pre', 0.611, ''], ['FEF2575', 'pre', 1.21, 'L/s'],
      ['FEV1', 'post', 2.74, 'L'], ['FVC', 'post', 4.07, 'L'], ['FEV1FVC', 'post', 0.673, ''], ['FEF2575', 'post', 1.62, 'L/s'],
    ]);
    // Every value of every result comes back under its code, with its unit and stage.
    for (const result of report.results) {
      const stage = result.stage;
      const find = (code: string) => r.observations.find((o) => (o.code === code || o.code === code.replace(/_POST$/, '')) && o.stage === stage && o.rawValue !== '');
      const suffix = stage === 'post' ? '_POST' : '';
      const codes = {
        value: { FEV1: '20150-9', FVC: '19868-9', FEV1FVC: '19926-5', PEF: '33452-4' }[result.param] ?? `${result.param}${suffix}`,
        predicted: { FEV1: '20149-1', FVC: '19869-7' }[result.param] ?? `${result.param}_PREDICTED${suffix}`,
        zScore: `${result.param}_ZSCORE${suffix}`,
        pctPredicted: { FEV1: '20152-5', FVC: '19872-1' }[result.param] ?? `${result.param}_PCT_PRED${suffix}`,
      };
      for (const kind of ['value', 'predicted', 'zScore', 'pctPredicted'] as const) {
        const expected = result[kind];
        const found = r.observations.filter((o) => o.code === codes[kind] && o.stage === stage);
        if (expected === null) {
          expect(found, `${result.param} ${stage} ${kind}`).toEqual([]);
          continue;
        }
        expect(found.map((o) => Number(o.rawValue)), `${result.param} ${stage} ${kind}`).toEqual([expected]);
        const unit = kind === 'zScore' ? '{Zscore}' : kind === 'pctPredicted' ? '%' : result.unit;
        expect(find(codes[kind])?.valueType).toBe('NM');
        expect(segments(oru.message, 'OBX').find((f) => f[3]?.split('^')[0] === codes[kind] && (stage === 'post') === /舒张后/.test(f[3] ?? ''))?.[6]).toBe(unit);
      }
    }
    // % predicted rows are classified as such (LOINC 20152-5 / 19872-1 and the `_PCT_PRED` local suffix).
    expect(r.observations.filter((o) => o.kind === 'percent-predicted')).toHaveLength(report.results.filter((x) => x.pctPredicted !== null).length);
  });

  it('puts each field where HL7 2.5 expects it (read back with @medplum/core)', () => {
    const report = sampleDeliveredReport();
    const oru = buildReportOru(report, { ...options, encoding: 'utf-8' });
    const message = parse(oru.message);
    const msh = message.getSegment('MSH')!;
    expect(msh.getField(9).toString()).toBe('ORU^R01^ORU_R01');
    expect(msh.getField(10).toString()).toBe(oru.controlId);
    expect(msh.getField(7).toString()).toBe('20261125153000');
    expect(msh.getField(12).toString()).toBe('2.5');
    expect(msh.getField(18).toString()).toBe('UNICODE UTF-8');
    const pid = message.getSegment('PID')!;
    expect(pid.getComponent(3, 1, undefined, 0)).toBe('P000123456');
    expect(pid.getComponent(3, 5, undefined, 0)).toBe('PI');
    expect(pid.getComponent(3, 1, undefined, 1)).toBe('MZ2026112537');
    expect(pid.getComponent(3, 5, undefined, 1)).toBe('MZH');
    expect(pid.getComponent(5, 1)).toBe('张伟');
    expect(pid.getField(7).toString()).toBe('19700308');
    expect(pid.getField(8).toString()).toBe('M');
    const pv1 = message.getSegment('PV1')!;
    expect(pv1.getField(2).toString()).toBe('O');
    expect(pv1.getComponent(19, 1)).toBe('MZLS20261125-004417');
    expect(pv1.getComponent(19, 5)).toBe('VN');
    const orc = message.getSegment('ORC')!;
    expect([orc.getField(1).toString(), orc.getComponent(2, 1), orc.getComponent(3, 1), orc.getField(5).toString()]).toEqual(['RE', 'SQ2026112500815', 'PF20261125-0037', 'CM']);
    const obr = message.getSegment('OBR')!;
    expect(obr.getComponent(2, 1)).toBe('SQ2026112500815');
    expect(obr.getComponent(3, 1)).toBe('PF20261125-0037');
    expect([obr.getComponent(4, 1), obr.getComponent(4, 2)]).toEqual(['FGN003', '支气管舒张试验']);
    expect(obr.getField(7).toString()).toBe('20261125');
    expect(obr.getField(22).toString()).toBe('20261125152000');
    expect(obr.getField(24).toString()).toBe('PF');
    expect(obr.getField(25).toString()).toBe('F');
    expect(obr.getField(32).toString()).toBe('&刘建国');
    expect(obr.getField(33).toString()).toBe('&陈志强');
    expect(obr.getField(34).toString()).toBe('&王芳');

    const obx = message.getAllSegments('OBX');
    const fev1 = obx.filter((s) => s.getField(4).toString() === '1');
    expect(fev1.map((s) => [s.getComponent(3, 1), s.getComponent(3, 3), s.getComponent(3, 4), s.getComponent(3, 6), s.getField(5).toString()])).toEqual([
      ['20150-9', 'LN', 'FEV1', 'L', '2.36'],
      ['20149-1', 'LN', 'FEV1_PREDICTED', 'L', '3.23'],
      ['FEV1_ZSCORE', 'L', '', '', '-1.75'],
      ['20152-5', 'LN', 'FEV1_PCT_PRED', 'L', '73'],
    ]);
    expect([fev1[0]!.getField(7).toString(), fev1[0]!.getField(8).toString()]).toEqual(['2.41-4.01', 'L']);
    expect(fev1[0]!.getComponent(16, 2)).toBe('王芳');
    // One group (OBX-4) per parameter and stage; post groups say 舒张后 in the text and carry _POST local codes.
    const groups = new Set(obx.filter((s) => s.getField(2).toString() === 'NM').map((s) => s.getField(4).toString()));
    expect(groups.size).toBe(report.results.length);
    const postFev1 = obx.find((s) => s.getComponent(3, 4) === 'FEV1_POST')!;
    expect([postFev1.getComponent(3, 1), postFev1.getComponent(3, 2), postFev1.getField(5).toString(), postFev1.getField(8).toString()]).toEqual(['20150-9', 'FEV1 一秒量 舒张后', '2.74', 'N']);
    // PEF has no reference values: no range, no flag, no derived rows.
    const pef = obx.filter((s) => s.getComponent(3, 4) === 'PEF');
    expect(pef.map((s) => [s.getField(7).toString(), s.getField(8).toString()])).toEqual([['', '']]);
    expect(obx.every((s) => s.getField(11).toString() === 'F')).toBe(true);
    expect(obx.map((s) => s.getField(1).toString())).toEqual(obx.map((_, i) => String(i + 1)));
    const conclusion = obx.find((s) => s.getComponent(3, 1) === 'CONCLUSION')!;
    expect(conclusion.getField(2).toString()).toBe('FT');
    expect(obx.find((s) => s.getComponent(3, 1) === 'SIGNATURE_SERIAL')!.getField(5).toString()).toBe('5A3F09C1D27E4B88');
  });

  it('writes GBK that decodes back, Chinese names included (张 = D5 C5; 億 has the trail byte 0x7C, the field separator)', () => {
    const report = sampleDeliveredReport({ patient: { name: '王億' }, reviewer: '欧阳建国' });
    const oru = buildReportOru(report, options);
    expect(Buffer.from(buildReportOru(sampleDeliveredReport(), options).bytes).includes(Buffer.from([0xd5, 0xc5]))).toBe(true);
    expect(Buffer.from(oru.bytes).includes(Buffer.from('王億', 'utf8'))).toBe(false);
    expect(decodeText(oru.bytes, 'gbk')).toBe(oru.message);
    const r = read(oru.bytes);
    expect(r.patientName).toBe('王億');
    expect(r.interpretation).toBe(report.conclusion.text);
    expect(r.observations.filter((o) => o.param === 'FEV1').map((o) => o.value)).toEqual([2.36, 2.74]);
  });

  it('refuses characters GBK does not have instead of writing ?, and GB18030 takes them', () => {
    const report = sampleDeliveredReport({ patient: { name: '𠮷田' } });
    expect(() => buildReportOru(report, options)).toThrow(/not representable in gbk: '𠮷' \(U\+20BB7\)/);
    const oru = buildReportOru(report, { ...options, encoding: 'gb18030' });
    expect(read(oru.bytes).patientName).toBe('𠮷田');
  });

  it('escapes | ^ ~ \\ & in free text and keeps line breaks as \\.br\\', () => {
    const text = '结论 A|B^C~D\\E&F\n第二行 <ok>\r\n第三行';
    const report = sampleDeliveredReport({
      conclusion: { text },
      order: { requestNo: 'SQ|7^8', itemName: '肺通气&弥散' },
      reviewer: '刘^建|国',
    });
    const oru = buildReportOru(report, { ...options, encoding: 'utf-8' });
    const conclusion = segments(oru.message, 'OBX').find((f) => f[3]?.startsWith('CONCLUSION^'))!;
    expect(conclusion).toHaveLength(15); // OBX + OBX-1…OBX-14: the delimiters inside did not add fields
    expect(conclusion[5]).toBe('结论 A\\F\\B\\S\\C\\R\\D\\E\\E\\T\\F\\.br\\第二行 <ok>\\.br\\第三行');
    const r = read(oru.message);
    expect(r.interpretation).toBe('结论 A|B^C~D\\E&F\n第二行 <ok>\n第三行');
    expect(unescapeHl7(r.placerOrderNo ?? '')).toBe('SQ|7^8');
    const obr = segments(oru.message, 'OBR')[0]!;
    expect(obr[4]).toBe('FGN003^肺通气\\T\\弥散^L');
    expect(obr[32]).toBe('&刘\\S\\建\\F\\国');
    expect(obr[25]).toBe('F');
  });

  it('embeds the PDF as ED that decodes back to the exact bytes', () => {
    const pdf = samplePdfBytes('Report (v1) \\ 100%');
    const report = sampleDeliveredReport({ pdf: { bytes: pdf } });
    expect(report.pdf.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    for (const [edStyle, prefix] of [['hl7', '^AP^PDF^Base64^'], ['mime', '^application^pdf^Base64^']] as const) {
      const oru = buildReportOru(report, { ...options, edStyle });
      const ed = read(oru.bytes).observations.find((o) => o.valueType === 'ED')!;
      expect(ed.rawValue.startsWith(prefix)).toBe(true);
      const data = ed.rawValue.split('^')[4]!;
      expect(data).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(new Uint8Array(Buffer.from(data, 'base64'))).toEqual(pdf);
    }
  });

  it('sends JPEG pages instead of the PDF, or no document', () => {
    const report = sampleDeliveredReport({ jpgPages: [new Uint8Array([0xff, 0xd8, 1, 0xff, 0xd9]), new Uint8Array([0xff, 0xd8, 2, 0xff, 0xd9])] });
    const jpg = segments(buildReportOru(report, { ...options, document: 'jpg' }).message, 'OBX').filter((f) => f[2] === 'ED');
    expect(jpg.map((f) => [f[4], f[5]?.split('^').slice(0, 4).join('^'), [...Buffer.from(f[5]?.split('^')[4] ?? '', 'base64')]])).toEqual([
      ['1', '^IM^JPEG^Base64', [0xff, 0xd8, 1, 0xff, 0xd9]],
      ['2', '^IM^JPEG^Base64', [0xff, 0xd8, 2, 0xff, 0xd9]],
    ]);
    expect(segments(buildReportOru(report, { ...options, document: 'none' }).message, 'OBX').filter((f) => f[2] === 'ED')).toEqual([]);
  });

  it('marks a replacement as corrected: OBR-25 C, every OBX-11 C, the reason in NTE, same order numbers, new control id', () => {
    const first = buildReportOru(sampleDeliveredReport(), options);
    const report = sampleDeliveredReport({ version: 2, action: 'replace' });
    const oru = buildReportOru(report, options);
    const message = parse(oru.message);
    expect(message.getSegment('OBR')!.getField(25).toString()).toBe('C');
    const obx = message.getAllSegments('OBX');
    expect(obx.length).toBeGreaterThan(10);
    expect(obx.every((s) => s.getField(11).toString() === 'C')).toBe(true);
    expect(message.getSegment('NTE')!.getField(3).toString()).toContain('更正原因：舒张后 FVC 录入有误');
    const r = read(oru.bytes);
    expect([r.placerOrderNo, r.fillerOrderNo]).toEqual(['SQ2026112500815', 'PF20261125-0037']);
    expect(r.interpretation).toBe(report.conclusion.text);
    expect(oru.controlId).not.toBe(first.controlId);
  });

  it('withdraws a version: OBR-25 X, every OBX-11 W, the reason in NTE, no ED OBX, same order numbers, its own control id', () => {
    const published = buildReportOru(sampleDeliveredReport(), options);
    const report = sampleDeliveredReport({ action: 'revoke' });
    for (const document of ['pdf', 'jpg', 'none'] as const) {
      const oru = buildReportOru(report, { ...options, document });
      const message = parse(oru.message);
      expect(message.getSegment('MSH')!.getField(9).toString()).toBe('ORU^R01^ORU_R01');
      expect(message.getSegment('OBR')!.getField(25).toString()).toBe('X');
      // A withdrawn report says nothing about the order's state: ORC-5 is left empty (CM on a publication).
      expect(message.getSegment('ORC')!.getField(1).toString()).toBe('RE');
      expect(message.getSegment('ORC')!.getField(5).toString()).toBe('');
      const obx = message.getAllSegments('OBX');
      expect(obx.length).toBeGreaterThan(10);
      expect(obx.every((s) => s.getField(11).toString() === 'W')).toBe(true);
      expect(obx.filter((s) => s.getField(2).toString() === 'ED')).toEqual([]);
      expect(message.getAllSegments('NTE').map((s) => s.getField(3).toString())).toEqual([`撤回原因：${report.revocationReason}`]);
      expect(Buffer.from(oru.bytes).includes(Buffer.from(toBase64(report.pdf.bytes).slice(0, 40)))).toBe(false);
      // The MSH-10 is derived from `${idempotencyKey}:revoke`: the same at every retry, not the publication's.
      expect(oru.controlId).toBe(reportControlId(`${report.idempotencyKey}:revoke`));
      expect(oru.controlId).not.toBe(published.controlId);
      expect(oru.controlId).toMatch(/^PF[0-9A-F]{18}$/);
    }
    // Read back: the same order numbers, patient and values as the publication, so the HIS can find what to take back.
    const r = read(buildReportOru(report, options).bytes);
    const p = read(published.bytes);
    expect([r.placerOrderNo, r.fillerOrderNo, r.patientId, r.patientName]).toEqual(['SQ2026112500815', 'PF20261125-0037', 'P000123456', '张伟']);
    expect(r.observations.filter((o) => o.valueType === 'NM').map((o) => [o.code, o.rawValue])).toEqual(p.observations.filter((o) => o.valueType === 'NM').map((o) => [o.code, o.rawValue]));
    expect(r.interpretation).toBe(report.conclusion.text);
    expect(r.observations.some((o) => o.valueType === 'ED')).toBe(false);
  });

  it('writes OBX-11 D or X on a revoke where the hospital asks for it, escapes the reason, and says 未说明 without one', () => {
    const report = sampleDeliveredReport({ action: 'revoke', revocationReason: '登记错误|患者^张伟\n第二行' });
    const d = parse(buildReportOru(report, { ...options, encoding: 'utf-8', revokedObservationStatus: 'D' }).message);
    expect(d.getAllSegments('OBX').every((s) => s.getField(11).toString() === 'D')).toBe(true);
    expect(d.getSegment('OBR')!.getField(25).toString()).toBe('X');
    const x = buildReportOru(report, { ...options, encoding: 'utf-8', revokedObservationStatus: 'X' });
    expect(segments(x.message, 'OBX').every((f) => f[11] === 'X')).toBe(true);
    const nte = segments(x.message, 'NTE')[0]!;
    expect(nte).toHaveLength(4);
    expect(unescapeHl7(nte[3]!)).toBe('撤回原因：登记错误|患者^张伟\n第二行');
    expect(segments(buildReportOru(sampleDeliveredReport({ action: 'revoke', revocationReason: null }), options).message, 'NTE')[0]![3]).toBe('撤回原因：未说明');
    // The option does not touch a publication.
    expect(segments(buildReportOru(sampleDeliveredReport(), { ...options, revokedObservationStatus: 'D' }).message, 'OBX').every((f) => f[11] === 'F')).toBe(true);
  });

  it('derives MSH-10 from the idempotency key: the same at every retry, at most 20 characters, or as given', () => {
    const report = sampleDeliveredReport();
    const a = buildReportOru(report, options);
    const b = buildReportOru(report, { ...options, now: new Date('2026-11-26T01:00:00Z') });
    expect(a.controlId).toBe(b.controlId);
    expect(a.controlId).toMatch(/^PF[0-9A-F]{18}$/);
    expect(buildReportOru(report, { ...options, controlId: 'MSG0001' }).controlId).toBe('MSG0001');
    expect(read(buildReportOru(report, { ...options, controlId: 'MSG0001' }).message).messageControlId).toBe('MSG0001');
  });

  it('writes inpatients, emergency and 体检 visits, and leaves out results without a value', () => {
    const report = sampleDeliveredReport({
      patient: { hisPatientId: null, outpatientNo: null, inpatientNo: 'ZY0098123', sex: 'female' },
      order: { visitType: 'inpatient', visitSerialNo: null, requestNo: null },
      results: [
        { param: 'FEV1', label: 'FEV1', unit: 'L', stage: 'pre', value: 1.5, predicted: null, lln: 1.9, uln: null, zScore: null, pctPredicted: null },
        { param: 'TLC', label: 'TLC 肺总量', unit: 'L', stage: 'pre', value: null, predicted: 5.2, lln: 4.1, uln: 6.3, zScore: null, pctPredicted: null },
      ],
    });
    const message = parse(buildReportOru(report, options).message);
    expect(message.getSegment('PID')!.getField(3).toString()).toBe('ZY0098123^^^HIS^ZYH');
    expect(message.getSegment('PID')!.getField(8).toString()).toBe('F');
    expect(message.getSegment('PV1')!.getField(2).toString()).toBe('I');
    expect(message.getSegment('PV1')!.getComponent(19, 1)).toBe('');
    expect(message.getSegment('ORC')!.getField(2).toString()).toBe('');
    const nm = message.getAllSegments('OBX').filter((s) => s.getField(2).toString() === 'NM');
    expect(nm.map((s) => [s.getComponent(3, 1), s.getField(7).toString(), s.getField(8).toString()])).toEqual([['20150-9', '>1.9', 'L']]);
    // No post values: the text does not call them 舒张前.
    expect(nm[0]!.getComponent(3, 2)).toBe('FEV1');
    const physical = sampleDeliveredReport({ order: { visitType: 'physical' } });
    expect(parse(buildReportOru(physical, options).message).getSegment('PV1')!.getField(2).toString()).toBe('O');
    expect(parse(buildReportOru(physical, { ...options, physicalExamPatientClass: 'P' }).message).getSegment('PV1')!.getField(2).toString()).toBe('P');
    const emergency = sampleDeliveredReport({ order: { visitType: 'emergency' } });
    expect(parse(buildReportOru(emergency, options).message).getSegment('PV1')!.getField(2).toString()).toBe('E');
  });

  it('takes extra LOINC codes per hospital (e.g. TLC by plethysmography)', () => {
    const report = sampleDeliveredReport({
      results: [{ param: 'TLC', label: 'TLC 肺总量', unit: 'L', stage: 'pre', value: 5.8, predicted: 6.1, lln: 5.0, uln: 7.2, zScore: -0.4, pctPredicted: 95 }],
    });
    const without = segments(buildReportOru(report, options).message, 'OBX')[0]!;
    expect(without[3]).toBe('TLC^TLC 肺总量^L');
    const withCode = segments(buildReportOru(report, { ...options, loinc: { TLC: { measured: '19862-2' } } }).message, 'OBX')[0]!;
    expect(withCode[3]).toBe('19862-2^TLC 肺总量^LN^TLC^TLC 肺总量^L');
  });
});
