import { Hl7Message } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { sampleEntry } from '../worklist/worklist-entry.fixture.ts';
import { decodeText } from '../worklist/text-encoding.ts';
import { escapeHl7, unescapeHl7 } from './escape.ts';
import { type OrmOptions, buildOrmCancel, buildOrmNewOrder, encodeHl7Message } from './orm.ts';

const options: OrmOptions = {
  sendingApplication: 'PFTIS',
  sendingFacility: 'HOSP',
  receivingApplication: 'SPIRO',
  receivingFacility: 'PFTLAB',
  controlId: 'PFTIS000001',
  messageTime: new Date('2025-03-14T01:31:02Z'),
};

/** Our messages end every segment with CR, the last one too; @medplum/core reads that as an empty segment. */
function parse(message: string): Hl7Message {
  return Hl7Message.parse(message.replace(/\r$/, ''));
}

function built(result: ReturnType<typeof buildOrmNewOrder>): string {
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

describe('buildOrmNewOrder', () => {
  it('writes the whole message for an outpatient spirometry order', () => {
    expect(built(buildOrmNewOrder(sampleEntry(), options)).split('\r')).toEqual([
      'MSH|^~\\&|PFTIS|HOSP|SPIRO|PFTLAB|20250314093102||ORM^O01|PFTIS000001|P|2.4|||||CHN|GB 18030-2000',
      'PID|1||P000123456^^^HIS^PI||张三丰||19580709|M',
      'PV1|1|O|||||||||||||||||MZ20250314-0042',
      'ORC|NW|SQ2025031400123^HIS|PF202503140007^PFTIS||||^^^20250314093000^^R||20250314093102|||D1024^李医生|||||0301^呼吸内科门诊',
      'OBR|1|SQ2025031400123^HIS|PF202503140007^PFTIS|FGN001^肺通气功能^L||20250314093000|||||||慢性阻塞性肺疾病?|||D1024^李医生||||||||PF|||^^^20250314093000^^R',
      '',
    ]);
  });

  it('puts each field where HL7 2.4 expects it (read back with @medplum/core)', () => {
    const entry = sampleEntry({
      visitType: 'inpatient',
      visitSerialNo: 'ZY2025-000981',
      ward: '呼吸二病区',
      bed: '12',
      sex: 'female',
      items: [
        { code: 'FGN001', name: '肺通气功能', test: 'spirometry' },
        { code: 'MS002', name: '弥散功能', test: 'dlco' },
      ],
    });
    const message = parse(built(buildOrmNewOrder(entry, { ...options, charset: 'utf-8' })));
    const msh = message.getSegment('MSH')!;
    expect(msh.getField(9).toString()).toBe('ORM^O01');
    expect(msh.getField(10).toString()).toBe('PFTIS000001');
    expect(msh.getField(12).toString()).toBe('2.4');
    expect(msh.getField(18).toString()).toBe('UNICODE UTF-8');
    const pid = message.getSegment('PID')!;
    expect(pid.getComponent(3, 1)).toBe('P000123456');
    expect(pid.getComponent(3, 4)).toBe('HIS');
    expect(pid.getComponent(5, 1)).toBe('张三丰');
    expect(pid.getField(7).toString()).toBe('19580709');
    expect(pid.getField(8).toString()).toBe('F');
    const pv1 = message.getSegment('PV1')!;
    expect(pv1.getField(2).toString()).toBe('I');
    expect([pv1.getComponent(3, 1), pv1.getComponent(3, 3)]).toEqual(['呼吸二病区', '12']);
    expect(pv1.getField(19).toString()).toBe('ZY2025-000981');
    const orcs = message.getAllSegments('ORC');
    const obrs = message.getAllSegments('OBR');
    expect(message.segments.map((s) => s.name)).toEqual(['MSH', 'PID', 'PV1', 'ORC', 'OBR', 'ORC', 'OBR']);
    expect(orcs.map((orc) => orc.getField(1).toString())).toEqual(['NW', 'NW']);
    expect(orcs.map((orc) => orc.getComponent(2, 1))).toEqual(['SQ2025031400123', 'SQ2025031400123']);
    expect(orcs.map((orc) => orc.getComponent(3, 1))).toEqual(['PF202503140007', 'PF202503140007']);
    expect(orcs[0]!.getComponent(12, 2)).toBe('李医生');
    expect(obrs.map((obr) => obr.getField(1).toString())).toEqual(['1', '2']);
    expect(obrs.map((obr) => obr.getField(4).toString())).toEqual(['FGN001^肺通气功能^L', 'MS002^弥散功能^L']);
    expect(obrs[1]!.getComponent(2, 1)).toBe('SQ2025031400123');
    expect(obrs[1]!.getComponent(3, 1)).toBe('PF202503140007');
    expect(obrs[1]!.getField(6).toString()).toBe('20250314093000');
    expect(obrs[1]!.getField(13).toString()).toBe('慢性阻塞性肺疾病?');
    expect(obrs[1]!.getComponent(16, 2)).toBe('李医生');
    expect(obrs[1]!.getField(24).toString()).toBe('PF');
  });

  it('maps visit types to PV1-2 and lets 体检 be configured', () => {
    const pv1Class = (visitType: 'emergency' | 'physical', physicalExamPatientClass?: string) =>
      parse(built(buildOrmNewOrder(sampleEntry({ visitType }), { ...options, physicalExamPatientClass })))
        .getSegment('PV1')!
        .getField(2)
        .toString();
    expect(pv1Class('emergency')).toBe('E');
    expect(pv1Class('physical')).toBe('O');
    expect(pv1Class('physical', 'TJ')).toBe('TJ');
  });

  it('escapes the delimiters in data and flattens line breaks', () => {
    const tricky = 'A|B^C~D\\E&F';
    expect(escapeHl7(tricky)).toBe('A\\F\\B\\S\\C\\R\\D\\E\\E\\T\\F');
    expect(unescapeHl7(escapeHl7(tricky))).toBe(tricky);
    const message = built(
      buildOrmNewOrder(sampleEntry({ patientId: 'P|1', clinicalDiagnosis: '咳嗽^气喘\r\n待查 & 复诊' }), options),
    );
    const parsed = parse(message);
    expect(parsed.getSegment('PID')!.getComponent(3, 1)).toBe('P\\F\\1');
    expect(parsed.getSegment('OBR')!.getField(13).toString()).toBe('咳嗽\\S\\气喘 待查 \\T\\ 复诊');
    expect(unescapeHl7(parsed.getSegment('OBR')!.getField(13).toString())).toBe('咳嗽^气喘 待查 & 复诊');
    expect(message.split('\r').filter(Boolean)).toHaveLength(5);
  });

  it('rejects an invalid entry or a missing control ID', () => {
    expect(buildOrmNewOrder(sampleEntry({ items: [] }), options)).toEqual({
      ok: false,
      reason: 'invalid worklist entry: items is empty',
    });
    expect(buildOrmNewOrder(sampleEntry(), { ...options, controlId: '' }).ok).toBe(false);
  });
});

describe('buildOrmCancel', () => {
  it('sends ORC-1 CA with the same order numbers and the reason in NTE', () => {
    const message = parse(built(buildOrmCancel(sampleEntry(), { ...options, reason: '患者未到检' })));
    expect(message.segments.map((s) => s.name)).toEqual(['MSH', 'PID', 'PV1', 'ORC', 'OBR', 'NTE']);
    const orc = message.getSegment('ORC')!;
    expect(orc.getField(1).toString()).toBe('CA');
    expect(orc.getComponent(2, 1)).toBe('SQ2025031400123');
    expect(orc.getComponent(3, 1)).toBe('PF202503140007');
    expect(message.getSegment('NTE')!.toString()).toBe('NTE|1|P|患者未到检');
  });
});

describe('encodeHl7Message', () => {
  it('puts the Chinese name on the wire as GBK bytes', () => {
    const message = built(buildOrmNewOrder(sampleEntry(), options));
    const bytes = encodeHl7Message(message, 'gbk');
    if (!bytes.ok) throw new Error(bytes.reason);
    const wire = Buffer.from(bytes.value);
    expect(wire.includes(Buffer.from('|d5c5c8fdb7e1|'.replace(/\|/g, '7c'), 'hex'))).toBe(true);
    expect(wire.includes(Buffer.from('张三丰', 'utf8'))).toBe(false);
    expect(decodeText(bytes.value, 'gbk')).toBe(message);
  });

  it('refuses characters outside GBK and carries them in GB18030', () => {
    const message = built(buildOrmNewOrder(sampleEntry({ name: '𠮷田' }), { ...options, charset: 'gb18030' }));
    const gbk = encodeHl7Message(message, 'gbk');
    expect(!gbk.ok && gbk.reason).toBe("HL7 message not representable in gbk: '𠮷' (U+20BB7)");
    const gb18030 = encodeHl7Message(message, 'gb18030');
    expect(gb18030.ok && decodeText(gb18030.value, 'gb18030')).toBe(message);
  });
});
