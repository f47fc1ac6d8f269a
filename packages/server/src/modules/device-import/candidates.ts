/**
 * Which exam a device result belongs to. Automatic binding takes only a certain match (accession, 申请单号,
 * 门诊/住院流水号, or the patient's single open exam of the test day) whose identity agrees with the HIS; everything
 * else is ranked for a technician in the 待匹配 queue, most likely first, with the reasons and the conflicts. Pure.
 */
import type { DeviceExtraction } from '@pftis/formats/device-report/extraction';

export interface CandidateExam {
  id: string;
  accessionNo: string;
  requestNo: string | null;
  visitSerialNo: string | null;
  examDate: string;
  status: string;
  deviceId: string | null;
  hisPatientId: string | null;
  patientName: string;
  sex: 'male' | 'female' | 'unknown';
  birthDate: string;
}

export type MatchReason = 'accession' | 'request' | 'visit-serial' | 'patient-id' | 'name' | 'sex' | 'birth-date' | 'test-day' | 'device';
export interface IdentityConflict {
  field: 'name' | 'sex' | 'birthDate';
  device: string;
  his: string;
}

export interface RankedCandidate {
  exam: CandidateExam;
  score: number;
  reasons: MatchReason[];
  conflicts: IdentityConflict[];
}

const WEIGHT: Record<MatchReason, number> = { accession: 100, request: 90, 'visit-serial': 70, 'patient-id': 50, name: 25, 'birth-date': 15, 'test-day': 10, sex: 5, device: 5 };
const CONFLICT_PENALTY: Record<IdentityConflict['field'], number> = { name: 60, sex: 40, birthDate: 30 };

export const testDayOf = (result: DeviceExtraction) => (result.test.measuredAt && /^\d{4}-\d{2}-\d{2}/.test(result.test.measuredAt) ? result.test.measuredAt.slice(0, 10) : null);

/** Names compared without spaces, separators and case: 张 三, 张三 and ZHANG^SAN-style forms of one name agree. */
const normaliseName = (name: string) => name.normalize('NFKC').replace(/[\s^·.,，-]/g, '').toLowerCase();

/** Where the device's idea of the patient contradicts the HIS. Fields the device did not give are no conflict. */
export function identityConflicts(patient: DeviceExtraction['patient'], exam: Pick<CandidateExam, 'patientName' | 'sex' | 'birthDate'>): IdentityConflict[] {
  const conflicts: IdentityConflict[] = [];
  if (patient.name && normaliseName(patient.name) !== normaliseName(exam.patientName)) conflicts.push({ field: 'name', device: patient.name, his: exam.patientName });
  const hisSex = exam.sex === 'male' ? 'M' : exam.sex === 'female' ? 'F' : null;
  if (patient.sex && hisSex && patient.sex !== hisSex) conflicts.push({ field: 'sex', device: patient.sex, his: hisSex });
  if (patient.birthDate && patient.birthDate.slice(0, 10) !== exam.birthDate) conflicts.push({ field: 'birthDate', device: patient.birthDate.slice(0, 10), his: exam.birthDate });
  return conflicts;
}

export function rankCandidates(result: DeviceExtraction, exams: readonly CandidateExam[], context: { deviceId?: string | null } = {}): RankedCandidate[] {
  const ids = result.identifiers;
  const testDay = testDayOf(result);
  const ranked = exams.map((exam): RankedCandidate => {
    const reasons: MatchReason[] = [];
    if (ids.accessionNo && ids.accessionNo === exam.accessionNo) reasons.push('accession');
    if (ids.requestNo && ids.requestNo === exam.requestNo) reasons.push('request');
    const serial = ids.outpatientSerial ?? ids.inpatientSerial;
    if (serial && serial === exam.visitSerialNo) reasons.push('visit-serial');
    const patientId = ids.patientId ?? result.patient.id;
    if (patientId && patientId === exam.hisPatientId) reasons.push('patient-id');
    if (result.patient.name && normaliseName(result.patient.name) === normaliseName(exam.patientName)) reasons.push('name');
    if (result.patient.birthDate && result.patient.birthDate.slice(0, 10) === exam.birthDate) reasons.push('birth-date');
    if (result.patient.sex && (result.patient.sex === 'M') === (exam.sex === 'male') && exam.sex !== 'unknown') reasons.push('sex');
    if (testDay && testDay === exam.examDate) reasons.push('test-day');
    if (context.deviceId && context.deviceId === exam.deviceId) reasons.push('device');
    const conflicts = identityConflicts(result.patient, exam);
    const score = reasons.reduce((sum, r) => sum + WEIGHT[r], 0) - conflicts.reduce((sum, c) => sum + CONFLICT_PENALTY[c.field], 0);
    return { exam, score, reasons, conflicts };
  });
  return ranked.sort((a, b) => b.score - a.score || b.exam.examDate.localeCompare(a.exam.examDate));
}

/**
 * The exam to bind to without asking anyone: an identifier that names exactly one exam, or the patient's only open
 * exam of the test day, and no identity conflict. Otherwise null, with the reason for the 待匹配 queue.
 */
export function automaticMatch(result: DeviceExtraction, exams: readonly CandidateExam[], today: string): { exam: CandidateExam } | { exam: null; reason: string } {
  const ids = result.identifiers;
  const serial = ids.outpatientSerial ?? ids.inpatientSerial;
  // Still taking results: a second file for one exam (the printout before the data file, a post-test) binds too.
  const open = (e: CandidateExam) => e.status === 'registered' || e.status === 'in_progress' || e.status === 'results';
  const rules: Array<[string, (e: CandidateExam) => boolean]> = [
    [`accession number ${ids.accessionNo}`, (e) => !!ids.accessionNo && e.accessionNo === ids.accessionNo],
    [`order ${ids.requestNo}`, (e) => !!ids.requestNo && e.requestNo === ids.requestNo && e.status !== 'cancelled'],
    [`visit serial ${serial}`, (e) => !!serial && e.visitSerialNo === serial && open(e)],
  ];
  const patientId = ids.patientId ?? result.patient.id;
  const testDay = testDayOf(result) ?? today;
  if (patientId) rules.push([`patient ${patientId} on ${testDay}`, (e) => e.hisPatientId === patientId && e.examDate === testDay && open(e)]);
  for (const [what, matches] of rules) {
    const found = exams.filter(matches);
    if (found.length === 0) continue;
    if (found.length > 1) return { exam: null, reason: `${found.length} exams match ${what}` };
    const conflicts = identityConflicts(result.patient, found[0]!);
    if (conflicts.length) return { exam: null, reason: `identity differs from the HIS for ${what}: ${conflicts.map((c) => `${c.field} ${c.device} ≠ ${c.his}`).join(', ')}` };
    return { exam: found[0]! };
  }
  if (ids.accessionNo) return { exam: null, reason: `no exam with accession number ${ids.accessionNo}` };
  return { exam: null, reason: patientId ? 'no single open exam for this patient on the test day' : 'the file names no exam, order or patient' };
}
