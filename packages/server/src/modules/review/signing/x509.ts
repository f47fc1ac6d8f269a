import { createHash, randomBytes } from 'node:crypto';
import { sha256Hex, sm3Hex } from '../../../platform/crypto.js';
import { readPublicKeyInfo, signatureAlgorithmInfo, signBytes, verifyBytes, type PublicKeyInfo } from './algorithms.js';
import {
  algorithmIdentifier,
  bitString,
  boolean,
  explicit,
  integer,
  nullValue,
  octets,
  oid,
  readDer,
  readDerExact,
  seq,
  Tag,
  time,
  tlv,
  toHex,
  type DerNode,
} from './der.js';
import { SigningError } from './errors.js';
import { derToPem, pemToDer, type PrivateKey, type SignatureAlgorithm } from './keys.js';
import { decodeName, encodeName, type DecodedName, type DistinguishedName } from './names.js';
import { OID } from './oids.js';

export type KeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_BITS: readonly KeyUsage[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** What callers need to show or store about a certificate. */
export interface CertificateInfo {
  /** 'other' for a key type this library cannot sign or verify with. */
  algorithm: SignatureAlgorithm | 'other';
  subject: DecodedName;
  issuer: DecodedName;
  /** Lowercase hex, without leading zero bytes. */
  serialNumberHex: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  /** null when the certificate has no keyUsage extension. */
  keyUsage: KeyUsage[] | null;
  sha256Fingerprint: string;
  sm3Fingerprint: string;
  pem: string;
}

/** A parsed certificate that keeps the exact bytes of the parts signatures cover. */
export interface Certificate extends CertificateInfo {
  der: Uint8Array;
  tbs: Uint8Array;
  /** The INTEGER TLV as encoded, and the Names as encoded: CMS copies these byte for byte. */
  serialNumberDer: Uint8Array;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  publicKey: PublicKeyInfo;
  signatureAlgorithmOid: string;
  signature: Uint8Array;
  subjectKeyIdentifier: string | null;
  authorityKeyIdentifier: string | null;
}

export function parseCertificate(input: string | Uint8Array): Certificate {
  try {
    const der = typeof input === 'string' ? pemToDer(input, 'CERTIFICATE') : new Uint8Array(input);
    const cert = readDerExact(der).expect(Tag.SEQUENCE);
    const tbs = cert.child(0, Tag.SEQUENCE);
    const fields = tbs.children();
    let i = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] version
    const next = (): DerNode => {
      const f = fields[i++];
      if (!f) throw new Error('truncated tbsCertificate');
      return f;
    };
    const serial = next().expect(Tag.INTEGER);
    next(); // signature AlgorithmIdentifier inside tbs; must equal the outer one
    const issuer = next();
    const validity = next().expect(Tag.SEQUENCE);
    const subject = next();
    const spki = next().expect(Tag.SEQUENCE);
    const extensions = fields.slice(i).find((f) => f.tag === 0xa3);

    let isCa = false;
    let keyUsage: KeyUsage[] | null = null;
    let subjectKeyIdentifier: string | null = null;
    let authorityKeyIdentifier: string | null = null;
    for (const ext of extensions ? extensions.inner().children() : []) {
      const extOid = ext.child(0).oid();
      const value = ext.children().at(-1)!.expect(Tag.OCTET_STRING).inner();
      if (extOid === OID.basicConstraints) isCa = value.children()[0]?.tag === Tag.BOOLEAN && value.children()[0]!.content[0] !== 0;
      else if (extOid === OID.keyUsage) keyUsage = value.bits().map((b) => KEY_USAGE_BITS[b]).filter((k): k is KeyUsage => k !== undefined);
      else if (extOid === OID.subjectKeyIdentifier) subjectKeyIdentifier = toHex(value.expect(Tag.OCTET_STRING).content);
      else if (extOid === OID.authorityKeyIdentifier) {
        const keyId = value.children().find((c) => c.tag === 0x80);
        authorityKeyIdentifier = keyId ? toHex(keyId.content) : null;
      }
    }

    const publicKey = readPublicKeyInfo(spki);
    return {
      algorithm: publicKey.algorithm,
      subject: decodeName(subject),
      issuer: decodeName(issuer),
      serialNumberHex: toHex(serial.integerBytes()).replace(/^(?:00)+(?=..)/, ''),
      notBefore: validity.child(0).date(),
      notAfter: validity.child(1).date(),
      isCa,
      keyUsage,
      sha256Fingerprint: sha256Hex(der),
      sm3Fingerprint: sm3Hex(der),
      pem: derToPem(der, 'CERTIFICATE'),
      der,
      tbs: tbs.raw,
      serialNumberDer: serial.raw,
      issuerDer: issuer.raw,
      subjectDer: subject.raw,
      publicKey,
      signatureAlgorithmOid: cert.child(1, Tag.SEQUENCE).child(0).oid(),
      signature: cert.child(2).bitStringBytes(),
      subjectKeyIdentifier,
      authorityKeyIdentifier,
    };
  } catch (error) {
    throw new SigningError('signing.malformed-certificate', `cannot read certificate: ${(error as Error).message}`);
  }
}

/** The CertificateInfo fields only (no raw bytes), for JSON replies and logs. */
export function certificateInfo(cert: Certificate): CertificateInfo {
  const { algorithm, subject, issuer, serialNumberHex, notBefore, notAfter, isCa, keyUsage, sha256Fingerprint, sm3Fingerprint, pem } = cert;
  return { algorithm, subject, issuer, serialNumberHex, notBefore, notAfter, isCa, keyUsage, sha256Fingerprint, sm3Fingerprint, pem };
}

/** Whether `issuer`'s key made `cert`'s signature (names and validity are not checked here). */
export function isSignedBy(cert: Certificate, issuer: Certificate): boolean {
  const info = signatureAlgorithmInfo(cert.signatureAlgorithmOid);
  if (!info || info.algorithm !== issuer.publicKey.algorithm) return false;
  return verifyBytes(issuer.publicKey, cert.tbs, cert.signature, info.hash ?? 'sha256');
}

// ---------------------------------------------------------------------------------------------------------------
// Building

function namedBits(bits: number[]): Uint8Array {
  const max = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  const unused = 7 - (max & 7);
  return tlv(Tag.BIT_STRING, Uint8Array.from([unused, ...bytes]));
}

const extension = (extOid: string, critical: boolean, value: Uint8Array) =>
  critical ? seq(oid(extOid), boolean(true), octets(value)) : seq(oid(extOid), octets(value));

// RFC 7093 §2 method 1: leftmost 160 bits of the SHA-256 of the subjectPublicKey BIT STRING value.
function keyIdentifier(spki: Uint8Array): Uint8Array {
  const key = readDer(spki).child(1).bitStringBytes();
  return new Uint8Array(createHash('sha256').update(key).digest().subarray(0, 20));
}

export const signatureAlgorithmIdentifier = (algorithm: SignatureAlgorithm) =>
  algorithm === 'rsa' ? algorithmIdentifier(OID.sha256WithRSAEncryption, nullValue()) : algorithmIdentifier(OID.sm2WithSm3);

export interface CertificateTemplate {
  subject: DistinguishedName;
  /** The subject's public key (SubjectPublicKeyInfo DER). */
  subjectPublicKeyInfo: Uint8Array;
  issuerName: Uint8Array;
  issuerKey: PrivateKey;
  /** The issuer's SubjectPublicKeyInfo, for the authority key identifier. */
  issuerPublicKeyInfo: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  keyUsage: KeyUsage[];
}

/** Builds and signs an X.509 v3 certificate (DER). */
export function buildCertificate(t: CertificateTemplate): Uint8Array {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, and exactly 16 bytes long
  const algId = signatureAlgorithmIdentifier(t.issuerKey.algorithm);
  const extensions = [
    extension(OID.basicConstraints, true, t.ca ? seq(boolean(true), integer(0)) : seq()),
    extension(OID.keyUsage, true, namedBits(t.keyUsage.map((k) => KEY_USAGE_BITS.indexOf(k)))),
    extension(OID.subjectKeyIdentifier, false, octets(keyIdentifier(t.subjectPublicKeyInfo))),
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyIdentifier(t.issuerPublicKeyInfo)))),
  ];
  const tbs = seq(
    explicit(0, integer(2)),
    integer(serial),
    algId,
    t.issuerName,
    seq(time(t.notBefore), time(t.notAfter)),
    encodeName(t.subject),
    t.subjectPublicKeyInfo,
    explicit(3, seq(...extensions)),
  );
  return seq(tbs, algId, bitString(signBytes(t.issuerKey, tbs)));
}


/** Subject, issuer (decoded), serial, validity, key usage and fingerprints of a PEM or DER certificate. */
export function describeCertificate(input: string | Uint8Array): CertificateInfo {
  return certificateInfo(parseCertificate(input));
}
