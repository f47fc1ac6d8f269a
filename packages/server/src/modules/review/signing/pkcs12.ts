import { createCipheriv, createDecipheriv, createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { keyMatchesCertificate, type Credential } from './ca.js';
import {
  algorithmIdentifier,
  bmpString,
  bytesEqual,
  concat,
  DerError,
  explicit,
  implicitPrimitive,
  integer,
  nullValue,
  octets,
  oid,
  readDer,
  readDerExact,
  seq,
  setOf,
  Tag,
  type DerNode,
} from './der.js';
import { SigningError } from './errors.js';
import { derToPem, parsePrivateKey, privateKeyDer } from './keys.js';
import { OID } from './oids.js';
import { parseCertificate, type Certificate } from './x509.js';

/**
 * PKCS#12 (RFC 7292) for both algorithms, written directly on the DER layer rather than through node-forge:
 * forge cannot read SM2 keys or certificates, derives PBES2 keys from the low byte of each password character
 * (so a Chinese password no longer matches OpenSSL), and re-encodes certificates it parses (stack.md §3.1).
 * Here certificates and keys travel as the exact bytes they arrived in. Interoperability with OpenSSL 3 and with
 * node-forge's own PKCS#12 files is covered by pkcs12.test.ts.
 */

const pbkdf2Async = promisify(pbkdf2);
const MAX_ITERATIONS = 1_000_000; // a crafted file must not pin the CPU
const EXPORT_ITERATIONS = 10_000;

type Hash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sm3';

const DIGESTS = new Map<string, Hash>([
  [OID.sha1, 'sha1'],
  [OID.sha256, 'sha256'],
  [OID.sha384, 'sha384'],
  [OID.sha512, 'sha512'],
  [OID.sm3, 'sm3'],
]);
const PRFS = new Map<string, Hash>([
  [OID.hmacWithSHA1, 'sha1'],
  [OID.hmacWithSHA224, 'sha224'],
  [OID.hmacWithSHA256, 'sha256'],
  [OID.hmacWithSHA384, 'sha384'],
  [OID.hmacWithSHA512, 'sha512'],
]);
const CIPHERS = new Map<string, { name: string; keyLength: number }>([
  [OID.aes128Cbc, { name: 'aes-128-cbc', keyLength: 16 }],
  [OID.aes192Cbc, { name: 'aes-192-cbc', keyLength: 24 }],
  [OID.aes256Cbc, { name: 'aes-256-cbc', keyLength: 32 }],
  [OID.desEde3Cbc, { name: 'des-ede3-cbc', keyLength: 24 }],
  [OID.sm4Cbc, { name: 'sm4-cbc', keyLength: 16 }],
]);

/** The password as PKCS#12 wants it for its own KDF: BMPString (UTF-16BE) with a two-byte terminator, as OpenSSL does. */
function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

/** RFC 7292 appendix B.2. `id` 1: key, 2: IV, 3: MAC key. */
export function pkcs12Kdf(hash: Hash, password: string, salt: Uint8Array, id: 1 | 2 | 3, iterations: number, length: number): Buffer {
  const u = createHash(hash).digest().length;
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  const repeatTo = (src: Uint8Array, len: number) => {
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length] as number;
    return out;
  };
  const pass = bmpPassword(password);
  const I = Buffer.concat([
    salt.length ? repeatTo(salt, v * Math.ceil(salt.length / v)) : Buffer.alloc(0),
    repeatTo(pass, v * Math.ceil(pass.length / v)),
  ]);
  const D = Buffer.alloc(v, id);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash).update(A).digest();
    blocks.push(A);
    const B = repeatTo(A, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (I[j + k] as number) + (B[k] as number) + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function octetStringValue(node: DerNode): Uint8Array {
  if (node.tag === Tag.OCTET_STRING || node.tag === 0x80) return node.content;
  // BER-constructed OCTET STRING (tag 0x24 or [0] constructed): the value is the concatenation of its pieces.
  if (node.tag === 0x24 || node.tag === 0xa0) return concat(node.children().map(octetStringValue));
  throw new DerError(`expected OCTET STRING, got tag 0x${node.tag.toString(16)}`);
}

function iterationCount(node: DerNode): number {
  const n = Number(node.bigint());
  if (n < 1 || n > MAX_ITERATIONS) throw new SigningError('signing.unsupported-pkcs12', `iteration count ${n} out of range`);
  return n;
}

async function decrypt(algId: DerNode, password: string, data: Uint8Array): Promise<Uint8Array> {
  const algOid = algId.child(0).oid();
  let cipher: { name: string; keyLength: number };
  let key: Buffer;
  let iv: Uint8Array;
  if (algOid === OID.pbes2) {
    const params = algId.child(1, Tag.SEQUENCE);
    const kdf = params.child(0, Tag.SEQUENCE);
    const enc = params.child(1, Tag.SEQUENCE);
    if (kdf.child(0).oid() !== OID.pbkdf2) throw new SigningError('signing.unsupported-pkcs12', `key derivation ${kdf.child(0).oid()}`);
    const kdfParams = kdf.child(1, Tag.SEQUENCE).children();
    const salt = kdfParams[0]!.expect(Tag.OCTET_STRING).content;
    const iterations = iterationCount(kdfParams[1]!);
    const prfNode = kdfParams.slice(2).find((n) => n.tag === Tag.SEQUENCE);
    const prfOid = prfNode ? prfNode.child(0).oid() : OID.hmacWithSHA1;
    const prf = PRFS.get(prfOid);
    const found = CIPHERS.get(enc.child(0).oid());
    if (!prf || !found) throw new SigningError('signing.unsupported-pkcs12', `PBES2 with ${prfOid} / ${enc.child(0).oid()}`);
    cipher = found;
    // PBES2 takes the password as UTF-8 bytes (as OpenSSL does), unlike the PKCS#12 KDF below.
    key = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, prf);
    iv = enc.child(1, Tag.OCTET_STRING).content;
  } else if (algOid === OID.pbeWithSHAAnd3KeyTripleDesCbc) {
    const params = algId.child(1, Tag.SEQUENCE);
    const salt = params.child(0, Tag.OCTET_STRING).content;
    const iterations = iterationCount(params.child(1));
    cipher = { name: 'des-ede3-cbc', keyLength: 24 };
    key = pkcs12Kdf('sha1', password, salt, 1, iterations, 24);
    iv = pkcs12Kdf('sha1', password, salt, 2, iterations, 8);
  } else {
    throw new SigningError('signing.unsupported-pkcs12', `encryption ${algOid} (for RC2 or other legacy schemes, re-export the file with OpenSSL 3 defaults)`);
  }
  try {
    const decipher = createDecipheriv(cipher.name, key, iv);
    return new Uint8Array(Buffer.concat([decipher.update(data), decipher.final()]));
  } catch {
    // Reached only without a MAC (a MAC is checked first): bad padding here almost always means a wrong password.
    throw new SigningError('signing.wrong-password', 'wrong password (decryption failed)');
  }
}

interface Bags {
  keys: Uint8Array[];
  certificates: Uint8Array[];
}

async function readSafeContents(der: Uint8Array, password: string, bags: Bags): Promise<void> {
  for (const bag of readDerExact(der).expect(Tag.SEQUENCE).children()) {
    const bagOid = bag.child(0).oid();
    const value = bag.child(1).expect(0xa0).inner();
    if (bagOid === OID.keyBag) bags.keys.push(value.raw);
    else if (bagOid === OID.pkcs8ShroudedKeyBag) {
      bags.keys.push(await decrypt(value.child(0, Tag.SEQUENCE), password, value.child(1, Tag.OCTET_STRING).content));
    } else if (bagOid === OID.certBag) {
      if (value.child(0).oid() !== OID.x509Certificate) continue;
      bags.certificates.push(octetStringValue(value.child(1).expect(0xa0).inner()));
    }
  }
}

function verifyMac(macData: DerNode, password: string, authSafe: Uint8Array): void {
  const digestInfo = macData.child(0, Tag.SEQUENCE);
  const algOid = digestInfo.child(0, Tag.SEQUENCE).child(0).oid();
  const hash = DIGESTS.get(algOid);
  if (!hash) throw new SigningError('signing.unsupported-pkcs12', `MAC algorithm ${algOid}`);
  const expected = digestInfo.child(1, Tag.OCTET_STRING).content;
  const salt = macData.child(1, Tag.OCTET_STRING).content;
  const iterNode = macData.children()[2];
  const iterations = iterNode ? iterationCount(iterNode) : 1;
  const macKey = pkcs12Kdf(hash, password, salt, 3, iterations, createHash(hash).digest().length);
  const actual = createHmac(hash, macKey).update(authSafe).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new SigningError('signing.wrong-password', 'wrong password (PKCS#12 MAC does not match)');
  }
}

/** Orders the certificates that lead from `leaf` upwards; unrelated certificates are dropped. */
function chainFrom(leaf: Certificate, others: Certificate[]): Certificate[] {
  const chain: Certificate[] = [];
  let current = leaf;
  const pool = [...others];
  while (!bytesEqual(current.issuerDer, current.subjectDer)) {
    const i = pool.findIndex((c) => bytesEqual(c.subjectDer, current.issuerDer));
    if (i < 0) break;
    current = pool.splice(i, 1)[0]!;
    chain.push(current);
  }
  return chain;
}

/**
 * Reads a password-protected .p12/.pfx (RSA or SM2; OpenSSL 3 defaults, SM4/SM3 variants, legacy 3DES).
 * A wrong password throws SigningError 'signing.wrong-password'.
 */
export async function importPkcs12(p12: Uint8Array, password: string): Promise<Credential> {
  try {
    const pfx = readDer(p12).expect(Tag.SEQUENCE);
    if (pfx.child(0).bigint() !== 3n) throw new DerError('not a PKCS#12 v3 file');
    const authSafeInfo = pfx.child(1, Tag.SEQUENCE);
    if (authSafeInfo.child(0).oid() !== OID.data) throw new SigningError('signing.unsupported-pkcs12', 'public-key integrity mode is not supported');
    const authSafe = octetStringValue(authSafeInfo.child(1).expect(0xa0).inner());
    const macData = pfx.children()[2];
    if (macData) verifyMac(macData, password, authSafe);

    const bags: Bags = { keys: [], certificates: [] };
    for (const info of readDerExact(authSafe).expect(Tag.SEQUENCE).children()) {
      const type = info.child(0).oid();
      const content = info.child(1).expect(0xa0).inner();
      if (type === OID.data) await readSafeContents(octetStringValue(content), password, bags);
      else if (type === OID.encryptedData) {
        const eci = content.expect(Tag.SEQUENCE).child(1, Tag.SEQUENCE);
        const encrypted = eci.children()[2];
        if (!encrypted) continue;
        await readSafeContents(await decrypt(eci.child(1, Tag.SEQUENCE), password, octetStringValue(encrypted)), password, bags);
      } else throw new SigningError('signing.unsupported-pkcs12', `content type ${type}`);
    }

    const certificates = bags.certificates.map((der) => parseCertificate(der));
    for (const keyDer of bags.keys) {
      const key = parsePrivateKey(keyDer);
      const leaf = certificates.find((c) => keyMatchesCertificate(key, c));
      if (!leaf) continue;
      return {
        algorithm: key.algorithm,
        certificatePem: leaf.pem,
        privateKeyPem: derToPem(keyDer, 'PRIVATE KEY'),
        chainPem: chainFrom(leaf, certificates.filter((c) => c !== leaf)).map((c) => c.pem),
      };
    }
    throw new SigningError(
      'signing.key-certificate-mismatch',
      bags.keys.length === 0 ? 'the file holds no private key' : 'no certificate in the file matches its private key',
    );
  } catch (error) {
    if (error instanceof SigningError) throw error;
    throw new SigningError('signing.malformed-pkcs12', `cannot read PKCS#12: ${(error as Error).message}`);
  }
}

const attribute = (attrOid: string, value: Uint8Array) => seq(oid(attrOid), setOf([value]));

async function pbes2Encrypt(password: string, plaintext: Uint8Array, iterations: number): Promise<{ algId: Uint8Array; ciphertext: Uint8Array }> {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()]));
  const algId = algorithmIdentifier(
    OID.pbes2,
    seq(
      algorithmIdentifier(OID.pbkdf2, seq(octets(salt), integer(iterations), algorithmIdentifier(OID.hmacWithSHA256, nullValue()))),
      algorithmIdentifier(OID.aes256Cbc, octets(iv)),
    ),
  );
  return { algId, ciphertext };
}

/**
 * Writes the credential (key, certificate, chain) as a .p12 the way OpenSSL 3 does by default: PBES2 with
 * PBKDF2-HMAC-SHA256 and AES-256-CBC for the key and the certificates, HMAC-SHA256 integrity.
 */
export async function exportPkcs12(
  credential: Credential,
  password: string,
  options: { friendlyName?: string; iterations?: number } = {},
): Promise<Uint8Array> {
  if (password.length === 0) throw new RangeError('a PKCS#12 export needs a password');
  const iterations = options.iterations ?? EXPORT_ITERATIONS;
  const leaf = parseCertificate(credential.certificatePem);
  const keyDer = privateKeyDer(credential.privateKeyPem);
  if (!keyMatchesCertificate(parsePrivateKey(keyDer), leaf)) throw new SigningError('signing.key-certificate-mismatch', 'the private key does not belong to the certificate');

  const localKeyId = createHash('sha1').update(leaf.der).digest();
  const attrs = setOf([
    attribute(OID.localKeyId, octets(localKeyId)),
    attribute(OID.friendlyName, bmpString(options.friendlyName ?? leaf.subject.commonName ?? 'signer')),
  ]);
  const certBag = (der: Uint8Array, withAttrs: boolean) =>
    seq(oid(OID.certBag), explicit(0, seq(oid(OID.x509Certificate), explicit(0, octets(der)))), ...(withAttrs ? [attrs] : []));
  const certs = [leaf.der, ...credential.chainPem.map((pem) => parseCertificate(pem).der)];
  const certContents = seq(...certs.map((der, i) => certBag(der, i === 0)));
  const certEnc = await pbes2Encrypt(password, certContents, iterations);
  const certInfo = seq(oid(OID.encryptedData), explicit(0, seq(integer(0), seq(oid(OID.data), certEnc.algId, implicitPrimitive(0, certEnc.ciphertext)))));

  const keyEnc = await pbes2Encrypt(password, keyDer, iterations);
  const keyBag = seq(oid(OID.pkcs8ShroudedKeyBag), explicit(0, seq(keyEnc.algId, octets(keyEnc.ciphertext))), attrs);
  const keyInfo = seq(oid(OID.data), explicit(0, octets(seq(keyBag))));

  const authSafe = seq(certInfo, keyInfo);
  const macSalt = randomBytes(16);
  const mac = createHmac('sha256', pkcs12Kdf('sha256', password, macSalt, 3, iterations, 32)).update(authSafe).digest();
  const macData = seq(seq(algorithmIdentifier(OID.sha256, nullValue()), octets(mac)), octets(macSalt), integer(iterations));
  return seq(integer(3), seq(oid(OID.data), explicit(0, octets(authSafe))), macData);
}
