import { verifyVolumeCheck } from '@pftis/clinical';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { sha256Hex } from '../../platform/crypto.js';
import { NotFound } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import { hospitalDate } from '../../platform/hospital-time.js';
import { readSetting, writeSetting } from '../../platform/settings.js';

export const QC_POLICY_KEY = 'qc.policy';
export const QcPolicySchema = z.object({
  /** Refuse to register an exam on a device without a passed volume check today (otherwise: warn). */
  blockWithoutPassedCheck: z.boolean().default(false),
  /** Biological control: how far FEV1 and FVC may move from the subject's own mean (U: a lab setting). */
  biologicalControlLimitPct: z.number().min(1).max(20).default(5),
});
export type QcPolicy = z.infer<typeof QcPolicySchema>;

type Problem = { code: string; detail: string };

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
}

export type CalibrationService = ReturnType<typeof createCalibrationService>;

/** Calibration and verification records per device, judged by the rules of the clinical core (module 3). */
export function createCalibrationService({ db, files, now = () => new Date() }: { db: Kysely<DB>; files: FileStore; now?: () => Date }) {
  const policy = () => readSetting(db, QC_POLICY_KEY, QcPolicySchema);

  async function judgeBiologicalControl(input: CheckInput, limitPct: number) {
    const previous = await db
      .selectFrom('calibration')
      .select(['fev1L', 'fvcL'])
      .where('deviceId', '=', input.deviceId)
      .where('kind', '=', 'biological_control')
      .where('subject', '=', input.subject ?? '')
      .orderBy('performedAt', 'desc')
      .limit(10)
      .execute();
    // A baseline needs a few sessions before deviations mean anything.
    if (previous.length < 3 || input.fev1L === undefined || input.fvcL === undefined) {
      return { passed: true, problems: [{ code: 'baseline', detail: `${previous.length} earlier session(s); judged from the 4th on` }] };
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const problems = (
      [
        ['FEV1', input.fev1L, mean(previous.map((p) => Number(p.fev1L)))],
        ['FVC', input.fvcL, mean(previous.map((p) => Number(p.fvcL)))],
      ] as const
    )
      .filter(([, value, average]) => Math.abs(value - average) / average > limitPct / 100)
      .map(([name, value, average]) => ({ code: 'out-of-limit', detail: `${name} ${value} L is ${((100 * (value - average)) / average).toFixed(1)} % from the subject's mean ${average.toFixed(3)} L` }));
    return { passed: problems.length === 0, problems };
  }

  async function record(actor: AuditActor, input: CheckInput) {
    const device = await db.selectFrom('device').select(['id', 'campusId']).where('id', '=', input.deviceId).executeTakeFirst();
    if (!device) throw new NotFound('device', input.deviceId);
    const performedAt = input.performedAt ?? now();
    let judged: { passed: boolean; problems: unknown[]; injections: unknown[] };
    if (input.kind === 'biological_control') {
      judged = { ...(await judgeBiologicalControl(input, (await policy()).biologicalControlLimitPct)), injections: [] };
    } else {
      const check = verifyVolumeCheck(input.syringeVolumeL ?? 0, input.injections ?? []);
      judged = { passed: check.pass, problems: check.problems, injections: check.injections };
    }
    return db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('calibration')
        .values({
          deviceId: device.id,
          campusId: device.campusId,
          kind: input.kind,
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
          passed: judged.passed,
          problems: JSON.stringify(judged.problems),
          notes: input.notes ?? '',
        })
        .returning(['id', 'passed', 'problems', 'injections', 'checkDate'])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'calibration.recorded', entityType: 'calibration', entityId: row.id, campusId: device.campusId, after: { deviceId: device.id, kind: input.kind, passed: row.passed } }, now());
      return { ...row, problems: row.problems as Problem[], injections: row.injections as unknown[] };
    });
  }

  /** Keeps the device's own report (PDF, photo, export) with the record, as it was received. */
  async function attach(actor: AuditActor, id: string, bytes: Uint8Array, name: string) {
    const sha256 = sha256Hex(bytes);
    await files.put(sha256, bytes);
    const updated = await db.transaction().execute(async (trx) => {
      const row = await trx.updateTable('calibration').set({ attachmentSha256: sha256, attachmentName: name }).where('id', '=', id).returning(['id', 'campusId']).executeTakeFirst();
      if (!row) throw new NotFound('calibration', id);
      await recordAudit(trx, actor, { action: 'calibration.attached', entityType: 'calibration', entityId: id, campusId: row.campusId, detail: { sha256, name } }, now());
      return row;
    });
    return { id: updated.id, sha256 };
  }

  function list(q: { deviceId: string; from?: string; to?: string }) {
    let query = db.selectFrom('calibration').selectAll().where('deviceId', '=', q.deviceId).orderBy('performedAt', 'desc').limit(400);
    if (q.from) query = query.where('checkDate', '>=', q.from);
    if (q.to) query = query.where('checkDate', '<=', q.to);
    return query.execute().then((rows) =>
      rows.map((r) => ({ ...r, problems: r.problems as Problem[], injections: r.injections as unknown[], performedAt: r.performedAt.toISOString(), createdAt: r.createdAt.toISOString() })),
    );
  }

  /** Today's volume-check state of a device: passed if any check today passed. */
  async function todayStatus(deviceId: string): Promise<DayStatus> {
    const checks = await db
      .selectFrom('calibration')
      .select('passed')
      .where('deviceId', '=', deviceId)
      .where('kind', 'in', ['volume_check', 'calibration'])
      .where('checkDate', '=', hospitalDate(now()))
      .execute();
    return checks.some((c) => c.passed) ? 'passed' : checks.length ? 'failed' : 'missing';
  }

  /** Every device of a campus with today's state and its latest check: the 质控 overview and its alerts. */
  async function overview(campusId: string) {
    const devices = await db.selectFrom('device').select(['id', 'name', 'room']).where('campusId', '=', campusId).where('enabled', '=', true).orderBy('name').execute();
    return Promise.all(
      devices.map(async (d) => {
        const latest = await db.selectFrom('calibration').select(['performedAt', 'passed', 'kind']).where('deviceId', '=', d.id).orderBy('performedAt', 'desc').limit(1).executeTakeFirst();
        return { deviceId: d.id, name: d.name, room: d.room, today: await todayStatus(d.id), lastCheckAt: latest?.performedAt.toISOString() ?? null, lastPassed: latest?.passed ?? null };
      }),
    );
  }

  async function updatePolicy(actor: AuditActor, next: QcPolicy) {
    await db.transaction().execute(async (trx) => {
      const before = await readSetting(trx, QC_POLICY_KEY, QcPolicySchema);
      await writeSetting(trx, QC_POLICY_KEY, next, actor.userId);
      await recordAudit(trx, actor, { action: 'qc.policy-updated', entityType: 'setting', entityId: QC_POLICY_KEY, before, after: next }, now());
    });
    return next;
  }

  return { record, attach, list, todayStatus, overview, policy, updatePolicy };
}
