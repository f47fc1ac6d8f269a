import type { LabSettings, PatientGroupSetting } from '@pftis/clinical';

export const PATIENT_GROUP_AGE_MAX = 130;

/** Who belongs to a patient group: age in years in [minAge, maxAge) and/or sex. Absent: chosen for no patient automatically. */
export interface PatientGroupMatch {
  minAge?: number;
  maxAge?: number;
  sex?: 'male' | 'female';
}

/** A patient group as the lab stores it: the clinical core's setting plus the rule that picks it. */
export interface LabPatientGroup extends PatientGroupSetting {
  match?: PatientGroupMatch;
}

export interface PatientFacts {
  /** Decimal years at the test date; null when the birth date is unknown. */
  ageYears: number | null;
  sex: 'male' | 'female' | 'unknown' | string;
}

export function matchesGroup(match: PatientGroupMatch | undefined, patient: PatientFacts): boolean {
  if (!match) return false;
  if (match.sex !== undefined && patient.sex !== match.sex) return false;
  if (match.minAge !== undefined || match.maxAge !== undefined) {
    if (patient.ageYears === null || !Number.isFinite(patient.ageYears)) return false;
    if (match.minAge !== undefined && patient.ageYears < match.minAge) return false;
    if (match.maxAge !== undefined && patient.ageYears >= match.maxAge) return false;
  }
  return match.minAge !== undefined || match.maxAge !== undefined || match.sex !== undefined;
}

/**
 * The patient group whose equations apply to this patient: the first group, in the lab's order, whose match rule the
 * patient meets; null when none does (the lab's defaults apply). Pass the id to interpretExam as patientGroupId.
 */
export function patientGroupFor(settings: LabSettings, patient: PatientFacts): string | null {
  const groups = settings.reference.patientGroups as LabPatientGroup[];
  return groups.find((group) => matchesGroup(group.match, patient))?.id ?? null;
}
