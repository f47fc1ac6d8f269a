/**
 * Which reference equation a lab uses, per parameter group and per patient group. The choice is recorded with every
 * result (clinical.md §1). Defaults (clinical.md §1): GLI Global 2022 for spirometry, GLI-2017 (2020-corrected) for
 * transfer factor, GLI-2021 for lung volumes. GLI-2012 with an ethnic group and Jian 2017 are per-lab options.
 */
import type { OutOfRangePolicy } from './reference.ts';
import { EQUATIONS } from './reference.ts';
import type { EquationId, Ethnicity } from './types.ts';

export type ParameterGroup = 'spirometry' | 'transfer' | 'volumes';

export interface EquationChoice {
  equation: EquationId;
  /** Fixed ethnic group for GLI-2012 (e.g. 3, North East Asian) or NHANES III; else the patient's own. */
  ethnicity?: Ethnicity;
}

export interface PatientGroupSetting {
  id: string;
  label: string;
  choices: Partial<Record<ParameterGroup, EquationChoice>>;
}

export interface LabReferenceSettings {
  defaults: Record<ParameterGroup, EquationChoice>;
  patientGroups: PatientGroupSetting[];
  outOfRange: OutOfRangePolicy;
}

export const DEFAULT_REFERENCE_SETTINGS: LabReferenceSettings = {
  defaults: {
    spirometry: { equation: 'gli2022' },
    transfer: { equation: 'gli2017' },
    volumes: { equation: 'gli2021' },
  },
  patientGroups: [],
  outOfRange: 'refuse',
};

/** What was chosen and why; stored with the result. */
export interface RecordedChoice extends EquationChoice {
  group: ParameterGroup;
  equationVersion: string;
  source: 'lab_default' | 'patient_group' | 'request';
  patientGroupId: string | null;
}

export function chooseEquation(
  settings: LabReferenceSettings,
  group: ParameterGroup,
  patientGroupId?: string | null,
): RecordedChoice {
  const patientGroup = patientGroupId ? settings.patientGroups.find((g) => g.id === patientGroupId) : undefined;
  const fromGroup = patientGroup?.choices[group];
  const choice = fromGroup ?? settings.defaults[group];
  return {
    ...choice,
    group,
    equationVersion: EQUATIONS[choice.equation].version,
    source: fromGroup ? 'patient_group' : 'lab_default',
    patientGroupId: fromGroup ? (patientGroupId ?? null) : null,
  };
}
