import type { DigestAlgorithm } from './algorithms.js';
import { checkSignedData, detachedContent, type CmsProblem } from './cms.js';
import { bytesEqual, toHex } from './der.js';
import type { SignatureAlgorithm } from './keys.js';
import { findSignatureDictionaries } from './pdf.js';
import { certificateInfo, isSignedBy, parseCertificate, type Certificate, type CertificateInfo } from './x509.js';

export type SignatureProblemCode =
  | CmsProblem
  /** The ByteRange does not start at 0 or its gap is not exactly the /Contents hex string. */
  | 'byte-range-invalid'
  /** Bytes were added after the signed range and no later valid signature covers them. */
  | 'partial-coverage'
  /** A trust list was given and the signer does not chain to it. */
  | 'untrusted-certificate'
  | 'certificate-not-valid-at-signing-time'
  /** The signer certificate's keyUsage allows neither digitalSignature nor nonRepudiation. */
  | 'certificate-not-for-signing';

export interface SignatureProblem {
  code: SignatureProblemCode;
  detail: string;
}

export interface PdfSignatureCheck {
  /** The signature field name (/T), e.g. 'Signature1'. */
  fieldName: string | null;
  valid: boolean;
  /** Why the signature is not valid; empty when valid. */
  problems: SignatureProblem[];
  subFilter: string | null;
  algorithm: SignatureAlgorithm | 'unknown';
  digestAlgorithm: DigestAlgorithm | 'unknown';
  /** Subject and issuer names come decoded (Chinese as text). Null when the signer certificate is missing. */
  signer: CertificateInfo | null;
  /** The CMS signing-time attribute, else the dictionary's /M (see signingTimeSource). */
  signingTime: Date | null;
  signingTimeSource: 'cms' | 'pdf' | null;
  /** The signature dictionary's /Reason, /Location, /Name, /ContactInfo. */
  reason: string | null;
  location: string | null;
  name: string | null;
  contactInfo: string | null;
  byteRange: number[];
  /** Digests of the signed bytes (both byte ranges, concatenated). */
  signedBytes: { length: number; sm3: string; sha256: string };
  coversWholeDocument: boolean;
  /** Whether the signer chains to a trusted certificate; null when no trust list was given. */
  chainTrusted: boolean | null;
}

export interface VerifyPdfOptions {
  /** Trust anchors (PEM or DER), normally the department CA. When given, each signer must chain to one. */
  trusted?: Array<string | Uint8Array>;
}

const MAX_CHAIN = 8;

function validAt(cert: Certificate, at: Date): boolean {
  return at >= cert.notBefore && at <= cert.notAfter;
}

/** Builds a path from the signer to a trust anchor through the certificates carried in the signature. */
function chainsToTrusted(signer: Certificate, carried: Certificate[], trusted: Certificate[], at: Date): { ok: boolean; detail: string } {
  let current = signer;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (trusted.some((t) => bytesEqual(t.der, current.der))) return { ok: true, detail: '' };
    const anchor = trusted.find((t) => bytesEqual(t.subjectDer, current.issuerDer) && isSignedBy(current, t));
    if (anchor) {
      if (!validAt(anchor, at)) return { ok: false, detail: `trusted certificate ${anchor.subject.text} was not valid at the signing time` };
      return { ok: true, detail: '' };
    }
    const intermediate = carried.find(
      (c) => c !== current && bytesEqual(c.subjectDer, current.issuerDer) && c.isCa && (!c.keyUsage || c.keyUsage.includes('keyCertSign')) && isSignedBy(current, c),
    );
    if (!intermediate) return { ok: false, detail: `no trusted certificate issued ${current.subject.text} (issuer ${current.issuer.text})` };
    if (!validAt(intermediate, at)) return { ok: false, detail: `CA certificate ${intermediate.subject.text} was not valid at the signing time` };
    current = intermediate;
  }
  return { ok: false, detail: 'certificate chain too long' };
}

/**
 * Whether a certificate chains to one of `trusted` through the CA certificates in `carried` (e.g. the chain in its
 * PKCS#12), each link valid at `at`. A certificate that is itself in `trusted` is trusted.
 */
export function certificateChainsTo(
  certificate: string | Uint8Array,
  options: { carried?: Array<string | Uint8Array>; trusted: Array<string | Uint8Array>; at?: Date },
): { trusted: boolean; detail: string } {
  const cert = parseCertificate(certificate);
  const result = chainsToTrusted(
    cert,
    (options.carried ?? []).map((c) => parseCertificate(c)),
    options.trusted.map((t) => parseCertificate(t)),
    options.at ?? new Date(),
  );
  return { trusted: result.ok, detail: result.detail };
}

function isHexDigit(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

/**
 * Checks every signature in a PDF: the CMS signature and message digest over the ByteRange, the ByteRange itself,
 * whether it covers the whole file, the signer's validity at the signing time and, given `trusted`, the chain.
 */
export async function verifyPdfSignatures(pdf: Uint8Array, options: VerifyPdfOptions = {}): Promise<PdfSignatureCheck[]> {
  const trusted = options.trusted?.map((t) => parseCertificate(t)) ?? null;
  const entries = await findSignatureDictionaries(pdf);
  const results = entries.map((entry): PdfSignatureCheck => {
    const result: PdfSignatureCheck = {
      fieldName: entry.fieldName,
      valid: false,
      problems: [],
      subFilter: entry.subFilter,
      algorithm: 'unknown',
      digestAlgorithm: 'unknown',
      signer: null,
      signingTime: entry.claimedTime,
      signingTimeSource: entry.claimedTime ? 'pdf' : null,
      reason: entry.reason,
      location: entry.location,
      name: entry.name,
      contactInfo: entry.contactInfo,
      byteRange: entry.byteRange,
      signedBytes: { length: 0, sm3: '', sha256: '' },
      coversWholeDocument: false,
      chainTrusted: null,
    };
    const problem = (code: SignatureProblemCode, detail: string) => result.problems.push({ code, detail });

    const [start, gapStart, gapEnd, tailLength] = entry.byteRange;
    const wellFormed =
      entry.byteRange.length === 4 &&
      entry.byteRange.every((n) => Number.isSafeInteger(n) && n >= 0) &&
      start === 0 &&
      gapStart! > 0 &&
      gapEnd! >= gapStart! + 2 &&
      gapEnd! + tailLength! <= pdf.length &&
      pdf[gapStart!] === 0x3c && // '<'
      pdf[gapEnd! - 1] === 0x3e && // '>'
      pdf.subarray(gapStart! + 1, gapEnd! - 1).every(isHexDigit);
    if (!wellFormed) {
      problem('byte-range-invalid', `ByteRange [${entry.byteRange.join(' ')}] does not exclude exactly the /Contents value`);
      return result;
    }
    const parts = [pdf.subarray(0, gapStart!), pdf.subarray(gapEnd!, gapEnd! + tailLength!)];
    const content = detachedContent(parts);
    result.signedBytes = { length: gapStart! + tailLength!, sm3: toHex(content.digest('sm3')), sha256: toHex(content.digest('sha256')) };
    result.coversWholeDocument = gapEnd! + tailLength! === pdf.length;
    if (entry.subFilter === 'ETSI.RFC3161') {
      problem('unsupported-algorithm', 'document time-stamps (ETSI.RFC3161) are not checked');
      return result;
    }

    let hex = Buffer.from(pdf.subarray(gapStart! + 1, gapEnd! - 1)).toString('latin1');
    if (hex.length % 2) hex += '0';
    const cmsBytes = new Uint8Array(Buffer.from(hex, 'hex'));
    // The gap must hold this dictionary's own /Contents, so the dictionary text reported is the signed one.
    if (!entry.contents || !bytesEqual(entry.contents, cmsBytes)) {
      problem('byte-range-invalid', 'the ByteRange gap is not the /Contents of this signature dictionary');
      return result;
    }
    const cms = checkSignedData(cmsBytes, content);
    result.algorithm = cms.algorithm;
    result.digestAlgorithm = cms.digestAlgorithm;
    result.problems.push(...cms.problems);
    if (cms.signingTime) {
      result.signingTime = cms.signingTime;
      result.signingTimeSource = 'cms';
    }
    if (cms.signer) {
      result.signer = certificateInfo(cms.signer);
      const at = result.signingTime ?? new Date();
      if (!validAt(cms.signer, at)) problem('certificate-not-valid-at-signing-time', `signed ${at.toISOString()}, certificate valid ${cms.signer.notBefore.toISOString()} – ${cms.signer.notAfter.toISOString()}`);
      if (cms.signer.keyUsage && !cms.signer.keyUsage.some((u) => u === 'digitalSignature' || u === 'nonRepudiation')) {
        problem('certificate-not-for-signing', `keyUsage ${cms.signer.keyUsage.join(', ')}`);
      }
      if (trusted) {
        const chain = chainsToTrusted(cms.signer, cms.certificates, trusted, at);
        result.chainTrusted = chain.ok;
        if (!chain.ok) problem('untrusted-certificate', chain.detail);
      }
    }
    return result;
  });

  // A signature that ends before the end of the file is still valid when a later valid signature covers the
  // whole file including this one's revision (a second signer); any unsigned addition makes it partial.
  for (const r of results) r.valid = r.problems.length === 0;
  for (const r of results) {
    if (r.coversWholeDocument || !r.valid) continue;
    const end = (r.byteRange[2] ?? 0) + (r.byteRange[3] ?? 0);
    const coveredLater = results.some((later) => later !== r && later.valid && later.coversWholeDocument && (later.byteRange[1] ?? 0) >= end);
    if (!coveredLater) {
      r.problems.push({ code: 'partial-coverage', detail: `the signature covers ${end} of ${pdf.length} bytes; the rest was added after signing` });
      r.valid = false;
    }
  }
  return results;
}
