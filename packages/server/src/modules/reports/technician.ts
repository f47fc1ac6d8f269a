/**
 * Who performed the test, for the 检查技师 line of the report: the operator the device recorded with the time it
 * measured, or else the person who submitted the version for review, at the time they submitted it. Never the
 * registrar of the exam, who may be a front-desk nurse: a draft nobody has submitted yet has no 检查技师 line.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import { hospitalWallClock } from '../../platform/hospital-time.js';
import type { ReportSignature } from './render/report-document.js';

export const TECHNICIAN_LABEL = '检查技师';

export interface PerformerFacts {
  /** The device's operator name and local measuring time ('YYYY-MM-DDTHH:mm[:ss]' or a date), newest result first. */
  device: { operator: string | null; measuredAt: string | null } | null;
  /** The version's submitter (display name) and when they submitted it. */
  submitter: { userId: string; name: string; at: Date | null } | null;
  /** A user whose display name or username is the device's operator, when exactly one is. */
  operatorUserId: string | null;
}

/** The technician line from the facts; null when nobody is known. Pure. */
export function technicianOf(facts: PerformerFacts): { userId: string | null; name: string; signedAt: string | null } | null {
  const operator = facts.device?.operator?.trim();
  if (operator) {
    const at = facts.device?.measuredAt?.trim() || null;
    return { userId: facts.operatorUserId, name: operator, signedAt: at ? at.replace('T', ' ').slice(0, 16) : null };
  }
  if (facts.submitter) {
    return { userId: facts.submitter.userId, name: facts.submitter.name, signedAt: facts.submitter.at ? hospitalWallClock(facts.submitter.at).slice(0, 16) : null };
  }
  return null;
}

/** Who performed the test of this exam, for the report and for what the HIS receives; null when nobody is known. */
export async function performerOf(
  ex: Kysely<DB> | Transaction<DB>,
  examId: string,
  version: { submittedBy: string | null; submittedAt: Date | null },
): Promise<ReturnType<typeof technicianOf>> {
  const set = await ex
    .selectFrom('measurementSet')
    .select(['operator', 'measuredAt'])
    .where('examId', '=', examId)
    .orderBy('createdAt', 'desc')
    .executeTakeFirst();
  const operator = set?.operator?.trim() || null;
  let operatorUserId: string | null = null;
  if (operator) {
    const matches = await ex
      .selectFrom('appUser')
      .select('id')
      .where((w) => w.or([w('displayName', '=', operator), w('username', '=', operator)]))
      .where('disabled', '=', false)
      .limit(2)
      .execute();
    operatorUserId = matches.length === 1 ? matches[0]!.id : null;
  }
  const submitter = version.submittedBy
    ? await ex.selectFrom('appUser').select(['id', 'displayName']).where('id', '=', version.submittedBy).executeTakeFirst()
    : undefined;
  return technicianOf({
    device: set ? { operator, measuredAt: set.measuredAt } : null,
    submitter: submitter ? { userId: submitter.id, name: submitter.displayName, at: version.submittedAt } : null,
    operatorUserId,
  });
}

/** The signature block with the 检查技师 line first, when someone is known to have performed the test. */
export async function withTechnician(
  ex: Kysely<DB> | Transaction<DB>,
  examId: string,
  version: { submittedBy: string | null; submittedAt: Date | null },
  signatures: ReportSignature[],
): Promise<ReportSignature[]> {
  const technician = await performerOf(ex, examId, version);
  if (!technician) return signatures;
  const image = technician.userId
    ? await ex.selectFrom('userSignature').select('imagePng').where('userId', '=', technician.userId).where('imagePng', 'is not', null).executeTakeFirst()
    : undefined;
  const line: ReportSignature = { role: 'technician', roleLabel: TECHNICIAN_LABEL, name: technician.name, signedAt: technician.signedAt, image: image?.imagePng ? new Uint8Array(image.imagePng) : null };
  return [line, ...signatures];
}
