import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBytes, verifyBytes } from './algorithms.js';
import type { Credential } from './ca.js';
import { issueSignerCertificate } from './ca.js';
import { generatePrivateKey, parsePrivateKey } from './keys.js';
import { SM2_DEFAULT_USER_ID } from './oids.js';
import { departmentCredentials, HAVE_OPENSSL, run, SIGNER_SUBJECT, tempDir } from './test-helpers.js';
import { describeCertificate, isSignedBy, parseCertificate } from './x509.js';

const DISTID = `distid:${SM2_DEFAULT_USER_ID}`;
const tmp = tempDir();
afterAll(() => tmp.dispose());

describe.each(['rsa', 'sm2'] as const)('%s department CA and signer certificate', (algorithm) => {
  let ca: Credential;
  let signer: Credential;
  beforeAll(async () => {
    ({ ca, signer } = await departmentCredentials(algorithm));
  });

  it('has the Chinese subject and issuer, key usage, validity and a 16-byte serial', () => {
    const info = describeCertificate(signer.certificatePem);
    expect(info.algorithm).toBe(algorithm);
    expect(info.subject.commonName).toBe('张三');
    expect(info.subject.text).toBe('CN=张三,OU=肺功能室,O=某某医院,C=CN');
    expect(info.issuer.text).toBe('CN=某某医院肺功能室 CA,OU=肺功能室,O=某某医院,C=CN');
    expect(info.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(info.isCa).toBe(false);
    expect(info.serialNumberHex).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(info.notAfter.getUTCFullYear() - info.notBefore.getUTCFullYear()).toBe(2);

    const caInfo = describeCertificate(ca.certificatePem);
    expect(caInfo.isCa).toBe(true);
    expect(caInfo.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    expect(caInfo.subject.text).toBe(caInfo.issuer.text);
    expect(signer.chainPem).toEqual([ca.certificatePem]);
  });

  it('is signed by the CA and not by another CA; a changed byte breaks it', async () => {
    const cert = parseCertificate(signer.certificatePem);
    const caCert = parseCertificate(ca.certificatePem);
    expect(isSignedBy(cert, caCert)).toBe(true);
    expect(isSignedBy(caCert, caCert)).toBe(true);
    const other = await departmentCredentials(algorithm);
    expect(isSignedBy(cert, parseCertificate(other.ca.certificatePem))).toBe(false);

    const der = new Uint8Array(cert.der);
    const at = Buffer.from(der).indexOf(Buffer.from('张三'));
    der[at + 2] = der[at + 2]! ^ 1;
    expect(isSignedBy(parseCertificate(der), caCert)).toBe(false);
  });

  it.skipIf(!HAVE_OPENSSL)('verifies with openssl verify and prints the UTF-8 names', () => {
    const caFile = tmp.file(`${algorithm}-ca.pem`, ca.certificatePem);
    const certFile = tmp.file(`${algorithm}-cert.pem`, signer.certificatePem);
    // OpenSSL 3.0 assumes an empty SM2 signer ID unless told; GM/T 0009 and this library use 1234567812345678.
    const sm2Opt = algorithm === 'sm2' ? ['-vfyopt', DISTID] : [];
    const verified = run('openssl', ['verify', ...sm2Opt, '-CAfile', caFile, certFile]);
    expect(verified.stdout + verified.stderr).toContain(': OK');
    expect(verified.status).toBe(0);

    const other = run('openssl', ['verify', ...sm2Opt, '-CAfile', certFile, certFile]);
    expect(other.status).not.toBe(0);

    const text = run('openssl', ['x509', '-in', certFile, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space']).stdout;
    expect(text).toContain('Subject: C=CN, O=某某医院, OU=肺功能室, CN=张三');
    expect(text).toContain('Issuer: C=CN, O=某某医院, OU=肺功能室, CN=某某医院肺功能室 CA');
    expect(text).toContain('Digital Signature, Non Repudiation');
    expect(text).toContain(algorithm === 'sm2' ? 'Signature Algorithm: SM2-with-SM3' : 'Signature Algorithm: sha256WithRSAEncryption');
    if (algorithm === 'sm2') expect(text).toContain('ASN1 OID: SM2');
  });

  it('refuses to issue from a certificate that is not a CA', async () => {
    await expect(issueSignerCertificate(signer, { subject: SIGNER_SUBJECT })).rejects.toMatchObject({ code: 'signing.malformed-certificate' });
  });
});

describe.skipIf(!HAVE_OPENSSL)('SM2 interoperability with the OpenSSL command line', () => {
  it('verifies an SM2 certificate chain and a raw SM2 signature made by OpenSSL', () => {
    const key = tmp.file('o-ca.key');
    const caFile = tmp.file('o-ca.pem');
    const eeKey = tmp.file('o-ee.key');
    const csr = tmp.file('o-ee.csr');
    const ee = tmp.file('o-ee.pem');
    const data = tmp.file('data.bin', '肺功能报告 SM2 interop');
    const sig = tmp.file('data.sig');
    const ok = (r: { status: number | null; stderr: string }) => expect(r.status, r.stderr).toBe(0);
    ok(run('openssl', ['genpkey', '-algorithm', 'SM2', '-out', key]));
    ok(run('openssl', ['req', '-new', '-x509', '-key', key, '-sm3', '-sigopt', DISTID, '-subj', '/C=CN/O=某某医院/CN=某某医院 CA', '-utf8', '-days', '30', '-out', caFile]));
    ok(run('openssl', ['genpkey', '-algorithm', 'SM2', '-out', eeKey]));
    ok(run('openssl', ['req', '-new', '-key', eeKey, '-sm3', '-sigopt', DISTID, '-subj', '/CN=李四', '-utf8', '-out', csr]));
    ok(run('openssl', ['x509', '-req', '-in', csr, '-vfyopt', DISTID, '-CA', caFile, '-CAkey', key, '-sm3', '-sigopt', DISTID, '-days', '10', '-out', ee]));

    const caCert = parseCertificate(readFileSync(caFile, 'utf8'));
    const eeCert = parseCertificate(readFileSync(ee, 'utf8'));
    expect(eeCert.subject.commonName).toBe('李四');
    expect(eeCert.issuer.commonName).toBe('某某医院 CA');
    expect(isSignedBy(eeCert, caCert)).toBe(true);
    expect(isSignedBy(caCert, caCert)).toBe(true);

    ok(run('openssl', ['pkeyutl', '-sign', '-rawin', '-digest', 'sm3', '-inkey', eeKey, '-pkeyopt', DISTID, '-in', data, '-out', sig]));
    const message = new Uint8Array(readFileSync(data));
    const signature = new Uint8Array(readFileSync(sig));
    expect(verifyBytes(eeCert.publicKey, message, signature)).toBe(true);
    expect(verifyBytes(eeCert.publicKey, message.subarray(1), signature)).toBe(false);
    expect(verifyBytes(caCert.publicKey, message, signature)).toBe(false);

    // Without the ID OpenSSL 3.0 hashes an empty signer ID into Z: such a signature must not pass as GM/T default-ID.
    ok(run('openssl', ['pkeyutl', '-sign', '-rawin', '-digest', 'sm3', '-inkey', eeKey, '-in', data, '-out', sig]));
    expect(verifyBytes(eeCert.publicKey, message, new Uint8Array(readFileSync(sig)))).toBe(false);

    // The other way: an SM2 signature from sm-crypto-v2 verifies in OpenSSL with the same key.
    const ours = signBytes(parsePrivateKey(readFileSync(eeKey, 'utf8')), message);
    const oursFile = tmp.file('ours.sig', ours);
    const verified = run('openssl', ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', tmp.file('o-ee.pub', run('openssl', ['pkey', '-in', eeKey, '-pubout']).stdout), '-pkeyopt', DISTID, '-in', data, '-sigfile', oursFile]);
    expect(verified.stdout).toContain('Signature Verified Successfully');
  });
});

describe('certificate parsing and SM2 signatures', () => {
  it('accepts only a strict DER SM2 signature (no trailing bytes, no garbage)', async () => {
    const key = parsePrivateKey(await generatePrivateKey('sm2'));
    if (key.algorithm !== 'sm2') throw new Error('expected an SM2 key');
    const publicKey = { algorithm: 'sm2' as const, publicKeyHex: key.publicKeyHex };
    const message = new TextEncoder().encode('报告');
    const good = signBytes(key, message);
    expect(verifyBytes(publicKey, message, good)).toBe(true);
    // sm-crypto-v2's own DER decoder would ignore the extra bytes; a signature must have one encoding.
    expect(verifyBytes(publicKey, message, new Uint8Array([...good, 0]))).toBe(false);
    expect(verifyBytes(publicKey, message, new Uint8Array(72).fill(0x30))).toBe(false);
  });

  it('rejects garbage with a typed error', () => {
    expect(() => parseCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrow(expect.objectContaining({ code: 'signing.malformed-certificate' }));
    expect(() => parseCertificate('not a pem')).toThrow(expect.objectContaining({ code: 'signing.malformed-certificate' }));
  });
});
