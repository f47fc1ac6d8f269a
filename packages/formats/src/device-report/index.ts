export type { DeviceExtraction, ExtractedMeasurement, ExtractedTrial, Stage, TextItem } from './extraction.ts';
export { emptyExtraction, measurement } from './extraction.ts';
export type { AnchorSpec, ColumnRole, ColumnSpec, ConclusionSpec, DeviceReportTemplate, FieldName, FieldSpec, RowFieldSpec, TableSpec } from './template.ts';
export { applyTemplate, chooseTemplate, scoreTemplates, traceTemplate } from './apply.ts';
export type { ExtractionTrace, TraceBox, TraceSource } from './trace.ts';
export { resolveParam, toCoreUnits, type ParamInfo, type ParamKind } from './params.ts';
export { parseNumber, parseDate, parseTime, normaliseUnit, looksLikeUnit, type DateFormat, type DecimalSeparator, type Parsed } from './values.ts';
export { toLines, type Line, type Word } from './layout.ts';
import { chineseGeneric } from './templates/chinese-generic.ts';
import { easyOneConnectEn } from './templates/easyone-connect-en.ts';
import { fochSentrySuiteFr } from './templates/foch-sentrysuite-fr.ts';
import { sentrySuiteEn } from './templates/sentrysuite-en.ts';

export { chineseGeneric, easyOneConnectEn, fochSentrySuiteFr, sentrySuiteEn };

/** The layouts PFTIS ships; administrators' own versions are stored beside them. */
export const BUILTIN_TEMPLATES = [sentrySuiteEn, easyOneConnectEn, chineseGeneric, fochSentrySuiteFr] as const;
