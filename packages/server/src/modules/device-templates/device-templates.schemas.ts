import type { ColumnRole, DateFormat, DecimalSeparator, DeviceReportTemplate, FieldName } from '@pftis/formats/device-report/index';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// The layout template, as zod: mirrors DeviceReportTemplate (packages/formats/src/device-report/template.ts). The
// type assertions at the bottom of this section fail to compile when the two drift apart.

export const FIELD_NAMES = [
  'name', 'lastName', 'firstName', 'patientId', 'sex', 'birthDate', 'age', 'heightCm', 'weightKg',
  'accessionNo', 'requestNo', 'outpatientSerial', 'inpatientSerial',
  'testDate', 'testTime', 'testDateTime', 'operator', 'device', 'deviceSerial', 'qualityGrade', 'testType',
] as const satisfies readonly FieldName[];
export const ROW_FIELD_NAMES = ['testDate', 'testTime', 'testDateTime', 'qualityGrade', 'operator'] as const satisfies readonly FieldName[];
export const COLUMN_ROLES = [
  'param', 'unit', 'predicted', 'lln', 'uln', 'pre', 'pctPred', 'z', 'post', 'postPctPred', 'postZ', 'changePct', 'change', 'ignore',
] as const satisfies readonly ColumnRole[];
export const DATE_FORMATS = ['DD.MM.YY', 'DD.MM.YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY', 'YYYY-MM-DD', 'YYYY/MM/DD', 'YYYY年MM月DD日', 'YYYYMMDD'] as const satisfies readonly DateFormat[];
export const DECIMAL_SEPARATORS = ['.', ','] as const satisfies readonly DecimalSeparator[];

const text = (max = 200) => z.string().trim().min(1, '不能为空').max(max, `不能超过 ${max} 个字符`);
const texts = (what: string) => z.array(text()).min(1, `至少需要一个${what}`).max(50);
const optionalTexts = z.array(text()).max(50).optional();

const regex = z
  .string()
  .max(500)
  .refine((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, '不是有效的正则表达式');

export const FieldSpecSchema = z.strictObject({
  field: z.enum(FIELD_NAMES, { message: `字段名应为 ${FIELD_NAMES.join('、')} 之一` }),
  labels: texts('标签'),
  position: z.enum(['right', 'below']).optional(),
  dateFormat: z.enum(DATE_FORMATS, { message: `日期格式应为 ${DATE_FORMATS.join('、')} 之一` }).optional(),
  values: z.record(z.string().min(1).max(50), z.enum(['M', 'F']).nullable()).optional(),
  exact: z.boolean().optional(),
});

export const ColumnSpecSchema = z
  .strictObject({
    role: z.enum(COLUMN_ROLES, { message: `列角色应为 ${COLUMN_ROLES.join('、')} 之一` }),
    headers: z.array(text()).max(50),
    pattern: regex.optional(),
    repeat: z.boolean().optional(),
  });

export const RowFieldSpecSchema = z.strictObject({
  labels: texts('行标签'),
  field: z.enum(ROW_FIELD_NAMES, { message: `行字段应为 ${ROW_FIELD_NAMES.join('、')} 之一` }),
  column: z.enum(COLUMN_ROLES).optional(),
});

export const TableSpecSchema = z
  .strictObject({
    columns: z.array(ColumnSpecSchema).min(1, '至少需要一列').max(60),
    minColumns: z.number().int().min(1).max(60).optional(),
    after: optionalTexts,
    end: optionalTexts,
    rowFields: z.array(RowFieldSpecSchema).max(20).optional(),
    decimal: z.enum(DECIMAL_SEPARATORS).optional(),
    optional: z.boolean().optional(),
  })
  .refine((t) => t.columns.some((c) => c.headers.length > 0 || c.pattern), { message: '至少一列需要表头文字或正则，否则找不到表头行', path: ['columns'] });

export const ConclusionSpecSchema = z.strictObject({
  start: texts('起始文字'),
  end: optionalTexts,
  maxLines: z.number().int().min(1).max(200).optional(),
});

export const AnchorSpecSchema = z.strictObject({
  text: text(),
  weight: z.number().positive('权重须大于 0').max(100).optional(),
});

export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;
export const TemplateName = z.string().regex(TEMPLATE_NAME, '模板名称只能含小写字母、数字、点、横线和下划线（2–64 个字符）');

export const TemplateSchema = z.strictObject({
  name: TemplateName,
  version: z.number().int().min(1),
  vendor: text(),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, '语言应为 BCP 47 代码，如 zh、en、fr'),
  description: z.string().max(2000).optional(),
  decimal: z.enum(DECIMAL_SEPARATORS, { message: '小数点应为 "." 或 ","' }),
  dateFormat: z.enum(DATE_FORMATS, { message: `日期格式应为 ${DATE_FORMATS.join('、')} 之一` }),
  anchors: z.array(AnchorSpecSchema).min(1, '至少需要一个锚点（用于识别版式）').max(50),
  minScore: z.number().min(0).max(1).optional(),
  fields: z.array(FieldSpecSchema).max(60),
  tables: z.array(TableSpecSchema).max(10),
  conclusion: ConclusionSpecSchema.optional(),
  testType: z.string().max(50).optional(),
});

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// Compile-time: the schema's output is exactly the engine's template type.
const sameShape: Equal<z.output<typeof TemplateSchema>, DeviceReportTemplate> = true;
void sameShape;

// ---------------------------------------------------------------------------------------------------------------
// Requests

export const NameParams = z.object({ name: TemplateName });
export const VersionParams = z.object({ name: TemplateName, version: z.coerce.number().int().min(1) });

export const SaveBody = z.object({
  /** The template; its name and version are set by the server (the URL's name, the next version number). */
  template: z.unknown(),
  comment: z.string().trim().max(200).default(''),
  /** Make the new version the enabled one at once (default). */
  enable: z.boolean().default(true),
});
export const RollbackBody = z.object({ version: z.number().int().min(1) });
export const EnabledBody = z.object({ enabled: z.boolean() });

export const TextItemSchema = z.object({
  page: z.number().int().min(1).max(1000),
  text: z.string().max(4000),
  x: z.number(),
  y: z.number(),
  width: z.number(),
  height: z.number(),
  confidence: z.number().min(0).max(100).optional(),
});
export const PageSchema = z.object({ page: z.number().int().min(1), width: z.number().positive(), height: z.number().positive() });

export const TryQuery = z.object({
  /** A template to read with; default: the one chooseTemplate picks among the active ones. */
  name: TemplateName.optional(),
  /** A saved (or the built-in) version of that template; default: its active version. */
  version: z.coerce.number().int().min(1).optional(),
});

/** Re-reads a sample's text (as returned by the upload) with a template being edited, unsaved. */
export const TryDraftBody = z.object({
  format: z.enum(['pdf', 'image']),
  pages: z.array(PageSchema).max(1000),
  items: z.array(TextItemSchema).max(50_000),
  template: z.unknown(),
});

// ---------------------------------------------------------------------------------------------------------------
// Replies

const Box = z.object({ page: z.number(), x: z.number(), y: z.number(), width: z.number(), height: z.number(), text: z.string() });
/** Where a value came from: the text items (indexes into `items`) and the word boxes within them. */
const Source = z.object({ items: z.array(z.number()), boxes: z.array(Box) });

export const TraceSchema = z.object({
  anchors: z.array(z.object({ text: z.string(), found: z.boolean(), source: Source })),
  fields: z.array(z.object({ field: z.string(), text: z.string(), from: z.enum(['label', 'table']), label: Source, value: Source })),
  tables: z.array(z.object({ table: z.number(), header: Source, found: z.boolean() })),
  /** One per extracted measurement, in the same order as extraction.measurements. */
  measurements: z.array(z.object({ label: Source, cells: z.record(z.string(), Source) })),
  conclusion: z.object({ start: Source, text: Source }).nullable(),
});

export const ScoreSchema = z.object({
  name: z.string(),
  version: z.number(),
  source: z.enum(['builtin', 'saved', 'draft']),
  score: z.number(),
  minScore: z.number(),
  fits: z.boolean(),
  missing: z.array(z.string()),
});

export const TryReply = z.object({
  format: z.enum(['pdf', 'image']),
  sha256: z.string().nullable(),
  /** Why no text could be read (a broken file, OCR unavailable), null when read. */
  reason: z.string().nullable(),
  pages: z.array(PageSchema),
  items: z.array(TextItemSchema),
  template: z.object({ name: z.string(), version: z.number(), source: z.enum(['builtin', 'saved', 'draft']) }).nullable(),
  chosen: z.string().nullable(),
  extraction: z.record(z.string(), z.unknown()).nullable(),
  trace: TraceSchema.nullable(),
  scores: z.array(ScoreSchema),
  seconds: z.number(),
});

const VersionView = z.object({
  version: z.number(),
  builtin: z.boolean(),
  enabled: z.boolean(),
  /** This version is what imports use now. */
  active: z.boolean(),
  comment: z.string(),
  createdByName: z.string(),
  createdAt: z.string().nullable(),
  template: z.record(z.string(), z.unknown()),
  diff: z.array(z.object({ kind: z.enum(['same', 'added', 'removed']), text: z.string() })),
});

export const TemplateSummary = z.object({
  name: z.string(),
  vendor: z.string(),
  language: z.string(),
  description: z.string().nullable(),
  builtin: z.boolean(),
  /** Where the active template comes from; null when no version is active (all saved versions disabled, no built-in). */
  activeSource: z.enum(['builtin', 'saved']).nullable(),
  activeVersion: z.number().nullable(),
  latestVersion: z.number(),
  savedVersions: z.number(),
  updatedAt: z.string().nullable(),
});
export const TemplateList = z.array(TemplateSummary);

export const TemplateDetail = TemplateSummary.extend({
  active: z.record(z.string(), z.unknown()).nullable(),
  /** Newest first; the built-in (when there is one) is the oldest entry. */
  versions: z.array(VersionView),
});

export const VersionReply = z.object({ name: z.string(), version: z.number() });
