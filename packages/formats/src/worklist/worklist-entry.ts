/**
 * What PFTIS hands a lung-function device when an exam is registered, so the technician types nothing on the
 * device ("zero input"). Every worklist writer (GDT 6302, ndd PerformTest, HL7 ORM) takes this one shape.
 * Field names follow the 申请单 view fields in ../shared/docs/interfaces.md §7.2.
 */

export type WorklistTest = 'spirometry' | 'bronchodilator' | 'dlco' | 'lung_volumes' | 'provocation';

export const WORKLIST_TESTS: readonly WorklistTest[] = [
  'spirometry',
  'bronchodilator',
  'dlco',
  'lung_volumes',
  'provocation',
];

export type Sex = 'male' | 'female' | 'unknown';

/** 就诊类别: 门诊 / 住院 / 急诊 / 体检. */
export type VisitType = 'outpatient' | 'inpatient' | 'emergency' | 'physical';

export interface CodedName {
  code?: string;
  name: string;
}

export interface WorklistItem {
  /** HIS item code (检查项目编码). */
  code: string;
  /** HIS item name, e.g. 肺通气功能, 弥散功能, 支气管舒张试验. */
  name: string;
  test: WorklistTest;
}

export interface WorklistEntry {
  /** PFTIS accession number: the exam's key on the device and in results coming back. */
  accessionNumber: string;
  /** 申请单号: the HIS order's key. */
  requestNo: string;
  /** HIS master patient ID (病人ID). */
  patientId: string;
  /** Full name as the HIS holds it, usually Chinese (e.g. 张三丰). */
  name: string;
  /** Romanised name (姓名拼音) where the HIS supplies one; only used where a format cannot carry Chinese. */
  namePinyin?: string;
  sex: Sex;
  /** 'YYYY-MM-DD'. */
  birthDate: string;
  heightCm?: number;
  weightKg?: number;
  visitType: VisitType;
  /** 门诊流水号 / 住院流水号: the visit (encounter) number. */
  visitSerialNo?: string;
  ward?: string;
  bed?: string;
  /** In the order the HIS listed them; writers that carry one test use the first. */
  items: WorklistItem[];
  requestingDepartment?: CodedName;
  requestingDoctor?: CodedName;
  clinicalDiagnosis?: string;
  scheduledAt: Date;
  /** 院区: campuses may have separate executing-department codes (interfaces.md §7.2). */
  campusCode?: string;
  /** The PFT lab room or device station the exam is booked on. */
  room?: string;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses 'YYYY-MM-DD' into its parts, or undefined if it is not a real calendar date. */
export function parseIsoDate(text: string): { year: number; month: number; day: number } | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return undefined;
  }
  return { year, month, day };
}

/**
 * Problems that would make a device worklist entry wrong or unusable; empty when the entry is fine.
 * Ranges are plausibility limits for catching unit mix-ups (metres for cm, grams for kg), not clinical limits.
 */
export function validateWorklistEntry(entry: WorklistEntry): string[] {
  const problems: string[] = [];
  const required: Array<[keyof WorklistEntry, string]> = [
    ['accessionNumber', entry.accessionNumber],
    ['requestNo', entry.requestNo],
    ['patientId', entry.patientId],
    ['name', entry.name],
  ];
  for (const [field, value] of required) {
    if (typeof value !== 'string' || value.trim() === '') problems.push(`${field} is empty`);
  }
  if (!parseIsoDate(entry.birthDate)) problems.push(`birthDate '${entry.birthDate}' is not a YYYY-MM-DD date`);
  if (!(entry.scheduledAt instanceof Date) || Number.isNaN(entry.scheduledAt.getTime())) {
    problems.push('scheduledAt is not a valid date');
  }
  if (entry.heightCm !== undefined && !(entry.heightCm >= 30 && entry.heightCm <= 250)) {
    problems.push(`heightCm ${entry.heightCm} is outside 30–250 cm`);
  }
  if (entry.weightKg !== undefined && !(entry.weightKg >= 1 && entry.weightKg <= 400)) {
    problems.push(`weightKg ${entry.weightKg} is outside 1–400 kg`);
  }
  if (entry.items.length === 0) problems.push('items is empty');
  for (const [index, item] of entry.items.entries()) {
    if (!WORKLIST_TESTS.includes(item.test)) problems.push(`items[${index}].test '${String(item.test)}' is unknown`);
    if (item.code.trim() === '') problems.push(`items[${index}].code is empty`);
  }
  return problems;
}
