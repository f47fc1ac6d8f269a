import {
  DIGEST_OIDS,
  digest,
  digestAlgorithmFromOid,
  digestFor,
  signatureAlgorithmInfo,
  signBytes,
  verifyBytes,
  type DigestAlgorithm,
} from './algorithms.js';
import {
  algorithmIdentifier,
  bytesEqual,
  compareBytes,
  concat,
  explicit,
  implicitConstructed,
  integer,
  nullValue,
  octets,
  oid,
  readDer,
  seq,
  setOf,
  Tag,
  time,
  type DerNode,
} from './der.js';
import type { PrivateKey, SignatureAlgorithm } from './keys.js';
import { OID } from './oids.js';
import { parseCertificate, type Certificate } from './x509.js';

/**
 * Detached CMS SignedData (RFC 5652) with the CAdES-BES signed attributes: content-type, message-digest,
 * signing-time (optional) and ESS signing-certificate-v2 (RFC 5035). SM2 follows GM/T 0010 practice with the
 * PKCS #7 content-type OIDs that OpenSSL uses: digest SM3, signature SM2-with-SM3 over the DER of the attributes.
 */

export interface CmsSignInput {
  key: PrivateKey;
  certificate: Certificate;
  chain: Certificate[];
  /** The digest of the detached content, made with digestFor(key.algorithm). */
  contentDigest: Uint8Array;
  signingTime: Date | null;
}

const attribute = (attrOid: string, value: Uint8Array) => seq(oid(attrOid), setOf([value]));

function signingCertificateV2(cert: Certificate, hash: DigestAlgorithm): Uint8Array {
  // GeneralName directoryName is [4] EXPLICIT, since Name is a CHOICE.
  const issuerSerial = seq(seq(explicit(4, cert.issuerDer)), cert.serialNumberDer);
  // hashAlgorithm DEFAULT sha256: omitted for SHA-256, as DER requires.
  const hashAlg = hash === 'sha256' ? [] : [algorithmIdentifier(DIGEST_OIDS[hash])];
  return seq(seq(seq(...hashAlg, octets(digest(hash, cert.der)), issuerSerial)));
}

function signatureAlgorithmId(algorithm: SignatureAlgorithm): Uint8Array {
  return algorithm === 'rsa' ? algorithmIdentifier(OID.rsaEncryption, nullValue()) : algorithmIdentifier(OID.sm2WithSm3);
}

/** The signed attributes; setOf() puts them in DER order. */
function signedAttributes(input: CmsSignInput, hash: DigestAlgorithm): Uint8Array[] {
  const attrs = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(input.contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(input.certificate, hash)),
  ];
  if (input.signingTime) attrs.push(attribute(OID.signingTime, time(input.signingTime)));
  return attrs;
}

/** Assembles the ContentInfo; `sign` gets the DER of the signed attributes (SET tag) and returns the signature. */
function assemble(input: CmsSignInput, sign: (signedAttrs: Uint8Array) => Uint8Array): Uint8Array {
  const hash = digestFor(input.key.algorithm);
  const digestAlg = algorithmIdentifier(DIGEST_OIDS[hash]);
  const attrs = signedAttributes(input, hash);
  const signature = sign(setOf(attrs));
  // [0] IMPLICIT SignedAttributes: same content as the SET that was signed, different tag (RFC 5652 §5.4).
  const signedAttrs = setOf(attrs);
  signedAttrs[0] = 0xa0;
  const signerInfo = seq(
    integer(1),
    seq(input.certificate.issuerDer, input.certificate.serialNumberDer),
    digestAlg,
    signedAttrs,
    signatureAlgorithmId(input.key.algorithm),
    octets(signature),
  );
  const signedData = seq(
    integer(1),
    setOf([digestAlg]),
    seq(oid(OID.data)),
    implicitConstructed(0, [input.certificate, ...input.chain].map((c) => c.der).sort(compareBytes)),
    setOf([signerInfo]),
  );
  return seq(oid(OID.signedData), explicit(0, signedData));
}

export function createSignedData(input: CmsSignInput): Uint8Array {
  return assemble(input, (attrs) => signBytes(input.key, attrs));
}

/** An upper bound on the DER size of createSignedData's output, for sizing the PDF placeholder. */
export function maxSignedDataSize(input: Omit<CmsSignInput, 'contentDigest'>): number {
  const hash = digestFor(input.key.algorithm);
  const maxSignature = input.key.algorithm === 'rsa' ? 512 : 72; // up to RSA-4096; SM2 DER (r, s) is at most 72 bytes
  return assemble({ ...input, contentDigest: new Uint8Array(digest(hash).length) }, () => new Uint8Array(maxSignature)).length;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading and checking

export type CmsProblem =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'signer-certificate-missing'
  | 'digest-mismatch'
  | 'signing-certificate-mismatch'
  | 'bad-signature';

export interface CmsCheck {
  problems: Array<{ code: CmsProblem; detail: string }>;
  algorithm: SignatureAlgorithm | 'unknown';
  digestAlgorithm: DigestAlgorithm | 'unknown';
  signer: Certificate | null;
  certificates: Certificate[];
  signingTime: Date | null;
}

function findAttribute(attrs: DerNode[], attrOid: string): DerNode | null {
  const attr = attrs.find((a) => a.child(0).oid() === attrOid);
  return attr ? attr.child(1, Tag.SET).child(0) : null;
}

/** The detached content (the PDF byte ranges), with digests computed once and shared. */
export interface DetachedContent {
  parts: Uint8Array[];
  digest(algorithm: DigestAlgorithm): Uint8Array;
}

export function detachedContent(parts: Uint8Array[]): DetachedContent {
  const cache = new Map<DigestAlgorithm, Uint8Array>();
  return {
    parts,
    digest(algorithm) {
      let d = cache.get(algorithm);
      if (!d) cache.set(algorithm, (d = digest(algorithm, ...parts)));
      return d;
    },
  };
}

/** Verifies a detached SignedData over `content`. */
export function checkSignedData(cms: Uint8Array, content: DetachedContent): CmsCheck {
  const result: CmsCheck = { problems: [], algorithm: 'unknown', digestAlgorithm: 'unknown', signer: null, certificates: [], signingTime: null };
  const problem = (code: CmsProblem, detail: string) => {
    result.problems.push({ code, detail });
    return result;
  };
  let signerInfo: DerNode;
  try {
    const info = readDer(cms).expect(Tag.SEQUENCE);
    if (info.child(0).oid() !== OID.signedData) return problem('malformed', 'not a CMS SignedData');
    const signedData = info.child(1).expect(0xa0).inner().expect(Tag.SEQUENCE);
    const parts = signedData.children();
    const certSet = parts.find((p) => p.tag === 0xa0);
    result.certificates = certSet ? certSet.children().filter((c) => c.tag === Tag.SEQUENCE).map((c) => parseCertificate(c.raw)) : [];
    const signerInfos = parts.at(-1)!.expect(Tag.SET).children();
    if (signerInfos.length !== 1) return problem('malformed', `${signerInfos.length} SignerInfos; exactly one expected in a PDF signature`);
    signerInfo = signerInfos[0]!;
  } catch (error) {
    return problem('malformed', (error as Error).message);
  }

  try {
    const fields = signerInfo.children();
    const sid = fields[1]!;
    if (sid.tag === Tag.SEQUENCE) {
      const issuer = sid.child(0).raw;
      const serial = sid.child(1).raw;
      result.signer = result.certificates.find((c) => bytesEqual(c.issuerDer, issuer) && bytesEqual(c.serialNumberDer, serial)) ?? null;
    } else if (sid.tag === 0x80) {
      const keyId = Buffer.from(sid.content).toString('hex');
      result.signer = result.certificates.find((c) => c.subjectKeyIdentifier === keyId) ?? null;
    }
    if (!result.signer) return problem('signer-certificate-missing', 'the signer certificate is not in the signature');

    const digestOid = fields[2]!.child(0).oid();
    const hash = digestAlgorithmFromOid(digestOid);
    const signedAttrs = fields[3]?.tag === 0xa0 ? fields[3] : null;
    const sigAlgNode = fields[signedAttrs ? 4 : 3]!;
    const signature = fields[signedAttrs ? 5 : 4]!.expect(Tag.OCTET_STRING).content;
    const sigInfo = signatureAlgorithmInfo(sigAlgNode.child(0).oid());
    const keyAlgorithm = result.signer.publicKey.algorithm;
    // Some producers put id-ecPublicKey in SignerInfo for SM2; the certificate's key decides.
    const algorithm = sigInfo?.algorithm ?? (sigAlgNode.child(0).oid() === OID.ecPublicKey && keyAlgorithm === 'sm2' ? 'sm2' : null);
    if (!hash || !algorithm || algorithm !== keyAlgorithm) {
      return problem('unsupported-algorithm', `digest ${digestOid}, signature ${sigAlgNode.child(0).oid()}, key ${keyAlgorithm}`);
    }
    result.algorithm = algorithm;
    result.digestAlgorithm = hash;
    const contentDigest = content.digest(hash);

    let signedBytes: Uint8Array;
    if (signedAttrs) {
      const attrs = signedAttrs.children();
      const contentType = findAttribute(attrs, OID.contentType);
      if (!contentType || contentType.oid() !== OID.data) return problem('malformed', 'content-type attribute missing or not id-data');
      const messageDigest = findAttribute(attrs, OID.messageDigest);
      if (!messageDigest) return problem('malformed', 'message-digest attribute missing');
      const signingTime = findAttribute(attrs, OID.signingTime);
      if (signingTime) result.signingTime = signingTime.date();
      if (!bytesEqual(messageDigest.expect(Tag.OCTET_STRING).content, contentDigest)) {
        problem('digest-mismatch', `the ${hash} of the signed byte ranges differs from the signed message digest: the document was changed after signing`);
      }
      const essV2 = findAttribute(attrs, OID.signingCertificateV2);
      if (essV2) {
        const certId = essV2.child(0, Tag.SEQUENCE).child(0, Tag.SEQUENCE);
        const hasAlg = certId.child(0).tag === Tag.SEQUENCE;
        const essHash = hasAlg ? digestAlgorithmFromOid(certId.child(0).child(0).oid()) : 'sha256';
        const certHash = certId.child(hasAlg ? 1 : 0, Tag.OCTET_STRING).content;
        if (!essHash || !bytesEqual(certHash, digest(essHash, result.signer.der))) {
          problem('signing-certificate-mismatch', 'the signing-certificate-v2 attribute names a different certificate');
        }
      }
      signedBytes = concat([Uint8Array.of(Tag.SET), signedAttrs.raw.subarray(1)]);
    } else {
      signedBytes = concat(content.parts);
    }
    const signatureHash = sigInfo?.hash ?? hash;
    if (!verifyBytes(result.signer.publicKey, signedBytes, signature, signatureHash)) {
      problem('bad-signature', 'the signature value does not verify with the signer certificate');
    }
    return result;
  } catch (error) {
    return problem('malformed', (error as Error).message);
  }
}

