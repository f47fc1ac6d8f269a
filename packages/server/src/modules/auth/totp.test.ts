import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, otpauthUri, totp, verifyTotp } from './totp.js';

describe('TOTP (RFC 6238)', () => {
  const key = Buffer.from('12345678901234567890');

  // RFC 6238 Appendix B, SHA-1 column.
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('at %i s gives %s', (seconds, expected) => {
    expect(hotp(key, Math.floor(seconds / 30), 8)).toBe(expected);
  });

  it('RFC 4226 HOTP values', () => {
    expect([0, 1, 2, 9].map((c) => hotp(key, c))).toEqual(['755224', '287082', '359152', '520489']);
  });

  it('base32 round trip (RFC 4648 vector)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI======').toString()).toBe('foobar');
  });

  it('accepts one step of clock drift and nothing beyond', () => {
    const secret = base32Encode(key);
    const t = 1_700_000_000_000;
    expect(verifyTotp(secret, totp(secret, t), t)).toBe(true);
    expect(verifyTotp(secret, totp(secret, t - 30_000), t)).toBe(true);
    expect(verifyTotp(secret, totp(secret, t - 90_000), t)).toBe(false);
    expect(verifyTotp(secret, 'abcdef', t)).toBe(false);
  });

  it('builds an otpauth URI with a Chinese issuer', () => {
    expect(otpauthUri('ABC', 'li', '示范医院')).toBe(
      `otpauth://totp/${encodeURIComponent('示范医院:li')}?secret=ABC&issuer=${encodeURIComponent('示范医院')}&algorithm=SHA1&digits=6&period=30`,
    );
  });
});
