import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createCanvas } from '@napi-rs/canvas';
import { nddTestResult } from '@pftis/his-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/audit.js';
import { type Client, given, signIn, TEST_PASSWORD } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';
import { reportingTeam, type ReportingTeam, TEST_PIN } from '../../test/reports.js';
import { createCertificateAuthority, exportPkcs12, issueSignerCertificate, signPdf, verifyPdfSignatures, type Credential } from './signing/index.js';
import { HAVE_OPENSSL, pdfkitReport, run, tempDir } from './signing/test-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.dispose());

/** A certification authority outside the hospital, with Chinese names, as a personal certificate's issuer. */
const externalCa = (algorithm: 'rsa' | 'sm2' = 'rsa', name = '华信数字认证中心') =>
  createCertificateAuthority({ algorithm, subject: { commonName: `${name} 个人证书 CA`, organization: `${name}有限公司`, country: 'CN' } });

const personalCertificate = (ca: Credential, commonName: string, privateKeyPem?: string) =>
  issueSignerCertificate(ca, { subject: { commonName, organization: '测试医院', organizationalUnit: '呼吸与危重症医学科', country: 'CN' }, privateKeyPem });

const p12Body = async (credential: Credential, password = '证书密码-2026') => ({ p12Base64: Buffer.from(await exportPkcs12(credential, password)).toString('base64'), password, pin: TEST_PIN });

/** The images in a PDF as poppler's pdfimages lists them. */
function pdfImages(pdf: Uint8Array): Array<{ width: number; height: number; type: string }> {
  const out = execFileSync('pdfimages', ['-list', tmp.file(`images-${Math.random().toString(36).slice(2)}.pdf`, pdf)]).toString('utf8');
  return out
    .split('\n')
    .slice(2)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length > 5)
    .map((cols) => ({ type: cols[2]!, width: Number(cols[3]), height: Number(cols[4]) }));
}

function png(width: number, height: number, noise = false): Buffer {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (noise) {
    const data = ctx.createImageData(width, height);
    for (let i = 0; i < data.data.length; i++) data.data[i] = Math.floor(Math.random() * 256);
    ctx.putImageData(data, 0, 0);
  } else {
    ctx.strokeStyle = '#1a237e';
    ctx.lineWidth = 4;
    ctx.beginPath();
    ctx.moveTo(10, height - 20);
    ctx.bezierCurveTo(width / 3, 0, (2 * width) / 3, height, width - 10, 20);
    ctx.stroke();
  }
  return canvas.toBuffer('image/png');
}

describe.each(backends)('electronic signatures (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let team: ReportingTeam;
  let admin: Client;
  let tech: Client;
  let reviewer: Client;
  let sequence = 0;

  /** A physician who may give the final (second-level) approval, signed in, with no signing key yet. */
  async function physician() {
    const user = await given(t).user({ roles: ['reviewing_physician'], campusIds: [team.campus.id] });
    return { user, client: await signIn(t, user.username) };
  }

  /** A report drafted by the technician, submitted, and approved at level 1 by the reporting physician. */
  async function awaitingFinalApproval() {
    const n = ++sequence;
    const exam = await t.services.exams.registerManually(team.technician, {
      patient: { name: `签名测试${n}`, sex: 'male', birthDate: '1966-03-12' }, requestNo: `SIG${process.pid}${n}`, itemName: '肺通气功能检查', visitType: 'outpatient', visitSerialNo: `MZS${n}`, heightCm: 170, weightKg: 65,
    });
    const bytes = nddTestResult({ sex: 'male', ageYears: 60, heightCm: 170, accessionNo: exam.accessionNo, patientId: `PS${n}`, bronchodilator: false }, new Date(), 100 + n);
    await t.services.deviceImport.receive(systemActor('test'), { bytes, originalName: `${exam.accessionNo}.xml`, source: 'api', deviceId: null, campusId: team.campus.id });
    const { reportId } = await t.services.review.create(team.technician, exam.examId);
    await t.services.review.save(team.technician, reportId, { conclusionText: '肺通气功能正常。', pattern: 'normal', severity: 'none', bdr: null });
    await t.services.review.submit(team.technician, reportId);
    await t.services.review.approve(team.reporter, reportId, TEST_PIN);
    return { reportId, examId: exam.examId };
  }

  async function approveFinal(client: Client, reportId: string) {
    const approved = await client.request('POST', `/api/reports/${reportId}/approve`, { pin: TEST_PIN });
    expect(approved.json(), approved.body).toMatchObject({ status: 'approved' });
    return approved.json().final as { sha256: string; verificationCode: string };
  }

  const verify = async (code: string, presented?: Uint8Array) =>
    (presented
      ? await t.app.inject({ method: 'POST', url: `/api/verify/${code}`, payload: Buffer.from(presented), headers: { 'content-type': 'application/octet-stream' } })
      : await t.app.inject({ method: 'GET', url: `/api/verify/${code}` })
    ).json();

  const finalPdf = async (client: Client, reportId: string) => new Uint8Array((await client.request('GET', `/api/reports/${reportId}/pdf`)).rawPayload);

  const auditOf = (action: string, entityId?: string) => {
    let q = t.database.db.selectFrom('auditLog').selectAll().where('action', '=', action);
    if (entityId) q = q.where('entityId', '=', entityId);
    return q.orderBy('id', 'desc').execute();
  };

  const trust = (certificate: string, comment = '') => admin.request('POST', '/api/signing/trust', { certificate, comment });

  beforeAll(async () => {
    t = await testApp(kind);
    team = await reportingTeam(t.services);
    admin = await signIn(t, (await given(t).user({ roles: ['system_admin'] })).username);
    tech = await signIn(t, team.technician.username);
    reviewer = await signIn(t, team.reviewer.username);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  describe('intent to print a final report (pinOnPrint)', () => {
    beforeAll(async () => {
      const policy = await t.services.review.policy();
      await t.services.review.updatePolicy(systemActor('test'), { ...policy, pinOnPrint: true });
    });
    afterAll(async () => {
      const policy = await t.services.review.policy();
      await t.services.review.updatePolicy(systemActor('test'), { ...policy, pinOnPrint: false });
    });

    const printCount = async (reportId: string) => (await t.database.db.selectFrom('reportVersion').select('printCount').where('reportId', '=', reportId).where('status', '=', 'approved').executeTakeFirstOrThrow()).printCount;
    const failures = async (userId: string) => (await t.database.db.selectFrom('userSignature').select('failedPinAttempts').where('userId', '=', userId).executeTakeFirst())?.failedPinAttempts ?? 0;

    it('a technician (no signing key) confirms with the login password; a physician with a key, with the signing PIN', async () => {
      const { reportId } = await awaitingFinalApproval();
      await approveFinal(reviewer, reportId);

      // Technician: no secret, a wrong password, then the right one.
      const none = await tech.request('POST', `/api/reports/${reportId}/print`, {});
      expect(none.statusCode).toBe(400);
      expect(none.json()).toMatchObject({ code: 'review-pin-required' });
      expect(none.json().title).toContain('登录密码');
      const wrong = await tech.request('POST', `/api/reports/${reportId}/print`, { pin: 'Wrong-Horse-9' });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json()).toMatchObject({ code: 'signature.wrong-password', title: '登录密码错误' });
      expect(await failures(team.technician.userId)).toBe(1);
      expect(await printCount(reportId)).toBe(0);
      const printed = await tech.request('POST', `/api/reports/${reportId}/print`, { pin: TEST_PASSWORD });
      expect(printed.statusCode, printed.body).toBe(200);
      expect(printed.headers['x-report-final']).toBe('1');
      expect(await printCount(reportId)).toBe(1);
      expect(await failures(team.technician.userId)).toBe(0);
      const [techAudit] = await auditOf('report.printed', reportId);
      expect(techAudit).toMatchObject({ actorId: team.technician.userId, detail: { copy: 1, intent: 'password' } });

      // Physician holding a key: the PIN, not the login password; wrong ones count towards the lock.
      expect((await reviewer.request('POST', `/api/reports/${reportId}/print`, {})).json().code).toBe('review-pin-required');
      const wrongPin = await reviewer.request('POST', `/api/reports/${reportId}/print`, { pin: '000000' });
      expect(wrongPin.statusCode).toBe(400);
      expect(wrongPin.json().code).toBe('signing.wrong-pin');
      expect(await failures(team.reviewer.userId)).toBe(1);
      expect((await reviewer.request('POST', `/api/reports/${reportId}/print`, { pin: TEST_PASSWORD })).json().code).toBe('signing.wrong-pin');
      expect(await failures(team.reviewer.userId)).toBe(2);
      expect(await printCount(reportId)).toBe(1);
      const byPhysician = await reviewer.request('POST', `/api/reports/${reportId}/print`, { pin: TEST_PIN });
      expect(byPhysician.statusCode, byPhysician.body).toBe(200);
      expect(await printCount(reportId)).toBe(2);
      expect(await failures(team.reviewer.userId)).toBe(0);
      const [physicianAudit] = await auditOf('report.printed', reportId);
      expect(physicianAudit).toMatchObject({ actorId: team.reviewer.userId, detail: { copy: 2, intent: 'pin' } });
      expect((await auditOf('signature.pin-failed', team.reviewer.userId)).length).toBeGreaterThanOrEqual(2);
      expect((await auditOf('signature.password-failed', team.technician.userId)).length).toBeGreaterThanOrEqual(1);

      // A draft still prints (watermarked) without any secret.
      const draft = await awaitingFinalApproval();
      expect((await tech.request('POST', `/api/reports/${draft.reportId}/print`, {})).headers['x-report-final']).toBe('0');
    });

    it('five wrong passwords lock print confirmation for 15 minutes, even with the right password', async () => {
      const { reportId } = await awaitingFinalApproval();
      await approveFinal(reviewer, reportId);
      const user = await given(t).user({ roles: ['technician'], campusIds: [team.campus.id] });
      const other = await signIn(t, user.username);
      for (let i = 0; i < 5; i++) expect((await other.request('POST', `/api/reports/${reportId}/print`, { pin: `Wrong-${i}` })).statusCode).toBe(400);
      const locked = await other.request('POST', `/api/reports/${reportId}/print`, { pin: TEST_PASSWORD });
      expect(locked.statusCode).toBe(423);
      expect(await printCount(reportId)).toBe(0);
    });
  });

  describe('the trust list and imported personal certificates', () => {
    it('only the system administrator manages the trust list, and every change is audited', async () => {
      const ca = await externalCa('rsa', '权限测试认证');
      const { client } = await physician();
      expect((await client.request('POST', '/api/signing/trust', { certificate: ca.certificatePem })).statusCode).toBe(403);
      expect((await client.request('GET', '/api/signing/trust')).statusCode).toBe(403);
      const added = await trust(ca.certificatePem, '测试');
      expect(added.statusCode, added.body).toBe(201);
      expect(added.json()).toMatchObject({ isCa: true, comment: '测试' });
      expect(added.json().subject).toContain('权限测试认证 个人证书 CA');
      expect((await trust(ca.certificatePem)).statusCode).toBe(409);
      const bad = await trust('-----BEGIN CERTIFICATE-----\n' + 'A'.repeat(120) + '\n-----END CERTIFICATE-----');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().title).toContain('无法读取该证书');
      const list = (await admin.request('GET', '/api/signing/trust')).json();
      expect(list.entries.map((e: { id: string }) => e.id)).toContain(added.json().id);
      expect(list.departmentCas.length).toBeGreaterThanOrEqual(1);
      expect(await auditOf('signing.trust-added', added.json().id)).toHaveLength(1);
      expect((await client.request('DELETE', `/api/signing/trust/${added.json().id}`)).statusCode).toBe(403);
      expect((await admin.request('DELETE', `/api/signing/trust/${added.json().id}`)).json()).toEqual({ ok: true });
      expect(await auditOf('signing.trust-removed', added.json().id)).toHaveLength(1);
      expect((await admin.request('DELETE', `/api/signing/trust/${added.json().id}`)).statusCode).toBe(404);
    });

    it('a .p12 from an untrusted CA is refused at import; once the CA is trusted, the Chinese-subject certificate signs a report that verifies', async () => {
      const ca = await externalCa('rsa');
      const personal = await personalCertificate(ca, '赵建华');
      const { user, client } = await physician();

      const refused = await client.request('POST', '/api/me/signature/import', await p12Body(personal));
      expect(refused.statusCode).toBe(400);
      expect(refused.json().code).toBe('signature-untrusted-certificate');
      expect(refused.json().title).toContain('不在本院信任的证书机构列表中');
      expect(refused.json().title).toContain('华信数字认证中心');
      expect((await client.request('GET', '/api/me/signature')).json()).toMatchObject({ algorithm: null, canSign: false });
      expect((await auditOf('signature.key-set', user.id)).some((a) => a.outcome === 'denied')).toBe(true);

      const added = await trust(ca.certificatePem, '华信个人证书');
      expect(added.statusCode, added.body).toBe(201);
      const imported = await client.request('POST', '/api/me/signature/import', await p12Body(personal));
      expect(imported.statusCode, imported.body).toBe(200);
      expect(imported.json()).toMatchObject({ algorithm: 'rsa', source: 'pkcs12', trusted: true, canSign: true });
      expect(imported.json().subject).toContain('赵建华');

      const { reportId } = await awaitingFinalApproval();
      const final = await approveFinal(client, reportId);
      const verified = await verify(final.verificationCode);
      expect(verified).toMatchObject({ signatureValid: true, storedIntact: true, algorithm: 'rsa' });
      expect(verified.signerCertificate).toMatchObject({ commonName: '赵建华' });
      expect(verified.signerCertificate.issuer).toContain('华信数字认证中心');
      const pdf = await finalPdf(client, reportId);
      const [check] = (await verifyPdfSignatures(pdf, { trusted: [ca.certificatePem] })).slice(-1);
      expect(check).toMatchObject({ valid: true, chainTrusted: true });
      expect(check!.signer!.subject.commonName).toBe('赵建华');

      // The administrator withdraws the trust: the key can no longer sign and the report no longer verifies.
      await admin.request('DELETE', `/api/signing/trust/${added.json().id}`);
      expect((await verify(final.verificationCode)).signatureValid).toBe(false);
      expect((await client.request('GET', '/api/me/signature')).json()).toMatchObject({ trusted: false, canSign: false });
      const next = await awaitingFinalApproval();
      const blocked = await client.request('POST', `/api/reports/${next.reportId}/approve`, { pin: TEST_PIN });
      expect(blocked.statusCode).toBe(409);
      expect(blocked.json().code).toBe('signature-untrusted-certificate');
    });

    it.skipIf(!HAVE_OPENSSL)('a self-signed personal certificate made by OpenSSL signs only once the administrator trusts it explicitly', async () => {
      const key = tmp.file('self.key');
      const cert = tmp.file('self.pem');
      const p12 = tmp.file('self.p12');
      expect(run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]).status).toBe(0);
      // A configuration without the default v3_ca section, so the certificate is an end-entity one (CA:FALSE).
      const config = tmp.file('self.cnf', '[req]\ndistinguished_name = dn\nstring_mask = utf8only\n[dn]\n');
      const made = run('openssl', [
        'req', '-new', '-x509', '-config', config, '-key', key, '-sha256', '-subj', '/C=CN/O=测试医院/OU=肺功能室/CN=孙晓梅', '-utf8', '-days', '30',
        '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation', '-out', cert,
      ]);
      expect(made.status, made.stderr).toBe(0);
      expect(run('openssl', ['pkcs12', '-export', '-inkey', key, '-in', cert, '-passout', 'pass:自签密码', '-out', p12]).status).toBe(0);
      const body = { p12Base64: readFileSync(p12).toString('base64'), password: '自签密码', pin: TEST_PIN };

      const { client } = await physician();
      const refused = await client.request('POST', '/api/me/signature/import', body);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().code).toBe('signature-untrusted-certificate');

      const added = await trust(readFileSync(cert, 'utf8'), '孙晓梅 个人自签证书');
      expect(added.statusCode, added.body).toBe(201);
      expect(added.json()).toMatchObject({ isCa: false });
      expect(added.json().subject).toContain('孙晓梅');
      expect((await client.request('POST', '/api/me/signature/import', body)).json()).toMatchObject({ canSign: true, trusted: true });

      const { reportId } = await awaitingFinalApproval();
      const final = await approveFinal(client, reportId);
      const verified = await verify(final.verificationCode);
      expect(verified.signatureValid).toBe(true);
      expect(verified.signerCertificate).toMatchObject({ commonName: '孙晓梅' });
    });

    it("a physician's CA chain does not become trusted for anyone, and a PDF signed by an untrusted key is not authentic", async () => {
      const rogueCa = await externalCa('rsa', '冒充认证');
      const rogue = await personalCertificate(rogueCa, '冒充者');
      const { client } = await physician();
      expect((await client.request('POST', '/api/me/signature/import', await p12Body(rogue))).json().code).toBe('signature-untrusted-certificate');

      const { reportId } = await awaitingFinalApproval();
      const final = await approveFinal(reviewer, reportId);
      const stored = await finalPdf(reviewer, reportId);
      expect((await verify(final.verificationCode, stored)).presented).toMatchObject({ matchesStored: true, signatureValid: true });

      // Counter-signed by the rogue key (cryptographically fine, but not trusted).
      const countersigned = await signPdf(stored, rogue, { signingTime: new Date(), reason: '审核', location: '肺功能室', name: '冒充者' });
      const checks = await verifyPdfSignatures(countersigned);
      expect(checks).toHaveLength(2);
      expect(checks.every((c) => c.valid)).toBe(true);
      const result = await verify(final.verificationCode, countersigned);
      expect(result.presented).toMatchObject({ matchesStored: false, signatureValid: false, signer: expect.stringContaining('冒充者') });
      expect(result.presented.reason).toContain('信任');

      // A report-like PDF signed only by the rogue key.
      const alone = await signPdf(await pdfkitReport(), rogue, { signingTime: new Date(), reason: '审核', location: '肺功能室', name: '冒充者' });
      expect((await verifyPdfSignatures(alone))[0]!.valid).toBe(true);
      const aloneResult = await verify(final.verificationCode, alone);
      expect(aloneResult.presented).toMatchObject({ signatureValid: false });
      expect(aloneResult.presented.reason).toContain('信任');
    });

    it('refuses an imported RSA key below 2048 bits with a clear message', async () => {
      const ca = await externalCa('rsa', '弱密钥测试');
      expect((await trust(ca.certificatePem)).statusCode).toBe(201);
      const weakKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      const weak = await personalCertificate(ca, '钱医生', weakKey);
      const { client } = await physician();
      const refused = await client.request('POST', '/api/me/signature/import', await p12Body(weak));
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'signature-key-too-weak', bits: 1024, minBits: 2048 });
      expect(refused.json().title).toContain('1024 位');
      expect(refused.json().title).toContain('2048 位');
      expect((await client.request('GET', '/api/me/signature')).json().algorithm).toBeNull();
      // The same CA's 2048-bit certificate is accepted.
      expect((await client.request('POST', '/api/me/signature/import', await p12Body(await personalCertificate(ca, '钱医生')))).json()).toMatchObject({ canSign: true });
    });
  });

  describe('the handwritten signature image', () => {
    const upload = (client: Client, bytes: Uint8Array) =>
      t.app.inject({ method: 'PUT', url: '/api/me/signature/image', payload: Buffer.from(bytes), headers: { 'content-type': 'application/octet-stream', cookie: client.cookie, 'x-csrf-token': client.csrfToken } });

    it('refuses what is not a usable PNG with a clear message', async () => {
      const { client } = await physician();
      const jpeg = createCanvas(200, 80).toBuffer('image/jpeg');
      const cases: Array<[string, Uint8Array, string]> = [
        ['JPEG', jpeg, '签名图片须为 PNG 格式'],
        ['text', Buffer.from('这不是图片'.repeat(10)), '签名图片须为 PNG 格式'],
        ['oversized', png(800, 600, true), '签名图片不能超过 512 KB'],
        ['corrupt', Buffer.concat([png(200, 80).subarray(0, 8), Buffer.alloc(300, 7)]), '签名图片已损坏'],
        ['too wide', png(2400, 60), '签名图片尺寸须在'],
      ];
      for (const [name, bytes, title] of cases) {
        const refused = await upload(client, bytes);
        expect(refused.statusCode, name).toBe(400);
        expect(refused.json().code, name).toBe('signature-image-invalid');
        expect(refused.json().title, name).toContain(title);
      }
      expect((await client.request('GET', '/api/me/signature')).json().hasImage).toBe(false);
    });

    it('accepts a PNG, and the final report approved afterwards carries it as an image', async () => {
      const { user, client } = await physician();
      expect((await client.request('POST', '/api/me/signature/issue', { algorithm: 'rsa', pin: TEST_PIN })).statusCode).toBe(200);
      const before = await awaitingFinalApproval();
      await approveFinal(client, before.reportId);
      const imagesOf = async (reportId: string) => pdfImages(await finalPdf(client, reportId)).filter((i) => i.width === 313 && i.height === 97);
      expect(await imagesOf(before.reportId)).toEqual([]);

      const accepted = await upload(client, png(313, 97));
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect(accepted.json().hasImage).toBe(true);
      expect((await auditOf('signature.image-set', user.id))[0]).toMatchObject({ detail: { width: 313, height: 97 } });

      const after = await awaitingFinalApproval();
      await approveFinal(client, after.reportId);
      expect(await imagesOf(after.reportId)).toHaveLength(1);
    });
  });

  it('SM2: a real final report signed with a department SM2 key verifies, and one flipped byte does not', async () => {
    const { client } = await physician();
    expect((await client.request('POST', '/api/me/signature/issue', { algorithm: 'sm2', pin: TEST_PIN })).json()).toMatchObject({ algorithm: 'sm2', canSign: true });
    const { reportId } = await awaitingFinalApproval();
    const final = await approveFinal(client, reportId);
    const verified = await verify(final.verificationCode);
    expect(verified).toMatchObject({ signatureValid: true, storedIntact: true, algorithm: 'sm2' });

    const pdf = await finalPdf(client, reportId);
    const caPem = (await t.app.inject({ method: 'GET', url: '/api/signing/ca/sm2' })).body;
    const [check] = await verifyPdfSignatures(pdf, { trusted: [caPem] });
    expect(check).toMatchObject({ valid: true, algorithm: 'sm2', digestAlgorithm: 'sm3', coversWholeDocument: true, chainTrusted: true, problems: [] });

    // One byte inside a content stream in the signed range (before the signature's gap).
    const flipped = new Uint8Array(pdf);
    const at = Buffer.from(pdf).indexOf('stream\n', Math.floor(check!.byteRange[1]! / 3), 'latin1') + 20;
    expect(at).toBeGreaterThan(20);
    expect(at).toBeLessThan(check!.byteRange[1]!);
    flipped[at] = flipped[at]! ^ 0x01;
    const [broken] = await verifyPdfSignatures(flipped, { trusted: [caPem] });
    expect(broken!.valid).toBe(false);
    expect(broken!.problems.map((p) => p.code)).toContain('digest-mismatch');
    expect((await verify(final.verificationCode, flipped)).presented).toMatchObject({ matchesStored: false, signatureValid: false });
    expect((await verify(final.verificationCode, pdf)).presented).toMatchObject({ matchesStored: true, signatureValid: true });
  });
});
