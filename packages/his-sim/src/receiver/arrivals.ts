import { createHash } from 'node:crypto';

/** The five ways PFTIS can hand an approved report to the demo hospital. */
export type ReceiverChannel = 'http' | 'fhir' | 'mllp' | 'sql' | 'file';
export const receiverChannels: readonly ReceiverChannel[] = ['http', 'fhir', 'mllp', 'sql', 'file'];

export interface ArrivalDocument {
  kind: 'pdf' | 'jpg' | 'reference';
  /** The PDF or image as received; null for a reference (file path or URL). */
  bytes: Uint8Array | null;
  size: number;
  sha256: string | null;
  reference: string | null;
}

export type ReportAction = 'publish' | 'replace' | 'revoke';

/** What a channel read out of one delivery, whatever its format. */
export interface ReportFields {
  /** `${reportId}:${version}` as PFTIS sends it; a channel without one derives a key of its own. */
  idempotencyKey: string | null;
  /** 申请单号 */
  orderNo: string | null;
  accessionNo: string | null;
  /** 门诊/住院流水号 */
  visitSerialNo: string | null;
  version: number | null;
  /** revoke: the version (`version`, else the order's current one) is withdrawn; no document comes with it. */
  action: ReportAction;
  supersedesVersion: number | null;
  /** 撤回原因, on a revoke. */
  revocationReason: string | null;
  patientName: string | null;
  conclusion: string | null;
  reviewer: string | null;
  approvedAt: string | null;
  /** 电子签章号 */
  signatureSerial: string | null;
  document: ArrivalDocument | null;
}

export interface Arrival {
  /** The HIS's receipt number (回执号), also returned to the sender. */
  receiptNo: string;
  channel: ReceiverChannel;
  /** 申请单号 */
  orderNo: string | null;
  accessionNo: string | null;
  visitSerialNo: string | null;
  version: number | null;
  idempotencyKey: string;
  /** revoke: this arrival is the withdrawal (撤回) of a version, not a version. */
  action: ReportAction;
  /** For a correction: the version it replaces. */
  replaces: number | null;
  /** Whether a later version of the same report has arrived (on any channel). */
  superseded: boolean;
  /** Receipt number of the arrival that superseded this one. */
  supersededBy: string | null;
  /** Whether this version was withdrawn (a revoke of it arrived, on any channel): 已撤回. Never set on a revoke itself. */
  withdrawn: boolean;
  /** Receipt number of the revoke that withdrew this one. */
  withdrawnBy: string | null;
  /** 撤回原因: on a revoke, and on the versions it withdrew. */
  revocationReason: string | null;
  /** ISO 8601 (UTC). */
  receivedAt: string;
  patientName: string | null;
  conclusion: string | null;
  reviewer: string | null;
  approvedAt: string | null;
  signatureSerial: string | null;
  document: ArrivalDocument | null;
  /** Size of the document in bytes (0 when none came). */
  size: number;
  /** Repeats of this delivery that were acknowledged but not stored again. */
  duplicatesIgnored: number;
  /** Channel details: MSH-10, FHIR resource ids, file names, SQL row id, content type … */
  source: Record<string, string>;
  /** The message, body or sidecar as received. */
  raw: Uint8Array;
}

export interface ChannelCounts {
  arrivals: number;
  duplicatesIgnored: number;
  /** Deliveries answered with an error (fault injection, bad content, wrong token). */
  refused: number;
}

export interface ArrivalCounts extends ChannelCounts {
  orders: number;
  byChannel: Record<ReceiverChannel, ChannelCounts>;
}

export const documentOf = (bytes: Uint8Array, reference: string | null = null): ArrivalDocument => ({
  kind: bytes[0] === 0xff && bytes[1] === 0xd8 ? 'jpg' : 'pdf',
  bytes,
  size: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('hex'),
  reference,
});

/** The report a version belongs to: the key without its `:version` suffix (and a revoke's `:revoke`), else the order. */
function reportIdentity(a: Pick<Arrival, 'idempotencyKey' | 'version' | 'orderNo' | 'accessionNo'>): string | null {
  const key = a.idempotencyKey.replace(/:revoke$/, '');
  if (a.version !== null && key.endsWith(`:${a.version}`)) return `key:${key.slice(0, -String(a.version).length - 1)}`;
  return a.orderNo ? `order:${a.orderNo}` : a.accessionNo ? `accession:${a.accessionNo}` : null;
}

export type ArrivalStore = ReturnType<typeof createArrivalStore>;

/**
 * One store for every channel. A delivery is a duplicate when one of its de-duplication keys (idempotency key,
 * order + version, MSH-10 …) was seen before on the same channel: each channel stands for a separate system of
 * the hospital. A later version of the same report, on any channel, supersedes the earlier ones.
 *
 * A revoke is a delivery of its own: its keys live apart from those of the version it withdraws (PFTIS may send it
 * with the version's own idempotency key), so it is never taken for a repeat of the publication, and a repeat of the
 * revoke is a duplicate like any other. It marks the arrivals of the withdrawn version `withdrawn`, on every channel:
 * those of the same version where both versions are known, else (an ORU carries no version) the arrivals of the
 * report that are not superseded. A version that arrives after its revoke (versions known and equal) is withdrawn
 * on arrival. A revoke supersedes nothing and is never superseded.
 */
export function createArrivalStore(now: () => Date = () => new Date()) {
  const all: Arrival[] = [];
  const seen = new Map<string, Arrival>();
  const refused: Record<ReceiverChannel, number> = { http: 0, fhir: 0, mllp: 0, sql: 0, file: 0 };
  const listeners = new Set<(arrival: Arrival) => void>();
  let sequence = 0;

  function receiptNo(at: Date): string {
    sequence += 1;
    const day = new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
    return `HIS${day}${String(sequence).padStart(6, '0')}`;
  }

  /** Keys that identify a delivery on a channel: its idempotency key and, when known, order + version. */
  function keysOf(channel: ReceiverChannel, fields: ReportFields & { idempotencyKey: string }, extra: string[]): string[] {
    const revoke = fields.action === 'revoke';
    // A revoke under the version's key or under `${key}:revoke` is the same delivery.
    const keys = [`key:${revoke ? fields.idempotencyKey.replace(/:revoke$/, '') : fields.idempotencyKey}`, ...extra];
    if (fields.version !== null && (fields.orderNo || fields.accessionNo)) keys.push(`order:${fields.orderNo ?? ''}:${fields.accessionNo ?? ''}:${fields.version}`);
    const scope = revoke ? 'revoke|' : '';
    return keys.map((k) => `${channel}|${scope}${k}`);
  }

  function findDuplicate(channel: ReceiverChannel, fields: ReportFields & { idempotencyKey: string }, extraKeys: string[] = []): Arrival | null {
    for (const key of keysOf(channel, fields, extraKeys)) {
      const found = seen.get(key);
      if (found) return found;
    }
    return null;
  }

  function record(
    channel: ReceiverChannel,
    fields: ReportFields & { idempotencyKey: string },
    o: { extraKeys?: string[]; source?: Record<string, string>; raw?: Uint8Array } = {},
  ): { arrival: Arrival; duplicate: boolean } {
    const previous = findDuplicate(channel, fields, o.extraKeys);
    if (previous) {
      previous.duplicatesIgnored += 1;
      return { arrival: previous, duplicate: true };
    }
    const at = now();
    const arrival: Arrival = {
      receiptNo: receiptNo(at),
      channel,
      orderNo: fields.orderNo,
      accessionNo: fields.accessionNo,
      visitSerialNo: fields.visitSerialNo,
      version: fields.version,
      idempotencyKey: fields.idempotencyKey,
      action: fields.action,
      replaces: null,
      superseded: false,
      supersededBy: null,
      withdrawn: false,
      withdrawnBy: null,
      revocationReason: fields.action === 'revoke' ? fields.revocationReason : null,
      receivedAt: at.toISOString(),
      patientName: fields.patientName,
      conclusion: fields.conclusion,
      reviewer: fields.reviewer,
      approvedAt: fields.approvedAt,
      signatureSerial: fields.signatureSerial,
      // A revoke files no document, whatever came with it: it is not a new report.
      document: fields.action === 'revoke' ? null : fields.document,
      size: fields.action === 'revoke' ? 0 : (fields.document?.size ?? 0),
      duplicatesIgnored: 0,
      source: o.source ?? {},
      raw: o.raw ?? new Uint8Array(0),
    };
    // Versions of the same report: the same key stem; or, where a version is unknown (an ORU carries none), the same
    // order. Known versions compare; an unknown one supersedes what came before only when it is a correction.
    const identity = reportIdentity(arrival);
    const sameReport = all.filter(
      (a) => (identity !== null && reportIdentity(a) === identity) || ((a.version === null || arrival.version === null) && a.orderNo !== null && a.orderNo === arrival.orderNo),
    );
    if (arrival.action === 'replace') {
      const earlier = sameReport.map((a) => a.version).filter((v): v is number => v !== null && (arrival.version === null || v < arrival.version));
      arrival.replaces = fields.supersedesVersion ?? (earlier.length ? Math.max(...earlier) : arrival.version !== null && arrival.version > 1 ? arrival.version - 1 : null);
    }
    // A revoke is not a version: it supersedes nothing and is never superseded.
    for (const other of arrival.action === 'revoke' ? [] : sameReport) {
      if (other.action === 'revoke') continue;
      const known = arrival.version !== null && other.version !== null;
      const older = known ? other.version! < arrival.version! : arrival.action === 'replace';
      const newer = known && other.version! > arrival.version!;
      if (older && !other.superseded) {
        other.superseded = true;
        other.supersededBy = arrival.receiptNo;
      } else if (newer && !arrival.superseded) {
        arrival.superseded = true;
        arrival.supersededBy = other.receiptNo;
      }
    }
    const withdraw = (version: Arrival, revoke: Arrival) => {
      if (version.withdrawn) return;
      version.withdrawn = true;
      version.withdrawnBy = revoke.receiptNo;
      version.revocationReason = revoke.revocationReason;
    };
    if (arrival.action === 'revoke') {
      for (const other of sameReport) {
        if (other.action === 'revoke') continue;
        const known = arrival.version !== null && other.version !== null;
        if (known ? other.version === arrival.version : !other.superseded) withdraw(other, arrival);
      }
    } else if (arrival.version !== null) {
      const revoke = sameReport.find((a) => a.action === 'revoke' && a.version === arrival.version);
      if (revoke) withdraw(arrival, revoke);
    }
    all.push(arrival);
    for (const key of keysOf(channel, fields, o.extraKeys ?? [])) seen.set(key, arrival);
    for (const listener of listeners) listener(arrival);
    return { arrival, duplicate: false };
  }

  function counts(): ArrivalCounts {
    const byChannel = Object.fromEntries(
      receiverChannels.map((c) => {
        const mine = all.filter((a) => a.channel === c);
        return [c, { arrivals: mine.length, duplicatesIgnored: mine.reduce((n, a) => n + a.duplicatesIgnored, 0), refused: refused[c] }];
      }),
    ) as Record<ReceiverChannel, ChannelCounts>;
    const values = Object.values(byChannel);
    return {
      arrivals: all.length,
      duplicatesIgnored: values.reduce((n, c) => n + c.duplicatesIgnored, 0),
      refused: values.reduce((n, c) => n + c.refused, 0),
      orders: new Set(all.map((a) => a.orderNo ?? `#${a.accessionNo}`)).size,
      byChannel,
    };
  }

  return {
    record,
    findDuplicate,
    refuse(channel: ReceiverChannel) {
      refused[channel] += 1;
    },
    list: (): Arrival[] => [...all],
    byOrder: (orderNo: string): Arrival[] => all.filter((a) => a.orderNo === orderNo),
    byReceipt: (receiptNo: string): Arrival | undefined => all.find((a) => a.receiptNo === receiptNo),
    counts,
    onArrival(listener: (arrival: Arrival) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
