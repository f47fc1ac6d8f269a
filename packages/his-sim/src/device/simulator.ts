import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gdtField, parseGdtLines } from '@pftis/formats/gdt/parse';
import { child, childText, parseXml } from '@pftis/formats/xml/tiny-xml';
import { decodeXmlBytes } from '@pftis/formats/xml/text-decoding';
import { gdtExamResult, nddTestResult, type SimulatedExam } from './results.js';

export interface SimulatedDevice {
  channel: 'gdt' | 'ndd_xml';
  /** Where PFTIS drops worklist entries for this device. */
  worklistFolder: string;
  /** Where the device writes its results for PFTIS to collect. */
  resultFolder: string;
  encoding?: 'gbk' | 'gb18030' | 'iso-8859-1' | 'utf-8';
}

const ageFrom = (birthDate: string, at: Date) => (at.getTime() - Date.parse(`${birthDate}T00:00:00Z`)) / (365.25 * 86_400_000);

/** Reads a worklist entry the way the device software would; null for anything it does not understand. */
export function readWorklistEntry(device: SimulatedDevice, name: string, bytes: Uint8Array, at: Date): SimulatedExam | null {
  if (device.channel === 'gdt' && name.endsWith('.gdt')) {
    const { lines } = parseGdtLines(bytes, device.encoding ?? 'gbk');
    if (gdtField(lines, '8000') !== '6302') return null;
    const birth = gdtField(lines, '3103') ?? '';
    const birthDate = /^\d{8}$/.test(birth) ? `${birth.slice(4)}-${birth.slice(2, 4)}-${birth.slice(0, 2)}` : '1970-01-01';
    return {
      accessionNo: gdtField(lines, '8413') ?? null,
      patientId: gdtField(lines, '3000') ?? '',
      sex: gdtField(lines, '3110') === '2' ? 'female' : 'male',
      ageYears: ageFrom(birthDate, at),
      heightCm: Number(gdtField(lines, '3622')) || 165,
      bronchodilator: false,
    };
  }
  if (device.channel === 'ndd_xml' && name.endsWith('.xml')) {
    const text = decodeXmlBytes(bytes);
    const parsed = text === null ? null : parseXml(text);
    if (!parsed?.ok) return null;
    const command = child(parsed.value, 'Command');
    if (command?.attributes.Type !== 'PerformTest') return null;
    const orderId = command.children.find((c) => c.name === 'Parameter' && c.attributes.Name === 'OrderID')?.text.trim();
    const patient = child(child(parsed.value, 'Patients'), 'Patient');
    const present = child(patient, 'PatientDataAtPresent');
    const birthDate = childText(present, 'DateOfBirth') ?? '1970-01-01';
    return {
      accessionNo: orderId || null,
      patientId: patient?.attributes.ID ?? '',
      sex: childText(present, 'Gender') === 'Female' ? 'female' : 'male',
      ageYears: ageFrom(birthDate, at),
      heightCm: Math.round(Number(childText(present, 'Height') ?? '1.65') * 100),
      bronchodilator: false,
    };
  }
  return null;
}

/**
 * The demo hospital's lung-function devices: each takes the worklist entries PFTIS drops for it and, after a
 * delay as long as a test takes, writes a result in its own format into its result folder.
 */
export function createDeviceSimulator({ devices, delayMs = 20_000, now = () => new Date() }: { devices: SimulatedDevice[]; delayMs?: number; now?: () => Date }) {
  const due = new Map<string, { device: SimulatedDevice; exam: SimulatedExam; at: number; name: string }>();

  async function pollOnce(): Promise<number> {
    let written = 0;
    for (const device of devices) {
      for (const name of await readdir(device.worklistFolder).catch(() => [] as string[])) {
        const file = path.join(device.worklistFolder, name);
        if (name.startsWith('.') || due.has(file)) continue;
        const bytes = await readFile(file).catch(() => null);
        if (!bytes) continue;
        const exam = readWorklistEntry(device, name, new Uint8Array(bytes), now());
        const archive = path.join(device.worklistFolder, exam ? 'done' : 'unreadable');
        await mkdir(archive, { recursive: true });
        await rename(file, path.join(archive, name));
        if (exam) due.set(file, { device, exam, at: now().getTime() + delayMs, name });
      }
    }
    for (const [file, job] of due) {
      if (job.at > now().getTime()) continue;
      due.delete(file);
      const base = path.parse(job.name).name;
      const seed = [...base].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7);
      const bytes = job.device.channel === 'gdt' ? gdtExamResult(job.exam, now(), seed, job.device.encoding ?? 'gbk') : nddTestResult(job.exam, now(), seed);
      await mkdir(job.device.resultFolder, { recursive: true });
      const target = path.join(job.device.resultFolder, `${base}-result${job.device.channel === 'gdt' ? '.gdt' : '.xml'}`);
      await writeFile(`${target}.part`, bytes);
      await rename(`${target}.part`, target);
      written += 1;
    }
    return written;
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  return {
    pollOnce,
    start(intervalMs = 1000) {
      timer = setInterval(() => {
        running = running.then(pollOnce).catch(() => {});
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
