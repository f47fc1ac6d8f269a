import { createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Sm4Sealer } from '../../../platform/crypto.js';
import type { Credential } from './ca.js';
import { SigningError } from './errors.js';

const pbkdf2Async = promisify(pbkdf2);

const PREFIX = 'sk1';
const DEFAULT_ITERATIONS = 100_000; // about 55 ms of PBKDF2-HMAC-SM3 on the benchmark machine (bench/signing.bench.ts)
const MAX_ITERATIONS = 10_000_000;

export interface SealOptions {
  iterations?: number;
  /**
   * A server-held secret (64 hex, e.g. the platform master key) mixed into the key derivation. A short numeric
   * PIN alone falls to an offline search within hours once the database leaks; with a pepper the database alone
   * is not enough.
   */
  pepperHex?: string;
}

async function deriveSealer(pin: string, salt: Buffer, iterations: number, pepperHex: string | undefined): Promise<Sm4Sealer> {
  let master: Buffer = await pbkdf2Async(Buffer.from(pin.normalize('NFC'), 'utf8'), salt, iterations, 32, 'sm3');
  if (pepperHex !== undefined) master = createHmac('sm3', Buffer.from(pepperHex, 'hex')).update(master).digest();
  return new Sm4Sealer(master.toString('hex'));
}

/**
 * Encrypts a private key under the signer's PIN: PBKDF2-HMAC-SM3 (random 16-byte salt) → SM4-CBC + HMAC-SM3
 * (encrypt-then-MAC, platform Sm4Sealer). Format: `sk1.pbkdf2-sm3.<iterations>.<0|1 pepper>.<salt>.<sealed>`.
 */
export async function sealPrivateKey(privateKeyPem: string, pin: string, options: SealOptions = {}): Promise<string> {
  if (pin.length === 0) throw new RangeError('PIN must not be empty');
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 10_000 || iterations > MAX_ITERATIONS) throw new RangeError('iterations out of range');
  if (options.pepperHex !== undefined && !/^[0-9a-f]{64}$/i.test(options.pepperHex)) throw new RangeError('pepperHex must be 64 hex characters');
  const salt = randomBytes(16);
  const sealer = await deriveSealer(pin, salt, iterations, options.pepperHex);
  const pepper = options.pepperHex === undefined ? '0' : '1';
  return `${PREFIX}.pbkdf2-sm3.${iterations}.${pepper}.${salt.toString('base64url')}.${sealer.seal(privateKeyPem)}`;
}

/** Decrypts a key sealed by sealPrivateKey. A wrong PIN (or an altered value) throws SigningError 'signing.wrong-pin'. */
export async function openSealedPrivateKey(sealed: string, pin: string, options: Pick<SealOptions, 'pepperHex'> = {}): Promise<string> {
  const parts = sealed.split('.');
  const [prefix, kdf, iterText, pepper, saltText] = parts;
  const body = parts.slice(5).join('.');
  const iterations = Number(iterText);
  if (prefix !== PREFIX || kdf !== 'pbkdf2-sm3' || !Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS || !saltText || !body) {
    throw new SigningError('signing.malformed-key', 'not a sealed private key');
  }
  if (pepper === '1' && options.pepperHex === undefined) throw new SigningError('signing.malformed-key', 'this key was sealed with a server pepper; pass pepperHex');
  const sealer = await deriveSealer(pin, Buffer.from(saltText, 'base64url'), iterations, pepper === '1' ? options.pepperHex : undefined);
  try {
    return sealer.open(body);
  } catch {
    throw new SigningError('signing.wrong-pin', 'wrong PIN, or the sealed key was altered');
  }
}

/** A credential as stored: certificate and chain in clear, the private key sealed under the signer's PIN. */
export interface SealedCredential extends Omit<Credential, 'privateKeyPem'> {
  sealedPrivateKey: string;
}

export async function sealCredential(credential: Credential, pin: string, options: SealOptions = {}): Promise<SealedCredential> {
  const { privateKeyPem, ...rest } = credential;
  return { ...rest, sealedPrivateKey: await sealPrivateKey(privateKeyPem, pin, options) };
}

/** The credential with its key opened, ready for signPdf; a wrong PIN throws SigningError 'signing.wrong-pin'. */
export async function openSealedCredential(sealed: SealedCredential, pin: string, options: Pick<SealOptions, 'pepperHex'> = {}): Promise<Credential> {
  const { sealedPrivateKey, ...rest } = sealed;
  return { ...rest, privateKeyPem: await openSealedPrivateKey(sealedPrivateKey, pin, options) };
}
