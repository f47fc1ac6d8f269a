import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from './ca.js';
import { SigningError } from './errors.js';
import { parsePrivateKey, privateKeyToPem } from './keys.js';
import { exportPkcs12, importPkcs12 } from './pkcs12.js';
import { signPdf } from './sign-pdf.js';
import { departmentCredentials, HAVE_OPENSSL, pdfLibDocument, run, tempDir } from './test-helpers.js';
import { verifyPdfSignatures } from './verify-pdf.js';
import { parseCertificate } from './x509.js';

const tmp = tempDir();
afterAll(() => tmp.dispose());

const samePrivateKey = (a: string, b: string) => privateKeyToPem(parsePrivateKey(a)) === privateKeyToPem(parsePrivateKey(b));

async function expectSigningError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigningError);
  expect((error as SigningError).code).toBe(code);
}

describe.each(['rsa', 'sm2'] as const)('%s PKCS#12', (algorithm) => {
  let signer: Credential;
  let ca: Credential;
  beforeAll(async () => {
    ({ ca, signer } = await departmentCredentials(algorithm));
  });

  it('round-trips the key, certificate and CA chain', async () => {
    const p12 = await exportPkcs12(signer, 'Pft-2026!');
    const back = await importPkcs12(p12, 'Pft-2026!');
    expect(back.algorithm).toBe(algorithm);
    expect(back.certificatePem).toBe(signer.certificatePem);
    expect(back.chainPem).toEqual([ca.certificatePem]);
    expect(samePrivateKey(back.privateKeyPem, signer.privateKeyPem)).toBe(true);
  });

  it('refuses a wrong password with a typed error', async () => {
    const p12 = await exportPkcs12(signer, 'Pft-2026!');
    await expectSigningError(importPkcs12(p12, 'pft-2026!'), 'signing.wrong-password');
    await expectSigningError(importPkcs12(p12, ''), 'signing.wrong-password');
    await expectSigningError(importPkcs12(p12.subarray(0, 200), 'Pft-2026!'), 'signing.malformed-pkcs12');
  });

  it.skipIf(!HAVE_OPENSSL)('opens in OpenSSL, also with a Chinese password', async () => {
    for (const password of ['Pft-2026!', '肺功能室密码']) {
      const file = tmp.file(`${algorithm}-ours.p12`, await exportPkcs12(signer, password));
      const out = run('openssl', ['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nodes']);
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout).toContain('-----BEGIN PRIVATE KEY-----');
      const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(out.stdout)![0];
      expect(samePrivateKey(key, signer.privateKeyPem)).toBe(true);
      expect(out.stdout.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
      const wrong = run('openssl', ['pkcs12', '-in', file, '-passin', 'pass:wrong', '-nodes']);
      expect(wrong.status).not.toBe(0);
    }
  });

  it.skipIf(!HAVE_OPENSSL)('imports what `openssl pkcs12 -export` writes: default, SM4 + SM3 MAC, legacy 3DES, Chinese password', async () => {
    const keyFile = tmp.file(`${algorithm}-key.pem`, signer.privateKeyPem);
    const certFile = tmp.file(`${algorithm}-cert.pem`, signer.certificatePem);
    const caFile = tmp.file(`${algorithm}-ca.pem`, ca.certificatePem);
    const variants: Array<{ password: string; args: string[] }> = [
      { password: 'secret', args: [] },
      { password: 'secret', args: ['-keypbe', 'SM4-CBC', '-certpbe', 'SM4-CBC', '-macalg', 'sm3'] },
      { password: 'secret', args: ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'] },
      { password: '肺功能室密码', args: [] },
    ];
    for (const { password, args } of variants) {
      const out = tmp.file(`${algorithm}-openssl.p12`);
      const made = run('openssl', ['pkcs12', '-export', '-inkey', keyFile, '-in', certFile, '-certfile', caFile, '-name', '张三', '-passout', `pass:${password}`, ...args, '-out', out]);
      expect(made.status, made.stderr).toBe(0);
      const imported = await importPkcs12(new Uint8Array(readFileSync(out)), password);
      expect(imported.certificatePem, args.join(' ')).toBe(signer.certificatePem);
      expect(imported.chainPem).toEqual([ca.certificatePem]);
      expect(samePrivateKey(imported.privateKeyPem, signer.privateKeyPem)).toBe(true);
      await expectSigningError(importPkcs12(new Uint8Array(readFileSync(out)), `${password}x`), 'signing.wrong-password');
    }
  });
});

describe.skipIf(!HAVE_OPENSSL)('an SM2 key and certificate made entirely by OpenSSL', () => {
  it('imports from its .p12 and signs a PDF that verifies', async () => {
    const distid = 'distid:1234567812345678';
    const key = tmp.file('o.key');
    const cert = tmp.file('o.pem');
    const p12 = tmp.file('o.p12');
    expect(run('openssl', ['genpkey', '-algorithm', 'SM2', '-out', key]).status).toBe(0);
    const req = run('openssl', ['req', '-new', '-x509', '-key', key, '-sm3', '-sigopt', distid, '-subj', '/C=CN/O=某某医院/CN=王五', '-utf8', '-days', '30', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation', '-out', cert]);
    expect(req.status, req.stderr).toBe(0);
    expect(run('openssl', ['pkcs12', '-export', '-inkey', key, '-in', cert, '-passout', 'pass:123456', '-out', p12]).status).toBe(0);

    const credential = await importPkcs12(new Uint8Array(readFileSync(p12)), '123456');
    expect(credential.algorithm).toBe('sm2');
    expect(parseCertificate(credential.certificatePem).subject.commonName).toBe('王五');
    const signed = await signPdf(await pdfLibDocument(), credential, { signingTime: new Date(), reason: '审核', location: '肺功能室', name: '王五' });
    const [check] = await verifyPdfSignatures(signed, { trusted: [readFileSync(cert, 'utf8')] });
    expect(check?.problems).toEqual([]);
    expect(check?.valid).toBe(true);
    expect(check?.signer?.subject.commonName).toBe('王五');
  });
});

describe('node-forge interoperability (RSA)', () => {
  let signer: Credential;
  let ca: Credential;
  beforeAll(async () => {
    ({ ca, signer } = await departmentCredentials('rsa'));
  });

  it('imports a .p12 written by node-forge for a certificate with Chinese subject and issuer', async () => {
    const certs = [signer.certificatePem, ca.certificatePem].map((pem) => forge.pki.certificateFromPem(pem));
    const key = forge.pki.privateKeyFromPem(signer.privateKeyPem);
    const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, 'forge-pass', { algorithm: 'aes256' });
    const der = new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    const imported = await importPkcs12(der, 'forge-pass');
    // Byte-identical certificates: forge kept the captured TBS; the Chinese names were not re-encoded.
    expect(imported.certificatePem).toBe(signer.certificatePem);
    expect(imported.chainPem).toEqual([ca.certificatePem]);
    expect(samePrivateKey(imported.privateKeyPem, signer.privateKeyPem)).toBe(true);
    await expectSigningError(importPkcs12(der, 'forge-pas'), 'signing.wrong-password');
  });

  it('writes a .p12 that node-forge reads', async () => {
    const p12 = await exportPkcs12(signer, 'Pft-2026!');
    const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(Buffer.from(p12).toString('binary')), 'Pft-2026!');
    const keyBags = parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? [];
    const certBags = parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag!] ?? [];
    expect(keyBags).toHaveLength(1);
    expect(certBags).toHaveLength(2);
    const forgeKey = keyBags[0]!.key as forge.pki.rsa.PrivateKey;
    expect(samePrivateKey(forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(forgeKey))), signer.privateKeyPem)).toBe(true);
    expect(certBags.map((b) => b.cert?.subject.getField('CN')?.value)).toContain(Buffer.from('张三').toString('binary'));
  });
});
