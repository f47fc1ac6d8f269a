import { createDeviceSimulator, type SimulatedDevice } from '@pftis/his-sim';
import type { Kysely } from 'kysely';
import type { Services } from '../app.js';
import type { DB } from '../db/types.js';
import { createMllpListener, type MllpListener, type MllpLogger } from '../modules/device-import/mllp-listener.js';
import { systemActor } from '../platform/audit.js';

/** The demo's HL7 device: registered at the main campus on first start, its order port set on every start. */
export const DEMO_HL7_DEVICE = { name: 'HL7 肺功能仪', model: 'SPIRO-HL7', room: '3 号检查室', vendor: 'Demo' } as const;

/**
 * What the technician at a demo device reads on the order sheet: whether the exam asks for a bronchodilator test
 * (item 支气管舒张试验), which GDT 6302 and ndd PerformTest files cannot say.
 */
export function orderSheet(db: Kysely<DB>) {
  return async ({ accessionNo, patientId }: { accessionNo: string | null; patientId: string }) => {
    const columns = ['exam.testKind', 'exam.itemName', 'exam.itemCode', 'exam.requestNo', 'exam.weightKg'] as const;
    // GDT 2.1 requests carry no accession number: the patient's open exam, as the technician would find it.
    const exam = accessionNo
      ? await db.selectFrom('exam').select(columns).where('accessionNo', '=', accessionNo).executeTakeFirst()
      : await db
          .selectFrom('exam')
          .innerJoin('patient', 'patient.id', 'exam.patientId')
          .select(columns)
          .where('patient.hisPatientId', '=', patientId)
          .where('exam.status', 'in', ['registered', 'in_progress'])
          .orderBy('exam.registeredAt', 'desc')
          .executeTakeFirst();
    if (!exam) return null;
    return {
      bronchodilator: exam.testKind === 'bronchodilator' || /舒张/.test(exam.itemName),
      requestNo: exam.requestNo,
      item: { code: exam.itemCode ?? '', name: exam.itemName },
      weightKg: exam.weightKg,
    };
  };
}

/**
 * The demo hospital's devices, all simulated: GDT and ndd devices answer their worklist folders with result files
 * (and the PDF they print), the HL7 device takes ORM orders over MLLP and sends its ORU^R01 to PFTIS's device
 * listener: the configured one, or one started here on loopback when none is configured, so `npm start` shows
 * every channel without set-up.
 */
export async function startDemoDevices({
  db,
  services,
  listener,
  delayMs = 20_000,
  intervalMs = 1000,
  log,
}: {
  db: Kysely<DB>;
  services: Services;
  listener: MllpListener | null;
  delayMs?: number;
  intervalMs?: number;
  log?: MllpLogger;
}) {
  const own = listener ? null : createMllpListener({ db, imports: services.deviceImport, host: '127.0.0.1', port: 0, log });
  // start() is idempotent: the app's listener may not be listening yet (it starts when the app is ready).
  const pftis = await (listener ?? own!).start();
  const results = { host: pftis.host === '0.0.0.0' || pftis.host === '::' ? '127.0.0.1' : pftis.host, port: pftis.port };

  const actor = systemActor('demo-devices');
  const main = await db.selectFrom('campus').select('id').where('code', '=', 'MAIN').executeTakeFirst();
  const hasHl7 = await db.selectFrom('device').select('id').where('channel', '=', 'hl7_mllp').executeTakeFirst();
  if (main && !hasHl7) await services.devices.create(actor, { campusId: main.id, ...DEMO_HL7_DEVICE, channel: 'hl7_mllp', host: '127.0.0.1', port: 1, encoding: 'gbk' });

  const devices = await db.selectFrom('device').select(['id', 'name', 'model', 'channel', 'folder', 'resultFolder', 'encoding', 'host', 'port']).where('enabled', '=', true).execute();
  const simulated: Array<SimulatedDevice & { id: string }> = [];
  for (const d of devices) {
    const encoding = d.encoding as SimulatedDevice['encoding'];
    if (d.channel === 'hl7_mllp') simulated.push({ id: d.id, channel: 'hl7_mllp', name: d.name, application: d.model || d.name, encoding, orders: { host: '127.0.0.1', port: 0 }, results });
    else if (d.folder && d.resultFolder) simulated.push({ id: d.id, channel: d.channel, name: d.model || d.name, worklistFolder: d.folder, resultFolder: d.resultFolder, encoding, calibrationLog: true });
  }
  const simulator = createDeviceSimulator({ devices: simulated, delayMs, orderDetails: orderSheet(db), log: (line) => log?.warn({}, line) });
  // Each HL7 device listens where PFTIS's dispatcher will find it: its registered host and port follow the simulator.
  for (const { device, host, port } of await simulator.listen()) {
    const id = (device as SimulatedDevice & { id: string }).id;
    const registered = devices.find((d) => d.id === id);
    if (registered?.host !== host || registered?.port !== port) await services.devices.update(actor, id, { host, port });
  }
  simulator.start(intervalMs);
  return {
    simulator,
    /** Where the simulated HL7 devices send their results. */
    results,
    async close() {
      await simulator.stop();
      await own?.stop();
    },
  };
}
