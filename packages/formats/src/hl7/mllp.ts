/**
 * MLLP: `0x0B` + message + `0x1C 0x0D` over TCP (../shared/docs/interfaces.md §2.5).
 *
 * Why not @medplum/hl7's Hl7Client: its connection only emits a message when a TCP chunk happens to end in
 * `0x1C 0x0D`, so two ACKs coalesced in one chunk are parsed as one message and a trailer split across chunks is
 * never seen; and it re-serialises an Hl7Message instead of sending the exact bytes PFTIS built and stored.
 * This client sends bytes as they are, reassembles frames from any chunking, and gives every send a timeout.
 * Retry and back-off belong to the caller (the delivery worker), which also keeps the queue and last error.
 */
import net from 'node:net';
import { type Result, fail, ok } from '../worklist/result.ts';

export const MLLP_START_BLOCK = 0x0b;
export const MLLP_END_BLOCK = 0x1c;
export const MLLP_CARRIAGE_RETURN = 0x0d;

export function frameMllp(message: Uint8Array): Uint8Array {
  const frame = new Uint8Array(message.length + 3);
  frame[0] = MLLP_START_BLOCK;
  frame.set(message, 1);
  frame[message.length + 1] = MLLP_END_BLOCK;
  frame[message.length + 2] = MLLP_CARRIAGE_RETURN;
  return frame;
}

/**
 * Turns a TCP byte stream into MLLP frame payloads. One chunk may hold part of a frame or several frames; bytes
 * outside a frame are dropped and counted, and a start block inside an unfinished frame starts over, since a
 * sender that restarts a frame has abandoned the previous one.
 */
export class MllpFrameReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private discarded = 0;

  /** Bytes dropped so far because they were not inside a frame. */
  get discardedBytes(): number {
    return this.discarded;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const frames: Uint8Array[] = [];
    let position = 0;

    for (;;) {
      const start = joined.indexOf(MLLP_START_BLOCK, position);
      if (start === -1) {
        this.discarded += joined.length - position;
        position = joined.length;
        break;
      }
      this.discarded += start - position;
      const end = findEndBlock(joined, start + 1);
      const restart = joined.indexOf(MLLP_START_BLOCK, start + 1);
      if (restart !== -1 && (end === -1 || restart < end)) {
        this.discarded += restart - start;
        position = restart;
        continue;
      }
      if (end === -1) {
        position = start;
        break;
      }
      frames.push(joined.slice(start + 1, end));
      position = end + 2;
    }
    this.buffer = joined.slice(position);
    return frames;
  }
}

function findEndBlock(bytes: Uint8Array, from: number): number {
  for (let index = bytes.indexOf(MLLP_END_BLOCK, from); index !== -1; index = bytes.indexOf(MLLP_END_BLOCK, index + 1)) {
    if (index + 1 < bytes.length && bytes[index + 1] === MLLP_CARRIAGE_RETURN) return index;
  }
  return -1;
}

export interface MllpClientOptions {
  host: string;
  port: number;
  connectTimeoutMs?: number;
  /** How long to wait for the response frame (the ACK) after sending. */
  responseTimeoutMs?: number;
}

interface PendingResponse {
  resolve: (result: Result<Uint8Array>) => void;
  timer: NodeJS.Timeout;
}

/**
 * A persistent MLLP connection that sends one message at a time and resolves with the first frame received after
 * it (the ACK). It connects on first use and again after any failure. Sends never throw: failures are results.
 */
export class MllpClient {
  private readonly options: Required<MllpClientOptions>;
  private socket: net.Socket | undefined;
  private reader = new MllpFrameReader();
  private pending: PendingResponse | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: MllpClientOptions) {
    this.options = { connectTimeoutMs: 10_000, responseTimeoutMs: 30_000, ...options };
  }

  /** Sends the message (unframed bytes) and waits for the response frame's payload. */
  send(message: Uint8Array, responseTimeoutMs = this.options.responseTimeoutMs): Promise<Result<Uint8Array>> {
    const attempt = this.queue.then(() => this.sendNow(message, responseTimeoutMs));
    this.queue = attempt;
    return attempt;
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.answer(fail('connection closed by the client'));
    if (!socket || socket.closed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private async sendNow(message: Uint8Array, responseTimeoutMs: number): Promise<Result<Uint8Array>> {
    try {
      const connected = await this.connect();
      if (!connected.ok) return connected;
      const socket = connected.value;
      return await new Promise<Result<Uint8Array>>((resolve) => {
        const timer = setTimeout(() => {
          // A late ACK on this connection would be taken for the next message's, so the connection goes too.
          this.drop(`no response within ${responseTimeoutMs} ms`);
        }, responseTimeoutMs);
        this.pending = { resolve, timer };
        socket.write(frameMllp(message));
      });
    } catch (error) {
      this.drop('send failed');
      return fail(`send failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private connect(): Promise<Result<net.Socket>> {
    const existing = this.socket;
    if (existing && !existing.destroyed && !existing.connecting) return Promise.resolve(ok(existing));
    return new Promise((resolve) => {
      const socket = net.createConnection({ host: this.options.host, port: this.options.port });
      this.socket = socket;
      this.reader = new MllpFrameReader();
      let settled = false;
      const settle = (result: Result<net.Socket>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        socket.destroy();
        settle(fail(`connect to ${this.options.host}:${this.options.port} timed out after ${this.options.connectTimeoutMs} ms`));
      }, this.options.connectTimeoutMs);

      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      socket.once('connect', () => settle(ok(socket)));
      socket.on('data', (chunk: Buffer) => {
        for (const frame of this.reader.push(chunk)) this.answer(ok(frame));
      });
      socket.on('error', (error) => {
        settle(fail(`connect to ${this.options.host}:${this.options.port} failed: ${error.message}`));
        if (this.socket === socket) this.drop(`connection error: ${error.message}`);
      });
      socket.on('close', () => {
        settle(fail(`connection to ${this.options.host}:${this.options.port} closed while connecting`));
        if (this.socket === socket) this.drop('connection closed before a response arrived');
      });
    });
  }

  /** Frames with nobody waiting (a second ACK, an unsolicited message) are dropped. */
  private answer(result: Result<Uint8Array>): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve(result);
  }

  private drop(reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    this.answer(fail(reason));
    socket?.destroy();
  }
}
