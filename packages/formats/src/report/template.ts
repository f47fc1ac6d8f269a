/**
 * Report bodies for HTTP web-service targets, shaped by default like an integration platform's report-publish
 * service ("BS320 检查报告发布服务", ../shared/docs/interfaces.md §7.3), and configurable per hospital with a small
 * template language:
 *
 * - `{{field}}` inserts a field of {@link REPORT_FIELDS}, escaped for the template's format: JSON string content
 *   (write it inside quotes: `"requestNo": "{{requestNo}}"`) or XML text / attribute content. Null is ''.
 * - `{{#results}} … {{/results}}` repeats its body per result value, `{{#pages}} … {{/pages}}` per document (the
 *   PDF, or each JPG page; none on a revoke); inside, the item's fields ({@link REPORT_LIST_FIELDS}) and all scalar fields are
 *   available. In JSON templates the repetitions are joined with ',' so a section can sit inside `[ … ]`.
 * - Nothing else: no conditions, no nesting of sections, no raw (unescaped) output.
 *
 * An unknown field or a malformed tag is an error, and so is output that is not well-formed JSON / XML: a
 * template mistake fails the delivery with a clear reason instead of sending garbage to the HIS.
 * {@link checkReportTemplate} finds the same problems when the template is saved.
 */
import { parseXml } from '../xml/tiny-xml.ts';
import { REPORT_FIELDS, REPORT_LIST_FIELDS, type ReportFieldOptions, type ReportFieldScope, type ReportListName, reportFieldScope } from './fields.ts';
import type { DeliveredReport } from './delivered-report.ts';
import { utf8 } from './ids.ts';
import { escapeJsonString, escapeXml } from './text-escape.ts';

export type TemplateFormat = 'json' | 'xml';

export interface ReportDocumentOptions extends ReportFieldOptions {
  /** The body template; empty or absent: {@link DEFAULT_JSON_TEMPLATE} / {@link DEFAULT_XML_TEMPLATE}. */
  template?: string;
}

export interface ReportDocument {
  text: string;
  /** UTF-8. */
  bytes: Uint8Array;
  contentType: string;
}

export class ReportTemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(`report template: ${problems.join('; ')}`);
    this.name = 'ReportTemplateError';
  }
}

type Node = { kind: 'text'; text: string } | { kind: 'field'; name: string } | { kind: 'section'; list: ReportListName; body: Node[] };

const TAG = /\{\{\s*([#/]?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const isList = (name: string): name is ReportListName => Object.hasOwn(REPORT_LIST_FIELDS, name);
const isField = (name: string) => Object.hasOwn(REPORT_FIELDS, name);

function parseTemplate(template: string): { nodes: Node[]; problems: string[] } {
  const problems: string[] = [];
  const root: Node[] = [];
  let current = root;
  let open: ReportListName | null = null;
  let last = 0;
  const literal = (text: string) => {
    if (/\{\{|\}\}/.test(text)) problems.push(`malformed tag near '${text.slice(Math.max(0, text.search(/\{\{|\}\}/)), text.search(/\{\{|\}\}/) + 20)}'`);
    if (text) current.push({ kind: 'text', text });
  };
  for (const match of template.matchAll(TAG)) {
    literal(template.slice(last, match.index));
    last = match.index + match[0].length;
    const [, sigil, name = ''] = match;
    if (sigil === '#') {
      if (!isList(name)) problems.push(`{{#${name}}}: no such list (lists: ${Object.keys(REPORT_LIST_FIELDS).join(', ')})`);
      else if (open) problems.push(`{{#${name}}} inside {{#${open}}}: sections do not nest`);
      else {
        const section: Node = { kind: 'section', list: name, body: [] };
        root.push(section);
        current = section.body;
        open = name;
      }
    } else if (sigil === '/') {
      if (open !== name) problems.push(`{{/${name}}} does not close ${open ? `{{#${open}}}` : 'an open section'}`);
      else {
        current = root;
        open = null;
      }
    } else if (isField(name) || (open && Object.hasOwn(REPORT_LIST_FIELDS[open], name))) {
      current.push({ kind: 'field', name });
    } else {
      const where = open ? `, or inside {{#${open}}}: ${Object.keys(REPORT_LIST_FIELDS[open]).join(', ')}` : '';
      const hint = !open && Object.values(REPORT_LIST_FIELDS).some((fields) => Object.hasOwn(fields, name)) ? ' (a list field: use it inside its section)' : '';
      problems.push(`unknown field {{${name}}}${hint}${where}`);
    }
  }
  literal(template.slice(last));
  if (open) problems.push(`{{#${open}}} is not closed`);
  return { nodes: root, problems };
}

function render(nodes: Node[], scope: ReportFieldScope, format: TemplateFormat, item: Record<string, string> = {}): string {
  const escape = format === 'json' ? escapeJsonString : escapeXml;
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'field') out += escape(item[node.name] ?? scope.fields[node.name] ?? '');
    else out += scope.lists[node.list].map((entry) => render(node.body, scope, format, entry)).join(format === 'json' ? ',' : '');
  }
  return out;
}

function wellFormed(text: string, format: TemplateFormat): string | null {
  if (format === 'json') {
    try {
      JSON.parse(text);
      return null;
    } catch (error) {
      return `the output is not valid JSON (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  const parsed = parseXml(text);
  return parsed.ok ? null : `the output is not well-formed XML (${parsed.reason})`;
}

/** Every field set to `value`, each list with two items: for checking a template's structure. */
function uniformScope(value: string): ReportFieldScope {
  const item = (fields: object) => Object.fromEntries(Object.keys(fields).map((name) => [name, value]));
  return {
    fields: item(REPORT_FIELDS),
    lists: { results: [item(REPORT_LIST_FIELDS.results), item(REPORT_LIST_FIELDS.results)], pages: [item(REPORT_LIST_FIELDS.pages), item(REPORT_LIST_FIELDS.pages)] },
  };
}

/**
 * Whether the template's output is well-formed. JSON: the output itself. XML: the template rendered with plain
 * values, since escaped values cannot break XML (and ../xml/tiny-xml.ts refuses `&lt;` in attribute values, which
 * is well-formed).
 */
function outputProblem(nodes: Node[], output: string, format: TemplateFormat): string | null {
  return format === 'json' ? wellFormed(output, 'json') : wellFormed(render(nodes, uniformScope('x'), 'xml'), 'xml');
}

/** Renders a template with a report's fields; throws {@link ReportTemplateError} on any problem. */
export function renderReportTemplate(template: string, scope: ReportFieldScope, format: TemplateFormat): string {
  const { nodes, problems } = parseTemplate(template);
  if (problems.length) throw new ReportTemplateError(problems);
  const text = render(nodes, scope, format);
  const malformed = outputProblem(nodes, text, format);
  if (malformed) throw new ReportTemplateError([malformed]);
  return text;
}

/**
 * The template's problems, [] when it is usable: unknown fields, malformed or unbalanced tags, and output that
 * would not be well-formed (for JSON checked with every field set to text full of characters that need escaping,
 * and each list with two items).
 */
export function checkReportTemplate(template: string, format: TemplateFormat): string[] {
  if (template.trim() === '') return [];
  const { nodes, problems } = parseTemplate(template);
  if (problems.length) return problems;
  const malformed = outputProblem(nodes, render(nodes, uniformScope(`a"b'c<d>&e\\f\n中文`), format), format);
  return malformed ? [malformed] : [];
}

/**
 * Default JSON body: the BS320 header/body shape with PFTIS's values and the document(s) in base64. A revoke is the
 * same body with `action` 撤回, the `revocationReason`, the withdrawn version's key (`reportId`), version and PDF
 * digests, and `docImages` empty: the document is not sent again.
 */
export const DEFAULT_JSON_TEMPLATE = `{
  "header": {
    "service_id": "{{serviceId}}",
    "date_time": "{{sendTime}}",
    "hospital_id": "{{campusCode}}",
    "apply_unit_id": "{{requestingDepartment}}",
    "exec_unit_id": "",
    "visit_type": "{{visitTypeName}}",
    "send_sys_id": "{{senderId}}",
    "msg_id": "{{messageId}}"
  },
  "body": {
    "versionNo": "{{version}}",
    "action": "{{actionName}}",
    "supersedesVersion": "{{supersedesVersion}}",
    "correctionReason": "{{correctionReason}}",
    "revocationReason": "{{revocationReason}}",
    "examReportLid": "{{reportId}}",
    "reportId": "{{idempotencyKey}}",
    "examNo": "{{accessionNo}}",
    "effectiveTime": "{{approvedAt}}",
    "documentName": "{{itemName}}报告",
    "reportTypeCode": "PF",
    "reportTypeName": "肺功能检查",
    "itemClass": "肺功能",
    "itemCode": "{{itemCode}}",
    "itemName": "{{itemName}}",
    "examDate": "{{examDate}}",
    "patientLid": "{{patientId}}",
    "visitNo": "{{visitNo}}",
    "visitOrdNo": "{{visitSerialNo}}",
    "visitTypeName": "{{visitTypeName}}",
    "outpatientNo": "{{outpatientNo}}",
    "inpatientNo": "{{inpatientNo}}",
    "name": "{{patientName}}",
    "genderCode": "{{sexCode}}",
    "genderName": "{{sexName}}",
    "birthDate": "{{birthDate}}",
    "requestNo": "{{requestNo}}",
    "requestDoctorName": "{{requestingDoctor}}",
    "requestDeptName": "{{requestingDepartment}}",
    "reportDoctors": [{ "date": "{{approvedAt}}", "code": "", "name": "{{reporter}}" }],
    "reviewDoctors": [{ "date": "{{approvedAt}}", "role": "审核医生", "code": "", "name": "{{reviewer}}" }],
    "technician": "{{technician}}",
    "conclusion": "{{conclusion}}",
    "conclusionSummary": "{{conclusionSummary}}",
    "signatureId": "{{signatureSerial}}",
    "verificationUrl": "{{verificationUrl}}",
    "pdfSha256": "{{pdfSha256}}",
    "pdfSm3": "{{pdfSm3}}",
    "results": [{{#results}}
      { "code": "{{localCode}}", "loinc": "{{loinc}}", "name": "{{label}}", "stage": "{{stageName}}", "value": "{{value}}", "unit": "{{unit}}", "predicted": "{{predicted}}", "lln": "{{lln}}", "uln": "{{uln}}", "zScore": "{{zScore}}", "pctPredicted": "{{pctPredicted}}", "flag": "{{flag}}" }{{/results}}
    ],
    "docImages": [{{#pages}}
      { "docImageSeq": "{{pageNo}}", "docImageFormat": "{{documentFormat}}", "docImageContent": "{{pageBase64}}" }{{/pages}}
    ]
  }
}
`;

/** Default XML body: the same content as {@link DEFAULT_JSON_TEMPLATE}. */
export const DEFAULT_XML_TEMPLATE = `<?xml version="1.0" encoding="UTF-8"?>
<message>
  <header>
    <service_id>{{serviceId}}</service_id>
    <date_time>{{sendTime}}</date_time>
    <hospital_id>{{campusCode}}</hospital_id>
    <apply_unit_id>{{requestingDepartment}}</apply_unit_id>
    <exec_unit_id></exec_unit_id>
    <visit_type>{{visitTypeName}}</visit_type>
    <send_sys_id>{{senderId}}</send_sys_id>
    <msg_id>{{messageId}}</msg_id>
  </header>
  <body>
    <versionNo>{{version}}</versionNo>
    <action>{{actionName}}</action>
    <supersedesVersion>{{supersedesVersion}}</supersedesVersion>
    <correctionReason>{{correctionReason}}</correctionReason>
    <revocationReason>{{revocationReason}}</revocationReason>
    <examReportLid>{{reportId}}</examReportLid>
    <reportId>{{idempotencyKey}}</reportId>
    <examNo>{{accessionNo}}</examNo>
    <effectiveTime>{{approvedAt}}</effectiveTime>
    <documentName>{{itemName}}报告</documentName>
    <reportTypeCode>PF</reportTypeCode>
    <reportTypeName>肺功能检查</reportTypeName>
    <itemClass>肺功能</itemClass>
    <itemCode>{{itemCode}}</itemCode>
    <itemName>{{itemName}}</itemName>
    <examDate>{{examDate}}</examDate>
    <patientLid>{{patientId}}</patientLid>
    <visitNo>{{visitNo}}</visitNo>
    <visitOrdNo>{{visitSerialNo}}</visitOrdNo>
    <visitTypeName>{{visitTypeName}}</visitTypeName>
    <outpatientNo>{{outpatientNo}}</outpatientNo>
    <inpatientNo>{{inpatientNo}}</inpatientNo>
    <name>{{patientName}}</name>
    <genderCode>{{sexCode}}</genderCode>
    <genderName>{{sexName}}</genderName>
    <birthDate>{{birthDate}}</birthDate>
    <requestNo>{{requestNo}}</requestNo>
    <requestDoctorName>{{requestingDoctor}}</requestDoctorName>
    <requestDeptName>{{requestingDepartment}}</requestDeptName>
    <reportDoctors><reportDoctor><date>{{approvedAt}}</date><code></code><name>{{reporter}}</name></reportDoctor></reportDoctors>
    <reviewDoctors><reviewDoctor><date>{{approvedAt}}</date><role>审核医生</role><code></code><name>{{reviewer}}</name></reviewDoctor></reviewDoctors>
    <technician>{{technician}}</technician>
    <conclusion>{{conclusion}}</conclusion>
    <conclusionSummary>{{conclusionSummary}}</conclusionSummary>
    <signatureId>{{signatureSerial}}</signatureId>
    <verificationUrl>{{verificationUrl}}</verificationUrl>
    <pdfSha256>{{pdfSha256}}</pdfSha256>
    <pdfSm3>{{pdfSm3}}</pdfSm3>
    <results>{{#results}}
      <result code="{{localCode}}" loinc="{{loinc}}" stage="{{stage}}"><name>{{label}}</name><stageName>{{stageName}}</stageName><value>{{value}}</value><unit>{{unit}}</unit><predicted>{{predicted}}</predicted><lln>{{lln}}</lln><uln>{{uln}}</uln><zScore>{{zScore}}</zScore><pctPredicted>{{pctPredicted}}</pctPredicted><flag>{{flag}}</flag></result>{{/results}}
    </results>
    <docImages>{{#pages}}
      <docImage><docImageSeq>{{pageNo}}</docImageSeq><docImageFormat>{{documentFormat}}</docImageFormat><docImageContent>{{pageBase64}}</docImageContent></docImage>{{/pages}}
    </docImages>
  </body>
</message>
`;

function buildReportDocument(report: DeliveredReport, options: ReportDocumentOptions, format: TemplateFormat): ReportDocument {
  const scope = reportFieldScope(report, options);
  const template = options.template?.trim() ? options.template : format === 'json' ? DEFAULT_JSON_TEMPLATE : DEFAULT_XML_TEMPLATE;
  const text = renderReportTemplate(template, scope, format);
  return { text, bytes: utf8(text), contentType: format === 'json' ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8' };
}

export function buildReportJson(report: DeliveredReport, options: ReportDocumentOptions): ReportDocument {
  return buildReportDocument(report, options, 'json');
}

export function buildReportXml(report: DeliveredReport, options: ReportDocumentOptions): ReportDocument {
  return buildReportDocument(report, options, 'xml');
}
