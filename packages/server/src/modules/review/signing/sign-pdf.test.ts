import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from './ca.js';
import { issueSignerCertificate } from './ca.js';
import { readDer, Tag } from './der.js';
import { pdfDigests } from './digests.js';
import { openSealedCredential, sealCredential } from './key-seal.js';
import { SM2_DEFAULT_USER_ID, OID } from './oids.js';
import { signPdf, type SignPdfOptions } from './sign-pdf.js';
import { departmentCredentials, HAVE_OPENSSL, HAVE_PDFSIG, patchBytes, pdfkitReport, pdfLibDocument, run, runBinary, SIGNER_SUBJECT, tempDir } from './test-helpers.js';
import { verifyPdfSignatures, type PdfSignatureCheck } from './verify-pdf.js';

// Whole seconds: CMS signing-time and PDF dates carry no fractions.
const SIGNING_TIME = new Date(Math.floor(Date.now() / 1000) * 1000);
const OPTIONS: SignPdfOptions = { signingTime: SIGNING_TIME, reason: '报告审核签发', location: '某某医院肺功能室', name: '张三', contactInfo: '0571-88888888' };

const tmp = tempDir();
afterAll(() => tmp.dispose());

/** The CMS and the signed bytes of a signature, cut out of the file by its ByteRange. */
function extract(pdf: Uint8Array, check: PdfSignatureCheck): { cms: Uint8Array; content: Uint8Array } {
  const [, a, b, c] = check.byteRange as [number, number, number, number];
  const cmsNode = readDer(new Uint8Array(Buffer.from(Buffer.from(pdf.subarray(a + 1, b - 1)).toString('latin1'), 'hex')));
  return { cms: cmsNode.raw, content: new Uint8Array(Buffer.concat([pdf.subarray(0, a), pdf.subarray(b, b + c)])) };
}

function pdfsig(pdf: Uint8Array, name: string): string {
  const file = tmp.file(name, pdf);
  const r = run('pdfsig', ['-nocert', file]);
  return r.stdout + r.stderr;
}

function expectValid(check: PdfSignatureCheck | undefined) {
  expect(check?.problems).toEqual([]);
  expect(check?.valid).toBe(true);
}

describe.each(['rsa', 'sm2'] as const)('%s PDF signature', (algorithm) => {
  let ca: Credential;
  let signer: Credential;
  let report: Uint8Array;
  let signed: Uint8Array;
  beforeAll(async () => {
    ({ ca, signer } = await departmentCredentials(algorithm));
    report = await pdfkitReport();
    signed = await signPdf(report, signer, OPTIONS);
  });

  it('covers the whole pdfkit file and reports signer, time, digests and dictionary text in Chinese', async () => {
    // Incremental update: the renderer's bytes are an untouched prefix.
    expect(Buffer.from(signed.subarray(0, report.length)).equals(Buffer.from(report))).toBe(true);
    const checks = await verifyPdfSignatures(signed, { trusted: [ca.certificatePem] });
    expect(checks).toHaveLength(1);
    const check = checks[0]!;
    expectValid(check);
    expect(check.algorithm).toBe(algorithm);
    expect(check.digestAlgorithm).toBe(algorithm === 'sm2' ? 'sm3' : 'sha256');
    expect(check.subFilter).toBe('adbe.pkcs7.detached');
    expect(check.coversWholeDocument).toBe(true);
    expect(check.chainTrusted).toBe(true);
    expect(check.signer?.subject.text).toBe('CN=张三,OU=肺功能室,O=某某医院,C=CN');
    expect(check.signer?.issuer.commonName).toBe('某某医院肺功能室 CA');
    expect(check.signer?.serialNumberHex).toMatch(/^[0-9a-f]{32}$/);
    expect(check.signingTime?.toISOString()).toBe(SIGNING_TIME.toISOString());
    expect(check.signingTimeSource).toBe('cms');
    expect([check.reason, check.location, check.name, check.contactInfo]).toEqual(['报告审核签发', '某某医院肺功能室', '张三', '0571-88888888']);
    const { content } = extract(signed, check);
    expect(check.signedBytes).toEqual({ length: content.length, sm3: pdfDigests(content).sm3, sha256: pdfDigests(content).sha256 });
    expect(content.length).toBeGreaterThan(report.length);
  });

  it('is invalid with a digest reason once one signed byte changes', async () => {
    const { bytes: tampered, offset } = patchBytes(signed, '(PDFKit)', '(PDFKiT)');
    expect(offset).toBeLessThan(report.length);
    const [check] = await verifyPdfSignatures(tampered);
    expect(check?.valid).toBe(false);
    expect(check?.problems.map((p) => p.code)).toEqual(['digest-mismatch']);
    expect(check?.signer?.subject.commonName).toBe('张三');
  });

  it('is invalid when bytes are appended after signing', async () => {
    const appended = new Uint8Array(Buffer.concat([signed, Buffer.from('\n% appended\n')]));
    const [check] = await verifyPdfSignatures(appended);
    expect(check?.coversWholeDocument).toBe(false);
    expect(check?.problems.map((p) => p.code)).toEqual(['partial-coverage']);
    expect(check?.valid).toBe(false);
  });

  it('is invalid when the signature value changes', async () => {
    const [before] = await verifyPdfSignatures(signed);
    const { cms } = extract(signed, before!);
    // The signature value is the last OCTET STRING of the CMS: flip its last byte inside the hex of /Contents.
    const [, a] = before!.byteRange as [number, number];
    const hexOffset = a + 1 + (cms.length - 1) * 2;
    const copy = new Uint8Array(signed);
    copy[hexOffset + 1] = copy[hexOffset + 1] === 0x30 ? 0x31 : 0x30;
    const [check] = await verifyPdfSignatures(copy);
    expect(check?.problems.map((p) => p.code)).toEqual(['bad-signature']);
  });

  it('fails the chain check against another CA but still verifies cryptographically', async () => {
    const other = await departmentCredentials(algorithm);
    const [check] = await verifyPdfSignatures(signed, { trusted: [other.ca.certificatePem] });
    expect(check?.chainTrusted).toBe(false);
    expect(check?.problems.map((p) => p.code)).toEqual(['untrusted-certificate']);
    const [direct] = await verifyPdfSignatures(signed, { trusted: [signer.certificatePem] });
    expectValid(direct);
  });

  it('signs a pdf-lib file (cross-reference stream) and keeps the first signature valid under a second one', async () => {
    const source = await pdfLibDocument();
    const once = await signPdf(source, signer, OPTIONS);
    const [first] = await verifyPdfSignatures(once, { trusted: [ca.certificatePem] });
    expectValid(first);

    const reviewer = await issueSignerCertificate(ca, { subject: { ...SIGNER_SUBJECT, commonName: '李四' } });
    const twice = await signPdf(once, reviewer, { ...OPTIONS, name: '李四', reason: '复核' });
    const checks = await verifyPdfSignatures(twice, { trusted: [ca.certificatePem] });
    expect(checks.map((c) => [c.fieldName, c.signer?.subject.commonName, c.coversWholeDocument, c.valid])).toEqual([
      ['Signature1', '张三', false, true],
      ['Signature2', '李四', true, true],
    ]);
    // If the later signature is broken, the additions after the first one are unsigned.
    const broken = patchBytes(twice, '/Name /PFTIS', '/Name /PFTIT', 'last');
    expect(broken.offset).toBeGreaterThan(once.length);
    const after = await verifyPdfSignatures(broken.bytes);
    expect(after.map((c) => c.problems.map((p) => p.code))).toEqual([['partial-coverage'], ['digest-mismatch']]);
  });

  it('signs with a PIN-sealed credential only after the right PIN', async () => {
    const stored = await sealCredential(signer, '246810', { iterations: 10_000 });
    expect(JSON.stringify(stored)).not.toContain('PRIVATE KEY');
    await expect(openSealedCredential(stored, '246811')).rejects.toMatchObject({ code: 'signing.wrong-pin' });
    const [check] = await verifyPdfSignatures(await signPdf(report, await openSealedCredential(stored, '246810'), OPTIONS));
    expectValid(check);
  });

  it('refuses a signing time outside the certificate validity, a key of another certificate and the CA key', async () => {
    await expect(signPdf(report, signer, { ...OPTIONS, signingTime: new Date('2000-01-01T00:00:00Z') })).rejects.toMatchObject({ code: 'signing.certificate-not-valid' });
    const other = await departmentCredentials(algorithm);
    await expect(signPdf(report, { ...signer, privateKeyPem: other.signer.privateKeyPem }, OPTIONS)).rejects.toMatchObject({ code: 'signing.key-certificate-mismatch' });
    // The CA's own certificate is for issuing certificates (keyCertSign), not for signing documents.
    await expect(signPdf(report, ca, OPTIONS)).rejects.toMatchObject({ code: 'signing.malformed-certificate' });
  });

  it('makes ETSI.CAdES.detached (PAdES B-B) without the CMS signing-time attribute', async () => {
    const pades = await signPdf(report, signer, { ...OPTIONS, subFilter: 'ETSI.CAdES.detached' });
    const [check] = await verifyPdfSignatures(pades, { trusted: [ca.certificatePem] });
    expectValid(check);
    expect(check?.subFilter).toBe('ETSI.CAdES.detached');
    expect(check?.signingTimeSource).toBe('pdf');
    expect(check?.signingTime?.toISOString()).toBe(SIGNING_TIME.toISOString());
    if (HAVE_PDFSIG && algorithm === 'rsa') expect(pdfsig(pades, 'pades.pdf')).toContain('Signature is Valid');
  });

  it.skipIf(!HAVE_PDFSIG)('pdfsig shows the Chinese signer name', () => {
    const out = pdfsig(signed, `${algorithm}.pdf`);
    expect(out).toContain('Signer Certificate Common Name: 张三');
    expect(out).toContain('Signer full Distinguished Name: CN=张三,OU=肺功能室,O=某某医院,C=CN');
    expect(out).toContain('Total document signed');
  });

  it.skipIf(!HAVE_OPENSSL)('OpenSSL recomputes the same SM3 and SHA-256 of the file', () => {
    const file = tmp.file(`${algorithm}-digest.pdf`, signed);
    const digests = pdfDigests(signed);
    expect(run('openssl', ['dgst', '-sm3', '-r', file]).stdout.split(' ')[0]).toBe(digests.sm3);
    expect(run('openssl', ['dgst', '-sha256', '-r', file]).stdout.split(' ')[0]).toBe(digests.sha256);
  });
});

describe.skipIf(!HAVE_PDFSIG)('pdfsig on RSA signatures', () => {
  it('says "Signature is Valid" for a signed pdfkit report and not after one byte changes', async () => {
    const { signer } = await departmentCredentials('rsa');
    const signed = await signPdf(await pdfkitReport(), signer, OPTIONS);
    const good = pdfsig(signed, 'rsa-good.pdf');
    expect(good).toContain('Signature Validation: Signature is Valid.');
    expect(good).toContain('Signing Hash Algorithm: SHA-256');
    const bad = pdfsig(patchBytes(signed, '(PDFKit)', '(PDFKiT)').bytes, 'rsa-bad.pdf');
    expect(bad).toContain('Signer Certificate Common Name: 张三');
    expect(bad).not.toContain('Signature is Valid');
    expect(bad).toContain('Digest Mismatch');
  });
});

describe.skipIf(!HAVE_OPENSSL)('OpenSSL checks of the CMS', () => {
  it('RSA: openssl cms -verify accepts the detached CMS over the signed bytes, and rejects changed bytes', async () => {
    const { ca, signer } = await departmentCredentials('rsa');
    const signed = await signPdf(await pdfkitReport(), signer, OPTIONS);
    const [check] = await verifyPdfSignatures(signed);
    const { cms, content } = extract(signed, check!);
    const args = (contentFile: string) => ['cms', '-verify', '-binary', '-inform', 'DER', '-in', tmp.file('rsa.p7s', cms), '-content', contentFile, '-CAfile', tmp.file('rsa-ca.pem', ca.certificatePem), '-purpose', 'any', '-out', tmp.file('rsa.out')];
    const ok = run('openssl', args(tmp.file('rsa.content', content)));
    expect(ok.stderr).toContain('CMS Verification successful');
    const changed = new Uint8Array(content);
    changed[100] = changed[100]! ^ 1;
    expect(run('openssl', args(tmp.file('rsa-changed.content', changed))).status).not.toBe(0);
    // OpenSSL finds the signer by the Chinese issuer name and serial, so those bytes must match the certificate.
    const printed = runBinary('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', tmp.file('rsa.p7s')]).toString('utf8');
    expect(printed).toContain('signingTime');
    expect(printed).toContain('id-smime-aa-signingCertificateV2');
  });

  it('SM2: OpenSSL verifies the SM2 signature over the signed attributes, the SM3 message digest and the certificate chain', async () => {
    const { ca, signer } = await departmentCredentials('sm2');
    const signed = await signPdf(await pdfkitReport(), signer, OPTIONS);
    const [check] = await verifyPdfSignatures(signed);
    const { cms, content } = extract(signed, check!);

    const signedData = readDer(cms).child(1).inner();
    const signerInfo = signedData.children().at(-1)!.child(0);
    const attrs = signerInfo.child(3);
    expect(attrs.tag).toBe(0xa0);
    expect(signerInfo.child(4).child(0).oid()).toBe(OID.sm2WithSm3);
    expect(signerInfo.child(2).child(0).oid()).toBe(OID.sm3);
    // Signed input: the attributes with the SET tag (RFC 5652 §5.4).
    const attrsDer = new Uint8Array(attrs.raw);
    attrsDer[0] = Tag.SET;
    const signature = signerInfo.child(5, Tag.OCTET_STRING).content;
    const certFile = tmp.file('sm2-signer.pem', signer.certificatePem);
    const pub = tmp.file('sm2-signer.pub', run('openssl', ['x509', '-in', certFile, '-pubkey', '-noout']).stdout);
    const verify = (data: Uint8Array) =>
      run('openssl', ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', pub, '-pkeyopt', `distid:${SM2_DEFAULT_USER_ID}`, '-in', tmp.file('attrs.der', data), '-sigfile', tmp.file('sm2.sig', signature)]).stdout;
    expect(verify(attrsDer)).toContain('Signature Verified Successfully');
    const changedAttrs = new Uint8Array(attrsDer);
    changedAttrs[changedAttrs.length - 1] = changedAttrs[changedAttrs.length - 1]! ^ 1;
    expect(verify(changedAttrs)).not.toContain('Signature Verified Successfully');

    const messageDigest = attrs.children().find((a) => a.child(0).oid() === OID.messageDigest)!.child(1).child(0).content;
    const sm3 = run('openssl', ['dgst', '-sm3', '-r', tmp.file('sm2.content', content)]).stdout.split(' ')[0];
    expect(Buffer.from(messageDigest).toString('hex')).toBe(sm3);

    const chain = run('openssl', ['verify', '-vfyopt', `distid:${SM2_DEFAULT_USER_ID}`, '-CAfile', tmp.file('sm2-ca.pem', ca.certificatePem), certFile]);
    expect(chain.stdout).toContain(': OK');

    // OpenSSL 3.0 cannot check SM2 CMS itself (no SM2 signer-ID handling in its CMS code); recorded, not required.
    const cmsVerify = run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', tmp.file('sm2.p7s', cms), '-content', tmp.file('sm2.content'), '-noverify', '-out', tmp.file('sm2.out')]);
    if (cmsVerify.status === 0) console.info('this OpenSSL verifies SM2 CMS directly');
  });
});

describe('malformed input', () => {
  it('returns no signatures for an unsigned PDF and a typed error for a non-PDF', async () => {
    expect(await verifyPdfSignatures(await pdfLibDocument())).toEqual([]);
    const { signer } = await departmentCredentials('sm2');
    await expect(signPdf(new TextEncoder().encode('not a pdf'), signer, OPTIONS)).rejects.toMatchObject({ code: 'signing.unsupported-pdf' });
  });

  it('flags a ByteRange that does not exclude exactly the /Contents string', async () => {
    const { signer } = await departmentCredentials('sm2');
    const signed = await signPdf(await pdfLibDocument(), signer, OPTIONS);
    const [check] = await verifyPdfSignatures(signed);
    const [, a] = check!.byteRange as [number, number];
    const shifted = `/ByteRange [0 ${a - 1}`;
    const patched = patchBytes(signed, `/ByteRange [0 ${a}`, shifted.padEnd(`/ByteRange [0 ${a}`.length, ' '));
    const [bad] = await verifyPdfSignatures(patched.bytes);
    expect(bad?.problems.map((p) => p.code)).toContain('byte-range-invalid');
    expect(bad?.valid).toBe(false);
  });
});
