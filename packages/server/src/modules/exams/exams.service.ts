import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB, ExamStatus } from '../../db/types.js';
import type { Actor } from '../../platform/access.js';
import { recordAudit, recordDataShown } from '../../platform/audit.js';
import { NotFound } from '../../platform/errors.js';
import { hospitalDate } from '../../platform/hospital-time.js';
import { enqueue, outboxState } from '../../platform/outbox.js';
import { readSetting, writeSetting } from '../../platform/settings.js';
import { actorRef } from '../auth/auth.service.js';
import { HisUnavailable, type HisService, type LookupCode } from '../his/module.js';
import type { PatientField } from '../his/mapping.js';
import { deviceNotChecked, deviceNotFound, noCampus, orderCancelled, orderNotFound, orderReported, patientNotFound } from './exams.errors.js';
import { ScanPatternsSchema, type ScanKind } from './exams.schemas.js';
import { ageAt, maskIdNumber, maskPhone, type PatientFacts, type PatientStore } from './patients.js';
import { createRegisteredOrders, EXAM_ORDER_CHANNEL } from './registered-orders.js';

export const SCAN_PATTERNS_KEY = 'intake.scanPatterns';

const lookupByKind: Record<Exclude<ScanKind, 'requestNo'>, LookupCode> = {
  card: 'patient.by-card',
  outpatientNo: 'patient.by-outpatient-no',
  inpatientNo: 'patient.by-inpatient-no',
  idNumber: 'patient.by-id-number',
};

/** Which kind of number a scanned code is, by the lab's ordered patterns; the first match wins. */
export function classifyScan(code: string, patterns: Array<{ kind: ScanKind; pattern: string }>): ScanKind {
  for (const p of patterns) if (new RegExp(p.pattern).test(code)) return p.kind;
  return 'card';
}

export interface HisOrder {
  requestNo: string;
  hisPatientId: string;
  visitType: 'outpatient' | 'inpatient' | 'emergency' | 'physical';
  visitSerialNo: string;
  outpatientNo?: string;
  inpatientNo?: string;
  ward?: string;
  bed?: string;
  itemCode: string;
  itemName: string;
  requestingDepartment?: string;
  requestingDoctor?: string;
  clinicalDiagnosis?: string;
  requestedAt?: string;
  executingDepartment?: string;
  status: 'pending' | 'registered' | 'examined' | 'reported' | 'cancelled';
  heightCm?: number;
  weightKg?: number;
}

/** The test an item is for, from its name as HIS item names are written. */
export function testKindOf(itemName: string): string {
  if (/舒张/.test(itemName)) return 'bronchodilator';
  if (/激发/.test(itemName)) return 'provocation';
  if (/弥散/.test(itemName)) return 'dlco';
  if (/容量|体积描记|残气/.test(itemName)) return 'lung_volumes';
  return 'spirometry';
}

export type ExamsService = ReturnType<typeof createExamsService>;

/** What registration needs to know of a device's quality control today. */
export interface DeviceQc {
  todayStatus(deviceId: string): Promise<'passed' | 'failed' | 'missing'>;
  policy(): Promise<{ blockWithoutPassedCheck: boolean }>;
}

export function createExamsService({ db, his, patients, qc, now = () => new Date() }: { db: Kysely<DB>; his: HisService; patients: PatientStore; qc: DeviceQc; now?: () => Date }) {
  const registeredOrders = createRegisteredOrders(db);
  // Read on every scan; kept for a few seconds, forgotten at once when this service changes them.
  let cachedPatterns: { value: ReturnType<typeof readPatterns>; until: number } | undefined;
  const readPatterns = () => readSetting(db, SCAN_PATTERNS_KEY, ScanPatternsSchema);
  const scanPatterns = () => {
    if (!cachedPatterns || cachedPatterns.until < Date.now()) cachedPatterns = { value: readPatterns(), until: Date.now() + 5000 };
    return cachedPatterns.value;
  };

  function patientCard(actor: Actor, p: PatientFacts & { ward?: string; bed?: string }, onDate: string) {
    const unmasked = actor.permissions.has('patient.identity.view');
    return {
      hisPatientId: p.hisPatientId ?? null,
      name: p.name,
      sex: p.sex,
      birthDate: p.birthDate,
      age: ageAt(p.birthDate, onDate).label,
      idNumber: unmasked ? (p.idNumber ?? null) : maskIdNumber(p.idNumber),
      phone: unmasked ? (p.phone ?? null) : maskPhone(p.phone),
      address: p.address ?? null,
      cardNo: p.cardNo ?? null,
      outpatientNo: p.outpatientNo ?? null,
      inpatientNo: p.inpatientNo ?? null,
      ward: p.ward ?? null,
      bed: p.bed ?? null,
    };
  }

  async function hisPatient(code: LookupCode, key: string) {
    const result = await his.lookup(code, key);
    const record = result.records[0] as Partial<Record<PatientField, string>> | undefined;
    if (!record?.hisPatientId || !record.name || !record.birthDate) return null;
    return record as PatientFacts & { hisPatientId: string };
  }

  async function hisOrder(requestNo: string): Promise<HisOrder | null> {
    const result = await his.lookup('order.by-request-no', requestNo);
    return (result.records[0] as unknown as HisOrder | undefined) ?? null;
  }

  /** Why an order cannot be registered now, or null. */
  function refusal(order: HisOrder, exam: { accessionNo: string } | undefined): string | null {
    if (exam) return `已登记（检查号 ${exam.accessionNo}）`;
    if (order.status === 'cancelled') return '申请单已作废';
    if (order.status === 'reported' || order.status === 'examined') return '申请单已检查或已出报告';
    return null;
  }

  /** The patient's pending orders (a scanned one first), each with its exam where one is registered already. */
  async function pendingOrders(hisPatientId: string, scanned: HisOrder | null) {
    const pending = (await his.lookup('orders.by-patient', hisPatientId)).records as unknown as HisOrder[];
    const orders = scanned ? [scanned, ...pending.filter((o) => o.requestNo !== scanned.requestNo)] : pending;
    const candidates = orders.map((o) => o.requestNo).filter(registeredOrders.mightBeRegistered);
    const exams = candidates.length
      ? await db.selectFrom('exam').select(['id', 'accessionNo', 'requestNo']).where('requestNo', 'in', candidates).where('status', '!=', 'cancelled').execute()
      : [];
    return orders.map((order) => ({ order, exam: exams.find((e) => e.requestNo === order.requestNo) }));
  }

  /** A scanned code → the patient's card and pending lung-function orders, fresh from the HIS. */
  async function scan(actor: Actor, code: string) {
    const kind = classifyScan(code, await scanPatterns());
    const today = hospitalDate(now());
    const scanned = kind === 'requestNo' ? await hisOrder(code) : null;
    if (kind === 'requestNo' && !scanned) throw orderNotFound(code);
    const patient = scanned ? await hisPatient('patient.by-his-id', scanned.hisPatientId) : await hisPatient(lookupByKind[kind as Exclude<ScanKind, 'requestNo'>], code);
    if (!patient) throw patientNotFound();
    // The access is written down while the orders are read; the reply waits for both, so nothing leaves unaudited.
    // The HIS query goes out first: on the embedded database the audit insert runs on this thread and would hold it.
    const ordersRead = pendingOrders(patient.hisPatientId, scanned);
    ordersRead.catch(() => {}); // a failure reaches the Promise.all below; this only keeps it from being unhandled meanwhile
    await new Promise((resolve) => setImmediate(resolve));
    const [orders] = await Promise.all([
      ordersRead,
      recordDataShown(db, actorRef(actor), { action: 'patient.looked-up', entityType: 'his_patient', entityId: patient.hisPatientId, campusId: actor.campusId, detail: { kind } }, now()),
    ]);
    const inpatientOrder = orders.find(({ order }) => order.ward)?.order;
    return {
      kind,
      patient: patientCard(actor, { ...patient, ward: inpatientOrder?.ward, bed: inpatientOrder?.bed }, today),
      orders: orders.map(({ order, exam }) => {
        const reason = refusal(order, exam);
        return { ...order, registrable: reason === null, reason, exam: exam ? { id: exam.id, accessionNo: exam.accessionNo } : null };
      }),
    };
  }

  async function nextAccession(trx: Transaction<DB>, campusId: string, day: string) {
    const campus = await trx.selectFrom('campus').select('code').where('id', '=', campusId).executeTakeFirstOrThrow();
    const { last } = await trx
      .insertInto('accessionCounter')
      .values({ campusId, day, last: 1 })
      .onConflict((oc) => oc.columns(['campusId', 'day']).doUpdateSet((eb) => ({ last: eb('accessionCounter.last', '+', 1) })))
      .returning('last')
      .executeTakeFirstOrThrow();
    return `${campus.code}${day.replaceAll('-', '')}${String(last).padStart(4, '0')}`;
  }

  async function checkDevice(trx: Transaction<DB>, deviceId: string | undefined, campusId: string) {
    if (!deviceId) return null;
    const device = await trx.selectFrom('device').select(['id', 'room']).where('id', '=', deviceId).where('campusId', '=', campusId).where('enabled', '=', true).executeTakeFirst();
    if (!device) throw deviceNotFound();
    return device;
  }

  /** A device without a passed volume check today: a warning, or a refusal where the lab's policy says so. */
  async function qcWarnings(deviceId: string): Promise<string[]> {
    const status = await qc.todayStatus(deviceId);
    if (status === 'passed') return [];
    const message = status === 'failed' ? '所选设备今日定标未通过，请重新定标后再检查' : '所选设备今日尚未定标，请先完成定标';
    if ((await qc.policy()).blockWithoutPassedCheck) throw deviceNotChecked(message);
    return [message];
  }

  interface Measurements {
    heightCm?: number;
    weightKg?: number;
    deviceId?: string;
    room?: string;
  }

  /**
   * Registers the selected HIS orders as exams at the actor's campus. Each order is read again from the
   * HIS first (nothing cached), and the write-back and device worklist entries go out through the outbox.
   * An order that is already registered yields its existing exam and is reported as such.
   */
  async function register(actor: Actor, input: { requestNos: string[] } & Measurements) {
    const campusId = actor.campusId;
    if (!campusId) throw noCampus();
    const orders: HisOrder[] = [];
    for (const requestNo of new Set(input.requestNos)) {
      const order = await hisOrder(requestNo);
      if (!order) throw orderNotFound(requestNo);
      if (order.status === 'cancelled') throw orderCancelled(requestNo);
      orders.push(order);
    }
    const patient = await hisPatient('patient.by-his-id', orders[0]!.hisPatientId);
    if (!patient) throw patientNotFound();
    const today = hospitalDate(now());
    const warnings = input.deviceId ? await qcWarnings(input.deviceId) : [];

    return db.transaction().execute(async (trx) => {
      const device = await checkDevice(trx, input.deviceId, campusId);
      const patientId = await patients.upsertFromHis(trx, patient, now());
      const results: Array<{ requestNo: string; examId: string; accessionNo: string; created: boolean }> = [];
      for (const order of orders) {
        const existing = await trx.selectFrom('exam').select(['id', 'accessionNo']).where('requestNo', '=', order.requestNo).where('status', '!=', 'cancelled').executeTakeFirst();
        if (existing) {
          results.push({ requestNo: order.requestNo, examId: existing.id, accessionNo: existing.accessionNo, created: false });
          continue;
        }
        if (order.status === 'reported' || order.status === 'examined') throw orderReported(order.requestNo);
        const accessionNo = await nextAccession(trx, campusId, today);
        registeredOrders.add(order.requestNo);
        const exam = await trx
          .insertInto('exam')
          .values({
            accessionNo,
            campusId,
            patientId,
            requestNo: order.requestNo,
            itemCode: order.itemCode,
            itemName: order.itemName,
            testKind: testKindOf(order.itemName),
            visitType: order.visitType,
            visitSerialNo: order.visitSerialNo,
            ward: order.ward ?? null,
            bed: order.bed ?? null,
            requestingDepartment: order.requestingDepartment ?? null,
            requestingDoctor: order.requestingDoctor ?? null,
            clinicalDiagnosis: order.clinicalDiagnosis ?? null,
            requestedAt: order.requestedAt ? new Date(order.requestedAt) : null,
            heightCm: input.heightCm ?? order.heightCm ?? null,
            weightKg: input.weightKg ?? order.weightKg ?? null,
            deviceId: device?.id ?? null,
            room: input.room ?? device?.room ?? null,
            examDate: today,
            registeredBy: actor.userId,
            registeredAt: now(),
            updatedAt: now(),
          })
          .returning(['id', 'accessionNo'])
          .executeTakeFirstOrThrow();
        await enqueue(trx, { topic: 'his.status', key: `his-status:${order.requestNo}:registered`, payload: { requestNo: order.requestNo, status: 'registered', changedAt: now().toISOString() }, campusId }, now());
        if (device) await enqueue(trx, { topic: 'device.worklist', key: `device:${exam.id}:${device.id}`, payload: { examId: exam.id, deviceId: device.id }, campusId }, now());
        await recordAudit(trx, actorRef(actor), { action: 'exam.registered', entityType: 'exam', entityId: exam.id, campusId, after: { accessionNo, requestNo: order.requestNo, deviceId: device?.id ?? null } }, now());
        results.push({ requestNo: order.requestNo, examId: exam.id, accessionNo: exam.accessionNo, created: true });
      }
      return { exams: results, warnings };
    });
  }

  /** Registration while the HIS cannot answer: typed details, marked 待核对 until reconciled. */
  async function registerManually(actor: Actor, input: { patient: PatientFacts; requestNo?: string; itemName: string; visitType: HisOrder['visitType']; visitSerialNo?: string } & Measurements) {
    const campusId = actor.campusId;
    if (!campusId) throw noCampus();
    const today = hospitalDate(now());
    const warnings = input.deviceId ? await qcWarnings(input.deviceId) : [];
    return db.transaction().execute(async (trx) => {
      const device = await checkDevice(trx, input.deviceId, campusId);
      if (input.requestNo) {
        const existing = await trx.selectFrom('exam').select(['id', 'accessionNo']).where('requestNo', '=', input.requestNo).where('status', '!=', 'cancelled').executeTakeFirst();
        if (existing) return { examId: existing.id, accessionNo: existing.accessionNo, created: false, warnings };
      }
      const patientId = await patients.insertManual(trx, input.patient, now());
      if (input.requestNo) registeredOrders.add(input.requestNo);
      const accessionNo = await nextAccession(trx, campusId, today);
      const exam = await trx
        .insertInto('exam')
        .values({
          accessionNo, campusId, patientId, requestNo: input.requestNo ?? null, itemName: input.itemName, testKind: testKindOf(input.itemName), visitType: input.visitType,
          visitSerialNo: input.visitSerialNo ?? null, heightCm: input.heightCm ?? null, weightKg: input.weightKg ?? null, deviceId: device?.id ?? null,
          room: input.room ?? device?.room ?? null, hisVerified: false, examDate: today, registeredBy: actor.userId, registeredAt: now(), updatedAt: now(),
        })
        .returning(['id', 'accessionNo'])
        .executeTakeFirstOrThrow();
      if (device) await enqueue(trx, { topic: 'device.worklist', key: `device:${exam.id}:${device.id}`, payload: { examId: exam.id, deviceId: device.id }, campusId }, now());
      await recordAudit(trx, actorRef(actor), { action: 'exam.registered-manually', entityType: 'exam', entityId: exam.id, campusId, after: { accessionNo, requestNo: input.requestNo ?? null } }, now());
      return { examId: exam.id, accessionNo: exam.accessionNo, created: true, warnings };
    });
  }

  /**
   * Binds exams registered while the HIS was down to their HIS order and patient once the HIS answers:
   * by 申请单号 when one was entered. Returns what was reconciled and what still waits.
   */
  async function reconcile(actor: { userId: string | null; name: string; ip: string | null }) {
    const waiting = await db.selectFrom('exam').select(['id', 'requestNo', 'patientId', 'campusId']).where('hisVerified', '=', false).where('status', '!=', 'cancelled').execute();
    const outcome = { reconciled: 0, waiting: 0 };
    for (const exam of waiting) {
      try {
        const order = exam.requestNo ? await hisOrder(exam.requestNo) : null;
        const patient = order ? await hisPatient('patient.by-his-id', order.hisPatientId) : null;
        if (!order || !patient) {
          outcome.waiting += 1;
          continue;
        }
        await db.transaction().execute(async (trx) => {
          const known = await trx.selectFrom('patient').select('id').where('hisPatientId', '=', patient.hisPatientId).executeTakeFirst();
          const patientId = known ? await patients.upsertFromHis(trx, patient, now()) : exam.patientId;
          if (!known) await patients.update(trx, exam.patientId, patient, now());
          await trx
            .updateTable('exam')
            .set({
              patientId, hisVerified: true, itemCode: order.itemCode, itemName: order.itemName, visitType: order.visitType, visitSerialNo: order.visitSerialNo,
              ward: order.ward ?? null, bed: order.bed ?? null, requestingDepartment: order.requestingDepartment ?? null, requestingDoctor: order.requestingDoctor ?? null,
              clinicalDiagnosis: order.clinicalDiagnosis ?? null, updatedAt: now(),
            })
            .where('id', '=', exam.id)
            .execute();
          await enqueue(trx, { topic: 'his.status', key: `his-status:${order.requestNo}:registered`, payload: { requestNo: order.requestNo, status: 'registered', changedAt: now().toISOString() }, campusId: exam.campusId }, now());
          await recordAudit(trx, actor, { action: 'exam.reconciled', entityType: 'exam', entityId: exam.id, campusId: exam.campusId, after: { hisPatientId: patient.hisPatientId, requestNo: order.requestNo } }, now());
        });
        outcome.reconciled += 1;
      } catch (error) {
        if (!(error instanceof HisUnavailable)) throw error;
        outcome.waiting += 1;
      }
    }
    return outcome;
  }

  /** 今日工作列表: one day's exams with patient, device and the state of the device hand-over. */
  async function worklist(actor: Actor, q: { date?: string; campusId?: string; deviceId?: string; room?: string; status?: ExamStatus }) {
    let query = db
      .selectFrom('exam')
      .innerJoin('patient', 'patient.id', 'exam.patientId')
      .leftJoin('device', 'device.id', 'exam.deviceId')
      .select([
        'exam.id', 'exam.accessionNo', 'exam.requestNo', 'exam.itemName', 'exam.testKind', 'exam.visitType', 'exam.visitSerialNo', 'exam.ward', 'exam.bed',
        'exam.status', 'exam.hisVerified', 'exam.room', 'exam.registeredAt', 'exam.campusId', 'exam.heightCm', 'exam.weightKg',
        'patient.name as patientName', 'patient.sex', 'patient.birthDate', 'device.id as deviceId', 'device.name as deviceName',
      ])
      .where('exam.examDate', '=', q.date ?? hospitalDate(now()))
      .orderBy('exam.registeredAt', 'desc');
    if (q.campusId) query = query.where('exam.campusId', '=', q.campusId);
    if (q.deviceId) query = query.where('exam.deviceId', '=', q.deviceId);
    if (q.room) query = query.where('exam.room', '=', q.room);
    if (q.status) query = query.where('exam.status', '=', q.status);
    const rows = await query.execute();
    const dispatch = await outboxState(db, rows.filter((r) => r.deviceId).map((r) => `device:${r.id}:${r.deviceId}`));
    // Reading a list of patients is an access to patient data: one audit entry per look.
    await recordDataShown(db, actorRef(actor), { action: 'worklist.viewed', campusId: q.campusId ?? actor.campusId, detail: { ...q, rows: rows.length } }, now());
    return rows.map((r) => {
      const d = dispatch.find((x) => x.key === `device:${r.id}:${r.deviceId}`);
      return {
        ...r,
        registeredAt: r.registeredAt.toISOString(),
        age: ageAt(r.birthDate, hospitalDate(r.registeredAt)).label,
        dispatch: d ? { status: d.status, attempts: d.attempts, lastError: d.lastError } : null,
      };
    });
  }

  async function updateScanPatterns(actor: Actor, patterns: Array<{ kind: ScanKind; pattern: string }>) {
    await db.transaction().execute(async (trx) => {
      const before = await readSetting(trx, SCAN_PATTERNS_KEY, ScanPatternsSchema);
      await writeSetting(trx, SCAN_PATTERNS_KEY, patterns, actor.userId);
      await recordAudit(trx, actorRef(actor), { action: 'intake.scan-patterns-updated', entityType: 'setting', entityId: SCAN_PATTERNS_KEY, before, after: patterns }, now());
    });
    cachedPatterns = undefined;
    return patterns;
  }

  async function exam(id: string) {
    const row = await db.selectFrom('exam').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound('exam', id);
    return row;
  }

  /** Follows the database's announcements of registered orders (until the returned stop), so scans can trust the filter. */
  const followRegisteredOrders = (database: { listen: Database['listen'] }) => database.listen(EXAM_ORDER_CHANNEL, registeredOrders.onMessage, registeredOrders.onListening);

  return { scan, register, registerManually, reconcile, worklist, scanPatterns, updateScanPatterns, exam, followRegisteredOrders };
}

