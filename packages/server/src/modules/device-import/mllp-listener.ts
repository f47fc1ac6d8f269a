import net from 'node:net';
import { frameMllp } from '@pftis/formats/hl7/mllp';
import { hl7Time } from '@pftis/formats/hl7/report-oru';
import iconv from 'iconv-lite';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { recordAudit, systemActor } from '../../platform/audit.js';
import type { DeviceImportService } from './device-import.service.js';

/**
 * Device results over HL7 v2 / MLLP (../shared/docs/interfaces.md §2.5): a TCP listener that takes ORU^R01
 * messages from device systems, stores each one raw through the device import (source 'mllp'), and answers on
 * the same connection with an original-mode ACK whose MSA-2 echoes the message's MSH-10:
 *
 * - AA once the raw message is stored, whatever happened next (imported, waiting in 待匹配, quarantined): it is
 *   safe in PFTIS, and a resend would change nothing. A resend of the same bytes is the same file (SHA-256).
 * - AE when it could not be stored (database or file store down, message over the size limit): resend later.
 * - AR for a frame that is not HL7 at all (no MSH segment); it is still kept, quarantined, for a person to look at.
 * - nothing for an ACK (acknowledgements are not acknowledged) or an empty frame (a keep-alive).
 *
 * The ACK uses the message's own delimiters, version (MSH-12), processing id (MSH-11) and charset (MSH-18), and
 * copies the sender's MSH-3…6 bytes as they came, so it needs no re-encoding. MSH-15/16 (enhanced mode) are not
 * honoured: every message gets one ACK on the same connection, which is what device systems wait for.
 *
 * Framing is done on bytes, before any decoding: one frame may come in many TCP chunks and one chunk may hold
 * several frames; bytes outside a frame are dropped (and logged); a start block inside an unfinished frame
 * abandons it; an end block without its trailing CR is accepted. A frame over `maxMessageBytes` is not buffered
 * (only its head is kept to answer it). A connection silent for `idleTimeoutMs` is closed.
 */

export interface MllpLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface MllpListenerOptions {
  db: Kysely<DB>;
  imports: DeviceImportService;
  host?: string;
  /** 0 picks a free port (tests); see address() once started. */
  port: number;
  maxMessageBytes?: number;
  idleTimeoutMs?: number;
  log?: MllpLogger;
  now?: () => Date;
}

export type MllpListener = ReturnType<typeof createMllpListener>;

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;
/** How much of an oversized frame is kept, to read its MSH and answer it. */
const HEAD_BYTES = 4096;

const silent: MllpLogger = { info() {}, warn() {}, error() {} };

export type FrameEvent = { kind: 'frame'; payload: Uint8Array } | { kind: 'oversized'; head: Uint8Array; sizeBytes: number };

/**
 * Incremental MLLP de-framer: each pushed chunk is scanned once (no re-scanning of buffered bytes), and a frame
 * growing past the limit stops being buffered.
 */
export class MllpDeframer {
  private parts: Uint8Array[] = [];
  private size = 0;
  private inFrame = false;
  private oversized = false;
  private head: Uint8Array | null = null;
  /** The previous chunk ended right after an end block: a CR starting the next one belongs to it. */
  private skipCr = false;
  /** Bytes dropped because they were outside any frame or in an abandoned frame. */
  discardedBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes held (or counted, when oversized) of the frame still being received. */
  get pendingBytes(): number {
    return this.inFrame ? this.size : 0;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let i = 0;
    if (this.skipCr && chunk.length > 0) {
      if (chunk[0] === CR) i = 1;
      this.skipCr = false;
    }
    while (i < chunk.length) {
      if (!this.inFrame) {
        const start = chunk.indexOf(VT, i);
        if (start === -1) {
          this.discardedBytes += chunk.length - i;
          break;
        }
        this.discardedBytes += start - i;
        this.begin();
        i = start + 1;
        continue;
      }
      const end = chunk.indexOf(FS, i);
      const restart = chunk.indexOf(VT, i);
      if (restart !== -1 && (end === -1 || restart < end)) {
        // The sender started over: the unfinished frame is abandoned.
        this.append(chunk.subarray(i, restart));
        this.discardedBytes += this.size + 1;
        this.begin();
        i = restart + 1;
        continue;
      }
      if (end === -1) {
        this.append(chunk.subarray(i));
        break;
      }
      this.append(chunk.subarray(i, end));
      events.push(this.finish());
      i = end + 1;
      if (i < chunk.length) {
        if (chunk[i] === CR) i += 1;
      } else {
        this.skipCr = true;
      }
    }
    return events;
  }

  private begin() {
    this.inFrame = true;
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    this.head = null;
  }

  private append(piece: Uint8Array) {
    if (piece.length === 0) return;
    if (!this.oversized && this.size + piece.length > this.maxBytes) {
      this.oversized = true;
      this.head = concat([...this.parts, piece]).slice(0, HEAD_BYTES);
      this.parts = [];
    }
    if (!this.oversized) this.parts.push(piece.slice());
    this.size += piece.length;
  }

  private finish(): FrameEvent {
    const event: FrameEvent = this.oversized ? { kind: 'oversized', head: this.head!, sizeBytes: this.size } : { kind: 'frame', payload: concat(this.parts) };
    this.inFrame = false;
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    this.head = null;
    return event;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The MSH of a message, read on bytes: delimiters are ASCII whatever the charset. */
export interface MshHeader {
  fieldSeparator: number;
  /** MSH-2 as it came (component, repetition, escape, subcomponent characters). */
  encodingCharacters: string;
  /** Raw bytes of MSH-n, by n (index 1 is the separator itself). */
  rawFields: Uint8Array[];
  sendingApplication: string;
  sendingFacility: string;
  messageType: string;
  controlId: string;
  processingId: string;
  version: string;
  charset: string;
}

const latin1 = new TextDecoder('latin1');

function decodeField(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(Buffer.from(bytes), /1250/.test(charset) ? 'windows-1250' : /8859/.test(charset) ? 'latin1' : 'gb18030');
  }
}

/** Null unless the bytes start with `MSH` and a plausible field separator. */
export function readMshHeader(bytes: Uint8Array): MshHeader | null {
  if (bytes.length < 8 || bytes[0] !== 0x4d || bytes[1] !== 0x53 || bytes[2] !== 0x48) return null;
  const fieldSeparator = bytes[3]!;
  if (fieldSeparator < 0x21 || fieldSeparator > 0x7e || /[A-Za-z0-9]/.test(String.fromCharCode(fieldSeparator))) return null;
  let end = bytes.findIndex((b) => b === CR || b === 0x0a);
  if (end === -1) end = bytes.length;
  const line = bytes.subarray(0, end);
  const rawFields: Uint8Array[] = [line.subarray(0, 3), line.subarray(3, 4)];
  let start = 4;
  for (let i = 4; i <= line.length; i++) {
    if (i === line.length || line[i] === fieldSeparator) {
      rawFields.push(line.subarray(start, i));
      start = i + 1;
    }
  }
  const encodingCharacters = latin1.decode(rawFields[2] ?? new Uint8Array(0));
  const component = encodingCharacters[0] ?? '^';
  const charset = latin1.decode(rawFields[18] ?? new Uint8Array(0)).trim();
  const text = (n: number) => decodeField(rawFields[n] ?? new Uint8Array(0), charset);
  const first = (n: number) => text(n).split(component)[0]!.trim();
  return {
    fieldSeparator,
    encodingCharacters,
    rawFields,
    sendingApplication: first(3),
    sendingFacility: first(4),
    messageType: text(9).split(component).slice(0, 2).join('^'),
    controlId: text(10).trim(),
    processingId: first(11),
    version: first(12),
    charset,
  };
}

/** HL7 table 0357 codes used here. */
const ERROR_CODES = { sequence: ['100', 'Segment sequence error'], internal: ['207', 'Application internal error'] } as const;

export interface AckInput {
  code: 'AA' | 'AE' | 'AR';
  /** The acknowledged message's MSH, null when it had none. */
  msh: MshHeader | null;
  text: string;
  error?: keyof typeof ERROR_CODES;
  ackControlId: string;
  at: Date;
}

/** Version ≥ 2.5 puts errors in ERR-2…8; 2.3/2.4 in ERR-1 (segment^sequence^field^code&text&system). */
const modernErr = (version: string) => {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 5);
};

/** MSH-9 of the ACK: `ACK` up to 2.2, `ACK^trigger` in 2.3, with the structure `^ACK` from 2.3.1 on. */
function ackType(msh: MshHeader | null, component: string): string {
  const trigger = msh?.messageType.split('^')[1] ?? '';
  const version = msh?.version ?? '2.5';
  if (!trigger || /^2\.[0-2](\.|$)/.test(version)) return 'ACK';
  if (version === '2.3') return `ACK${component}${trigger}`;
  return `ACK${component}${trigger}${component}ACK`;
}

/** An original-mode ACK as bytes, in the acknowledged message's delimiters; the sender's MSH-3…6 bytes are copied as they came. */
export function buildAck(input: AckInput): Uint8Array {
  const msh = input.msh;
  const fs = msh ? String.fromCharCode(msh.fieldSeparator) : '|';
  const encoding = msh && msh.encodingCharacters.length >= 2 ? msh.encodingCharacters : '^~\\&';
  const component = encoding[0]!;
  const subcomponent = encoding[3] ?? '&';
  // Our text is ASCII with the delimiters taken out: safe in any charset, no escaping needed.
  const clean = (s: string) => s.replace(/[^\x20-\x7e]/g, ' ').replaceAll(fs, ' ').replace(new RegExp(`[${[...encoding].map((c) => `\\${c}`).join('')}]`, 'g'), ' ').trim();
  const raw = (n: number) => msh?.rawFields[n] ?? new Uint8Array(0);
  const ascii = (s: string) => new TextEncoder().encode(s);
  const version = msh?.version || '2.5';
  const pieces: Uint8Array[] = [
    ascii(`MSH${fs}${encoding}${fs}`),
    msh && raw(5).length ? raw(5) : ascii('PFTIS'),
    ascii(fs),
    raw(6),
    ascii(fs),
    raw(3),
    ascii(fs),
    raw(4),
    ascii(`${fs}${hl7Time(input.at)}${fs}${fs}${ackType(msh, component)}${fs}${clean(input.ackControlId)}${fs}${clean(msh?.processingId || 'P')}${fs}`),
    msh && raw(12).length ? raw(12) : ascii(version),
  ];
  if (msh?.charset) pieces.push(ascii(`${fs}${fs}${fs}${fs}${fs}`), raw(17), ascii(fs), raw(18));
  pieces.push(ascii(`\rMSA${fs}${input.code}${fs}${clean(msh?.controlId ?? '')}${fs}${clean(input.text)}\r`));
  if (input.code !== 'AA') {
    const [code, name] = ERROR_CODES[input.error ?? (input.code === 'AR' ? 'sequence' : 'internal')];
    const segment = modernErr(version)
      ? `ERR${fs}${fs}${fs}${code}${component}${name}${component}HL70357${fs}E${fs}${fs}${fs}${fs}${clean(input.text)}`
      : `ERR${fs}${input.code === 'AR' ? `MSH${component}1` : component}${component}${component}${code}${subcomponent}${name}${subcomponent}HL70357`;
    pieces.push(ascii(`${segment}\r`));
  }
  return concat(pieces);
}

const normalise = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();
const plainAddress = (address: string | undefined) => (address ?? '').replace(/^::ffff:/, '');

/** A file name for the stored message: sender and control id, in characters every file system takes. */
const fileNameOf = (msh: MshHeader | null, fallback: string) => {
  const safe = (s: string) => s.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60);
  return `${safe(msh?.sendingApplication ?? '') || 'mllp'}-${safe(msh?.controlId ?? '') || fallback}.hl7`;
};

export function createMllpListener({ db, imports, host = '0.0.0.0', port, maxMessageBytes = 32 * 1024 * 1024, idleTimeoutMs = 600_000, log = silent, now = () => new Date() }: MllpListenerOptions) {
  const connections = new Set<{ socket: net.Socket; queue: Promise<void> }>();
  let ackSequence = 0;
  let server: net.Server | undefined;

  // At most 20 characters, as MSH-10 allows up to v2.4.
  const ackControlId = () => `P${hl7Time(now()).slice(2)}${String(++ackSequence % 100_000).padStart(5, '0')}`;

  /** The registered device that sent it: MSH-3 against the device's name or model, narrowed by MSH-4 and the peer's address. */
  async function findDevice(msh: MshHeader, peer: string) {
    const devices = await db.selectFrom('device').select(['id', 'campusId', 'name', 'model', 'vendor', 'room', 'host', 'channel']).where('enabled', '=', true).execute();
    const application = normalise(msh.sendingApplication);
    const facility = normalise(msh.sendingFacility);
    let candidates = application ? devices.filter((d) => [d.name, d.model].some((v) => normalise(v) === application)) : [];
    if (candidates.length > 1 && facility) {
      const byFacility = candidates.filter((d) => [d.vendor, d.room, d.name].some((v) => normalise(v) === facility));
      if (byFacility.length) candidates = byFacility;
    }
    if (candidates.length > 1) {
      const byHost = candidates.filter((d) => d.host && plainAddress(d.host) === peer);
      if (byHost.length) candidates = byHost;
    }
    if (candidates.length === 0) candidates = devices.filter((d) => d.channel === 'hl7_mllp' && d.host && plainAddress(d.host) === peer);
    return candidates.length === 1 ? candidates[0]! : null;
  }

  async function auditRefusal(peer: string, detail: Record<string, unknown>) {
    try {
      await db.transaction().execute((trx) => recordAudit(trx, systemActor(`mllp:${peer}`), { action: 'device-message.refused', outcome: 'failure', entityType: 'mllp_message', detail }, now()));
    } catch (error) {
      log.error({ err: error, peer }, 'MLLP: could not audit a refused message');
    }
  }

  /** Stores one message and says what to answer. */
  async function handle(payload: Uint8Array, peer: string): Promise<Uint8Array | null> {
    // Line breaks or spaces before MSH are framing noise some senders add; the stored message starts at MSH.
    let start = 0;
    while (start < payload.length && (payload[start] === CR || payload[start] === 0x0a || payload[start] === 0x20 || payload[start] === 0x09)) start += 1;
    const bytes = payload.subarray(start);
    if (bytes.length === 0) return null; // an empty frame: a keep-alive, nothing to acknowledge
    const msh = readMshHeader(bytes);
    if (msh && /^ACK/i.test(msh.messageType)) {
      // An acknowledgement is never acknowledged (that would ping-pong), and carries no result to keep.
      log.warn({ peer, controlId: msh.controlId }, 'MLLP: an ACK arrived on the result listener; ignored');
      return null;
    }
    const ack = (code: AckInput['code'], text: string, error?: AckInput['error']) => buildAck({ code, msh, text, error, ackControlId: ackControlId(), at: now() });

    const device = msh ? await findDevice(msh, peer).catch((error) => (log.warn({ err: error, peer }, 'MLLP: device look-up failed'), null)) : null;
    const actor = systemActor(`mllp:${device?.id ?? peer}`);
    const originalName = fileNameOf(msh, `${Date.now()}`);
    let stored: Awaited<ReturnType<DeviceImportService['receive']>>;
    try {
      stored = await imports.receive(actor, { bytes, originalName, source: 'mllp', deviceId: device?.id ?? null, campusId: device?.campusId ?? null });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log.error({ err: error, peer, controlId: msh?.controlId, sizeBytes: bytes.length }, 'MLLP: message could not be stored');
      await auditRefusal(peer, { reason: `could not be stored: ${reason}`, controlId: msh?.controlId ?? null, sizeBytes: bytes.length });
      return msh ? ack('AE', 'Message could not be stored in PFTIS, please resend later', 'internal') : ack('AR', 'Not an HL7 v2 message (no MSH segment) and it could not be stored', 'sequence');
    }
    const context = { peer, fileId: stored.fileId, status: stored.status, duplicate: stored.duplicate, controlId: msh?.controlId ?? null, messageType: msh?.messageType ?? null, deviceId: device?.id ?? null, sizeBytes: bytes.length };
    if (!msh) {
      log.warn(context, 'MLLP: frame is not an HL7 message; kept in quarantine, answered AR');
      return ack('AR', 'Not an HL7 v2 message: it does not start with an MSH segment', 'sequence');
    }
    if (msh.charset && !/utf-?8|unicode/i.test(msh.charset) && isUtf8NonAscii(bytes)) {
      log.warn({ ...context, declaredCharset: msh.charset }, 'MLLP: message declares a charset in MSH-18 but its bytes are UTF-8');
    }
    log.info(context, stored.duplicate ? 'MLLP: message received again (same bytes), already stored' : 'MLLP: message stored');
    const what = stored.duplicate ? 'already stored' : 'stored';
    const next = stored.status === 'imported' ? 'imported' : stored.status === 'unmatched' ? 'waiting to be matched to an exam' : stored.status === 'quarantined' ? 'kept for review (could not be read)' : 'received';
    return ack('AA', `Message ${what} in PFTIS, ${next}`);
  }

  async function refuseOversized(head: Uint8Array, sizeBytes: number, peer: string): Promise<Uint8Array> {
    const msh = readMshHeader(head);
    log.warn({ peer, sizeBytes, maxMessageBytes, controlId: msh?.controlId ?? null }, 'MLLP: message over the size limit refused');
    await auditRefusal(peer, { reason: `message of ${sizeBytes} bytes exceeds the limit of ${maxMessageBytes} bytes`, controlId: msh?.controlId ?? null, sizeBytes });
    const text = `Message of ${sizeBytes} bytes exceeds the limit of ${maxMessageBytes} bytes, not stored`;
    return buildAck({ code: msh ? 'AE' : 'AR', msh, text, error: msh ? 'internal' : 'sequence', ackControlId: ackControlId(), at: now() });
  }

  function accept(socket: net.Socket) {
    const peer = plainAddress(socket.remoteAddress);
    const connection = { socket, queue: Promise.resolve() };
    connections.add(connection);
    const deframer = new MllpDeframer(maxMessageBytes);
    let waiting = 0;
    let busy = false;
    let reportedDiscards = 0;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.setTimeout(idleTimeoutMs);
    log.info({ peer, port: socket.remotePort }, 'MLLP: device connected');

    const answer = (work: () => Promise<Uint8Array | null>) => {
      waiting += 1;
      // A sender that keeps writing while we store waits: stop reading until the queue is short again.
      if (waiting > 16) socket.pause();
      connection.queue = connection.queue.then(async () => {
        busy = true;
        try {
          const reply = await work();
          if (reply && !socket.destroyed) socket.write(frameMllp(reply));
        } catch (error) {
          log.error({ err: error, peer }, 'MLLP: message handling failed');
        } finally {
          busy = false;
          waiting -= 1;
          if (waiting <= 4 && socket.isPaused() && !socket.destroyed) socket.resume();
        }
      });
    };

    socket.on('data', (chunk: Buffer) => {
      for (const event of deframer.push(chunk)) {
        if (event.kind === 'frame') answer(() => handle(event.payload, peer));
        else answer(() => refuseOversized(event.head, event.sizeBytes, peer));
      }
      if (deframer.discardedBytes > reportedDiscards) {
        log.warn({ peer, bytes: deframer.discardedBytes - reportedDiscards }, 'MLLP: dropped bytes outside an MLLP frame');
        reportedDiscards = deframer.discardedBytes;
      }
    });
    socket.on('timeout', () => {
      if (busy || waiting > 0) return socket.setTimeout(idleTimeoutMs); // we are the slow one
      log.info({ peer, pendingBytes: deframer.pendingBytes }, deframer.pendingBytes ? 'MLLP: idle connection closed with an unfinished frame (not acknowledged, the sender will resend)' : 'MLLP: idle connection closed');
      socket.destroy();
    });
    socket.on('error', (error) => log.warn({ err: error, peer }, 'MLLP: connection error'));
    socket.on('close', () => {
      connections.delete(connection);
      if (deframer.pendingBytes) log.warn({ peer, pendingBytes: deframer.pendingBytes }, 'MLLP: connection closed in the middle of a frame');
      log.info({ peer }, 'MLLP: device disconnected');
    });
  }

  return {
    async start(): Promise<{ host: string; port: number }> {
      if (server) return this.address()!;
      const created = net.createServer(accept);
      created.maxConnections = 256;
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen({ host, port }, () => {
          created.off('error', reject);
          resolve();
        });
      });
      created.on('error', (error) => log.error({ err: error }, 'MLLP listener error'));
      server = created;
      const address = this.address()!;
      log.info(address, 'MLLP listener for device results started');
      return address;
    },
    address(): { host: string; port: number } | null {
      const address = server?.address();
      return address && typeof address === 'object' ? { host: address.address, port: address.port } : null;
    },
    /** Stops accepting, lets messages being stored finish and be acknowledged (up to `graceMs`), then closes every connection. */
    async stop(graceMs = 10_000) {
      const current = server;
      if (!current) return;
      server = undefined;
      const closed = new Promise<void>((resolve) => current.close(() => resolve()));
      for (const c of connections) c.socket.pause();
      await Promise.race([Promise.all([...connections].map((c) => c.queue)), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      for (const c of connections) c.socket.destroy();
      await closed;
      log.info({}, 'MLLP listener for device results stopped');
    },
  };
}

function isUtf8NonAscii(bytes: Uint8Array): boolean {
  if (!bytes.some((b) => b > 0x7f)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
