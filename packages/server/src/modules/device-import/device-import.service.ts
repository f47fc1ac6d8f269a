import type { Kysely, Transaction } from 'kysely';
import type { DB, RawFileStatus } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { sha256Hex, sm3Hex } from '../../platform/crypto.js';
import { AppError, NotFound } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import { hospitalDate } from '../../platform/hospital-time.js';
import { type DeviceResult, recognise } from './recognise.js';

export interface Incoming {
  bytes: Uint8Array;
  originalName: string;
  source: 'upload' | 'folder' | 'mllp' | 'api';
  deviceId?: string | null;
  campusId?: string | null;
}

export type DeviceImportService = ReturnType<typeof createDeviceImportService>;

/**
 * Device results in. The raw bytes are stored and recorded before anything is parsed; the same bytes twice
 * are one file; a file that cannot be read waits in quarantine with the reason; a result whose exam cannot be
 * told waits as unmatched (待匹配) for a person to bind it. Import is one transaction: all or nothing.
 */
export function createDeviceImportService({ db, files, now = () => new Date() }: { db: Kysely<DB>; files: FileStore; now?: () => Date }) {
  async function receive(actor: AuditActor, incoming: Incoming) {
    const sha256 = sha256Hex(incoming.bytes);
    const known = await db.selectFrom('rawFile').select(['id', 'status']).where('sha256', '=', sha256).executeTakeFirst();
    if (known) return { fileId: known.id, status: known.status, duplicate: true };
    await files.put(sha256, incoming.bytes);
    const { id } = await db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('rawFile')
        .values({
          sha256, sm3: sm3Hex(incoming.bytes), sizeBytes: incoming.bytes.length, originalName: incoming.originalName, source: incoming.source,
          deviceId: incoming.deviceId ?? null, campusId: incoming.campusId ?? null, receivedAt: now(), receivedBy: actor.userId, status: 'received', updatedAt: now(),
        })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .returning('id')
        .executeTakeFirst();
      // Another process stored the same bytes in the meantime: theirs is the file.
      if (!inserted) return trx.selectFrom('rawFile').select('id').where('sha256', '=', sha256).executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'device-file.received', entityType: 'raw_file', entityId: inserted.id, campusId: incoming.campusId ?? null, detail: { sha256, name: incoming.originalName, source: incoming.source } }, now());
      return inserted;
    });
    const status = await parseAndBind(actor, id);
    return { fileId: id, status, duplicate: false };
  }

  async function findExam(trx: Transaction<DB>, result: DeviceResult) {
    if (result.accessionNo) {
      const byAccession = await trx.selectFrom('exam').select(['id', 'campusId', 'status']).where('accessionNo', '=', result.accessionNo).executeTakeFirst();
      if (byAccession) return byAccession;
    }
    if (result.requestNo) {
      const byOrder = await trx.selectFrom('exam').select(['id', 'campusId', 'status']).where('requestNo', '=', result.requestNo).where('status', '!=', 'cancelled').executeTakeFirst();
      if (byOrder) return byOrder;
    }
    if (!result.patientId) return null;
    // The patient's open exams of the test day; only an unambiguous one is bound automatically.
    const day = result.measuredAt && /^\d{4}-\d{2}-\d{2}/.test(result.measuredAt) ? result.measuredAt.slice(0, 10) : hospitalDate(now());
    const candidates = await trx
      .selectFrom('exam')
      .innerJoin('patient', 'patient.id', 'exam.patientId')
      .select(['exam.id', 'exam.campusId', 'exam.status'])
      .where('patient.hisPatientId', '=', result.patientId)
      .where('exam.examDate', '=', day)
      .where('exam.status', 'in', ['registered', 'in_progress'])
      .execute();
    return candidates.length === 1 ? candidates[0]! : null;
  }

  async function setStatus(trx: Kysely<DB> | Transaction<DB>, fileId: string, status: RawFileStatus, reason: string | null, format: string | null, examId: string | null = null) {
    await trx.updateTable('rawFile').set((eb) => ({ status, reason, format, examId, attempts: eb('attempts', '+', 1), updatedAt: now() })).where('id', '=', fileId).execute();
  }

  /** Parses and binds a stored file (again): after a template fix, or with the exam a person chose. */
  async function parseAndBind(actor: AuditActor, fileId: string, chosenExamId?: string): Promise<RawFileStatus> {
    const file = await db.selectFrom('rawFile').selectAll().where('id', '=', fileId).executeTakeFirst();
    if (!file) throw new NotFound('raw file', fileId);
    if (file.status === 'imported') return 'imported';
    const device = file.deviceId ? await db.selectFrom('device').select('encoding').where('id', '=', file.deviceId).executeTakeFirst() : undefined;
    const recognised = recognise(new Uint8Array(await files.get(file.sha256)), { gdtEncoding: (device?.encoding as 'gbk') ?? undefined });
    if (!recognised.ok) {
      await db.transaction().execute(async (trx) => {
        await setStatus(trx, fileId, 'quarantined', recognised.reason, recognised.format);
        await recordAudit(trx, actor, { action: 'device-file.quarantined', entityType: 'raw_file', entityId: fileId, detail: { reason: recognised.reason } }, now());
      });
      return 'quarantined';
    }
    const result = recognised.value;
    return db.transaction().execute(async (trx) => {
      const exam = chosenExamId
        ? await trx.selectFrom('exam').select(['id', 'campusId', 'status']).where('id', '=', chosenExamId).executeTakeFirst()
        : await findExam(trx, result);
      if (!exam) {
        await setStatus(trx, fileId, 'unmatched', result.accessionNo ? `no exam with accession number ${result.accessionNo}` : 'no single open exam for this patient today', result.format);
        return 'unmatched';
      }
      const set = await trx
        .insertInto('measurementSet')
        .values({ examId: exam.id, rawFileId: fileId, format: result.format, testType: result.testType, measuredAt: result.measuredAt, qualityGrade: result.qualityGrade, deviceSerial: result.deviceSerial })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (result.measurements.length) {
        await trx
          .insertInto('measurement')
          .values(result.measurements.map((m) => ({ setId: set.id, param: m.param, deviceParam: m.deviceParam, stage: m.stage, value: m.value, rawValue: m.rawValue, unit: m.unit, devicePredicted: m.predicted, deviceLln: m.lln })))
          .execute();
      }
      if (result.trials.length) {
        await trx.insertInto('trialCurve').values(result.trials.map((t) => ({ setId: set.id, ...t }))).execute();
      }
      if (exam.status === 'registered' || exam.status === 'in_progress') {
        await trx.updateTable('exam').set({ status: 'results', updatedAt: now() }).where('id', '=', exam.id).execute();
      }
      await setStatus(trx, fileId, 'imported', null, result.format, exam.id);
      await recordAudit(trx, actor, { action: 'device-file.imported', entityType: 'exam', entityId: exam.id, campusId: exam.campusId, detail: { fileId, format: result.format, measurements: result.measurements.length, bound: chosenExamId ? 'by hand' : result.accessionNo ? 'accession' : 'patient' } }, now());
      return 'imported';
    });
  }

  async function bind(actor: AuditActor, fileId: string, examId: string) {
    const file = await db.selectFrom('rawFile').select('status').where('id', '=', fileId).executeTakeFirst();
    if (!file) throw new NotFound('raw file', fileId);
    if (file.status === 'imported') throw new AppError({ code: 'device-import.already-imported', status: 409, title: '该文件已导入，不能重复绑定' });
    return { status: await parseAndBind(actor, fileId, examId) };
  }

  function list(q: { status?: RawFileStatus; limit: number }) {
    let query = db.selectFrom('rawFile').select(['id', 'sha256', 'originalName', 'source', 'format', 'status', 'reason', 'examId', 'receivedAt', 'attempts', 'sizeBytes']).orderBy('receivedAt', 'desc').limit(q.limit);
    if (q.status) query = query.where('status', '=', q.status);
    return query.execute().then((rows) => rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })));
  }

  async function measurements(actor: AuditActor, examId: string) {
    await db.transaction().execute((trx) => recordAudit(trx, actor, { action: 'measurements.viewed', entityType: 'exam', entityId: examId }, now()));
    return db
      .selectFrom('measurementSet')
      .innerJoin('measurement', 'measurement.setId', 'measurementSet.id')
      .select(['measurementSet.id as setId', 'measurementSet.format', 'measurementSet.qualityGrade', 'measurement.param', 'measurement.deviceParam', 'measurement.stage', 'measurement.value', 'measurement.unit', 'measurement.devicePredicted', 'measurement.deviceLln'])
      .where('measurementSet.examId', '=', examId)
      .orderBy('measurement.id')
      .execute();
  }

  return { receive, parseAndBind, bind, list, measurements };
}
