import { createHash, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { readDerExact, Tag, toHex, type DerNode } from './der.js';
import type { PrivateKey, SignatureAlgorithm } from './keys.js';
import { OID, SM2_DEFAULT_USER_ID } from './oids.js';

// GM/T 0003.5 curve order n.
const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512' | 'sm3';

export const DIGEST_OIDS: Record<DigestAlgorithm, string> = { sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512, sm3: OID.sm3 };

export function digestAlgorithmFromOid(digestOid: string): DigestAlgorithm | null {
  for (const [name, o] of Object.entries(DIGEST_OIDS)) if (o === digestOid) return name as DigestAlgorithm;
  return null;
}

export function digest(algorithm: DigestAlgorithm, ...parts: Uint8Array[]): Uint8Array {
  const hash = createHash(algorithm);
  for (const p of parts) hash.update(p);
  return new Uint8Array(hash.digest());
}

export const digestFor = (algorithm: SignatureAlgorithm): DigestAlgorithm => (algorithm === 'sm2' ? 'sm3' : 'sha256');

/**
 * Signs `data`. RSA: PKCS#1 v1.5 over SHA-256. SM2: GM/T 0003 with SM3 over Z‖data (Z from the default user ID),
 * DER-encoded (r, s) as GM/T 0009 and OpenSSL use. Node's own "SM2" is plain ECDSA on the curve (stack.md §3.3).
 */
export function signBytes(key: PrivateKey, data: Uint8Array): Uint8Array {
  if (key.algorithm === 'rsa') return new Uint8Array(nodeSign('sha256', data, key.key));
  const hex = sm2.doSignature(data, key.privateKeyHex, { der: true, hash: true, publicKey: key.publicKeyHex, userId: SM2_DEFAULT_USER_ID });
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export type PublicKeyInfo = { algorithm: 'rsa'; spki: Uint8Array } | { algorithm: 'sm2'; publicKeyHex: string } | { algorithm: 'other'; oid: string };

export function readPublicKeyInfo(spki: DerNode): PublicKeyInfo {
  const algId = spki.child(0, Tag.SEQUENCE);
  const algOid = algId.child(0).oid();
  if (algOid === OID.rsaEncryption) return { algorithm: 'rsa', spki: spki.raw };
  const params = algId.children()[1];
  const curve = params?.tag === Tag.OID ? params.oid() : null;
  if (algOid === OID.sm2 || (algOid === OID.ecPublicKey && curve === OID.sm2)) {
    return { algorithm: 'sm2', publicKeyHex: toHex(spki.child(1).bitStringBytes()) };
  }
  return { algorithm: 'other', oid: curve ?? algOid };
}

/**
 * Checks a signature. For RSA `hash` names the digest (from the signature algorithm or the SignerInfo); SM2 always
 * uses SM3 with Z. The SM2 (r, s) is range-checked here because sm-crypto-v2 does not check 1 ≤ r, s < n itself.
 */
export function verifyBytes(key: PublicKeyInfo, data: Uint8Array, signature: Uint8Array, hash: DigestAlgorithm = 'sha256'): boolean {
  try {
    if (key.algorithm === 'rsa') {
      if (hash === 'sm3') return false;
      return nodeVerify(hash, data, createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' }), signature);
    }
    if (key.algorithm !== 'sm2') return false;
    const sig = readDerExact(signature).expect(Tag.SEQUENCE);
    const [rNode, sNode, extra] = sig.children();
    if (!rNode || !sNode || extra) return false;
    const r = rNode.bigint();
    const s = sNode.bigint();
    if (r < 1n || r >= SM2_N || s < 1n || s >= SM2_N) return false;
    const rs = r.toString(16).padStart(64, '0') + s.toString(16).padStart(64, '0');
    return sm2.doVerifySignature(data, rs, key.publicKeyHex, { der: false, hash: true, userId: SM2_DEFAULT_USER_ID });
  } catch {
    return false;
  }
}

/** Which digest an X.509/CMS signature algorithm OID implies (null: not one we check). */
export function signatureAlgorithmInfo(sigOid: string): { algorithm: SignatureAlgorithm; hash: DigestAlgorithm | null } | null {
  switch (sigOid) {
    case OID.sha256WithRSAEncryption:
      return { algorithm: 'rsa', hash: 'sha256' };
    case OID.sha384WithRSAEncryption:
      return { algorithm: 'rsa', hash: 'sha384' };
    case OID.sha512WithRSAEncryption:
      return { algorithm: 'rsa', hash: 'sha512' };
    case OID.rsaEncryption:
      return { algorithm: 'rsa', hash: null };
    case OID.sm2WithSm3:
    case OID.sm2Sign:
    case OID.sm2:
      return { algorithm: 'sm2', hash: 'sm3' };
    default:
      return null;
  }
}

