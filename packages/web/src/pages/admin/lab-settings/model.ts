import type { LabSettings, LabSettingsInput, ParameterGroup } from './api.ts';
import { PARAMETER_GROUPS } from './api.ts';

type EquationId = LabSettings['reference']['defaults']['spirometry']['equation'];
type Ethnicity = NonNullable<LabSettings['reference']['defaults']['spirometry']['ethnicity']>;

/** One equation choice in the form; '' as equation: use the lab default (patient groups only). */
export interface ChoiceForm {
  equation: EquationId | '';
  ethnicity: Ethnicity | null;
}

export interface GroupForm {
  id: string;
  label: string;
  match: { minAge: number | null; maxAge: number | null; sex: 'male' | 'female' | '' };
  choices: Record<ParameterGroup, ChoiceForm>;
}

/** One language's narrative templates: families of phrases by code (pattern, severity …), single phrases and flags. */
export type TemplateSet = Record<string, string | boolean | Record<string, string> | undefined>;

/** The page's form: the settings' own shape (so the server's error paths land on its fields), with '' for "not set". */
export interface SettingsForm {
  reference: { defaults: Record<ParameterGroup, ChoiceForm>; patientGroups: GroupForm[]; outOfRange: LabSettings['reference']['outOfRange'] };
  interpretation: {
    scheme: LabSettings['interpretation']['scheme'];
    pattern: LabSettings['interpretation']['pattern'];
    bdrRule: NonNullable<LabSettings['interpretation']['bdrRule']> | '';
    bdrOperator: NonNullable<LabSettings['interpretation']['bdrOperator']> | '';
    china2014: NonNullable<LabSettings['interpretation']['china2014']>;
  };
  templates: { zh: TemplateSet; en: TemplateSet };
}

export const GLI2012_GROUPS = [1, 2, 3, 4, 5] as const;
export const NHANES3_GROUPS = ['caucasian', 'african_american', 'mexican_american'] as const;
/** GLI-2012's group for Chinese patients. */
export const NORTH_EAST_ASIAN = 3;

export const needsEthnicity = (equation: EquationId | ''): equation is 'gli2012' | 'nhanes3' => equation === 'gli2012' || equation === 'nhanes3';

/** The ethnic group to keep when the equation changes: kept if it fits the new equation, 北亚 (3) for GLI-2012, else none. */
export function ethnicityFor(equation: EquationId | '', current: Ethnicity | null): Ethnicity | null {
  if (equation === 'gli2012') return typeof current === 'number' ? current : NORTH_EAST_ASIAN;
  if (equation === 'nhanes3') return typeof current === 'string' ? current : null;
  return null;
}

const choiceToForm = (choice: { equation: EquationId; ethnicity?: Ethnicity | null } | undefined): ChoiceForm => ({ equation: choice?.equation ?? '', ethnicity: choice?.ethnicity ?? null });

function choiceFromForm(choice: ChoiceForm | undefined) {
  if (!choice || choice.equation === '') return undefined;
  return needsEthnicity(choice.equation) ? { equation: choice.equation, ethnicity: choice.ethnicity } : { equation: choice.equation };
}

export function settingsToForm(settings: LabSettings, defaults: { zh: TemplateSet; en: TemplateSet }): SettingsForm {
  const { reference, interpretation } = settings;
  return {
    reference: {
      defaults: Object.fromEntries(PARAMETER_GROUPS.map((g) => [g, choiceToForm(reference.defaults[g])])) as Record<ParameterGroup, ChoiceForm>,
      patientGroups: reference.patientGroups.map((group) => ({
        id: group.id,
        label: group.label,
        match: { minAge: group.match?.minAge ?? null, maxAge: group.match?.maxAge ?? null, sex: group.match?.sex ?? '' },
        choices: Object.fromEntries(PARAMETER_GROUPS.map((g) => [g, choiceToForm(group.choices[g])])) as Record<ParameterGroup, ChoiceForm>,
      })),
      outOfRange: reference.outOfRange,
    },
    interpretation: {
      scheme: interpretation.scheme,
      pattern: interpretation.pattern,
      bdrRule: interpretation.bdrRule ?? '',
      bdrOperator: interpretation.bdrOperator ?? '',
      china2014: interpretation.china2014 ?? { lowFvcWithObstructionWithoutTlc: 'mixed' },
    },
    templates: { zh: mergeTemplateSet(defaults.zh, settings.templates?.zh as unknown as TemplateSet | undefined), en: mergeTemplateSet(defaults.en, settings.templates?.en as unknown as TemplateSet | undefined) },
  };
}

export function formToSettings(form: SettingsForm): LabSettingsInput {
  const ref = form.reference;
  return {
    reference: {
      defaults: {
        spirometry: choiceFromForm(ref.defaults.spirometry) ?? { equation: 'gli2022' },
        transfer: choiceFromForm(ref.defaults.transfer) ?? { equation: 'gli2017' },
        volumes: choiceFromForm(ref.defaults.volumes) ?? { equation: 'gli2021' },
      },
      patientGroups: (ref.patientGroups ?? []).map((group) => {
        const m = group.match ?? { minAge: null, maxAge: null, sex: '' };
        const match = { ...(m.minAge != null && { minAge: m.minAge }), ...(m.maxAge != null && { maxAge: m.maxAge }), ...(m.sex && { sex: m.sex }) };
        const choices = Object.fromEntries(PARAMETER_GROUPS.flatMap((g) => {
          const choice = choiceFromForm(group.choices?.[g]);
          return choice ? [[g, choice]] : [];
        }));
        return { id: (group.id ?? '').trim(), label: (group.label ?? '').trim(), ...(Object.keys(match).length > 0 && { match }), choices };
      }),
      outOfRange: ref.outOfRange,
    },
    interpretation: {
      scheme: form.interpretation.scheme,
      pattern: form.interpretation.pattern,
      ...(form.interpretation.bdrRule && { bdrRule: form.interpretation.bdrRule }),
      ...(form.interpretation.bdrOperator && { bdrOperator: form.interpretation.bdrOperator }),
      ...(form.interpretation.scheme === 'china2014' && form.interpretation.china2014 && { china2014: form.interpretation.china2014 }),
    },
    templates: { zh: form.templates.zh, en: form.templates.en } as unknown as LabSettingsInput['templates'],
  };
}

const isFamily = (value: unknown): value is Record<string, string> => typeof value === 'object' && value !== null;

/** `custom` over `base`, family by family (as the clinical core merges a lab's phrases over a scheme's defaults). */
export function mergeTemplateSet(base: TemplateSet, custom: TemplateSet | undefined): TemplateSet {
  const merged: TemplateSet = { ...base };
  for (const [key, value] of Object.entries(custom ?? {})) {
    if (value === undefined) continue;
    merged[key] = isFamily(value) ? { ...(isFamily(base[key]) ? base[key] : {}), ...value } : value;
  }
  return merged;
}

/** The phrases of `current` that differ from `base`. */
export function templateChanges(current: TemplateSet, base: TemplateSet): TemplateSet {
  const changes: TemplateSet = {};
  for (const [key, value] of Object.entries(current)) {
    const baseValue = base[key];
    if (isFamily(value)) {
      const changed = Object.entries(value).filter(([k, v]) => v !== undefined && (isFamily(baseValue) ? baseValue[k] : undefined) !== v);
      if (changed.length > 0) changes[key] = Object.fromEntries(changed);
    } else if (value !== undefined && value !== baseValue) {
      changes[key] = value;
    }
  }
  return changes;
}

/** On a change of scheme: the new scheme's default wording, under the phrases the lab changed from the old one's. */
export function rebaseTemplates(current: TemplateSet, oldDefaults: TemplateSet, newDefaults: TemplateSet): TemplateSet {
  return mergeTemplateSet(newDefaults, templateChanges(current, oldDefaults));
}

export function hasMatch(group: GroupForm | undefined): boolean {
  return !!group?.match && (group.match.minAge != null || group.match.maxAge != null || !!group.match.sex);
}

/** A new patient group; the first suggestion is the usual one, children under 18 on their own equation. */
export function newGroup(existing: GroupForm[], children = false): GroupForm {
  const base = children ? 'children' : 'group';
  let id = base;
  for (let n = 2; existing.some((g) => g.id === id); n++) id = `${base}${n}`;
  const empty: ChoiceForm = { equation: '', ethnicity: null };
  return {
    id,
    label: '',
    match: children ? { minAge: null, maxAge: 18, sex: '' } : { minAge: null, maxAge: null, sex: '' },
    choices: { spirometry: children ? { equation: 'gli2022', ethnicity: null } : { ...empty }, transfer: { ...empty }, volumes: { ...empty } },
  };
}

/** A server error path ("body.reference.patientGroups.1.id") as a form field name (['reference', 'patientGroups', 1, 'id']). */
export function fieldName(path: string): Array<string | number> {
  return path
    .replace(/^body\./, '')
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
