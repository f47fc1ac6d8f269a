import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sm4Sealer, sm3Hex } from './crypto.js';

describe('Chinese commercial cryptography', () => {
  it('SM3 matches the GB/T 32905-2016 example', () => {
    expect(sm3Hex('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(sm3Hex('abcd'.repeat(16))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('SM4 matches the GB/T 32907-2016 example', () => {
    const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    const cipher = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    const out = Buffer.concat([cipher.update(key), cipher.final()]).toString('hex');
    expect(out).toBe('681edf34d206965e86b3e94f536e4246');
  });

  it('seals and opens, and refuses an altered or foreign value', () => {
    const sealer = new Sm4Sealer('ab'.repeat(32));
    const sealed = sealer.seal('110101199003074514 张三');
    expect(sealed).not.toContain('张三');
    expect(sealer.open(sealed)).toBe('110101199003074514 张三');
    expect(sealer.seal('x')).not.toBe(sealer.seal('x'));
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[20] = raw[20]! ^ 1;
    expect(() => sealer.open(`v1.${raw.toString('base64url')}`)).toThrow(/altered/);
    expect(() => new Sm4Sealer('cd'.repeat(32)).open(sealed)).toThrow(/altered/);
  });
});
