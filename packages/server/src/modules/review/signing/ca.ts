import { bytesEqual } from './der.js';
import { SigningError } from './errors.js';
import { derToPem, generatePrivateKey, parsePrivateKey, publicKeyInfo, type PrivateKey, type SignatureAlgorithm } from './keys.js';
import { encodeName, type DistinguishedName } from './names.js';
import { buildCertificate, parseCertificate, type Certificate } from './x509.js';

/**
 * A certificate with its private key and the chain above it, all PEM. The same shape serves the department CA
 * (chain empty) and a physician's signing credential. Keep `privateKeyPem` sealed at rest (key-seal.ts).
 */
export interface Credential {
  algorithm: SignatureAlgorithm;
  certificatePem: string;
  /** PKCS#8. */
  privateKeyPem: string;
  /** Issuer first, root last; the credential's own certificate is not included. */
  chainPem: string[];
}

export interface Validity {
  notBefore?: Date;
  /** Defaults: 10 years for a CA; 2 years for a signer, never past the CA's own expiry. */
  notAfter?: Date;
}

function validity(v: Validity, years: number, cap?: Date): { notBefore: Date; notAfter: Date } {
  // Backdated a little so that a verifier whose clock is a few minutes behind accepts a fresh certificate.
  const notBefore = v.notBefore ?? new Date(Date.now() - 10 * 60 * 1000);
  let notAfter = v.notAfter;
  if (!notAfter) {
    notAfter = new Date(notBefore);
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  }
  if (cap && notAfter > cap) notAfter = cap;
  if (notAfter <= notBefore) throw new RangeError('notAfter must be after notBefore');
  return { notBefore, notAfter };
}

/**
 * A self-signed department CA, e.g. subject
 * { commonName: '某某医院肺功能室 CA', organization: '某某医院', organizationalUnit: '肺功能室', country: 'CN' }.
 */
export async function createCertificateAuthority(options: { algorithm: SignatureAlgorithm; subject: DistinguishedName } & Validity): Promise<Credential> {
  const privateKeyPem = await generatePrivateKey(options.algorithm);
  const key = parsePrivateKey(privateKeyPem);
  const spki = publicKeyInfo(key);
  const der = buildCertificate({
    subject: options.subject,
    subjectPublicKeyInfo: spki,
    issuerName: encodeName(options.subject),
    issuerKey: key,
    issuerPublicKeyInfo: spki,
    ...validity(options, 10),
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  return { algorithm: options.algorithm, certificatePem: derToPem(der, 'CERTIFICATE'), privateKeyPem, chainPem: [] };
}

/**
 * Issues a signing certificate (keyUsage digitalSignature + nonRepudiation) for a physician, e.g. subject
 * { commonName: '张三', organization: '某某医院', organizationalUnit: '肺功能室', country: 'CN' }, with a new key
 * of the CA's algorithm unless `privateKeyPem` (renewal with the same key) is given.
 */
export async function issueSignerCertificate(
  ca: Credential,
  options: { subject: DistinguishedName; privateKeyPem?: string } & Validity,
): Promise<Credential> {
  const caCert = parseCertificate(ca.certificatePem);
  const caKey = parsePrivateKey(ca.privateKeyPem);
  if (!caCert.isCa || (caCert.keyUsage && !caCert.keyUsage.includes('keyCertSign'))) {
    throw new SigningError('signing.malformed-certificate', 'the issuing certificate is not a CA certificate');
  }
  const privateKeyPem = options.privateKeyPem ?? (await generatePrivateKey(ca.algorithm));
  const key = parsePrivateKey(privateKeyPem);
  if (key.algorithm !== ca.algorithm) throw new SigningError('signing.malformed-key', `a ${ca.algorithm} CA issues ${ca.algorithm} keys only`);
  const der = buildCertificate({
    subject: options.subject,
    subjectPublicKeyInfo: publicKeyInfo(key),
    issuerName: caCert.subjectDer,
    issuerKey: caKey,
    issuerPublicKeyInfo: publicKeyInfo(caKey),
    ...validity(options, 2, caCert.notAfter),
    ca: false,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
  });
  return { algorithm: ca.algorithm, certificatePem: derToPem(der, 'CERTIFICATE'), privateKeyPem, chainPem: [ca.certificatePem, ...ca.chainPem] };
}

/** Whether the private key is the one the certificate was issued for. */
export function keyMatchesCertificate(key: PrivateKey, cert: Certificate): boolean {
  const pub = cert.publicKey;
  if (key.algorithm === 'sm2') return pub.algorithm === 'sm2' && pub.publicKeyHex.toLowerCase() === key.publicKeyHex.toLowerCase();
  return pub.algorithm === 'rsa' && bytesEqual(pub.spki, publicKeyInfo(key));
}
