import net, { type AddressInfo } from 'node:net';
import { Hl7Connection } from '@medplum/hl7';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleEntry } from '../worklist/worklist-entry.fixture.ts';
import { decodeText } from '../worklist/text-encoding.ts';
import { parseHl7Ack } from './ack.ts';
import { MllpClient, MllpFrameReader, frameMllp } from './mllp.ts';
import { buildOrmNewOrder, encodeHl7Message } from './orm.ts';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const text = (frames: Uint8Array[]) => frames.map((frame) => Buffer.from(frame).toString('latin1'));

describe('MllpFrameReader', () => {
  it('reassembles a frame delivered one byte at a time, trailer split included', () => {
    const reader = new MllpFrameReader();
    const frame = frameMllp(bytes('MSH|^~\\&|A\rMSA|AA|1\r'));
    const out: Uint8Array[] = [];
    for (const byte of frame) out.push(...reader.push(new Uint8Array([byte])));
    expect(text(out)).toEqual(['MSH|^~\\&|A\rMSA|AA|1\r']);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('splits coalesced frames and drops bytes outside frames', () => {
    const reader = new MllpFrameReader();
    const stream = Buffer.concat([
      Buffer.from('noise'),
      frameMllp(bytes('ONE')),
      Buffer.from('\r\n'),
      frameMllp(bytes('TWO')),
      frameMllp(bytes('THR')).subarray(0, 4),
    ]);
    expect(text(reader.push(stream))).toEqual(['ONE', 'TWO']);
    expect(reader.discardedBytes).toBe(7);
    expect(text(reader.push(bytes('EE\x1c\r')))).toEqual(['THREE']);
  });

  it('keeps a 0x1C that is not followed by CR inside the frame, and restarts on a new start block', () => {
    const reader = new MllpFrameReader();
    expect(text(reader.push(bytes('\x0bA\x1cB\x1c\r')))).toEqual(['A\x1cB']);
    expect(text(reader.push(bytes('\x0babandoned\x0bKEPT\x1c\r')))).toEqual(['KEPT']);
    expect(reader.discardedBytes).toBe(10);
  });
});

describe('MllpClient over a real socket', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      onConnection(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    return (server.address() as AddressInfo).port;
  }

  it('delivers a GBK ORM to an @medplum/hl7 MLLP server and reads its AA', async () => {
    // Hl7Server.start() takes no host and would listen on every interface; its per-socket Hl7Connection is what
    // does the MLLP work, so the test mounts that on a loopback-only server.
    const arrived: string[] = [];
    const rawBytes: Buffer[] = [];
    const port = await listen((socket) => {
      socket.on('data', (chunk: Buffer) => rawBytes.push(chunk));
      const connection = new Hl7Connection(socket, 'gbk');
      connection.addEventListener('message', (event) => {
        arrived.push(event.message.toString());
        event.connection.send(event.message.buildAck());
      });
    });

    const orm = buildOrmNewOrder(sampleEntry(), {
      sendingApplication: 'PFTIS',
      receivingApplication: 'SPIRO',
      controlId: 'PFTIS000042',
      messageTime: new Date('2025-03-14T01:31:02Z'),
    });
    if (!orm.ok) throw new Error(orm.reason);
    const wire = encodeHl7Message(orm.value, 'gbk');
    if (!wire.ok) throw new Error(wire.reason);

    const client = new MllpClient({ host: '127.0.0.1', port, responseTimeoutMs: 5_000 });
    cleanups.push(() => client.close());
    const response = await client.send(wire.value);
    if (!response.ok) throw new Error(response.reason);

    expect(arrived).toEqual([orm.value]);
    const received = Buffer.concat(rawBytes);
    expect(received.equals(Buffer.from(frameMllp(wire.value)))).toBe(true);
    expect(received.includes(Buffer.from('d5c5c8fdb7e1', 'hex'))).toBe(true);
    expect(decodeText(received.subarray(1, -2), 'gbk')).toBe(orm.value);

    const ack = parseHl7Ack(response.value, 'gbk');
    expect(ack.ok && [ack.value.code, ack.value.acknowledgedControlId]).toEqual(['AA', 'PFTIS000042']);
  });

  it('reads a split ACK, times out on silence, reconnects, and ignores a second coalesced frame', async () => {
    let connections = 0;
    const port = await listen((socket) => {
      connections += 1;
      const reader = new MllpFrameReader();
      socket.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) {
          const message = Buffer.from(frame).toString('latin1');
          const ack = frameMllp(bytes(`MSH|^~\\&|S|F|R|F|20250314||ACK|A-${message}|P|2.4\rMSA|AA|${message}\r`));
          if (message === 'SPLIT') {
            socket.write(ack.subarray(0, ack.length - 1));
            setTimeout(() => socket.write(ack.subarray(ack.length - 1)), 50);
          } else if (message === 'COALESCED') {
            socket.write(Buffer.concat([ack, frameMllp(bytes('MSH|^~\\&|UNSOLICITED'))]));
          }
        }
      });
    });

    const client = new MllpClient({ host: '127.0.0.1', port, responseTimeoutMs: 300 });
    cleanups.push(() => client.close());
    const controlIdOf = (result: Awaited<ReturnType<MllpClient['send']>>) => {
      if (!result.ok) return result.reason;
      const ack = parseHl7Ack(result.value);
      return ack.ok ? ack.value.acknowledgedControlId : ack.reason;
    };

    expect(controlIdOf(await client.send(bytes('SPLIT')))).toBe('SPLIT');
    expect(controlIdOf(await client.send(bytes('SILENCE')))).toBe('no response within 300 ms');
    expect(controlIdOf(await client.send(bytes('COALESCED')))).toBe('COALESCED');
    expect(connections).toBe(2);
  });

  it('reports a refused connection as a result', async () => {
    const port = await listen(() => {});
    await cleanups.pop()!();
    const client = new MllpClient({ host: '127.0.0.1', port, connectTimeoutMs: 2_000 });
    const result = await client.send(bytes('X'));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^connect to 127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/);
    await client.close();
  });
});
