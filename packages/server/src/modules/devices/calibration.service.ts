import { BIOLOGICAL_CONTROL_DEFAULTS, judgeBiologicalControl, verifyVolumeCheck } from '@pftis/clinical';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { sha256Hex } from '../../platform/crypto.js';
import { AppError, Conflict, NotFound } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import { hospitalDate } from '../../platform/hospital-time.js';
import { readSetting, writeSetting } from '../../platform/settings.js';
import { QcPolicySchema } from './calibration.schemas.js';

export { QcPolicySchema };
export const QC_POLICY_KEY = 'qc.policy';
export type QcPolicy = z.output<typeof QcPolicySchema>;

type Problem = { code: string; detail: string };
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

  return { record, attach, uploadDocument, document, addAction, list, todayStatus, deviceToday, daily, overview, policy, updatePolicy };
}
