import net from 'node:net';
import { unescapeHl7 } from '@pftis/formats/hl7/escape';
import { frameMllp, MllpFrameReader } from '@pftis/formats/hl7/mllp';
import iconv from 'iconv-lite';
import type { SimulatedExam } from './results.js';

/**
 * The HL7 side of a simulated lung-function system: it takes ORM^O01 orders from PFTIS over MLLP (what PFTIS's
 * device dispatcher sends to a device whose channel is hl7_mllp) and answers each with an original-mode ACK.
 */

/** The order's bytes → a simulated exam; the reason otherwise. Decodes per MSH-18 (GB 18030 / UTF-8), else UTF-8 when valid, else GB 18030. */
export function readOrmOrder(bytes: Uint8Array, at: Date): { ok: true; exam: SimulatedExam; controlId: string; cancel: boolean } | { ok: false; reason: string; controlId: string } {
  const text = decodeOrder(bytes);
  const segments = text.split(/\r\n|\r|\n/).filter((s) => s.trim() !== '');
  const msh = segments[0];
  if (!msh?.startsWith('MSH') || msh.length < 8) return { ok: false, reason: 'not an HL7 message', controlId: '' };
  const fs = msh[3]!;
  const component = msh[4] ?? '^';
  const fields = (s: string | undefined) => (s ?? '').split(fs);
  const mshFields = ['MSH', fs, ...fields(msh).slice(1)];
  const controlId = mshFields[10] ?? '';
  const type = (mshFields[9] ?? '').split(component).slice(0, 2).join('^');
  if (!/^(ORM\^O01|OMG\^O19)$/.test(type)) return { ok: false, reason: `message type ${type || '(empty)'} is not an order`, controlId };
  const segment = (name: string) => fields(segments.find((s) => s.startsWith(`${name}${fs}`)));
  const first = (value: string | undefined) => unescapeHl7((value ?? '').split(component)[0] ?? '').trim();
  const pid = segment('PID');
  const orc = segment('ORC');
  const obr = segment('OBR');
  const patientId = first(pid[3]);
  if (!patientId) return { ok: false, reason: 'PID-3 (patient id) is empty', controlId };
  const birth = /^(\d{4})(\d{2})(\d{2})/.exec(pid[7] ?? '');
  const birthDate = birth ? `${birth[1]}-${birth[2]}-${birth[3]}` : null;
  const sex = (pid[8] ?? '').toUpperCase() === 'F' ? 'female' : 'male';
  const [itemCode = '', itemName = ''] = (obr[4] ?? '').split(component).map((c) => unescapeHl7(c));
  const ageYears = birthDate ? (at.getTime() - Date.parse(`${birthDate}T00:00:00Z`)) / (365.25 * 86_400_000) : 50;
  return {
    ok: true,
    controlId,
    cancel: first(orc[1]).toUpperCase() === 'CA',
    exam: {
      accessionNo: first(orc[3]) || first(obr[3]) || null,
      requestNo: first(orc[2]) || first(obr[2]) || null,
      patientId,
      name: (pid[5] ?? '').split(component).slice(0, 2).map(unescapeHl7).join('') || null,
      birthDate,
      sex,
      ageYears,
      // The order carries no height: the device's own default, as a technician who does not measure would leave it.
      heightCm: sex === 'female' ? 158 : 170,
      bronchodilator: isBronchodilatorItem(itemCode, itemName),
      item: itemCode || itemName ? { code: itemCode, name: itemName } : null,
    },
  };
}

/** 支气管舒张试验 and the names HIS use for it. */
export const isBronchodilatorItem = (code: string, name: string) => /舒张|bronchodilat|reversib|\bBDT?\b|\bBDR\b|\bBD_/i.test(`${code} ${name}`);

function decodeOrder(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 300)).split(/\r|\n/)[0] ?? '';
  const msh18 = head.length > 3 ? (head.split(head[3]!)[17] ?? '') : '';
  if (/GB|18030/i.test(msh18)) return iconv.decode(Buffer.from(bytes), 'gb18030');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(Buffer.from(bytes), 'gb18030');
  }
}

const hl7Now = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().replace(/\D/g, '').slice(0, 14);

function ackFor(bytes: Uint8Array, code: 'AA' | 'AR', text: string, controlId: string, application: string, at: Date, sequence: number): Uint8Array {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 300)).split(/\r|\n/)[0] ?? '';
  const m = head.startsWith('MSH') && head.length > 3 ? ['MSH', '|', ...head.split(head[3]!).slice(1)] : [];
  const clean = (s: string) => s.replace(/[|^~\\&\r\n]/g, ' ');
  const segments = [
    ['MSH', '^~\\&', application, '', m[3] ?? '', m[4] ?? '', hl7Now(at), '', 'ACK^O01^ACK', `${application}-ACK${sequence}`, 'P', m[12] || '2.4'].join('|'),
    ['MSA', code, clean(controlId), clean(text)].join('|'),
  ];
  return new TextEncoder().encode(`${segments.join('\r')}\r`);
}

/**
 * Listens for orders. Each order that can be read goes to `onOrder` and is answered AA; anything else is answered
 * AR with the reason (the sender keeps it).
 */
export async function listenForOrders(options: {
  host: string;
  port: number;
  application: string;
  onOrder: (order: { exam: SimulatedExam; controlId: string; cancel: boolean }) => void;
  now?: () => Date;
}): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const now = options.now ?? (() => new Date());
  const sockets = new Set<net.Socket>();
  let sequence = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const reader = new MllpFrameReader();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        const order = readOrmOrder(frame, now());
        if (order.ok) options.onOrder(order);
        const reply = order.ok
          ? ackFor(frame, 'AA', order.cancel ? 'order cancelled' : 'order received', order.controlId, options.application, now(), ++sequence)
          : ackFor(frame, 'AR', order.reason, order.controlId, options.application, now(), ++sequence);
        socket.write(frameMllp(reply));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    host: options.host,
    port: address.port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
