import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { sm2 } from 'sm-crypto-v2';
import { algorithmIdentifier, bitString, DerError, integer, octets, oid, readDerExact, seq, Tag, toHex, tlv, type DerNode } from './der.js';
import { SigningError } from './errors.js';
import { OID } from './oids.js';

/** 'rsa': RSA-2048 with SHA-256. 'sm2': GM/T 0003 SM2 with SM3 (GB/T 35276). */
export type SignatureAlgorithm = 'rsa' | 'sm2';

export type PrivateKey =
  | { algorithm: 'rsa'; key: KeyObject }
  /** Hex as sm-crypto-v2 takes them: 32-byte scalar, uncompressed point 04‖X‖Y. */
  | { algorithm: 'sm2'; privateKeyHex: string; publicKeyHex: string };

export function pemToDer(pem: string, label: string): Uint8Array {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!match?.[1]) throw new DerError(`no ${label} PEM block`);
  return new Uint8Array(Buffer.from(match[1].replace(/\s+/g, ''), 'base64'));
}

export function derToPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

const generateRsa = promisify(generateKeyPair);

/** A new key pair; the private key as PKCS#8 PEM (the form OpenSSL 3 writes for both algorithms). */
export async function generatePrivateKey(algorithm: SignatureAlgorithm): Promise<string> {
  if (algorithm === 'rsa') {
    const { privateKey } = await generateRsa('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  }
  const pair = sm2.generateKeyPairHex();
  return derToPem(encodeSm2Pkcs8(pair.privateKey, pair.publicKey), 'PRIVATE KEY');
}

/** PKCS#8 for an SM2 key as OpenSSL 3 writes it: id-ecPublicKey with the SM2 curve, RFC 5915 ECPrivateKey inside. */
export function encodeSm2Pkcs8(privateKeyHex: string, publicKeyHex: string): Uint8Array {
  const ecPrivateKey = seq(
    integer(1),
    octets(Buffer.from(privateKeyHex.padStart(64, '0'), 'hex')),
    tlv(0xa1, bitString(Buffer.from(publicKeyHex, 'hex'))),
  );
  return seq(integer(0), algorithmIdentifier(OID.ecPublicKey, oid(OID.sm2)), octets(ecPrivateKey));
}

function isSm2Algorithm(algId: DerNode): boolean {
  const algOid = algId.child(0).oid();
  if (algOid === OID.sm2) return true;
  const params = algId.children()[1];
  return algOid === OID.ecPublicKey && params?.tag === Tag.OID && params.oid() === OID.sm2;
}

/** The DER of a PKCS#8 PEM private key. */
export function privateKeyDer(pem: string): Uint8Array {
  try {
    return pemToDer(pem, 'PRIVATE KEY');
  } catch (error) {
    throw new SigningError('signing.malformed-key', (error as Error).message);
  }
}

/** Reads a PKCS#8 private key (PEM or DER) of either algorithm. */
export function parsePrivateKey(input: string | Uint8Array): PrivateKey {
  try {
    const der = typeof input === 'string' ? pemToDer(input, 'PRIVATE KEY') : input;
    const info = readDerExact(der).expect(Tag.SEQUENCE);
    const algId = info.child(1, Tag.SEQUENCE);
    const algOid = algId.child(0).oid();
    if (algOid === OID.rsaEncryption) {
      return { algorithm: 'rsa', key: createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }) };
    }
    if (!isSm2Algorithm(algId)) throw new SigningError('signing.malformed-key', `unsupported key algorithm ${algOid}`);
    const ec = info.child(2, Tag.OCTET_STRING).inner().expect(Tag.SEQUENCE);
    const d = ec.child(1, Tag.OCTET_STRING).content;
    const privateKeyHex = toHex(d).padStart(64, '0');
    const pubNode = ec.children().find((c) => c.tag === 0xa1);
    const publicKeyHex = pubNode ? toHex(pubNode.inner().bitStringBytes()) : sm2.getPublicKeyFromPrivateKey(privateKeyHex);
    if (publicKeyHex !== sm2.getPublicKeyFromPrivateKey(privateKeyHex)) throw new SigningError('signing.malformed-key', 'SM2 public key does not belong to the private key');
    return { algorithm: 'sm2', privateKeyHex, publicKeyHex };
  } catch (error) {
    if (error instanceof SigningError) throw error;
    throw new SigningError('signing.malformed-key', `cannot read private key: ${(error as Error).message}`);
  }
}

/** SubjectPublicKeyInfo DER for the public half of a private key. */
export function publicKeyInfo(key: PrivateKey): Uint8Array {
  if (key.algorithm === 'rsa') return new Uint8Array(createPublicKey(key.key).export({ type: 'spki', format: 'der' }));
  return seq(algorithmIdentifier(OID.ecPublicKey, oid(OID.sm2)), bitString(Buffer.from(key.publicKeyHex, 'hex')));
}

export function privateKeyToPem(key: PrivateKey): string {
  if (key.algorithm === 'rsa') return key.key.export({ type: 'pkcs8', format: 'pem' }) as string;
  return derToPem(encodeSm2Pkcs8(key.privateKeyHex, key.publicKeyHex), 'PRIVATE KEY');
}

