import { createPrivateKey } from 'node:crypto';
import { loadImage } from '@napi-rs/canvas';
import type { Kysely, Transaction } from 'kysely';
import type { DB, SigningAlgorithm } from '../../db/types.js';
import type { Actor } from '../../platform/access.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import type { Sm4Sealer } from '../../platform/crypto.js';
import { AppError, NotFound } from '../../platform/errors.js';
import { actorRef } from '../auth/auth.service.js';
import { verifyPassword } from '../auth/password.js';
import { checkSignaturePng, SIGNATURE_IMAGE_LIMITS } from './signature-image.js';
import {
  certificateChainsTo, createCertificateAuthority, type CertificateInfo, type Credential, importPkcs12, issueSignerCertificate, openSealedPrivateKey,
  describeCertificate, sealPrivateKey, signPdf, SigningError, type SignatureProblemCode, verifyPdfSignatures,
} from './signing/index.js';

const MAX_PIN_FAILURES = 5;
const PIN_LOCK_MS = 15 * 60_000;
const MIN_RSA_BITS = 2048;
const PEM_CERTIFICATES = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*/g;

const splitPem = (pem: string | null | undefined) => (pem ? (pem.match(PEM_CERTIFICATES) ?? []) : []);
const imageInvalid = (title: string, message: string) => new AppError({ code: 'signature-image-invalid', status: 400, title, message });
/** Why a signature is not valid, for the public verification page (Chinese; the English detail stays in the logs). */
const PROBLEM_ZH: Partial<Record<SignatureProblemCode, string>> = {
  'digest-mismatch': '文件内容在签名后被修改',
  'bad-signature': '签名值校验失败',
  'partial-coverage': '签名后文件被追加了未签名的内容',
  'byte-range-invalid': '签名范围不正确',
  'untrusted-certificate': '签名证书不是由本院信任的证书机构签发',
  'certificate-not-valid-at-signing-time': '签名时证书不在有效期内',
  'certificate-not-for-signing': '签名证书不能用于签名',
  'signer-certificate-missing': '签名中缺少签名证书',
  'signing-certificate-mismatch': '签名证书与签名不符',
  'unsupported-algorithm': '不支持的签名算法',
  malformed: '签名数据格式不正确',
};

/** A certificate name as shown without login: common name, department and organisation (a department CA certificate also carries the login name). */
const publicName = (n: { commonName: string | null; organizationalUnit: string | null; organization: string | null }) => [n.commonName, n.organizationalUnit, n.organization].filter(Boolean).join('，');

const untrusted = (title: string, detail: string) => new AppError({ code: 'signature-untrusted-certificate', status: 400, title, message: `certificate not trusted: ${detail}`, extra: { detail } });

/** A signer's key, opened with their PIN for one signing. */
export interface UnlockedKey {
  userId: string;
  algorithm: SigningAlgorithm;
  credential: Credential;
}

export type SignaturesService = ReturnType<typeof createSignaturesService>;

/**
 * 电子签名: each physician's handwritten signature image and signing key (from the department CA or their own
 * PKCS#12), the key sealed with their PIN and a server-held pepper, so neither the database nor the server alone
 * can sign for them.
 */
export function createSignaturesService({ db, sealer, pepperHex, hospitalName, now = () => new Date() }: { db: Kysely<DB>; sealer: Sm4Sealer; pepperHex: string; hospitalName: string; now?: () => Date }) {
  async function ensureCa(algorithm: SigningAlgorithm): Promise<Credential> {
    const existing = await db.selectFrom('signingCa').selectAll().where('algorithm', '=', algorithm).where('active', '=', true).executeTakeFirst();
    if (existing) return { algorithm, certificatePem: existing.certificatePem, privateKeyPem: sealer.open(existing.privateKeySealed), chainPem: [] };
    const ca = await createCertificateAuthority({ algorithm, subject: { commonName: `${hospitalName}肺功能室 CA`, organization: hospitalName, organizationalUnit: '肺功能室', country: 'CN' } });
    await db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('signingCa')
        .values({ algorithm, subject: `${hospitalName}肺功能室 CA`, certificatePem: ca.certificatePem, privateKeySealed: sealer.seal(ca.privateKeyPem) })
        .onConflict((oc) => oc.column('algorithm').where('active', '=', true).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) await recordAudit(trx, { userId: null, name: 'system', ip: null }, { action: 'signing.ca-created', entityType: 'signing_ca', entityId: inserted.id, detail: { algorithm } }, now());
    });
    return ensureCa(algorithm);
  }

  /** The certificates a signature may chain to: every department CA (always trusted) and the administrator's trust list. */
  async function trustAnchors(ex: Kysely<DB> | Transaction<DB> = db): Promise<string[]> {
    const cas = await ex.selectFrom('signingCa').select('certificatePem').execute();
    const listed = await ex.selectFrom('signingTrust').select('certificatePem').execute();
    return [...cas, ...listed].map((r) => r.certificatePem);
  }

  async function trustOf(certificatePem: string, chainPem: string[]) {
    return certificateChainsTo(certificatePem, { carried: chainPem, trusted: await trustAnchors(), at: now() });
  }

  async function status(userId: string) {
    const row = await db.selectFrom('userSignature').select(['imagePng', 'algorithm', 'source', 'subject', 'serial', 'notAfter', 'certificatePem', 'chainPem']).where('userId', '=', userId).executeTakeFirst();
    const trusted = row?.certificatePem ? (await trustOf(row.certificatePem, splitPem(row.chainPem))).trusted : null;
    return {
      hasImage: !!row?.imagePng, algorithm: row?.algorithm ?? null, source: row?.source ?? null, subject: row?.subject ?? null, serial: row?.serial ?? null,
      notAfter: row?.notAfter ?? null, trusted, canSign: !!row?.certificatePem && trusted === true && (!row.notAfter || row.notAfter > now()),
    };
  }

  async function upsert(trx: Transaction<DB>, userId: string, values: Partial<{ imagePng: Uint8Array; algorithm: SigningAlgorithm; source: 'department_ca' | 'pkcs12'; certificatePem: string; chainPem: string; privateKeySealed: string; subject: string; serial: string; notAfter: Date; failedPinAttempts: number; pinLockedUntil: Date | null }>) {
    await trx
      .insertInto('userSignature')
      .values({ userId, ...values, updatedAt: now() })
      .onConflict((oc) => oc.column('userId').doUpdateSet({ ...values, updatedAt: now() }))
      .execute();
  }

  /**
   * Whether the bytes are a PNG the report renderer can draw, within the limits. The structure is checked in full first:
   * the renderer's native decoder crashes the process on some malformed files, so it only ever sees checked ones.
   */
  async function checkImage(png: Uint8Array) {
    const L = SIGNATURE_IMAGE_LIMITS;
    const checked = checkSignaturePng(png, L);
    if (!checked.ok) {
      const titles = {
        'not-png': '签名图片须为 PNG 格式',
        'too-large': `签名图片不能超过 ${L.maxBytes / 1024} KB`,
        corrupt: '签名图片已损坏，无法读取，请重新导出 PNG 图片',
        dimensions: `签名图片尺寸须在 ${L.minWidth}×${L.minHeight} 至 ${L.maxWidth}×${L.maxHeight} 像素之间（当前 ${checked.detail}）`,
      } as const;
      throw imageInvalid(titles[checked.problem], `signature image: ${checked.problem} (${checked.detail})`);
    }
    try {
      await loadImage(Buffer.from(png));
    } catch {
      throw imageInvalid('签名图片已损坏，无法读取，请重新导出 PNG 图片', 'the PNG cannot be decoded');
    }
    return { width: checked.width, height: checked.height };
  }

  async function setImage(actor: AuditActor & { userId: string }, png: Uint8Array) {
    const size = await checkImage(png);
    await db.transaction().execute(async (trx) => {
      await upsert(trx, actor.userId, { imagePng: png });
      await recordAudit(trx, actor, { action: 'signature.image-set', entityType: 'user', entityId: actor.userId, detail: { bytes: png.length, ...size } }, now());
    });
    return status(actor.userId);
  }

  function mayHoldKey(actor: Actor) {
    if (!actor.permissions.has('report.write') && !actor.permissions.has('report.approve.level1')) {
      throw new AppError({ code: 'auth.forbidden', status: 403, title: '只有报告或审核医师需要签名证书', message: 'signing keys are for physicians who write or approve reports' });
    }
  }

  async function store(actor: AuditActor & { userId: string }, credential: Credential, source: 'department_ca' | 'pkcs12', pin: string) {
    const cert = describeCertificate(credential.certificatePem);
    const sealed = await sealPrivateKey(credential.privateKeyPem, pin, { pepperHex });
    await db.transaction().execute(async (trx) => {
      await upsert(trx, actor.userId, {
        algorithm: credential.algorithm, source, certificatePem: credential.certificatePem, chainPem: credential.chainPem.join(''), privateKeySealed: sealed,
        subject: cert.subject.text, serial: cert.serialNumberHex, notAfter: cert.notAfter, failedPinAttempts: 0, pinLockedUntil: null,
      });
      await recordAudit(trx, actor, { action: 'signature.key-set', entityType: 'user', entityId: actor.userId, detail: { source, algorithm: credential.algorithm, subject: cert.subject.text, serial: cert.serialNumberHex } }, now());
    });
    return status(actor.userId);
  }

  async function issue(actor: Actor, algorithm: SigningAlgorithm, pin: string) {
    mayHoldKey(actor);
    return issueFor(actorRef(actor), { id: actor.userId, displayName: actor.displayName, username: actor.username }, algorithm, pin);
  }

  /** A certificate from the department CA for one person (also used by the demo seed). */
  async function issueFor(by: AuditActor, user: { id: string; displayName: string; username: string }, algorithm: SigningAlgorithm, pin: string) {
    const ca = await ensureCa(algorithm);
    const credential = await issueSignerCertificate(ca, { subject: { commonName: user.displayName, organization: hospitalName, organizationalUnit: '肺功能室', country: 'CN', serialNumber: user.username } });
    return store({ ...by, userId: user.id }, credential, 'department_ca', pin);
  }

  /**
   * A personal certificate (PKCS#12) is accepted only when it chains to the department CA or the trust list (the
   * administrator decides which certification authorities the hospital accepts), and an RSA key only from 2048 bits.
   */
  async function importP12(actor: Actor, p12: Uint8Array, password: string, pin: string) {
    mayHoldKey(actor);
    const credential = await importPkcs12(p12, password);
    if (credential.algorithm === 'rsa') {
      const bits = createPrivateKey(credential.privateKeyPem).asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) {
        throw new AppError({
          code: 'signature-key-too-weak', status: 400, title: `该证书的 RSA 密钥只有 ${bits} 位，低于 ${MIN_RSA_BITS} 位的最低要求，不能用于签名，请使用 ${MIN_RSA_BITS} 位或以上的证书`,
          message: `RSA key of ${bits} bits; at least ${MIN_RSA_BITS} required`, extra: { bits, minBits: MIN_RSA_BITS },
        });
      }
    }
    const cert = describeCertificate(credential.certificatePem);
    if (cert.notBefore > now() || cert.notAfter <= now()) {
      throw new SigningError('signing.certificate-not-valid', `the certificate is valid from ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}`);
    }
    const trust = await trustOf(credential.certificatePem, credential.chainPem);
    if (!trust.trusted) {
      await db.transaction().execute((trx) =>
        recordAudit(trx, actorRef(actor), { action: 'signature.key-set', outcome: 'denied', entityType: 'user', entityId: actor.userId, detail: { source: 'pkcs12', subject: cert.subject.text, issuer: cert.issuer.text, reason: 'untrusted' } }, now()),
      );
      throw untrusted(`该证书的签发机构（${publicName(cert.issuer)}）不在本院信任的证书机构列表中，不能用于签名。请联系系统管理员将该机构的 CA 证书加入信任列表`, trust.detail);
    }
    return store(actorRef(actor) as AuditActor & { userId: string }, credential, 'pkcs12', pin);
  }

  const signatureRow = (userId: string) => db.selectFrom('userSignature').selectAll().where('userId', '=', userId).executeTakeFirst();
  type SignatureRow = NonNullable<Awaited<ReturnType<typeof signatureRow>>>;

  function refuseWhileLocked(row: { pinLockedUntil: Date | null } | undefined, title: string) {
    if (row?.pinLockedUntil && row.pinLockedUntil > now()) {
      throw new AppError({ code: 'signature-pin-locked', status: 423, title, message: 'signing PIN locked', extra: { until: row.pinLockedUntil.toISOString() } });
    }
  }

  /** Counts a wrong PIN or password; the fifth in a row locks signing (and print confirmation) for 15 minutes. */
  async function recordFailure(actor: AuditActor, userId: string, previous: number, kind: 'pin' | 'password') {
    const failures = previous + 1;
    await db.transaction().execute(async (trx) => {
      await upsert(trx, userId, { failedPinAttempts: failures >= MAX_PIN_FAILURES ? 0 : failures, pinLockedUntil: failures >= MAX_PIN_FAILURES ? new Date(now().getTime() + PIN_LOCK_MS) : null });
      await recordAudit(trx, actor, { action: kind === 'pin' ? 'signature.pin-failed' : 'signature.password-failed', outcome: 'failure', entityType: 'user', entityId: userId, detail: { failures } }, now());
    });
  }

  async function openWithPin(row: SignatureRow, pin: string, actor: AuditActor): Promise<string> {
    refuseWhileLocked(row, '签名密码错误次数过多，请稍后再试');
    let privateKeyPem: string;
    try {
      privateKeyPem = await openSealedPrivateKey(row.privateKeySealed!, pin, { pepperHex });
    } catch (error) {
      if (!(error instanceof SigningError) || error.code !== 'signing.wrong-pin') throw error;
      await recordFailure(actor, row.userId, row.failedPinAttempts, 'pin');
      throw error;
    }
    if (row.failedPinAttempts > 0) await db.updateTable('userSignature').set({ failedPinAttempts: 0, updatedAt: now() }).where('userId', '=', row.userId).execute();
    return privateKeyPem;
  }

  const notSetUp = () => new AppError({ code: 'signature-not-set-up', status: 409, title: '您尚未设置电子签名证书，请先在“个人设置”中申请或导入', message: 'no signing key' });

  /**
   * Opens the signer's key with their PIN (the intent to sign); five wrong PINs lock signing for 15 minutes. A key
   * whose certificate no longer chains to a trusted certificate (the administrator removed its CA) is refused first.
   */
  async function unlock(userId: string, pin: string): Promise<UnlockedKey> {
    const row = await signatureRow(userId);
    if (!row?.privateKeySealed || !row.certificatePem || !row.algorithm) throw notSetUp();
    const chainPem = splitPem(row.chainPem);
    const trust = await trustOf(row.certificatePem, chainPem);
    if (!trust.trusted) {
      throw new AppError({
        code: 'signature-untrusted-certificate', status: 409, title: '您的签名证书已不在本院信任的证书列表中，不能用于签名。请重新导入受信任的证书或申请科室 CA 证书',
        message: `certificate not trusted: ${trust.detail}`,
      });
    }
    const privateKeyPem = await openWithPin(row, pin, { userId, name: userId, ip: null });
    return { userId, algorithm: row.algorithm, credential: { algorithm: row.algorithm, certificatePem: row.certificatePem, privateKeyPem, chainPem } };
  }

  /**
   * The intent of someone who prints a final report where the lab requires it: the signing PIN from a user who holds a
   * signing key, else (a technician, say) the login password, checked as at sign-in. Wrong ones count towards the
   * same 15-minute lock as wrong PINs.
   */
  async function confirmIntent(actor: Actor, secret: string): Promise<'pin' | 'password'> {
    const row = await signatureRow(actor.userId);
    if (row?.privateKeySealed) {
      await openWithPin(row, secret, actorRef(actor));
      return 'pin';
    }
    refuseWhileLocked(row, '密码错误次数过多，请 15 分钟后再试');
    const user = await db.selectFrom('appUser').select('passwordHash').where('id', '=', actor.userId).executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.passwordHash, secret))) {
      await recordFailure(actorRef(actor), actor.userId, row?.failedPinAttempts ?? 0, 'password');
      throw new AppError({ code: 'signature.wrong-password', status: 400, title: '登录密码错误', message: 'wrong login password' });
    }
    if (row && row.failedPinAttempts > 0) await db.updateTable('userSignature').set({ failedPinAttempts: 0, updatedAt: now() }).where('userId', '=', actor.userId).execute();
    return 'password';
  }

  async function images(ex: Kysely<DB> | Transaction<DB>, userIds: string[]) {
    const rows = userIds.length ? await ex.selectFrom('userSignature').select(['userId', 'imagePng']).where('userId', 'in', userIds).where('imagePng', 'is not', null).execute() : [];
    return new Map(rows.map((r) => [r.userId, new Uint8Array(r.imagePng!)]));
  }

  function sign(key: UnlockedKey, pdf: Uint8Array, options: { signingTime: Date; reason: string; location: string }) {
    return signPdf(pdf, key.credential, { ...options, name: describeCertificate(key.credential.certificatePem).subject.commonName ?? '' });
  }

  /**
   * Checks a PDF's signatures against exactly the trusted certificates (department CAs and the trust list); the
   * signer is the certificate of the signature that covers the whole file.
   */
  async function verifyPdf(pdf: Uint8Array): Promise<{ valid: boolean; reason: string | null; signer: string | null }> {
    const results = await verifyPdfSignatures(pdf, { trusted: await trustAnchors() });
    if (results.length === 0) return { valid: false, reason: 'PDF 中没有数字签名', signer: null };
    const covering = (results.find((r) => r.coversWholeDocument) ?? results.at(-1))!.signer;
    const signer = covering ? publicName(covering.subject) : null;
    // One signature over the whole file, as the system signs: anything else (an added signature too) is not authentic.
    const bad = results.filter((r) => !r.valid || !r.coversWholeDocument || r.chainTrusted === false);
    if (bad.length === 0) return { valid: true, reason: null, signer };
    const reasons = [...new Set(bad.flatMap((r) => r.problems).map((p) => PROBLEM_ZH[p.code] ?? p.detail))];
    return { valid: false, reason: reasons.join('；') || '签名后文件被追加了内容', signer };
  }

  /** The signer certificate recorded with a final report, as the public verification page shows it. */
  function signerCertificate(pem: string | null) {
    if (!pem) return null;
    const c = describeCertificate(pem);
    return { subject: publicName(c.subject), commonName: c.subject.commonName ?? '', issuer: publicName(c.issuer), serial: c.serialNumberHex, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), sha256: c.sha256Fingerprint };
  }

  const trustError = (title: string, message: string, status = 400) => new AppError({ code: 'signing-trust-invalid', status, title, message });

  /** The trust list as the system administrator manages it, with the department CAs (always trusted) shown apart. */
  async function trustList() {
    const cas = await db.selectFrom('signingCa').select(['id', 'algorithm', 'certificatePem', 'active']).orderBy('createdAt').execute();
    const entries = await db.selectFrom('signingTrust').selectAll().orderBy('createdAt').execute();
    return {
      departmentCas: cas.map((c) => {
        const info = describeCertificate(c.certificatePem);
        return { id: c.id, algorithm: c.algorithm, active: c.active, subject: info.subject.text, notAfter: info.notAfter, sha256: info.sha256Fingerprint };
      }),
      entries: entries.map((e) => ({ id: e.id, subject: e.subject, issuer: e.issuer, isCa: e.isCa, notAfter: e.notAfter, sha256: e.sha256, comment: e.comment, addedByName: e.addedByName, createdAt: e.createdAt, certificatePem: e.certificatePem })),
    };
  }

  /** Adds a CA certificate (or one personal certificate, trusted explicitly) to the trust list; PEM, or DER as base64. */
  async function addTrust(actor: Actor, input: { certificate: string; comment: string }) {
    let info: CertificateInfo;
    try {
      const text = input.certificate.trim();
      info = describeCertificate(text.includes('-----BEGIN') ? text : new Uint8Array(Buffer.from(text, 'base64')));
    } catch {
      throw trustError('无法读取该证书，请上传 PEM 或 DER 格式的 X.509 证书（.cer / .crt / .pem）', 'not an X.509 certificate');
    }
    if (info.algorithm === 'other') throw trustError('仅支持 RSA 或 SM2 证书', 'unsupported key algorithm');
    if (info.notAfter <= now()) throw trustError('该证书已过期，不能加入信任列表', 'expired certificate');
    const departmentCa = (await db.selectFrom('signingCa').select('certificatePem').execute()).some((c) => describeCertificate(c.certificatePem).sha256Fingerprint === info.sha256Fingerprint);
    const listed = await db.selectFrom('signingTrust').select('id').where('sha256', '=', info.sha256Fingerprint).executeTakeFirst();
    if (departmentCa || listed) throw trustError(departmentCa ? '这是本科室 CA 证书，已始终受信任' : '该证书已在信任列表中', 'already trusted', 409);
    return db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('signingTrust')
        .values({ certificatePem: info.pem, sha256: info.sha256Fingerprint, subject: info.subject.text, issuer: info.issuer.text, isCa: info.isCa, notAfter: info.notAfter, comment: input.comment, addedBy: actor.userId, addedByName: actor.displayName })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actorRef(actor), { action: 'signing.trust-added', entityType: 'signing_trust', entityId: row.id, after: { subject: info.subject.text, issuer: info.issuer.text, sha256: info.sha256Fingerprint, isCa: info.isCa, notAfter: info.notAfter.toISOString(), comment: input.comment } }, now());
      return { id: row.id, subject: info.subject.text, issuer: info.issuer.text, isCa: info.isCa, notAfter: info.notAfter, sha256: info.sha256Fingerprint, comment: input.comment, addedByName: actor.displayName, createdAt: now(), certificatePem: info.pem };
    });
  }

  /**
   * Removes a certificate from the trust list: personal certificates issued under it can no longer sign, and reports
   * signed under it no longer verify as authentic.
   */
  async function removeTrust(actor: Actor, id: string) {
    await db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('signingTrust').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFound('trusted certificate', id);
      await trx.deleteFrom('signingTrust').where('id', '=', id).execute();
      await recordAudit(trx, actorRef(actor), { action: 'signing.trust-removed', entityType: 'signing_trust', entityId: id, before: { subject: row.subject, issuer: row.issuer, sha256: row.sha256, isCa: row.isCa } }, now());
    });
  }

  async function caCertificatePem(algorithm: SigningAlgorithm) {
    return (await ensureCa(algorithm)).certificatePem;
  }

  return { status, setImage, issue, issueFor, importP12, unlock, confirmIntent, images, signPdf: sign, verifyPdf, signerCertificate, caCertificatePem, ensureCa, trustList, addTrust, removeTrust };
}
