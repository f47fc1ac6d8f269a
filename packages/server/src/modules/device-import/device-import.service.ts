import type { Kysely, Transaction } from 'kysely';
import type { DB, RawFileStatus } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { sha256Hex, sm3Hex } from '../../platform/crypto.js';
import { AppError, NotFound } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import { hospitalDate } from '../../platform/hospital-time.js';
import { LabSettingsSchema, LAB_SETTINGS_KEY } from '../reports/reports.service.js';
import { draftContent } from '../reports/draft.js';
import { readSetting } from '../../platform/settings.js';
import { automaticMatch, type CandidateExam, identityConflicts, rankCandidates, testDayOf } from './candidates.js';
import { compareWithDevice, type DeviceComparison } from './compare.js';
import { type DeviceExtraction, type DocumentReader, recognise } from './recognise.js';

export interface Incoming {
  bytes: Uint8Array;
  originalName: string;
  source: 'upload' | 'folder' | 'mllp' | 'api';
  deviceId?: string | null;
  campusId?: string | null;
}

export type DeviceImportService = ReturnType<typeof createDeviceImportService>;

export const PRINTOUT_REASON = 'device printout kept with the exam; its values came from the device file';

const shiftDay = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Device results in. The raw bytes are stored and recorded before anything is parsed; the same bytes twice
 * are one file; a file that cannot be read waits in quarantine with the reason; a result whose exam cannot be
 * told waits as unmatched (待匹配) for a person to bind it. Import is one transaction: all or nothing.
 */
export function createDeviceImportService({ db, files, readDocument, now = () => new Date() }: { db: Kysely<DB>; files: FileStore; readDocument?: DocumentReader; now?: () => Date }) {
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

  /** Exams a result could belong to: those its identifiers name, and the open ones around the test day. */
  async function candidateExams(ex: Kysely<DB> | Transaction<DB>, result: DeviceExtraction, today: string): Promise<CandidateExam[]> {
    const ids = result.identifiers;
    const serial = ids.outpatientSerial ?? ids.inpatientSerial;
    const patientId = ids.patientId ?? result.patient.id;
    const day = testDayOf(result) ?? today;
    const rows = await ex
      .selectFrom('exam')
      .innerJoin('patient', 'patient.id', 'exam.patientId')
      .select(['exam.id', 'exam.accessionNo', 'exam.requestNo', 'exam.visitSerialNo', 'exam.examDate', 'exam.status', 'exam.deviceId', 'patient.hisPatientId', 'patient.name as patientName', 'patient.sex', 'patient.birthDate'])
      .where((eb) => {
        const named = [];
        if (ids.accessionNo) named.push(eb('exam.accessionNo', '=', ids.accessionNo));
        if (ids.requestNo) named.push(eb('exam.requestNo', '=', ids.requestNo));
        if (serial) named.push(eb('exam.visitSerialNo', '=', serial));
        if (patientId) named.push(eb('patient.hisPatientId', '=', patientId));
        if (result.patient.name) named.push(eb('patient.name', '=', result.patient.name.replace(/\s+/g, '')));
        // Open exams around the test day, and around today (a device clock can be wrong).
        const around = (d: string) => eb.and([eb('exam.examDate', '>=', shiftDay(d, -7)), eb('exam.examDate', '<=', shiftDay(d, 1)), eb('exam.status', 'in', ['registered', 'in_progress', 'results'])]);
        return eb.or([...named, around(day), around(today)]);
      })
      .orderBy('exam.examDate', 'desc')
      .limit(500)
      .execute();
    return rows.map((r) => ({ ...r, examDate: String(r.examDate).slice(0, 10), birthDate: String(r.birthDate).slice(0, 10) }));
  }

  async function setStatus(trx: Kysely<DB> | Transaction<DB>, fileId: string, status: RawFileStatus, reason: string | null, format: string | null, examId: string | null = null, extraction?: DeviceExtraction) {
    await trx
      .updateTable('rawFile')
      .set((eb) => ({ status, reason, format, examId, attempts: eb('attempts', '+', 1), updatedAt: now(), ...(extraction ? { extraction: JSON.stringify(extraction) } : {}) }))
      .where('id', '=', fileId)
      .execute();
  }

  /** Our reference values and interpretation for the exam, compared with the device's (null when we cannot compute). */
  async function compare(trx: Transaction<DB>, examId: string, result: DeviceExtraction): Promise<DeviceComparison | null> {
    const exam = await trx.selectFrom('exam').innerJoin('patient', 'patient.id', 'exam.patientId').select(['patient.sex', 'patient.birthDate', 'exam.examDate', 'exam.heightCm', 'exam.weightKg']).where('exam.id', '=', examId).executeTakeFirstOrThrow();
    if (!result.measurements.some((m) => m.predicted !== null || m.lln !== null || m.zscore !== null || m.pctPred !== null)) return null;
    const lab = await readSetting(trx, LAB_SETTINGS_KEY, LabSettingsSchema);
    const content = draftContent({
      sex: exam.sex, birthDate: String(exam.birthDate).slice(0, 10), examDate: String(exam.examDate).slice(0, 10),
      heightCm: exam.heightCm === null ? result.patient.heightCm : Number(exam.heightCm), weightKg: exam.weightKg === null ? null : Number(exam.weightKg),
      measurements: result.measurements.map((m) => ({ param: m.param, stage: m.stage, value: m.value, unit: m.unit, devicePredicted: m.predicted, deviceLln: m.lln })),
      trials: [], deviceQualityGrade: result.test.qualityGrade, lab,
    });
    return compareWithDevice(content, result.measurements);
  }

  /** Parses and binds a stored file (again): after a template fix, or with the exam a person chose. */
  async function parseAndBind(actor: AuditActor, fileId: string, chosen?: { examId: string; acceptConflicts?: boolean }): Promise<RawFileStatus> {
    const file = await db.selectFrom('rawFile').selectAll().where('id', '=', fileId).executeTakeFirst();
    if (!file) throw new NotFound('raw file', fileId);
    if (file.status === 'imported') return 'imported';
    const device = file.deviceId ? await db.selectFrom('device').select('encoding').where('id', '=', file.deviceId).executeTakeFirst() : undefined;
    const recognised = await recognise(new Uint8Array(await files.get(file.sha256)), { gdtEncoding: (device?.encoding as 'gbk') ?? undefined, readDocument });
    if (!recognised.ok) {
      await db.transaction().execute(async (trx) => {
        await setStatus(trx, fileId, 'quarantined', recognised.reason, recognised.format);
        await recordAudit(trx, actor, { action: 'device-file.quarantined', entityType: 'raw_file', entityId: fileId, detail: { reason: recognised.reason } }, now());
      });
      return 'quarantined';
    }
    const result = recognised.value;
    return db.transaction().execute(async (trx) => {
      let exam: CandidateExam;
      if (chosen) {
        const [found] = (await candidateExamById(trx, chosen.examId));
        if (!found) throw new NotFound('exam', chosen.examId);
        const conflicts = identityConflicts(result.patient, found);
        if (conflicts.length && !chosen.acceptConflicts) {
          throw new AppError({ code: 'device-import.identity-conflict', status: 409, title: '设备结果中的患者信息与 HIS 不一致，请核对后确认绑定', message: `the patient in the device result differs from the HIS (${conflicts.map((c) => c.field).join(', ')})` });
        }
        exam = found;
      } else {
        const match = automaticMatch(result, await candidateExams(trx, result, hospitalDate(now())), hospitalDate(now()));
        if (!match.exam) {
          await setStatus(trx, fileId, 'unmatched', match.reason, result.format, null, result);
          return 'unmatched';
        }
        exam = match.exam;
      }
      if (result.format === 'pdf' || result.format === 'image') {
        // The printout of a result the device also sent as a file (ndd Attachment, GDT 6305): kept with the exam,
        // while the values come from the file, which carries them unrounded and with the curves.
        const structured = await trx.selectFrom('measurementSet').select('id').where('examId', '=', exam.id).where('format', 'in', ['ndd_xml', 'gdt', 'hl7']).executeTakeFirst();
        if (structured) {
          await setStatus(trx, fileId, 'imported', PRINTOUT_REASON, result.format, exam.id, result);
          await recordAudit(trx, actor, { action: 'device-file.printout-kept', entityType: 'exam', entityId: exam.id, detail: { fileId, template: result.template } }, now());
          return 'imported';
        }
      }
      const comparison = await compare(trx, exam.id, result);
      const t = result.test;
      const set = await trx
        .insertInto('measurementSet')
        .values({
          examId: exam.id, rawFileId: fileId, format: result.format, testType: t.type, measuredAt: t.measuredAt, qualityGrade: t.qualityGrade, deviceSerial: t.deviceSerial,
          vendor: result.vendor, template: result.template, operator: t.operator, deviceName: t.device, deviceConclusion: result.conclusion,
          devicePatient: JSON.stringify(result.patient), identifiers: JSON.stringify(result.identifiers), warnings: JSON.stringify(result.warnings), comparison: comparison && JSON.stringify(comparison),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (result.measurements.length) {
        await trx
          .insertInto('measurement')
          .values(result.measurements.map((m) => ({
            setId: set.id, param: m.param, deviceParam: m.deviceParam, stage: m.stage, value: m.value, rawValue: m.rawValue, unit: m.unit,
            devicePredicted: m.predicted, deviceLln: m.lln, deviceUln: m.uln, deviceZscore: m.zscore, devicePctPred: m.pctPred, deviceChangePct: m.changePct ?? null,
          })))
          .execute();
      }
      if (result.trials.length) {
        await trx.insertInto('trialCurve').values(result.trials.map((trial) => ({ setId: set.id, ...trial }))).execute();
      }
      if (exam.status === 'registered' || exam.status === 'in_progress') {
        await trx.updateTable('exam').set({ status: 'results', updatedAt: now() }).where('id', '=', exam.id).execute();
      }
      await setStatus(trx, fileId, 'imported', null, result.format, exam.id, result);
      const campus = await trx.selectFrom('exam').select('campusId').where('id', '=', exam.id).executeTakeFirstOrThrow();
      await recordAudit(trx, actor, {
        action: 'device-file.imported', entityType: 'exam', entityId: exam.id, campusId: campus.campusId,
        detail: { fileId, format: result.format, measurements: result.measurements.length, bound: chosen ? 'by hand' : 'automatically', acceptedConflicts: chosen?.acceptConflicts ? identityConflicts(result.patient, exam) : undefined, flagged: comparison?.flagged ?? 0 },
      }, now());
      return 'imported';
    });
  }

  const candidateExamById = (ex: Kysely<DB> | Transaction<DB>, examId: string) =>
    ex
      .selectFrom('exam')
      .innerJoin('patient', 'patient.id', 'exam.patientId')
      .select(['exam.id', 'exam.accessionNo', 'exam.requestNo', 'exam.visitSerialNo', 'exam.examDate', 'exam.status', 'exam.deviceId', 'patient.hisPatientId', 'patient.name as patientName', 'patient.sex', 'patient.birthDate'])
      .where('exam.id', '=', examId)
      .execute()
      .then((rows) => rows.map((r) => ({ ...r, examDate: String(r.examDate).slice(0, 10), birthDate: String(r.birthDate).slice(0, 10) })));

  async function bind(actor: AuditActor, fileId: string, examId: string, acceptConflicts = false) {
    const file = await db.selectFrom('rawFile').select('status').where('id', '=', fileId).executeTakeFirst();
    if (!file) throw new NotFound('raw file', fileId);
    if (file.status === 'imported') throw new AppError({ code: 'device-import.already-imported', status: 409, title: '该文件已导入，不能重复绑定' });
    return { status: await parseAndBind(actor, fileId, { examId, acceptConflicts }) };
  }

  /** The 待匹配 file's likely exams, most likely first, with why and where the identity differs. */
  async function candidates(fileId: string) {
    const file = await db.selectFrom('rawFile').select(['extraction', 'deviceId']).where('id', '=', fileId).executeTakeFirst();
    if (!file) throw new NotFound('raw file', fileId);
    const result = file.extraction as DeviceExtraction | null;
    if (!result) return { extraction: null, candidates: [] };
    const ranked = rankCandidates(result, await candidateExams(db, result, hospitalDate(now())), { deviceId: file.deviceId });
    return {
      extraction: { patient: result.patient, identifiers: result.identifiers, measuredAt: result.test.measuredAt, testType: result.test.type },
      candidates: ranked.slice(0, 20).map((c) => ({ examId: c.exam.id, accessionNo: c.exam.accessionNo, requestNo: c.exam.requestNo, examDate: c.exam.examDate, status: c.exam.status, patientName: c.exam.patientName, sex: c.exam.sex, birthDate: c.exam.birthDate, score: c.score, reasons: c.reasons, conflicts: c.conflicts })),
    };
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
      .select([
        'measurementSet.id as setId', 'measurementSet.format', 'measurementSet.qualityGrade', 'measurement.param', 'measurement.deviceParam', 'measurement.stage', 'measurement.value', 'measurement.unit',
        'measurement.devicePredicted', 'measurement.deviceLln', 'measurement.deviceUln', 'measurement.deviceZscore', 'measurement.devicePctPred', 'measurement.deviceChangePct',
      ])
      .where('measurementSet.examId', '=', examId)
      .orderBy('measurement.id')
      .execute();
  }

  async function deviceResults(actor: AuditActor, examId: string) {
    await db.transaction().execute((trx) => recordAudit(trx, actor, { action: 'measurements.viewed', entityType: 'exam', entityId: examId, detail: { what: 'device results' } }, now()));
    const sets = await db
      .selectFrom('measurementSet')
      .select(['id as setId', 'format', 'vendor', 'template', 'testType', 'measuredAt', 'operator', 'deviceName', 'deviceConclusion', 'devicePatient as patient', 'identifiers', 'warnings', 'comparison'])
      .where('examId', '=', examId)
      .orderBy('createdAt')
      .execute();
    return sets.map((s) => ({ ...s, warnings: s.warnings as string[], comparison: s.comparison as DeviceComparison | null }));
  }

  return { receive, parseAndBind, bind, candidates, list, measurements, deviceResults };
}
