import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** SM3 (GB/T 32905) digest as lowercase hex. */
export function sm3Hex(data: string | Uint8Array): string {
  return createHash('sm3').update(data).digest('hex');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Authenticated encryption with the Chinese commercial ciphers: SM4-CBC, then HMAC-SM3 over IV and
 * ciphertext (encrypt-then-MAC; Node offers no SM4-GCM). Two sub-keys are derived from the master key.
 */
export class Sm4Sealer {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(masterKeyHex: string) {
    const master = Buffer.from(masterKeyHex, 'hex');
    if (master.length !== 32) throw new Error('master key must be 32 bytes');
    this.encKey = createHmac('sm3', master).update('pftis:sm4-enc').digest().subarray(0, 16);
    this.macKey = createHmac('sm3', master).update('pftis:hmac-sm3').digest();
  }

  seal(plaintext: string): string {
    const iv = randomBytes(16);
    const cipher = createCipheriv('sm4-cbc', this.encKey, iv);
    const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]);
    const mac = createHmac('sm3', this.macKey).update(body).digest();
    return `v1.${Buffer.concat([body, mac]).toString('base64url')}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith('v1.')) throw new Error('unknown sealed format');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    const body = raw.subarray(0, raw.length - 32);
    const mac = raw.subarray(raw.length - 32);
    const expected = createHmac('sm3', this.macKey).update(body).digest();
    if (mac.length !== 32 || !timingSafeEqual(mac, expected)) throw new Error('sealed value was altered');
    const decipher = createDecipheriv('sm4-cbc', this.encKey, body.subarray(0, 16));
    return Buffer.concat([decipher.update(body.subarray(16)), decipher.final()]).toString('utf8');
  }
}
