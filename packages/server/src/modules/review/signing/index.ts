/**
 * PDF electronic signatures for reports: department CA and signer certificates (RSA or SM2), PKCS#12 import and
 * export, PIN-sealed private keys, signing and verifying PDFs. Pure functions, no database.
 */
export { createCertificateAuthority, issueSignerCertificate, type Credential, type Validity } from './ca.js';
export { pdfDigests, type PdfDigests } from './digests.js';
export { SigningError, type SigningErrorCode } from './errors.js';
export { openSealedCredential, openSealedPrivateKey, sealCredential, sealPrivateKey, type SealedCredential, type SealOptions } from './key-seal.js';
export type { SignatureAlgorithm } from './keys.js';
export type { DecodedName, DistinguishedName, NameAttribute } from './names.js';
export type { SubFilter } from './pdf.js';
export { exportPkcs12, importPkcs12 } from './pkcs12.js';
export { signPdf, type SignPdfOptions } from './sign-pdf.js';
export { certificateChainsTo, verifyPdfSignatures, type PdfSignatureCheck, type SignatureProblem, type SignatureProblemCode, type VerifyPdfOptions } from './verify-pdf.js';
export { describeCertificate, type CertificateInfo, type KeyUsage } from './x509.js';
