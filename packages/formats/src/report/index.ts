/**
 * Writers of outgoing report messages: one approved report version (DeliveredReport) in, bytes or a document out.
 * Pure: no I/O, no clock (the caller passes `now`). Import from `@pftis/formats/report/index`.
 */
export type { DeliveredReport, DeliveredResult } from './delivered-report.ts';
export { buildReportOru, hl7Time, DEFAULT_IDENTIFIER_TYPES, type ReportOru, type ReportOruOptions } from '../hl7/report-oru.ts';
export { buildReportFhirBundle, reportIdentifierSystems, type FhirJson, type IdentifierSystemName, type ReportFhirOptions } from '../fhir/report-bundle.ts';
export { buildReportSidecar, reportSidecarContent, SIDECAR_SCHEMA, type ReportSidecar, type SidecarOptions } from './sidecar.ts';
export { reportFileName, checkFileNamePattern, sanitizeFileName, FILE_NAME_PLACEHOLDERS, REVOKED_FILE_SUFFIX, type FileNamePlaceholder } from './file-name.ts';
export {
  buildReportJson,
  buildReportXml,
  checkReportTemplate,
  renderReportTemplate,
  DEFAULT_JSON_TEMPLATE,
  DEFAULT_XML_TEMPLATE,
  ReportTemplateError,
  type ReportDocument,
  type ReportDocumentOptions,
  type TemplateFormat,
} from './template.ts';
export { REPORT_FIELDS, REPORT_LIST_FIELDS, reportFieldScope, type ReportFieldName, type ReportFieldOptions, type ReportFieldScope, type ReportListName } from './fields.ts';
export { PFT_LOINC, PFT_SNOMED, LOINC_PFT_PANEL, type LoincTable, type ParameterLoinc } from './codes.ts';
export { reportControlId, reportMessageId, reportDeliveryKey, revocationKey, deterministicUuid } from './ids.ts';
