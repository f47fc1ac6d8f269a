import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseHl7Ack } from './ack.ts';
import { frameMllp } from './mllp.ts';

const SAMPLE = path.resolve(import.meta.dirname, '../../../../../shared/samples/hl7v2/pl_mes_lungtest_ack.hl7');
const MSH = 'MSH|^~\\&|SPIRO|PFTLAB|PFTIS|HOSP|20250314093103||ACK^O01|ACK0001|P|2.4';

describe('parseHl7Ack', () => {
  it('reads the sample enhanced-mode ACK', () => {
    if (!existsSync(SAMPLE)) {
      console.warn(`skipped: sample not found at ${SAMPLE}`);
      return;
    }
    expect(parseHl7Ack(readFileSync(SAMPLE))).toEqual({
      ok: true,
      value: {
        code: 'CA',
        outcome: 'accepted',
        acknowledgedControlId: 'CN20220315091200',
        text: '',
        controlId: 'LT_ACK_20220315091201',
        errors: [],
      },
    });
  });

  it('reads an AA in MLLP framing with LF separators', () => {
    const bytes = frameMllp(Buffer.from(`${MSH}\nMSA|AA|PFTIS000001|已接收\n`, 'utf8'));
    const ack = parseHl7Ack(bytes);
    expect(ack.ok && [ack.value.code, ack.value.outcome, ack.value.acknowledgedControlId, ack.value.text]).toEqual([
      'AA',
      'accepted',
      'PFTIS000001',
      '已接收',
    ]);
  });

  it('decodes GBK text and unescapes MSA-3', () => {
    const bytes = iconv.encode(`${MSH}\rMSA|AE|PFTIS000001|患者ID\\F\\不存在\r`, 'gbk');
    const ack = parseHl7Ack(bytes, 'gbk');
    expect(ack.ok && ack.value.text).toBe('患者ID|不存在');
    expect(ack.ok && ack.value.outcome).toBe('error');
  });

  it('reads v2.3 and v2.5 ERR segments and an MSA-6 error condition', () => {
    const ack = parseHl7Ack(
      [
        MSH,
        'MSA|AR|PFTIS000001|Rejected|||207^Application internal error',
        'ERR|PID^1^3^204&Unknown key identifier&HL70357',
        'ERR||OBR^1^4|103^Table value not found^HL70357|E||||项目编码未对照',
      ].join('\r'),
    );
    expect(ack.ok && ack.value.outcome).toBe('rejected');
    expect(ack.ok && ack.value.errors).toEqual([
      { location: '', code: '207', text: 'Application internal error', severity: '' },
      { location: 'PID^1^3', code: '204', text: 'Unknown key identifier', severity: '' },
      { location: 'OBR^1^4', code: '103', text: '项目编码未对照', severity: 'E' },
    ]);
  });

  it('returns a reason, never throws, for malformed ACKs', () => {
    const cases: Array<[string | Uint8Array, string]> = [
      ['', 'ACK does not start with MSH'],
      ['HTTP/1.1 400 Bad Request\r\n', 'ACK does not start with MSH'],
      [MSH, 'ACK has no MSA segment'],
      [`${MSH}\rMSA|OK|PFTIS000001`, "MSA-1 'OK' is not an acknowledgement code"],
      [`${MSH}\rMSA|AA`, 'MSA-2 is empty: the ACK cannot be matched to a message'],
      ['MSH', 'ACK does not start with MSH'],
      ['MSHAAAAAAAAA', 'ACK has no valid MSH delimiters'],
      [new Uint8Array([0x0b, 0xff, 0xfe, 0x00, 0x1c, 0x0d]), 'ACK does not start with MSH'],
    ];
    for (const [input, reason] of cases) expect(parseHl7Ack(input)).toEqual({ ok: false, reason });
    for (let seed = 0; seed < 100; seed++) {
      const noise = `MSH|^~\\&|${'|^~\\&\r\nMSA'.repeat(seed % 7)}${String.fromCharCode(...Array.from({ length: 30 }, (_, i) => 32 + ((seed * 31 + i * 17) % 95)))}`;
      expect(() => parseHl7Ack(noise)).not.toThrow();
    }
  });

  it('accepts a lower-case code', () => {
    const ack = parseHl7Ack(`${MSH}\rMSA|aa|X1`);
    expect(ack.ok && ack.value.code).toBe('AA');
  });
});
