import { describe, expect, it } from 'vitest';
import { SigningError } from './errors.js';
import { generatePrivateKey } from './keys.js';
import { openSealedPrivateKey, sealPrivateKey } from './key-seal.js';

const FAST = { iterations: 10_000 };

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(SigningError);
    return (error as SigningError).code;
  }
}

describe('PIN-sealed private keys', () => {
  it('opens with the right PIN only', async () => {
    const key = await generatePrivateKey('sm2');
    const sealed = await sealPrivateKey(key, '246810', FAST);
    expect(sealed).toMatch(/^sk1\.pbkdf2-sm3\.10000\.0\.[\w-]{22}\.v1\.[\w-]+$/);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(await openSealedPrivateKey(sealed, '246810')).toBe(key);
    expect(await codeOf(openSealedPrivateKey(sealed, '246811'))).toBe('signing.wrong-pin');
    expect(await codeOf(openSealedPrivateKey(sealed, ''))).toBe('signing.wrong-pin');
  });

  it('uses a fresh salt each time and detects an altered value', async () => {
    const key = await generatePrivateKey('rsa');
    const a = await sealPrivateKey(key, '张三的签名密码', FAST);
    const b = await sealPrivateKey(key, '张三的签名密码', FAST);
    expect(a).not.toBe(b);
    expect(await openSealedPrivateKey(b, '张三的签名密码')).toBe(key);
    const flipped = a.slice(0, -5) + (a.at(-5) === 'A' ? 'B' : 'A') + a.slice(-4);
    expect(await codeOf(openSealedPrivateKey(flipped, '张三的签名密码'))).toBe('signing.wrong-pin');
    // A lowered iteration count is part of the key derivation, so it cannot be used to speed up a search.
    expect(await codeOf(openSealedPrivateKey(a.replace('.10000.', '.1000.'), '张三的签名密码'))).toBe('signing.wrong-pin');
    expect(await codeOf(openSealedPrivateKey('v1.abc', 'x'))).toBe('signing.malformed-key');
  });

  it('needs the server pepper when sealed with one', async () => {
    const key = await generatePrivateKey('sm2');
    const pepperHex = 'ab'.repeat(32);
    const sealed = await sealPrivateKey(key, '135790', { ...FAST, pepperHex });
    expect(await openSealedPrivateKey(sealed, '135790', { pepperHex })).toBe(key);
    expect(await codeOf(openSealedPrivateKey(sealed, '135790'))).toBe('signing.malformed-key');
    expect(await codeOf(openSealedPrivateKey(sealed, '135790', { pepperHex: 'cd'.repeat(32) }))).toBe('signing.wrong-pin');
  });
});
