import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gdtField, parseGdtLines } from '@pftis/formats/gdt/parse';
import { parseHl7Ack } from '@pftis/formats/hl7/ack';
import { MllpClient } from '@pftis/formats/hl7/mllp';
import type { Hl7Charset } from '@pftis/formats/hl7/orm';
import { child, childText, parseXml } from '@pftis/formats/xml/tiny-xml';
import { decodeXmlBytes } from '@pftis/formats/xml/text-decoding';
import { calibrationLogFile } from './calibration-log.js';
import { isBronchodilatorItem, listenForOrders } from './hl7-device.js';
import { devicePrintout, type PrintoutLayout } from './printouts/index.js';
import { gdtExamResult, nddTestResult, oruResult, printoutInput, type SimulatedExam, simulateSession } from './results.js';

export interface SimulatedDevice {
  channel: 'gdt' | 'ndd_xml' | 'hl7_mllp';
  /** Where PFTIS drops worklist entries for this device (GDT, ndd). */
  worklistFolder?: string;
  /** Where the device writes its results for PFTIS to collect (GDT, ndd; for HL7 an optional copy of each ORU). */
  resultFolder?: string;
  encoding?: 'gbk' | 'gb18030' | 'iso-8859-1' | 'utf-8';
  /** The device's name on its printout and, for HL7, its MSH-3 unless `application` says otherwise. */
  name?: string;
  /** HL7: where the device listens for PFTIS's ORM^O01 orders (port 0 picks a free one; see listen()). */
  orders?: { host: string; port: number };
  /** HL7: PFTIS's MLLP listener for device results, where each ORU^R01 goes; its ACK must be AA or CA. */
  results?: { host: string; port: number };
  /** HL7 MSH-3: the application name PFTIS knows the device by (its registered name or model). */
  application?: string;
  /** The PDF the device prints next to its result: EasyOne-style for ndd and a Chinese report for GDT by default; HL7 devices print none. */
  printout?: PrintoutLayout | null;
  /** Export the day's volume verification (3-L syringe, three flows) as a calibration log, once a day, into the result folder (or this folder). */
  calibrationLog?: boolean | { folder: string };
}

/** What the technician reads on the order sheet (申请单) at the device: e.g. that a bronchodilator test was ordered. */
export type OrderDetails = (order: { accessionNo: string | null; patientId: string }) => Promise<Partial<Pick<SimulatedExam, 'bronchodilator' | 'name' | 'birthDate' | 'requestNo' | 'item' | 'weightKg'>> | null>;

const ageFrom = (birthDate: string, at: Date) => (at.getTime() - Date.parse(`${birthDate}T00:00:00Z`)) / (365.25 * 86_400_000);

/** Reads a worklist entry the way the device software would; null for anything it does not understand. */
export function readWorklistEntry(device: SimulatedDevice, name: string, bytes: Uint8Array, at: Date): SimulatedExam | null {
  if (device.channel === 'gdt' && name.endsWith('.gdt')) {
    const { lines } = parseGdtLines(bytes, device.encoding ?? 'gbk');
    if (gdtField(lines, '8000') !== '6302') return null;
    const birth = gdtField(lines, '3103') ?? '';
    const birthDate = /^\d{8}$/.test(birth) ? `${birth.slice(4)}-${birth.slice(2, 4)}-${birth.slice(0, 2)}` : '1970-01-01';
    const examCode = gdtField(lines, '8402') ?? '';
    const fullName = `${gdtField(lines, '3101') ?? ''}${gdtField(lines, '3102') ?? ''}`;
    return {
      accessionNo: gdtField(lines, '8413') ?? null,
      patientId: gdtField(lines, '3000') ?? '',
      name: fullName || null,
      birthDate: /^\d{8}$/.test(birth) ? birthDate : null,
      sex: gdtField(lines, '3110') === '2' ? 'female' : 'male',
      ageYears: ageFrom(birthDate, at),
      heightCm: Number(gdtField(lines, '3622')) || 165,
      weightKg: Number(gdtField(lines, '3623')) || null,
      // 8402 is the device's own exam code: a code configured for the bronchodilator test (e.g. BDT) asks for one.
      bronchodilator: isBronchodilatorItem(examCode, ''),
      item: examCode ? { code: examCode, name: examCode } : null,
    };
  }
  if (device.channel === 'ndd_xml' && name.endsWith('.xml')) {
    const text = decodeXmlBytes(bytes);
    const parsed = text === null ? null : parseXml(text);
    if (!parsed?.ok) return null;
    const command = child(parsed.value, 'Command');
    if (command?.attributes.Type !== 'PerformTest') return null;
    const parameter = (name: string) => command.children.find((c) => c.name === 'Parameter' && c.attributes.Name === name)?.text.trim();
    const orderId = parameter('OrderID');
    const patient = child(child(parsed.value, 'Patients'), 'Patient');
    const present = child(patient, 'PatientDataAtPresent');
    const birthDate = childText(present, 'DateOfBirth') ?? '1970-01-01';
    const fullName = `${childText(patient, 'LastName') ?? ''}${childText(patient, 'FirstName') ?? ''}`;
    return {
      accessionNo: orderId || null,
      patientId: patient?.attributes.ID ?? '',
      name: fullName || null,
      birthDate: childText(present, 'DateOfBirth'),
      sex: childText(present, 'Gender') === 'Female' ? 'female' : 'male',
      ageYears: ageFrom(birthDate, at),
      heightCm: Math.round(Number(childText(present, 'Height') ?? '1.65') * 100),
      weightKg: Number(childText(present, 'Weight')) || null,
      // PerformTest has no bronchodilator test type (FVC serves both): the order sheet tells the technician.
      bronchodilator: isBronchodilatorItem(parameter('TestType') ?? '', ''),
    };
  }
  return null;
}

interface Job {
  device: SimulatedDevice;
  exam: SimulatedExam;
  /** When the result is due (or the next attempt to deliver it). */
  at: number;
  /** The worklist file's name without extension, or the order's accession number: names the result files and seeds the values. */
  base: string;
  /** HL7: the ORU, built once so that a resend after a lost ACK is the same bytes (PFTIS keeps one file). */
  message?: Uint8Array;
  attempts: number;
}

const seedOf = (base: string) => [...base].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7);

async function writeAtomically(folder: string, name: string, bytes: Uint8Array): Promise<string> {
  await mkdir(folder, { recursive: true });
  const target = path.join(folder, name);
  await writeFile(`${target}.part`, bytes);
  await rename(`${target}.part`, target);
  return target;
}

/**
 * The demo hospital's lung-function devices: each takes the worklist entries PFTIS gives it (GDT and ndd files in
 * its worklist folder, HL7 orders over MLLP) and, after a delay as long as a test takes, answers with a result in its
 * own format: a file in its result folder (with the PDF it prints beside it), or an ORU^R01 sent over MLLP to
 * PFTIS's device listener, resent with back-off until PFTIS acknowledges it.
 */
export function createDeviceSimulator({
  devices,
  delayMs = 20_000,
  now = () => new Date(),
  orderDetails,
  log = () => {},
}: {
  devices: SimulatedDevice[];
  delayMs?: number;
  now?: () => Date;
  orderDetails?: OrderDetails;
  /** One English line per event worth knowing (an ORU refused, a send failed). */
  log?: (line: string) => void;
}) {
  const due = new Map<string, Job>();
  const clients = new Map<SimulatedDevice, MllpClient>();
  const listeners: Array<{ close(): Promise<void> }> = [];
  let sequence = 0;

  async function withOrderDetails(exam: SimulatedExam): Promise<SimulatedExam> {
    const extra = await orderDetails?.({ accessionNo: exam.accessionNo, patientId: exam.patientId }).catch(() => null);
    if (!extra) return exam;
    return { ...exam, ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined && v !== null)), bronchodilator: exam.bronchodilator || extra.bronchodilator === true };
  }

  async function takeWorklists() {
    for (const device of devices) {
      if (!device.worklistFolder) continue;
      for (const name of await readdir(device.worklistFolder).catch(() => [] as string[])) {
        const file = path.join(device.worklistFolder, name);
        if (name.startsWith('.') || due.has(file)) continue;
        const bytes = await readFile(file).catch(() => null);
        if (!bytes) continue;
        const read = readWorklistEntry(device, name, new Uint8Array(bytes), now());
        const archive = path.join(device.worklistFolder, read ? 'done' : 'unreadable');
        await mkdir(archive, { recursive: true });
        await rename(file, path.join(archive, name));
        if (read) due.set(file, { device, exam: await withOrderDetails(read), at: now().getTime() + delayMs, base: path.parse(name).name, attempts: 0 });
      }
    }
  }

  /** Writes the printout (when the device prints one), then the result file that may point at it. */
  async function writeResultFile(job: Job): Promise<void> {
    const { device, exam, base } = job;
    const folder = device.resultFolder!;
    const seed = seedOf(base);
    const at = now();
    const layout = device.printout === undefined ? (device.channel === 'ndd_xml' ? 'easyone' : 'chinese') : device.printout;
    let pdfPath: string | undefined;
    if (layout) {
      const session = simulateSession(exam, at, seed);
      const pdf = devicePrintout(layout, printoutInput(exam, session, { name: device.name ?? (device.channel === 'ndd_xml' ? 'EasyOne Pro' : 'SPIRO-GDT'), serial: 'SIM-0001' }));
      pdfPath = await writeAtomically(folder, `${base}-result.pdf`, pdf);
    }
    if (device.channel === 'gdt') await writeAtomically(folder, `${base}-result.gdt`, gdtExamResult(exam, at, seed, device.encoding ?? 'gbk', { pdfPath }));
    else await writeAtomically(folder, `${base}-result.xml`, nddTestResult(exam, at, seed, pdfPath ? { attachment: pdfPath } : {}));
  }

  function clientFor(device: SimulatedDevice): MllpClient {
    let client = clients.get(device);
    if (!client) {
      client = new MllpClient({ ...device.results!, connectTimeoutMs: 5000, responseTimeoutMs: 30_000 });
      clients.set(device, client);
    }
    return client;
  }

  /** Sends the ORU; true once PFTIS has it (AA/CA). A refusal or a failure is retried with back-off. */
  async function sendOru(job: Job): Promise<boolean> {
    const { device } = job;
    const charset: Hl7Charset = device.encoding === 'gbk' || device.encoding === 'gb18030' ? device.encoding : 'utf-8';
    job.message ??= oruResult(job.exam, now(), seedOf(job.base), {
      sendingApplication: device.application ?? device.name ?? 'SPIRO-HL7',
      sendingFacility: 'PFT',
      controlId: `ORU${now().getTime().toString(36).toUpperCase()}${String(++sequence).padStart(4, '0')}`,
      charset,
    });
    if (device.resultFolder && job.attempts === 0) await writeAtomically(device.resultFolder, `${job.base}-result.hl7`, job.message);
    if (!device.results) return true;
    job.attempts += 1;
    const response = await clientFor(device).send(job.message);
    const ack = response.ok ? parseHl7Ack(response.value, charset) : response;
    if (ack.ok && ack.value.outcome === 'accepted') return true;
    const reason = ack.ok ? `${ack.value.code} ${ack.value.text}` : ack.reason;
    // AR (or no answer) may succeed later; AE will not, but a demo device keeps trying a little, like real ones.
    job.at = now().getTime() + Math.min(60_000, 1000 * 2 ** Math.min(job.attempts, 6));
    log(`device ${device.application ?? device.name ?? 'HL7'}: ORU for ${job.exam.accessionNo ?? job.base} not accepted (attempt ${job.attempts}): ${reason}`);
    return false;
  }

  const loggedDays = new Set<string>();
  /** Each device that keeps a calibration log exports the day's check once, before the day's first result. */
  async function writeCalibrationLogs() {
    for (const [index, device] of devices.entries()) {
      const folder = typeof device.calibrationLog === 'object' ? device.calibrationLog.folder : device.calibrationLog ? device.resultFolder : undefined;
      if (!folder) continue;
      const file = calibrationLogFile(device.name ?? `device-${index}`, now(), { encoding: device.encoding ?? 'gbk' });
      const key = `${index}:${file.name}`;
      if (loggedDays.has(key)) continue;
      loggedDays.add(key);
      await writeAtomically(folder, file.name, file.bytes);
    }
  }

  async function pollOnce(): Promise<number> {
    await writeCalibrationLogs();
    await takeWorklists();
    let written = 0;
    for (const [key, job] of due) {
      if (job.at > now().getTime()) continue;
      if (job.device.channel === 'hl7_mllp') {
        if (!(await sendOru(job))) continue;
      } else {
        await writeResultFile(job);
      }
      due.delete(key);
      written += 1;
    }
    return written;
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  return {
    pollOnce,
    /** HL7 devices start taking orders; resolves with where each listens (register that host and port on the device in PFTIS). */
    async listen(): Promise<Array<{ device: SimulatedDevice; host: string; port: number }>> {
      const started = [];
      for (const device of devices.filter((d) => d.channel === 'hl7_mllp' && d.orders)) {
        const listener = await listenForOrders({
          ...device.orders!,
          application: device.application ?? device.name ?? 'SPIRO-HL7',
          now,
          onOrder: ({ exam, cancel, controlId }) => {
            const key = `hl7:${device.application ?? device.name}:${exam.accessionNo ?? controlId}`;
            if (cancel) {
              due.delete(key);
              return;
            }
            if (due.has(key)) return; // the same order again (a resend after a lost ACK)
            void withOrderDetails(exam).then((detailed) => due.set(key, { device, exam: detailed, at: now().getTime() + delayMs, base: exam.accessionNo ?? controlId, attempts: 0 }));
          },
        });
        listeners.push(listener);
        started.push({ device, host: listener.host, port: listener.port });
      }
      return started;
    },
    /** Results not yet written or not yet acknowledged by PFTIS. */
    pending: () => due.size,
    start(intervalMs = 1000) {
      timer = setInterval(() => {
        running = running.then(pollOnce).catch((error) => log(`device simulator: ${error instanceof Error ? error.message : String(error)}`));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
      await Promise.all(listeners.splice(0).map((l) => l.close()));
      await Promise.all([...clients.values()].map((c) => c.close()));
      clients.clear();
    },
  };
}
