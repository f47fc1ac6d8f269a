import {
  DEFAULT_LAB_SETTINGS, defaultTemplates, EQUATION_IDS, EQUATIONS,
  type EquationId, type InterpretationScheme, type LabSettings, type NarrativeTemplates, type NarrativeTemplatesOverride, type ParameterGroup, type ParamId,
} from '@pftis/clinical';
import { z } from 'zod';
import { type LabPatientGroup, PATIENT_GROUP_AGE_MAX } from './patient-group.js';

export const PARAMETER_GROUPS: readonly ParameterGroup[] = ['spirometry', 'transfer', 'volumes'];
export const SCHEMES = ['ats2022', 'china2014'] as const satisfies readonly InterpretationScheme[];
export const GROUP_ZH: Record<ParameterGroup, string> = { spirometry: '肺通气', transfer: '弥散', volumes: '肺容量' };

/** An equation serves a parameter group when it defines that group's key parameter. */
export const KEY_PARAM: Record<ParameterGroup, ParamId> = { spirometry: 'FEV1', transfer: 'TLCO_SI', volumes: 'TLC' };

export function equationsFor(group: ParameterGroup): EquationId[] {
  return EQUATION_IDS.filter((id) => EQUATIONS[id].params.includes(KEY_PARAM[group]));
}

export const NHANES3_ETHNICITIES = ['caucasian', 'african_american', 'mexican_american'] as const;

/** A form's cleared field (null) is the same as an absent one. */
const absentAsUndefined = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v): z.output<T> | undefined => v ?? undefined).optional();

const ethnicity = z.union([z.literal([1, 2, 3, 4, 5]), z.enum(NHANES3_ETHNICITIES)], { error: '人种取值不正确：GLI-2012 为 1–5，NHANES III 为 caucasian、african_american 或 mexican_american' });

/**
 * One equation choice. PFTIS records no ethnicity per patient, so the equations that need one (GLI-2012, NHANES III)
 * need it fixed here; the others take none.
 */
const EquationChoiceSchema = z.object({
  equation: z.enum(EQUATION_IDS as [EquationId, ...EquationId[]], { error: '未知的参考方程' }),
  ethnicity: absentAsUndefined(ethnicity),
});

const age = z.number({ error: '年龄须为数字' }).min(0, '年龄不能小于 0 岁').max(PATIENT_GROUP_AGE_MAX, `年龄不能大于 ${PATIENT_GROUP_AGE_MAX} 岁`);
const MatchSchema = z.object({
  minAge: absentAsUndefined(age),
  maxAge: absentAsUndefined(age),
  sex: absentAsUndefined(z.enum(['male', 'female'], { error: '性别只能是男或女' })),
});

const PatientGroupSchema = z.object({
  id: z.string().trim().regex(/^[a-z0-9_-]{1,32}$/, '分组代码只能包含小写字母、数字、下划线和短横线（最多 32 个字符）'),
  label: z.string().trim().min(1, '请填写分组名称').max(40, '分组名称最多 40 个字'),
  match: MatchSchema.optional(),
  choices: z.object({ spirometry: EquationChoiceSchema.optional(), transfer: EquationChoiceSchema.optional(), volumes: EquationChoiceSchema.optional() }),
});

const PLACEHOLDER = /\{([^{}]*)\}/g;
const placeholdersIn = (text: string) => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);

const DEFAULT_SETS: NarrativeTemplates[] = SCHEMES.flatMap((scheme) => (['zh', 'en'] as const).map((language) => defaultTemplates(scheme, language)));

/** Families of phrases keyed by code (pattern, severity …) and single phrases, as the clinical core's defaults have them. */
const families = [...new Set(DEFAULT_SETS.flatMap((t) => Object.entries(t).filter(([, v]) => typeof v === 'object' && v !== null).map(([k]) => k)))];
const familyKeys = (family: string) => [...new Set(DEFAULT_SETS.flatMap((t) => Object.keys(((t as unknown as Record<string, object>)[family]) ?? {})))];
const phrases = [...new Set(DEFAULT_SETS.flatMap((t) => Object.entries(t).filter(([, v]) => typeof v === 'string').map(([k]) => k)))];
const flags = [...new Set(DEFAULT_SETS.flatMap((t) => Object.entries(t).filter(([, v]) => typeof v === 'boolean').map(([k]) => k)))];

/** The placeholders a phrase may use: those its defaults use ({severity} for every pattern and gas-transfer phrase). */
function allowedPlaceholders(family: string | null, key: string): string[] {
  const texts = DEFAULT_SETS.flatMap((t) => {
    const record = t as unknown as Record<string, unknown>;
    const value = family ? Object.values((record[family] as Record<string, string>) ?? {}) : [record[key]];
    return value.filter((v): v is string => typeof v === 'string');
  });
  return [...new Set(texts.flatMap(placeholdersIn))].sort();
}

/** Phrases that may not be empty: a narrative would lose its clause. */
const NON_EMPTY = new Set(['pattern', 'bdr', 'gasTransfer', 'patternName']);

function phrase(family: string | null, key: string) {
  const allowed = allowedPlaceholders(family, key);
  const allowEmpty = !NON_EMPTY.has(family ?? key);
  const max = family === null && /separator|terminator/i.test(key) ? 10 : 300;
  return z
    .string({ error: '模板须为文字' })
    .max(max, `最多 ${max} 个字`)
    .superRefine((text, ctx) => {
      if (!allowEmpty && text.trim() === '') ctx.addIssue({ code: 'custom', message: '模板不能为空' });
      for (const name of placeholdersIn(text)) {
        if (allowed.includes(name)) continue;
        ctx.addIssue({ code: 'custom', message: allowed.length ? `未知占位符 {${name}}，可用占位符：${allowed.map((a) => `{${a}}`).join(' ')}` : `此处不能使用占位符 {${name}}` });
      }
      if ((text.match(/[{}]/g) ?? []).length !== placeholdersIn(text).length * 2) ctx.addIssue({ code: 'custom', message: '花括号不成对' });
    });
}

/**
 * A lab's narrative templates for one language: any subset of the clinical core's phrases (the rest come from the
 * scheme's defaults). The vocabulary is read from the core's defaults, so phrases it adds are editable here too.
 */
export const TemplatesSchema = z.object({
  ...Object.fromEntries(families.map((family) => [family, z.object(Object.fromEntries(familyKeys(family).map((key) => [key, phrase(family, key).optional()]))).optional()])),
  ...Object.fromEntries(phrases.map((key) => [key, phrase(null, key).optional()])),
  ...Object.fromEntries(flags.map((key) => [key, z.boolean().optional()])),
}) as unknown as z.ZodType<NarrativeTemplatesOverride>;

/** Every phrase key with the placeholders it may use (for the page's hints). */
export const TEMPLATE_PLACEHOLDERS: Record<string, string[]> = Object.fromEntries([
  ...families.map((family) => [family, allowedPlaceholders(family, '')]),
  ...phrases.map((key) => [key, allowedPlaceholders(null, key)]),
]);

/** The lab's clinical settings as stored under clinical.lab: the clinical core's LabSettings, patient groups with match rules. */
export const LabSettingsBody = z
  .object({
    reference: z.object({
      defaults: z.object({ spirometry: EquationChoiceSchema, transfer: EquationChoiceSchema, volumes: EquationChoiceSchema }),
      patientGroups: z.array(PatientGroupSchema).max(20, '患者分组最多 20 个'),
      outOfRange: z.enum(['refuse', 'extrapolate'], { error: '超出适用范围的处理方式只能是拒绝计算或外推并标注' }),
    }),
    interpretation: z.object({
      scheme: z.enum(SCHEMES, { error: '未知的判读方案' }),
      pattern: z.object({
        isolatedLowFev1: z.enum(['prism', 'normal', 'non_specific']),
        lowFvcWithoutTlc: z.enum(['possible_restriction', 'prism']),
      }),
      china2014: absentAsUndefined(z.object({ lowFvcWithObstructionWithoutTlc: z.enum(['mixed', 'obstruction']) })),
      bdrRule: absentAsUndefined(z.enum(['ats2022', 'china2014', 'ats2005'], { error: '未知的支气管舒张试验判断标准' })),
      bdrOperator: absentAsUndefined(z.enum(['>', '>='], { error: '比较方式只能是 > 或 ≥' })),
    }),
    templates: z.object({ zh: TemplatesSchema.optional(), en: TemplatesSchema.optional() }).optional(),
  })
  .superRefine((settings, ctx) => {
    const choice = (c: z.output<typeof EquationChoiceSchema> | undefined, group: ParameterGroup, path: (string | number)[]) => {
      if (!c) return;
      const name = EQUATIONS[c.equation].name;
      if (!equationsFor(group).includes(c.equation)) ctx.addIssue({ code: 'custom', path: [...path, 'equation'], message: `${name} 不适用于${GROUP_ZH[group]}` });
      if (c.equation === 'gli2012') {
        if (!(typeof c.ethnicity === 'number' && Number.isInteger(c.ethnicity) && c.ethnicity >= 1 && c.ethnicity <= 5)) {
          ctx.addIssue({ code: 'custom', path: [...path, 'ethnicity'], message: 'GLI-2012 须指定人种分组 1–5（中国人群一般选 3 东北亚）' });
        }
      } else if (c.equation === 'nhanes3') {
        if (!NHANES3_ETHNICITIES.includes(c.ethnicity as (typeof NHANES3_ETHNICITIES)[number])) {
          ctx.addIssue({ code: 'custom', path: [...path, 'ethnicity'], message: 'NHANES III 须指定人种：白人、非裔美国人或墨西哥裔美国人' });
        }
      } else if (c.ethnicity !== undefined) {
        ctx.addIssue({ code: 'custom', path: [...path, 'ethnicity'], message: `${name} 不区分人种，请不要指定人种` });
      }
    };
    for (const group of PARAMETER_GROUPS) choice(settings.reference.defaults[group], group, ['reference', 'defaults', group]);
    const seen = new Set<string>();
    settings.reference.patientGroups.forEach((g, i) => {
      const path = ['reference', 'patientGroups', i];
      if (seen.has(g.id)) ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `患者分组代码重复：${g.id}` });
      seen.add(g.id);
      for (const group of PARAMETER_GROUPS) choice(g.choices[group], group, [...path, 'choices', group]);
      if (!PARAMETER_GROUPS.some((group) => g.choices[group])) ctx.addIssue({ code: 'custom', path: [...path, 'choices'], message: `患者分组“${g.label || g.id}”未指定任何参考方程` });
      const m = g.match;
      if (m) {
        if (m.minAge === undefined && m.maxAge === undefined && m.sex === undefined) {
          ctx.addIssue({ code: 'custom', path: [...path, 'match'], message: '匹配条件至少须包含年龄范围或性别之一' });
        }
        if (m.minAge !== undefined && m.maxAge !== undefined && !(m.minAge < m.maxAge)) {
          ctx.addIssue({ code: 'custom', path: [...path, 'match', 'maxAge'], message: `年龄范围不正确：起始年龄（${m.minAge} 岁）须小于截止年龄（${m.maxAge} 岁）` });
        }
      }
    });
  });

export type LabSettingsView = z.output<typeof LabSettingsBody>;

// What is stored must stay readable as the clinical core's LabSettings (reports and device import read it so).
const _assignable: (value: LabSettingsView) => LabSettings & { reference: { patientGroups: LabPatientGroup[] } } = (value) => value;
void _assignable;

/** The full default templates of each scheme and language. */
export const TEMPLATE_DEFAULTS = Object.fromEntries(SCHEMES.map((scheme) => [scheme, { zh: defaultTemplates(scheme, 'zh'), en: defaultTemplates(scheme, 'en') }])) as Record<
  (typeof SCHEMES)[number],
  Record<'zh' | 'en', NarrativeTemplates>
>;

export const DEFAULT_LAB_SETTINGS_VIEW: LabSettingsView = { ...DEFAULT_LAB_SETTINGS, templates: TEMPLATE_DEFAULTS[DEFAULT_LAB_SETTINGS.interpretation.scheme as (typeof SCHEMES)[number]] };

export const SAMPLE_IDS = ['obstruction', 'restriction', 'child', 'normal'] as const;
export type SampleId = (typeof SAMPLE_IDS)[number];

export const PreviewBody = z.object({ settings: LabSettingsBody });

const ChoiceView = z.object({
  group: z.enum(['spirometry', 'transfer', 'volumes']),
  equation: z.string(),
  equationVersion: z.string(),
  ethnicity: z.union([z.number(), z.string()]).nullish(),
  source: z.string(),
  patientGroupId: z.string().nullable(),
});

export const PreviewReply = z.array(
  z.object({
    sample: z.enum(SAMPLE_IDS),
    label: z.string(),
    labelEn: z.string(),
    subject: z.object({ sex: z.enum(['male', 'female']), ageYears: z.number(), heightCm: z.number() }),
    values: z.record(z.string(), z.number()),
    patientGroupId: z.string().nullable(),
    equationChoices: z.array(ChoiceView),
    pattern: z.string().nullable(),
    severity: z.string(),
    bdr: z.enum(['positive', 'negative']).nullable(),
    gasTransfer: z.string().nullable(),
    narrative: z.object({ zh: z.string(), en: z.string() }),
  }),
);

export const OptionsReply = z.object({
  equations: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      version: z.string(),
      groups: z.array(z.enum(['spirometry', 'transfer', 'volumes'])),
      ageMin: z.number(),
      ageMax: z.number(),
      ethnicity: z.enum(['gli2012', 'nhanes3']).nullable(),
    }),
  ),
  defaults: LabSettingsBody,
  templateDefaults: z.record(z.enum(SCHEMES), z.object({ zh: TemplatesSchema, en: TemplatesSchema })),
  placeholders: z.record(z.string(), z.array(z.string())),
});
