import type { Kysely, Transaction } from 'kysely';
import type { DB, SigningAlgorithm } from '../../db/types.js';
import type { Actor } from '../../platform/access.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import type { Sm4Sealer } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { actorRef } from '../auth/auth.service.js';
import {
  createCertificateAuthority, type Credential, importPkcs12, issueSignerCertificate, openSealedPrivateKey, describeCertificate,
  sealPrivateKey, signPdf, SigningError, verifyPdfSignatures,
} from './signing/index.js';

const MAX_PIN_FAILURES = 5;
const PIN_LOCK_MS = 15 * 60_000;
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

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

  async function status(userId: string) {
    const row = await db.selectFrom('userSignature').select(['imagePng', 'algorithm', 'source', 'subject', 'serial', 'notAfter', 'certificatePem']).where('userId', '=', userId).executeTakeFirst();
    return {
      hasImage: !!row?.imagePng, algorithm: row?.algorithm ?? null, source: row?.source ?? null, subject: row?.subject ?? null, serial: row?.serial ?? null,
      notAfter: row?.notAfter ?? null, canSign: !!row?.certificatePem && (!row.notAfter || row.notAfter > now()),
    };
  }

  async function upsert(trx: Transaction<DB>, userId: string, values: Partial<{ imagePng: Uint8Array; algorithm: SigningAlgorithm; source: 'department_ca' | 'pkcs12'; certificatePem: string; chainPem: string; privateKeySealed: string; subject: string; serial: string; notAfter: Date; failedPinAttempts: number; pinLockedUntil: Date | null }>) {
    await trx
      .insertInto('userSignature')
      .values({ userId, ...values, updatedAt: now() })
      .onConflict((oc) => oc.column('userId').doUpdateSet({ ...values, updatedAt: now() }))
      .execute();
  }

  async function setImage(actor: AuditActor & { userId: string }, png: Uint8Array) {
    if (png.length > 512 * 1024 || !PNG_MAGIC.every((b, i) => png[i] === b)) {
      throw new AppError({ code: 'signature-image-invalid', status: 400, title: '签名图片须为 PNG 格式且不超过 512 KB', message: 'signature image must be a PNG of at most 512 KB' });
    }
    await db.transaction().execute(async (trx) => {
      await upsert(trx, actor.userId, { imagePng: png });
      await recordAudit(trx, actor, { action: 'signature.image-set', entityType: 'user', entityId: actor.userId, detail: { bytes: png.length } }, now());
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

  async function importP12(actor: Actor, p12: Uint8Array, password: string, pin: string) {
    mayHoldKey(actor);
    return store(actorRef(actor) as AuditActor & { userId: string }, await importPkcs12(p12, password), 'pkcs12', pin);
  }

  /** Opens the signer's key with their PIN (the intent to sign); five wrong PINs lock signing for 15 minutes. */
  async function unlock(userId: string, pin: string): Promise<UnlockedKey> {
    const row = await db.selectFrom('userSignature').selectAll().where('userId', '=', userId).executeTakeFirst();
    if (!row?.privateKeySealed || !row.certificatePem || !row.algorithm) {
      throw new AppError({ code: 'signature-not-set-up', status: 409, title: '您尚未设置电子签名证书，请先在“个人设置”中申请或导入', message: 'no signing key' });
    }
    if (row.pinLockedUntil && row.pinLockedUntil > now()) {
      throw new AppError({ code: 'signature-pin-locked', status: 423, title: '签名密码错误次数过多，请稍后再试', message: 'signing PIN locked', extra: { until: row.pinLockedUntil.toISOString() } });
    }
    let privateKeyPem: string;
    try {
      privateKeyPem = await openSealedPrivateKey(row.privateKeySealed, pin, { pepperHex });
    } catch (error) {
      if (!(error instanceof SigningError) || error.code !== 'signing.wrong-pin') throw error;
      const failures = row.failedPinAttempts + 1;
      await db.transaction().execute(async (trx) => {
        await upsert(trx, userId, { failedPinAttempts: failures >= MAX_PIN_FAILURES ? 0 : failures, pinLockedUntil: failures >= MAX_PIN_FAILURES ? new Date(now().getTime() + PIN_LOCK_MS) : null });
        await recordAudit(trx, { userId, name: userId, ip: null }, { action: 'signature.pin-failed', outcome: 'failure', entityType: 'user', entityId: userId, detail: { failures } }, now());
      });
      throw error;
    }
    if (row.failedPinAttempts > 0) await db.updateTable('userSignature').set({ failedPinAttempts: 0, updatedAt: now() }).where('userId', '=', userId).execute();
    const chainPem = row.chainPem ? (row.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*/g) ?? []) : [];
    return { userId, algorithm: row.algorithm, credential: { algorithm: row.algorithm, certificatePem: row.certificatePem, privateKeyPem, chainPem } };
  }

  async function images(ex: Kysely<DB> | Transaction<DB>, userIds: string[]) {
    const rows = userIds.length ? await ex.selectFrom('userSignature').select(['userId', 'imagePng']).where('userId', 'in', userIds).where('imagePng', 'is not', null).execute() : [];
    return new Map(rows.map((r) => [r.userId, new Uint8Array(r.imagePng!)]));
  }

  function sign(key: UnlockedKey, pdf: Uint8Array, options: { signingTime: Date; reason: string; location: string }) {
    return signPdf(pdf, key.credential, { ...options, name: describeCertificate(key.credential.certificatePem).subject.commonName ?? '' });
  }

  /** Checks a PDF's signatures against the department CAs and the imported certificates' chains. */
  async function verifyPdf(pdf: Uint8Array): Promise<{ valid: boolean; reason: string | null }> {
    const cas = await db.selectFrom('signingCa').select('certificatePem').execute();
    const chains = await db.selectFrom('userSignature').select('chainPem').where('source', '=', 'pkcs12').execute();
    const trusted = [...cas.map((c) => c.certificatePem), ...chains.flatMap((c) => c.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [])];
    const results = await verifyPdfSignatures(pdf, { trusted });
    if (results.length === 0) return { valid: false, reason: 'no signature' };
    const bad = results.find((r) => !r.valid || !r.coversWholeDocument || r.chainTrusted === false);
    if (!bad) return { valid: true, reason: null };
    return { valid: false, reason: bad.problems.map((p) => p.detail).join('; ') || 'signature does not cover the whole document' };
  }

  async function caCertificatePem(algorithm: SigningAlgorithm) {
    return (await ensureCa(algorithm)).certificatePem;
  }

  return { status, setImage, issue, issueFor, importP12, unlock, images, signPdf: sign, verifyPdf, caCertificatePem, ensureCa };
}
