import { BIOLOGICAL_CONTROL_DEFAULTS, judgeBiologicalControl, verifyVolumeCheck } from '@pftis/clinical';
import { type LogWarning, readCalibrationLog } from '@pftis/formats/calibration/csv-log';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { DB, RawFileStatus } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { sha256Hex, sm3Hex } from '../../platform/crypto.js';
import { AppError, Conflict, NotFound } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import { hospitalDate } from '../../platform/hospital-time.js';
import { readSetting, writeSetting } from '../../platform/settings.js';
import { LogMappingSchema, QcPolicySchema } from './calibration.schemas.js';

export { LogMappingSchema, QcPolicySchema };
export type LogMapping = z.output<typeof LogMappingSchema>;
/** The setting that holds a device's calibration-log column mapping. */
export const logMappingKey = (deviceId: string) => `calibration.log-mapping.${deviceId}`;
/** raw_file.format of a device calibration export. */
export const CALIBRATION_LOG_FORMAT = 'calibration-log';
/** Device logs carry Beijing wall-clock time without an offset. */
const fromHospitalWallClock = (local: string) => new Date(`${local}+08:00`);
export const QC_POLICY_KEY = 'qc.policy';
export type QcPolicy = z.output<typeof QcPolicySchema>;

type Problem = { code: string; detail: string };
type Injection = { flowLps?: number | null; measuredL: number; errorPct: number; withinLimit: boolean };
type MediaType = 'application/pdf' | 'image/jpeg' | 'image/png';

export type CheckKind = 'volume_check' | 'calibration' | 'biological_control';
export type DayStatus = 'passed' | 'failed' | 'missing';

export interface CheckInput {
  deviceId: string;
  kind: CheckKind;
  performedAt?: Date;
  syringeVolumeL?: number;
  syringeSerial?: string;
  temperatureC?: number;
  pressureHpa?: number;
  humidityPct?: number;
  injections?: Array<{ flowLps?: number | null; measuredL: number }>;
  subject?: string;
  fev1L?: number;
  fvcL?: number;
  notes?: string;
  documentIds?: string[];
}

/** How many of the subject's recent in-limit sessions make the biological-control baseline. */
const BASELINE_SESSIONS = 10;

/** What a calibration report file is, by its first bytes (the name and the browser's word are not trusted). */
export function mediaTypeOf(bytes: Uint8Array): MediaType | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // %PDF-
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  return null;
}

const unsupportedFile = () =>
  new AppError({ code: 'calibration.unsupported-file', status: 400, title: '仅支持 PDF、JPG 或 PNG 格式的定标报告', message: 'not a PDF, JPEG or PNG file' });

/** Every day from `from` to `to` inclusive, as 'YYYY-MM-DD'. */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export type CalibrationService = ReturnType<typeof createCalibrationService>;

/** Calibration and verification records per device, judged by the rules of the clinical core (module 3). */
export function createCalibrationService({ db, files, now = () => new Date() }: { db: Kysely<DB>; files: FileStore; now?: () => Date }) {
  const policy = () => readSetting(db, QC_POLICY_KEY, QcPolicySchema);

  async function judgeBiological(input: CheckInput, performedAt: Date, p: QcPolicy) {
    // The baseline: the subject's recent sessions on this device before this one that were themselves in limits,
    // so a drifted session does not drag the baseline after it.
    const earlier = await db
      .selectFrom('calibration')
      .select(['fev1L', 'fvcL'])
      .where('deviceId', '=', input.deviceId)
      .where('kind', '=', 'biological_control')
      .where('subject', '=', input.subject ?? '')
      .where('passed', '=', true)
      .where('performedAt', '<', performedAt)
      .orderBy('performedAt', 'desc')
      .limit(BASELINE_SESSIONS)
      .execute();
    const sessions = earlier.filter((s) => s.fev1L !== null && s.fvcL !== null).map((s) => ({ fev1L: Number(s.fev1L), fvcL: Number(s.fvcL) }));
    return judgeBiologicalControl({ fev1L: input.fev1L ?? 0, fvcL: input.fvcL ?? 0 }, sessions, {
      ...BIOLOGICAL_CONTROL_DEFAULTS,
      limitPct: p.biologicalControlLimitPct,
      limitL: p.biologicalControlLimitL,
      combine: p.biologicalControlCombine,
    });
  }

  async function record(actor: AuditActor, input: CheckInput) {
    const device = await db.selectFrom('device').select(['id', 'campusId']).where('id', '=', input.deviceId).executeTakeFirst();
    if (!device) throw new NotFound('device', input.deviceId);
    const performedAt = input.performedAt ?? now();
    let judged: { passed: boolean; problems: Problem[]; injections: unknown[]; baseline: { fev1L: number; fvcL: number; sessions: number } | null };
    if (input.kind === 'biological_control') {
      const bio = await judgeBiological(input, performedAt, await policy());
      judged = { passed: bio.pass, problems: bio.problems, injections: [], baseline: bio.baseline };
    } else {
      const check = verifyVolumeCheck(input.syringeVolumeL ?? 0, input.injections ?? []);
      judged = { passed: check.pass, problems: check.problems, injections: check.injections, baseline: null };
    }
    const documentIds = [...new Set(input.documentIds ?? [])];
    return db.transaction().execute(async (trx) => {
      const documents = documentIds.length
        ? await trx.selectFrom('calibrationDocument').select(['id', 'sha256', 'name']).where('id', 'in', documentIds).where('calibrationId', 'is', null).forUpdate().execute()
        : [];
      if (documents.length !== documentIds.length) throw new Conflict('calibration.document-unavailable', '附件不存在或已关联其他记录');
      const row = await trx
        .insertInto('calibration')
        .values({
          deviceId: device.id,
          campusId: device.campusId,
          kind: input.kind,
          source: documents.length ? 'document' : 'manual',
          performedAt,
          checkDate: hospitalDate(performedAt),
          performedBy: actor.userId,
          operatorName: actor.name,
          syringeVolumeL: input.syringeVolumeL ?? null,
          syringeSerial: input.syringeSerial ?? null,
          temperatureC: input.temperatureC ?? null,
          pressureHpa: input.pressureHpa ?? null,
          humidityPct: input.humidityPct ?? null,
          injections: JSON.stringify(judged.injections),
          subject: input.subject ?? null,
          fev1L: input.fev1L ?? null,
          fvcL: input.fvcL ?? null,
          baselineFev1L: judged.baseline ? Number(judged.baseline.fev1L.toFixed(3)) : null,
          baselineFvcL: judged.baseline ? Number(judged.baseline.fvcL.toFixed(3)) : null,
          baselineSessions: judged.baseline?.sessions ?? null,
          passed: judged.passed,
          problems: JSON.stringify(judged.problems),
          // The first report also in the record's own columns, as before documents had their table.
          attachmentSha256: documents[0]?.sha256 ?? null,
          attachmentName: documents[0]?.name ?? null,
          notes: input.notes ?? '',
        })
        .returning(['id', 'passed', 'problems', 'injections', 'checkDate'])
        .executeTakeFirstOrThrow();
      if (documents.length) await trx.updateTable('calibrationDocument').set({ calibrationId: row.id }).where('id', 'in', documentIds).execute();
      await recordAudit(
        trx,
        actor,
        { action: 'calibration.recorded', entityType: 'calibration', entityId: row.id, campusId: device.campusId, after: { deviceId: device.id, kind: input.kind, passed: row.passed, performedAt: performedAt.toISOString(), documents: documents.map((d) => d.sha256) } },
        now(),
      );
      return { ...row, problems: row.problems as Problem[], injections: row.injections as unknown[] };
    });
  }

  async function storeDocument(bytes: Uint8Array) {
    const mediaType = mediaTypeOf(bytes);
    if (!mediaType || bytes.length === 0) throw unsupportedFile();
    const sha256 = sha256Hex(bytes);
    // Raw and immutable, under its SHA-256, before anything refers to it.
    await files.put(sha256, bytes);
    return { sha256, mediaType };
  }

  const documentView = (d: { id: string; sha256: string; name: string; mediaType: MediaType; sizeBytes: number; uploadedAt: Date }) => ({ ...d, uploadedAt: d.uploadedAt.toISOString() });

  /** An uploaded calibration report (PDF or photo), kept raw until a record that was transcribed from it links it. */
  async function uploadDocument(actor: AuditActor, campusId: string | null, bytes: Uint8Array, name: string) {
    const { sha256, mediaType } = await storeDocument(bytes);
    return db.transaction().execute(async (trx) => {
      const doc = await trx
        .insertInto('calibrationDocument')
        .values({ sha256, name, mediaType, sizeBytes: bytes.length, campusId, uploadedBy: actor.userId, uploadedAt: now() })
        .returning(['id', 'sha256', 'name', 'mediaType', 'sizeBytes', 'uploadedAt'])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'calibration.document-uploaded', entityType: 'calibration_document', entityId: doc.id, campusId, detail: { sha256, name, mediaType, sizeBytes: bytes.length } }, now());
      return documentView(doc);
    });
  }

  /** Keeps the device's own report (PDF, photo) with an existing record, as it was received. */
  async function attach(actor: AuditActor, id: string, bytes: Uint8Array, name: string) {
    const existing = await db.selectFrom('calibration').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw new NotFound('calibration', id);
    const { sha256, mediaType } = await storeDocument(bytes);
    const updated = await db.transaction().execute(async (trx) => {
      const row = await trx.updateTable('calibration').set({ attachmentSha256: sha256, attachmentName: name }).where('id', '=', id).returning(['id', 'campusId']).executeTakeFirstOrThrow();
      const doc = await trx
        .insertInto('calibrationDocument')
        .values({ calibrationId: id, sha256, name, mediaType, sizeBytes: bytes.length, campusId: row.campusId, uploadedBy: actor.userId, uploadedAt: now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'calibration.attached', entityType: 'calibration', entityId: id, campusId: row.campusId, detail: { sha256, name, mediaType, documentId: doc.id } }, now());
      return { id: row.id, documentId: doc.id };
    });
    return { ...updated, sha256 };
  }

  /** A stored report file, byte for byte. */
  async function document(id: string) {
    const doc = await db.selectFrom('calibrationDocument').select(['sha256', 'name', 'mediaType']).where('id', '=', id).executeTakeFirst();
    if (!doc) throw new NotFound('calibration_document', id);
    return { ...doc, bytes: await files.get(doc.sha256) };
  }

  /** A corrective action on a check (recalibration, sensor changed, device out of use...), logged with who and when. */
  async function addAction(actor: AuditActor, id: string, action: string) {
    return db.transaction().execute(async (trx) => {
      const check = await trx.selectFrom('calibration').select(['id', 'campusId']).where('id', '=', id).executeTakeFirst();
      if (!check) throw new NotFound('calibration', id);
      const row = await trx
        .insertInto('calibrationAction')
        .values({ calibrationId: id, action, performedBy: actor.userId, operatorName: actor.name, createdAt: now() })
        .returning(['id', 'action', 'operatorName', 'createdAt'])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'calibration.action-recorded', entityType: 'calibration', entityId: id, campusId: check.campusId, after: { action } }, now());
      return { ...row, createdAt: row.createdAt.toISOString() };
    });
  }

  async function list(q: { deviceId: string; from?: string; to?: string; kind?: CheckKind }) {
    let query = db.selectFrom('calibration').selectAll().where('deviceId', '=', q.deviceId).orderBy('performedAt', 'desc').limit(400);
    if (q.from) query = query.where('checkDate', '>=', q.from);
    if (q.to) query = query.where('checkDate', '<=', q.to);
    if (q.kind) query = query.where('kind', '=', q.kind);
    const rows = await query.execute();
    const ids = rows.map((r) => r.id);
    const [documents, actions] = ids.length
      ? await Promise.all([
          db.selectFrom('calibrationDocument').select(['id', 'calibrationId', 'sha256', 'name', 'mediaType', 'sizeBytes', 'uploadedAt']).where('calibrationId', 'in', ids).orderBy('uploadedAt').execute(),
          db.selectFrom('calibrationAction').select(['id', 'calibrationId', 'action', 'operatorName', 'createdAt']).where('calibrationId', 'in', ids).orderBy('createdAt').execute(),
        ])
      : [[], []];
    return rows.map((r) => ({
      ...r,
      problems: r.problems as Problem[],
      injections: r.injections as Array<{ flowLps?: number | null; measuredL: number; errorPct: number; withinLimit: boolean }>,
      performedAt: r.performedAt.toISOString(),
      createdAt: r.createdAt.toISOString(),
      documents: documents.filter((d) => d.calibrationId === r.id).map(({ calibrationId: _, ...d }) => documentView(d)),
      actions: actions.filter((a) => a.calibrationId === r.id).map((a) => ({ id: a.id, action: a.action, operatorName: a.operatorName, createdAt: a.createdAt.toISOString() })),
    }));
  }

  const dayStatus = (checks: Array<{ passed: boolean }>): DayStatus => (checks.some((c) => c.passed) ? 'passed' : checks.length ? 'failed' : 'missing');

  /** Today's volume-check state of a device: passed if any check today passed. */
  async function todayStatus(deviceId: string): Promise<DayStatus> {
    const checks = await db
      .selectFrom('calibration')
      .select('passed')
      .where('deviceId', '=', deviceId)
      .where('kind', 'in', ['volume_check', 'calibration'])
      .where('checkDate', '=', hospitalDate(now()))
      .execute();
    return dayStatus(checks);
  }

  /** What registration shows the technician for a device before registering on it. */
  async function deviceToday(deviceId: string) {
    const device = await db.selectFrom('device').select('id').where('id', '=', deviceId).executeTakeFirst();
    if (!device) throw new NotFound('device', deviceId);
    return { status: await todayStatus(deviceId), blockWithoutPassedCheck: (await policy()).blockWithoutPassedCheck };
  }

  /**
   * The 质控 calendar: per day, the state of the volume check, the biological control, and how many exams the
   * device did. Days before the device's records begin and days after today are left out.
   */
  async function daily(q: { deviceId: string; from: string; to: string }) {
    const device = await db.selectFrom('device').select(['id', 'createdAt']).where('id', '=', q.deviceId).executeTakeFirst();
    if (!device) throw new NotFound('device', q.deviceId);
    const today = hospitalDate(now());
    // From the day the device was added, or its earliest record if older ones were entered from the paper log.
    const earliest = await db.selectFrom('calibration').select((eb) => eb.fn.min('checkDate').as('first')).where('deviceId', '=', device.id).executeTakeFirst();
    const added = hospitalDate(device.createdAt);
    const since = earliest?.first && earliest.first < added ? earliest.first : added;
    const from = q.from > since ? q.from : since;
    const to = q.to < today ? q.to : today;
    if (from > to) return { deviceId: device.id, today, since, days: [] };
    const [checks, exams] = await Promise.all([
      db.selectFrom('calibration').select(['checkDate', 'kind', 'passed']).where('deviceId', '=', device.id).where('checkDate', '>=', from).where('checkDate', '<=', to).execute(),
      db
        .selectFrom('exam')
        .select(['examDate', (eb) => eb.fn.countAll<number>().as('count')])
        .where('deviceId', '=', device.id)
        .where('status', '!=', 'cancelled')
        .where('examDate', '>=', from)
        .where('examDate', '<=', to)
        .groupBy('examDate')
        .execute(),
    ]);
    const days = daysBetween(from, to).map((date) => {
      const volume = checks.filter((c) => c.checkDate === date && c.kind !== 'biological_control');
      const bio = checks.filter((c) => c.checkDate === date && c.kind === 'biological_control');
      return {
        date,
        volume: dayStatus(volume),
        checks: volume.length,
        biological: bio.length ? (bio.some((b) => b.passed) ? ('passed' as const) : ('failed' as const)) : null,
        exams: Number(exams.find((e) => e.examDate === date)?.count ?? 0),
      };
    });
    return { deviceId: device.id, today, since, days };
  }

  /** Every device of a campus with today's state and its latest checks: the 质控 overview and its alerts. */
  async function overview(campusId: string) {
    const devices = await db.selectFrom('device').select(['id', 'name', 'room']).where('campusId', '=', campusId).where('enabled', '=', true).orderBy('name').execute();
    const today = hospitalDate(now());
    return Promise.all(
      devices.map(async (d) => {
        const latest = await db.selectFrom('calibration').select(['performedAt', 'passed']).where('deviceId', '=', d.id).where('kind', '!=', 'biological_control').orderBy('performedAt', 'desc').limit(1).executeTakeFirst();
        const bio = await db.selectFrom('calibration').select(['performedAt', 'passed']).where('deviceId', '=', d.id).where('kind', '=', 'biological_control').orderBy('performedAt', 'desc').limit(1).executeTakeFirst();
        const exams = await db.selectFrom('exam').select((eb) => eb.fn.countAll<number>().as('count')).where('deviceId', '=', d.id).where('examDate', '=', today).where('status', '!=', 'cancelled').executeTakeFirst();
        return {
          deviceId: d.id,
          name: d.name,
          room: d.room,
          today: await todayStatus(d.id),
          lastCheckAt: latest?.performedAt.toISOString() ?? null,
          lastPassed: latest?.passed ?? null,
          examsToday: Number(exams?.count ?? 0),
          lastBiologicalAt: bio?.performedAt.toISOString() ?? null,
          lastBiologicalPassed: bio?.passed ?? null,
        };
      }),
    );
  }

  async function updatePolicy(actor: AuditActor, input: z.input<typeof QcPolicySchema>) {
    const next = QcPolicySchema.parse(input);
    await db.transaction().execute(async (trx) => {
      const before = await readSetting(trx, QC_POLICY_KEY, QcPolicySchema);
      await writeSetting(trx, QC_POLICY_KEY, next, actor.userId);
      await recordAudit(trx, actor, { action: 'qc.policy-updated', entityType: 'setting', entityId: QC_POLICY_KEY, before, after: next }, now());
    });
    return next;
  }

  /** The column mapping used to read a device's calibration exports (the built-in aliases when none is set). */
  async function logMapping(deviceId: string) {
    const device = await db.selectFrom('device').select('id').where('id', '=', deviceId).executeTakeFirst();
    if (!device) throw new NotFound('device', deviceId);
    return readSetting(db, logMappingKey(deviceId), LogMappingSchema);
  }

  async function updateLogMapping(actor: AuditActor, deviceId: string, input: z.input<typeof LogMappingSchema>) {
    const device = await db.selectFrom('device').select(['id', 'campusId']).where('id', '=', deviceId).executeTakeFirst();
    if (!device) throw new NotFound('device', deviceId);
    const next = LogMappingSchema.parse(input);
    await db.transaction().execute(async (trx) => {
      const before = await readSetting(trx, logMappingKey(deviceId), LogMappingSchema);
      await writeSetting(trx, logMappingKey(deviceId), next, actor.userId);
      await recordAudit(trx, actor, { action: 'calibration.log-mapping-updated', entityType: 'device', entityId: deviceId, campusId: device.campusId, before, after: next }, now());
    });
    return next;
  }

  /**
   * A device's calibration / verification log export (CSV or tab-separated text). The raw bytes are stored under
   * their SHA-256 and recorded as a device file before anything is read; each check of the log becomes a record
   * (source 'device') judged by the clinical rules and linked to the file. The same bytes again import nothing;
   * checks already recorded from an earlier (cumulative) export are skipped; a file that cannot be read is kept in
   * quarantine with the reason and is read again when it arrives again (e.g. after the column mapping was fixed).
   * One transaction: either the whole log is recorded or only the raw file and its reason remain.
   */
  async function importLog(actor: AuditActor, input: { deviceId: string; bytes: Uint8Array; name: string; source: 'upload' | 'folder' | 'api' }) {
    const device = await db.selectFrom('device').select(['id', 'campusId']).where('id', '=', input.deviceId).executeTakeFirst();
    if (!device) throw new NotFound('device', input.deviceId);
    const sha256 = sha256Hex(input.bytes);
    const linkedRecords = (ex: Kysely<DB>) =>
      ex.selectFrom('calibration').select(['id', 'performedAt', 'kind', 'passed', 'problems', 'injections']).where('attachmentSha256', '=', sha256).where('source', '=', 'device').orderBy('performedAt').execute();
    const duplicateOf = async (file: { id: string; status: RawFileStatus; reason: string | null }, ex: Kysely<DB>) => ({
      fileId: file.id, sha256, name: input.name, status: file.status, duplicate: true, reason: file.reason, skipped: [], warnings: [] as LogWarning[],
      created: (await linkedRecords(ex)).map((r) => ({ ...r, kind: r.kind as 'volume_check' | 'calibration', performedAt: r.performedAt.toISOString(), problems: r.problems as Problem[], injections: r.injections as Injection[] })),
    });
    const known = await db.selectFrom('rawFile').select(['id', 'status', 'reason']).where('sha256', '=', sha256).executeTakeFirst();
    if (known && known.status !== 'quarantined') return duplicateOf(known, db);
    // Raw and immutable before it is read.
    await files.put(sha256, input.bytes);
    const mapping = await readSetting(db, logMappingKey(device.id), LogMappingSchema);
    const log = readCalibrationLog(input.bytes, { mapping: mapping.columns, encoding: mapping.encoding, defaultKind: mapping.defaultKind });
    const at = now();
    return db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('rawFile')
        .values({
          sha256, sm3: sm3Hex(input.bytes), sizeBytes: input.bytes.length, originalName: input.name, source: input.source, deviceId: device.id, campusId: device.campusId,
          receivedAt: at, receivedBy: actor.userId, status: 'received', format: CALIBRATION_LOG_FORMAT, updatedAt: at,
        })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .returning('id')
        .executeTakeFirst();
      let fileId: string;
      if (inserted) {
        fileId = inserted.id;
        await recordAudit(trx, actor, { action: 'device-file.received', entityType: 'raw_file', entityId: fileId, campusId: device.campusId, detail: { sha256, name: input.name, source: input.source, format: CALIBRATION_LOG_FORMAT } }, at);
      } else {
        // Known: quarantined before (read again now), or stored by someone else in the meantime (theirs stands).
        const existing = await trx.selectFrom('rawFile').select(['id', 'status', 'reason']).where('sha256', '=', sha256).forUpdate().executeTakeFirstOrThrow();
        if (existing.status !== 'quarantined') return duplicateOf(existing, trx);
        fileId = existing.id;
      }
      const setFile = (status: RawFileStatus, reason: string | null, extraction: unknown) =>
        trx
          .updateTable('rawFile')
          .set((eb) => ({ status, reason, format: CALIBRATION_LOG_FORMAT, deviceId: device.id, campusId: device.campusId, attempts: eb('attempts', '+', 1), updatedAt: at, extraction: JSON.stringify(extraction) }))
          .where('id', '=', fileId)
          .execute();
      if (!log.ok) {
        await setFile('quarantined', log.reason, { warnings: log.warnings });
        await recordAudit(trx, actor, { action: 'calibration.log-quarantined', entityType: 'raw_file', entityId: fileId, campusId: device.campusId, detail: { sha256, name: input.name, deviceId: device.id, reason: log.reason } }, at);
        return { fileId, sha256, name: input.name, status: 'quarantined' as const, duplicate: false, reason: log.reason, created: [], skipped: [], warnings: log.warnings };
      }
      const warnings = [...log.value.warnings];
      const created = [];
      const skipped: Array<{ performedAt: string; reason: string }> = [];
      for (const check of log.value.checks) {
        const performedAt = fromHospitalWallClock(check.performedAt);
        if (performedAt.getTime() > at.getTime() + 5 * 60_000) {
          warnings.push({ row: check.injections[0]?.row ?? null, code: 'check-skipped', message: `${check.performedAt.replace('T', ' ')} 的检查时间晚于现在（设备时钟？），未导入` });
          continue;
        }
        const already = await trx.selectFrom('calibration').select('id').where('deviceId', '=', device.id).where('source', '=', 'device').where('kind', '=', check.kind).where('performedAt', '=', performedAt).executeTakeFirst();
        if (already) {
          skipped.push({ performedAt: performedAt.toISOString(), reason: '已由此前的设备导出记录' });
          continue;
        }
        const injections = check.injections.map((i) => ({ flowLps: i.flowLps, measuredL: i.measuredL }));
        const judged = verifyVolumeCheck(check.syringeVolumeL, injections);
        const row = await trx
          .insertInto('calibration')
          .values({
            deviceId: device.id, campusId: device.campusId, kind: check.kind, source: 'device', performedAt, checkDate: hospitalDate(performedAt),
            performedBy: actor.userId, operatorName: (check.operator ?? actor.name).slice(0, 100),
            syringeVolumeL: check.syringeVolumeL, syringeSerial: check.syringeSerial?.slice(0, 60) ?? null,
            temperatureC: check.temperatureC, pressureHpa: check.pressureHpa, humidityPct: check.humidityPct,
            injections: JSON.stringify(judged.injections), passed: judged.pass, problems: JSON.stringify(judged.problems),
            attachmentSha256: sha256, attachmentName: input.name,
            notes: check.deviceVerdict && (check.deviceVerdict === 'pass') !== judged.pass ? `设备判定为${check.deviceVerdict === 'pass' ? '通过' : '未通过'}，按 ATS/ERS 2019 规则判定为${judged.pass ? '通过' : '未通过'}` : '',
          })
          .returning(['id', 'passed', 'problems', 'injections'])
          .executeTakeFirstOrThrow();
        await recordAudit(
          trx,
          actor,
          { action: 'calibration.recorded', entityType: 'calibration', entityId: row.id, campusId: device.campusId, after: { deviceId: device.id, kind: check.kind, source: 'device', passed: row.passed, performedAt: performedAt.toISOString(), file: sha256 } },
          at,
        );
        created.push({ id: row.id, performedAt: performedAt.toISOString(), kind: check.kind, passed: row.passed, problems: row.problems as Problem[], injections: row.injections as Injection[] });
      }
      await setFile('imported', null, { checks: log.value.checks.length, created: created.map((c) => c.id), skipped, warnings, columns: log.value.columns, encoding: log.value.encoding });
      await recordAudit(
        trx,
        actor,
        { action: 'calibration.log-imported', entityType: 'raw_file', entityId: fileId, campusId: device.campusId, detail: { sha256, name: input.name, deviceId: device.id, checks: log.value.checks.length, created: created.length, skipped: skipped.length, warnings: warnings.length } },
        at,
      );
      return { fileId, sha256, name: input.name, status: 'imported' as const, duplicate: false, reason: null, created, skipped, warnings };
    });
  }

  /** A stored device calibration export, byte for byte. */
  async function logFile(fileId: string) {
    const file = await db.selectFrom('rawFile').select(['sha256', 'originalName']).where('id', '=', fileId).where('format', '=', CALIBRATION_LOG_FORMAT).executeTakeFirst();
    if (!file) throw new NotFound('calibration log', fileId);
    return { sha256: file.sha256, name: file.originalName, bytes: await files.get(file.sha256) };
  }

  return { record, attach, uploadDocument, importLog, logFile, logMapping, updateLogMapping, document, addAction, list, todayStatus, deviceToday, daily, overview, policy, updatePolicy };
}
