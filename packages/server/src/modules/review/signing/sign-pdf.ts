import { digest, digestFor } from './algorithms.js';
import { keyMatchesCertificate, type Credential } from './ca.js';
import { createSignedData, maxSignedDataSize } from './cms.js';
import { SigningError } from './errors.js';
import { parsePrivateKey } from './keys.js';
import { addSignaturePlaceholder, type SubFilter } from './pdf.js';
import { parseCertificate } from './x509.js';

export interface SignPdfOptions {
  /** The claimed signing time: PDF /M and, for adbe.pkcs7.detached, the CMS signing-time attribute. */
  signingTime: Date;
  /** /Reason, e.g. '报告审核签发'. */
  reason: string;
  /** /Location, e.g. '某某医院肺功能室'. */
  location: string;
  /** /Name, the signer's name as shown by viewers, e.g. '张三'. */
  name: string;
  contactInfo?: string;
  /**
   * 'adbe.pkcs7.detached' (default): CMS with content-type, message-digest, signing-time and
   * signing-certificate-v2. 'ETSI.CAdES.detached': PAdES baseline B-B, which forbids the CMS signing-time
   * attribute (ETSI EN 319 142-1; the time is only in /M), so it is left out.
   */
  subFilter?: SubFilter;
}

/**
 * Signs a PDF with a detached CMS signature over the whole file (ByteRange), appended as an incremental update.
 * RSA: SHA-256 with RSA; SM2: SM3 with SM2 (GM/T 0003, default user ID). The credential's private key must be
 * open (see openSealedPrivateKey).
 */
export async function signPdf(pdf: Uint8Array, signer: Credential, options: SignPdfOptions): Promise<Uint8Array> {
  if (Number.isNaN(options.signingTime.getTime())) throw new RangeError('signingTime is not a valid date');
  const key = parsePrivateKey(signer.privateKeyPem);
  const certificate = parseCertificate(signer.certificatePem);
  if (!keyMatchesCertificate(key, certificate)) throw new SigningError('signing.key-certificate-mismatch', 'the private key does not belong to the certificate');
  if (certificate.keyUsage && !certificate.keyUsage.some((u) => u === 'digitalSignature' || u === 'nonRepudiation')) {
    throw new SigningError('signing.malformed-certificate', 'the certificate is not for signing (keyUsage)');
  }
  if (options.signingTime < certificate.notBefore || options.signingTime > certificate.notAfter) {
    throw new SigningError('signing.certificate-not-valid', `the certificate is valid from ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}`);
  }
  const chain = signer.chainPem.map((pem) => parseCertificate(pem));
  const subFilter = options.subFilter ?? 'adbe.pkcs7.detached';
  const cmsInput = { key, certificate, chain, signingTime: subFilter === 'ETSI.CAdES.detached' ? null : options.signingTime };

  const reserved = maxSignedDataSize(cmsInput);
  const prepared = await addSignaturePlaceholder(pdf, { ...options, subFilter }, reserved);
  const [, firstEnd, secondStart, secondLength] = prepared.byteRange;
  const contentDigest = digest(
    digestFor(key.algorithm),
    prepared.pdf.subarray(0, firstEnd),
    prepared.pdf.subarray(secondStart, secondStart + secondLength),
  );
  const cms = createSignedData({ ...cmsInput, contentDigest });
  if (cms.length * 2 > prepared.contentsHexLength) throw new SigningError('signing.placeholder-too-small', `CMS of ${cms.length} bytes, ${reserved} reserved`);
  prepared.pdf.set(Buffer.from(Buffer.from(cms).toString('hex').toUpperCase(), 'latin1'), prepared.contentsOffset);
  return prepared.pdf;
}
