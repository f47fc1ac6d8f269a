/**
 * Identifiers derived from a report version's idempotency key, so that every retry of a delivery carries the same
 * message id / resource ids and a receiver can recognise the repeat.
 */
import { createHash } from 'node:crypto';

/**
 * HL7 MSH-10 for a report version: `PF` + 18 hex digits of SHA-256(key), 20 characters (the MSH-10 length limit in
 * v2.5). A new version has a new key and therefore a new id.
 */
export function reportControlId(idempotencyKey: string): string {
  return `PF${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 18).toUpperCase()}`;
}

/** The key of a revoke delivery of the version with this idempotency key: `${idempotencyKey}:revoke`. */
export function revocationKey(idempotencyKey: string): string {
  return `${idempotencyKey}:revoke`;
}

/**
 * The key of this delivery: the idempotency key for a publish or replace, {@link revocationKey} for a revoke. Message
 * ids (MSH-10, the HTTP message id, the FHIR Bundle identifier) derive from it, so the withdrawal of a version is not
 * mistaken for a retry of its publication; send it as the `Idempotency-Key` header too.
 */
export function reportDeliveryKey(report: { idempotencyKey: string; action: string }): string {
  return report.action === 'revoke' ? revocationKey(report.idempotencyKey) : report.idempotencyKey;
}

/** Fixed namespace of PFTIS name-based UUIDs (generated once; never change it, or every id changes). */
const PFTIS_UUID_NAMESPACE = '4c7b0f52-2f0e-4a57-9d3a-6b1f2f5e8a11';

/** RFC 4122 version-5 (SHA-1, name-based) UUID of `name` in the PFTIS namespace. */
export function deterministicUuid(name: string): string {
  const namespace = Buffer.from(PFTIS_UUID_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A message id for HTTP targets: the same at every retry of one report version. */
export function reportMessageId(idempotencyKey: string): string {
  return deterministicUuid(`message/${idempotencyKey}`);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** SHA-1 of the bytes in base64: FHIR Attachment.hash. */
export function sha1Base64(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('base64');
}

export function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}
