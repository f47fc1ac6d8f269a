import { isDeepStrictEqual } from 'node:util';
import {
  defaultTemplates, EQUATION_IDS, EQUATIONS, type ExamInput, interpretExam, type LabSettings, mergeTemplates, type NarrativeTemplates, type NarrativeTemplatesOverride,
} from '@pftis/clinical';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { readSetting, writeSetting } from '../../platform/settings.js';
import { LAB_SETTINGS_KEY, LabSettingsSchema } from '../reports/reports.service.js';
import {
  DEFAULT_LAB_SETTINGS_VIEW, equationsFor, KEY_PARAM, type LabSettingsView, PARAMETER_GROUPS, type SampleId, TEMPLATE_DEFAULTS, TEMPLATE_PLACEHOLDERS,
} from './lab-settings.schemas.js';
import { patientGroupFor } from './patient-group.js';

type Executor = Kysely<DB> | Transaction<DB>;

interface Sample {
  id: SampleId;
  label: string;
  labelEn: string;
  exam: ExamInput & { subject: { sex: 'male' | 'female'; ageYears: number; heightCm: number } };
}

/** Sample patients for the live preview of a draft of the settings: every template family and both age groups show up. */
export const SAMPLES: readonly Sample[] = [
  {
    id: 'obstruction', label: '阻塞 + 舒张试验 + 弥散', labelEn: 'Obstruction, bronchodilator, gas transfer',
    exam: { subject: { sex: 'male', ageYears: 62.4, heightCm: 170 }, fev1: 1.75, fvc: 3.6, postFev1: 2.12, postFvc: 3.8, dlcoSi: 5.6, va: 5.0 },
  },
  {
    id: 'restriction', label: '限制（测定肺总量）', labelEn: 'Restriction (TLC measured)',
    exam: { subject: { sex: 'female', ageYears: 45.2, heightCm: 158 }, fev1: 1.85, fvc: 2.15, tlc: 3.3, rv: 1.15, frc: 2.0 },
  },
  { id: 'child', label: '儿童', labelEn: 'Child', exam: { subject: { sex: 'male', ageYears: 10.3, heightCm: 140 }, fev1: 1.95, fvc: 2.25 } },
  { id: 'normal', label: '正常', labelEn: 'Normal', exam: { subject: { sex: 'female', ageYears: 35.6, heightCm: 162 }, fev1: 2.95, fvc: 3.55 } },
];

/** The phrases of `full` that differ from `base`: what a lab overrides of a scheme's default templates (undefined: nothing). */
export function templateOverride(full: NarrativeTemplatesOverride | undefined, base: NarrativeTemplates): NarrativeTemplatesOverride | undefined {
  if (!full) return undefined;
  const baseRecord = base as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(full)) {
    if (value === undefined) continue;
    if (typeof value === 'object' && value !== null) {
      const baseFamily = (baseRecord[key] ?? {}) as Record<string, unknown>;
      const changed = Object.entries(value as Record<string, unknown>).filter(([k, v]) => v !== undefined && baseFamily[k] !== v);
      if (changed.length > 0) out[key] = Object.fromEntries(changed);
    } else if (baseRecord[key] !== value) {
      out[key] = value;
    }
  }
  return Object.keys(out).length > 0 ? (out as NarrativeTemplatesOverride) : undefined;
}

/**
 * What is stored: of the narrative templates only the phrases that differ from the scheme's defaults, so improved
 * defaults (and a change of scheme) reach every phrase the lab did not write itself.
 */
export function toStored(value: LabSettingsView): LabSettings {
  const templates: Record<string, NarrativeTemplatesOverride> = {};
  for (const language of ['zh', 'en'] as const) {
    const override = templateOverride(value.templates?.[language], defaultTemplates(value.interpretation.scheme, language));
    if (override) templates[language] = override;
  }
  // As JSON keeps it (absent, not undefined), so the audit entry shows exactly what is stored.
  return JSON.parse(JSON.stringify({ reference: value.reference, interpretation: value.interpretation, ...(Object.keys(templates).length > 0 && { templates }) })) as LabSettings;
}

/** The settings as the page edits them: both template sets in full (the scheme's defaults under the lab's phrases). */
export function toView(stored: LabSettings): LabSettingsView {
  const scheme = stored.interpretation.scheme;
  return {
    ...stored,
    templates: { zh: mergeTemplates(defaultTemplates(scheme, 'zh'), stored.templates?.zh), en: mergeTemplates(defaultTemplates(scheme, 'en'), stored.templates?.en) },
  } as LabSettingsView;
}

/** Dotted paths (up to three levels deep) whose values differ: what the audit entry says changed. */
export function changedPaths(before: unknown, after: unknown, prefix = '', depth = 3): string[] {
  if (isDeepStrictEqual(before, after)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (depth === 0 || !isObject(before) || !isObject(after)) return [prefix || '(root)'];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.flatMap((key) => changedPaths(before[key], after[key], prefix ? `${prefix}.${key}` : key, depth - 1));
}

export type LabSettingsService = ReturnType<typeof createLabSettingsService>;

/** 判读设置: the lab's reference equations, patient groups, interpretation scheme and narrative templates. */
export function createLabSettingsService({ db, now = () => new Date() }: { db: Kysely<DB>; now?: () => Date }) {
  const stored = (ex: Executor = db): Promise<LabSettings> => readSetting(ex, LAB_SETTINGS_KEY, LabSettingsSchema);

  async function get(): Promise<LabSettingsView> {
    return toView(await stored());
  }

  async function update(actor: AuditActor, value: LabSettingsView): Promise<LabSettingsView> {
    const after = toStored(value);
    await db.transaction().execute(async (trx) => {
      const before = await stored(trx);
      await writeSetting(trx, LAB_SETTINGS_KEY, after, actor.userId);
      await recordAudit(trx, actor, { action: 'clinical.lab-settings-updated', entityType: 'setting', entityId: LAB_SETTINGS_KEY, before, after, detail: { changed: changedPaths(before, after) } }, now());
    });
    return toView(after);
  }

  /** The samples interpreted with a draft of the settings, exactly as a report would be (nothing is saved). */
  function preview(value: LabSettingsView) {
    const lab = toStored(value);
    return SAMPLES.map((sample) => {
      const patientGroupId = patientGroupFor(lab, sample.exam.subject);
      const result = interpretExam({ ...sample.exam, patientGroupId }, lab);
      const { subject, ...values } = sample.exam;
      return {
        sample: sample.id,
        label: sample.label,
        labelEn: sample.labelEn,
        subject,
        values: Object.fromEntries(Object.entries(values).filter((e): e is [string, number] => typeof e[1] === 'number')),
        patientGroupId,
        equationChoices: result.equationChoices.map((c) => ({ group: c.group, equation: c.equation, equationVersion: c.equationVersion, ethnicity: c.ethnicity ?? null, source: c.source, patientGroupId: c.patientGroupId })),
        pattern: result.pattern,
        severity: result.severity,
        bdr: result.bdr?.result ?? null,
        gasTransfer: result.gasTransfer?.category ?? null,
        narrative: result.narrative,
      };
    });
  }

  /** What the page offers: the equations per parameter group with their ranges, and the defaults to go back to. */
  function options() {
    return {
      equations: EQUATION_IDS.map((id) => {
        const definition = EQUATIONS[id];
        const groups = PARAMETER_GROUPS.filter((group) => equationsFor(group).includes(id));
        const range = definition.ageRange(groups[0] ? KEY_PARAM[groups[0]] : definition.params[0]!);
        return {
          id, name: definition.name, version: definition.version, groups, ageMin: range.min, ageMax: range.max,
          ethnicity: id === 'gli2012' || id === 'nhanes3' ? id : null,
        };
      }),
      defaults: DEFAULT_LAB_SETTINGS_VIEW,
      templateDefaults: TEMPLATE_DEFAULTS,
      placeholders: TEMPLATE_PLACEHOLDERS,
    };
  }

  return { get, update, preview, options, stored };
}
