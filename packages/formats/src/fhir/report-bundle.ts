/**
 * FHIR R4 transaction Bundle for one approved report version (../shared/docs/interfaces.md §3): Patient,
 * Observations and the DiagnosticReport with the signed PDF, as plain JSON.
 *
 * Idempotency: every created resource carries an identifier derived from the version's idempotency key and is
 * POSTed with `ifNoneExist` on it, so a repeated POST of the same bundle creates nothing new; the Patient is created
 * only if none has its HIS identifier (conditional create). fullUrls are `urn:uuid:` v5 UUIDs of the key, the same
 * at every retry. The ServiceRequest (申请单号) and the Encounter (就诊流水号) are referenced by identifier (logical
 * references): PFTIS does not own them.
 *
 * Observations follow the MII pattern (§3.3): one Observation per parameter and stage, the measured value in
 * valueQuantity (UCUM), `referenceRange` low = LLN / high = ULN, `interpretation` L/H/N, and components for
 * predicted (LOINC where one exists + local code), z-score (SNOMED 1078210003 + local code, UCUM {Zscore}) and %
 * predicted (LOINC where one exists + local code). The stage is in the local code (`FEV1` / `FEV1_POST`) and the text.
 *
 * A replacement is a new DiagnosticReport with status `corrected`; it names the version it supersedes in an
 * extension, since R4 DiagnosticReport has no element for that. The superseded DiagnosticReport is not touched.
 *
 * A revoke (the version was sent in error, e.g. for the wrong patient) marks that version's resources
 * `entered-in-error`: the DiagnosticReport and each Observation are conditional updates by their identifier
 * (`PUT DiagnosticReport?identifier=<report-version system>|<key>`, `PUT Observation?identifier=…`) carrying the same
 * content as the publication with the status changed, so the server keeps everything but the status; the PDF is not
 * sent again (presentedForm keeps its contentType, size, hash, title and creation, without `data`); the reason is
 * in the extension `<systemBase>/StructureDefinition/revocation-reason` (valueString). The Patient entry is the same
 * conditional create as before (left out when the patient has no HIS identifier, so that nothing new is created; the
 * subject is then the name alone). A repeat sets the same status again: nothing new is created. R4 has
 * `entered-in-error` for both resources ("should never have existed"); `cancelled` would say the work was not done.
 */
import {
  BDR_TEXT,
  LOINC_PFT_PANEL,
  type LoincTable,
  PATTERN_TEXT,
  PFT_LOINC,
  PFT_SNOMED,
  SEVERITY_TEXT,
  SNOMED_Z_SCORE,
  UCUM_Z_SCORE,
  type DerivedKind,
  abnormalFlag,
  localCode,
  loincFor,
  resultText,
} from '../report/codes.ts';
import type { DeliveredReport, DeliveredResult } from '../report/delivered-report.ts';
import { deterministicUuid, reportDeliveryKey, sha1Base64, toBase64 } from '../report/ids.ts';

export type FhirJson = Record<string, unknown>;

export type IdentifierSystemName =
  | 'hisPatientId'
  | 'outpatientNo'
  | 'inpatientNo'
  | 'requestNo'
  | 'accessionNo'
  | 'visitSerialNo'
  | 'report'
  | 'reportVersion'
  | 'observation';

export interface ReportFhirOptions {
  /** Bundle.timestamp. */
  now: Date;
  /**
   * Namespace of PFTIS's own identifier systems, code systems and extensions: a stable URI the hospital owns, e.g.
   * `https://pftis.example-hospital.cn/fhir`; default `urn:pftis`. Not the receiving server's URL: the identifiers
   * are the idempotency keys, so they must never change.
   */
  systemBase?: string;
  /** Overrides of single identifier systems (e.g. the HIS's patient-id system). */
  identifierSystems?: Partial<Record<IdentifierSystemName, string>>;
  /** LOINC codes per parameter, merged over {@link PFT_LOINC}. */
  loinc?: LoincTable;
}

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';
const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const REFERENCE_RANGE_MEANING = 'http://terminology.hl7.org/CodeSystem/referencerange-meaning';
const INTERPRETATION_DISPLAY = { L: 'Low', H: 'High', N: 'Normal' } as const;

/** Joins a namespace and a name: `urn:pftis` + `sid/x` → `urn:pftis:sid:x`; `https://h/fhir` → `https://h/fhir/sid/x`. */
function underBase(base: string, path: string): string {
  const trimmed = base.replace(/[/:]+$/, '');
  return /^urn:/i.test(trimmed) ? `${trimmed}:${path.replace(/\//g, ':')}` : `${trimmed}/${path}`;
}

/**
 * Identifier systems. 门(急)诊号, 住院号 and 电子申请单编号 use the WS/T 500 identifier OIDs (interfaces.md §7.4);
 * the others live under `systemBase`.
 */
export function reportIdentifierSystems(options: Pick<ReportFhirOptions, 'systemBase' | 'identifierSystems'> = {}): Record<IdentifierSystemName, string> {
  const base = options.systemBase ?? 'urn:pftis';
  return {
    hisPatientId: underBase(base, 'sid/his-patient-id'),
    outpatientNo: 'urn:oid:2.16.156.10011.1.11',
    inpatientNo: 'urn:oid:2.16.156.10011.1.12',
    requestNo: 'urn:oid:2.16.156.10011.1.24',
    accessionNo: underBase(base, 'sid/accession-no'),
    visitSerialNo: underBase(base, 'sid/visit-serial-no'),
    report: underBase(base, 'sid/report'),
    reportVersion: underBase(base, 'sid/report-version'),
    observation: underBase(base, 'sid/observation'),
    ...options.identifierSystems,
  };
}

/** The search that finds a resource by one identifier: `identifier=system|value`, URL-encoded. */
function identifierSearch(system: string, value: string): string {
  return `identifier=${encodeURIComponent(system)}|${encodeURIComponent(value)}`;
}

export function buildReportFhirBundle(report: DeliveredReport, options: ReportFhirOptions): FhirJson {
  const base = options.systemBase ?? 'urn:pftis';
  const systems = reportIdentifierSystems(options);
  const loinc: LoincTable = { ...PFT_LOINC, ...options.loinc };
  const parameterSystem = underBase(base, 'CodeSystem/pft-parameter');
  const itemSystem = underBase(base, 'CodeSystem/his-item');
  const conclusionSystem = underBase(base, 'CodeSystem/pft-conclusion');
  const key = report.idempotencyKey;
  const urn = (role: string) => `urn:uuid:${deterministicUuid(`${key}/${role}`)}`;
  const corrected = report.action === 'replace';
  const revoke = report.action === 'revoke';
  const { patient, order } = report;

  // Patient: conditional create on the first identifier the HIS gave.
  const patientIdentifiers = [
    { system: systems.hisPatientId, value: patient.hisPatientId, type: 'PI', text: '病人ID' },
    { system: systems.outpatientNo, value: patient.outpatientNo, type: null, text: '门诊号' },
    { system: systems.inpatientNo, value: patient.inpatientNo, type: null, text: '住院号' },
  ].filter((i): i is { system: string; value: string; type: string | null; text: string } => typeof i.value === 'string' && i.value.trim() !== '');
  const patientUrl = urn('patient');
  const patientResource: FhirJson = {
    resourceType: 'Patient',
    identifier: patientIdentifiers.map((i) => ({
      use: 'usual',
      type: i.type ? { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: i.type }], text: i.text } : { text: i.text },
      system: i.system,
      value: i.value,
    })),
    name: [{ use: 'official', text: patient.name }],
    gender: patient.sex,
    birthDate: patient.birthDate,
  };
  const firstIdentifier = patientIdentifiers[0];
  // A revoke must not create a second Patient when there is no identifier to match the first one by.
  const withPatient = !revoke || firstIdentifier !== undefined;
  const entries: FhirJson[] = withPatient
    ? [
        {
          fullUrl: patientUrl,
          resource: patientResource,
          request: { method: 'POST', url: 'Patient', ...(firstIdentifier ? { ifNoneExist: identifierSearch(firstIdentifier.system, firstIdentifier.value) } : {}) },
        },
      ]
    : [];

  const subject = withPatient ? { reference: patientUrl, display: patient.name } : { display: patient.name };
  /** POST with ifNoneExist; on a revoke a conditional update (PUT Type?identifier=…) of the same resource. */
  const request = (type: string, system: string, value: string) =>
    revoke ? { method: 'PUT', url: `${type}?${identifierSearch(system, value)}` } : { method: 'POST', url: type, ifNoneExist: identifierSearch(system, value) };
  const basedOn = order.requestNo ? [{ type: 'ServiceRequest', identifier: { system: systems.requestNo, value: order.requestNo }, display: order.itemName }] : undefined;
  const encounter = order.visitSerialNo ? { type: 'Encounter', identifier: { system: systems.visitSerialNo, value: order.visitSerialNo } } : undefined;
  const status = revoke ? 'entered-in-error' : corrected ? 'corrected' : 'final';
  const reportHasPost = report.results.some((r) => r.stage === 'post' && r.value !== null);

  const concept = (result: DeliveredResult, kind: DerivedKind): FhirJson => {
    const code = loincFor(loinc, result.param, kind);
    const snomed = kind === 'measured' && !code && Object.hasOwn(PFT_SNOMED, result.param) ? PFT_SNOMED[result.param] : undefined;
    const coding: FhirJson[] = [];
    if (code) coding.push({ system: LOINC, code });
    if (snomed) coding.push({ system: SNOMED, code: snomed });
    if (kind === 'zScore') coding.push({ system: SNOMED, ...SNOMED_Z_SCORE });
    coding.push({ system: parameterSystem, code: localCode(result.param, result.stage, kind), display: resultText(result, kind, reportHasPost) });
    return { coding, text: resultText(result, kind, reportHasPost) };
  };
  const quantity = (value: number, unit: string): FhirJson => ({ value, unit, system: UCUM, code: unit });

  const resultRefs: FhirJson[] = [];
  for (const result of report.results) {
    if (result.value === null) continue;
    const code = localCode(result.param, result.stage, 'measured');
    const fullUrl = urn(`observation/${code}`);
    const identifierValue = `${key}/${code}`;
    const flag = abnormalFlag(result);
    const components: FhirJson[] = [];
    if (result.predicted !== null) components.push({ code: concept(result, 'predicted'), valueQuantity: quantity(result.predicted, result.unit) });
    if (result.zScore !== null) components.push({ code: concept(result, 'zScore'), valueQuantity: { value: result.zScore, unit: 'Z-score', system: UCUM, code: UCUM_Z_SCORE } });
    if (result.pctPredicted !== null) components.push({ code: concept(result, 'percentPredicted'), valueQuantity: quantity(result.pctPredicted, '%') });
    const observation: FhirJson = {
      resourceType: 'Observation',
      identifier: [{ system: systems.observation, value: identifierValue }],
      ...(basedOn ? { basedOn } : {}),
      status,
      category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'procedure', display: 'Procedure' }] }],
      code: concept(result, 'measured'),
      subject,
      ...(encounter ? { encounter } : {}),
      effectiveDateTime: order.examDate,
      issued: report.approvedAt,
      ...(report.technician ? { performer: [{ type: 'Practitioner', display: report.technician }] } : {}),
      valueQuantity: quantity(result.value, result.unit),
      ...(flag ? { interpretation: [{ coding: [{ system: INTERPRETATION, code: flag, display: INTERPRETATION_DISPLAY[flag] }] }] } : {}),
      ...(result.lln !== null || result.uln !== null
        ? {
            referenceRange: [
              {
                ...(result.lln !== null ? { low: quantity(result.lln, result.unit) } : {}),
                ...(result.uln !== null ? { high: quantity(result.uln, result.unit) } : {}),
                type: { coding: [{ system: REFERENCE_RANGE_MEANING, code: 'normal', display: 'Normal Range' }], text: '正常值范围（LLN–ULN）' },
              },
            ],
          }
        : {}),
      ...(components.length ? { component: components } : {}),
    };
    entries.push({
      fullUrl,
      resource: observation,
      request: request('Observation', systems.observation, identifierValue),
    });
    resultRefs.push({ reference: fullUrl });
  }

  const conclusionCode: FhirJson[] = [];
  const { pattern, severity, bdr } = report.conclusion;
  if (pattern) conclusionCode.push({ coding: [{ system: conclusionSystem, code: `pattern-${pattern}`, ...(PATTERN_TEXT[pattern] ? { display: PATTERN_TEXT[pattern] } : {}) }], text: PATTERN_TEXT[pattern] ?? pattern });
  if (severity) conclusionCode.push({ coding: [{ system: conclusionSystem, code: `severity-${severity}`, ...(SEVERITY_TEXT[severity] ? { display: SEVERITY_TEXT[severity] } : {}) }], text: SEVERITY_TEXT[severity] ?? severity });
  if (bdr) conclusionCode.push({ coding: [{ system: conclusionSystem, code: `bdr-${bdr}`, display: BDR_TEXT[bdr] }], text: BDR_TEXT[bdr] });

  const extension: FhirJson[] = [];
  if (corrected && report.supersedesVersion !== null) {
    extension.push({ url: underBase(base, 'StructureDefinition/supersedes'), valueIdentifier: { system: systems.reportVersion, value: `${report.reportId}:${report.supersedesVersion}` } });
  }
  if (revoke && report.revocationReason?.trim()) {
    extension.push({ url: underBase(base, 'StructureDefinition/revocation-reason'), valueString: report.revocationReason.trim() });
  }
  const diagnosticReport: FhirJson = {
    resourceType: 'DiagnosticReport',
    ...(extension.length ? { extension } : {}),
    identifier: [
      { use: 'official', system: systems.reportVersion, value: key },
      { use: 'secondary', system: systems.report, value: report.reportId },
      { use: 'secondary', system: systems.accessionNo, value: order.accessionNo },
    ],
    ...(basedOn ? { basedOn } : {}),
    status,
    category: [{ coding: [{ system: V2_0074, code: 'PF', display: 'Pulmonary Function' }] }],
    code: {
      coding: [
        { system: LOINC, ...LOINC_PFT_PANEL },
        ...(order.itemCode ? [{ system: itemSystem, code: order.itemCode, display: order.itemName }] : []),
      ],
      text: order.itemName,
    },
    subject,
    ...(encounter ? { encounter } : {}),
    effectiveDateTime: order.examDate,
    issued: report.approvedAt,
    performer: [
      { type: 'Organization', display: `${report.hospital.name} ${report.hospital.campusName}`.trim() },
      ...(report.technician ? [{ type: 'Practitioner', display: report.technician }] : []),
    ],
    resultsInterpreter: [
      { type: 'Practitioner', display: report.reviewer },
      ...(report.reporter && report.reporter !== report.reviewer ? [{ type: 'Practitioner', display: report.reporter }] : []),
    ],
    result: resultRefs,
    ...(report.conclusion.text.trim() ? { conclusion: report.conclusion.text.trim() } : {}),
    ...(conclusionCode.length ? { conclusionCode } : {}),
    presentedForm: [
      {
        contentType: 'application/pdf',
        language: 'zh-CN',
        ...(revoke ? {} : { data: toBase64(report.pdf.bytes) }),
        size: report.pdf.bytes.byteLength,
        hash: sha1Base64(report.pdf.bytes),
        title: `${order.itemName}报告（第 ${report.version} 版）`,
        creation: report.approvedAt,
      },
    ],
  };
  entries.push({
    fullUrl: urn('diagnostic-report'),
    resource: diagnosticReport,
    request: request('DiagnosticReport', systems.reportVersion, key),
  });

  return {
    resourceType: 'Bundle',
    identifier: { system: underBase(base, 'sid/bundle'), value: reportDeliveryKey(report) },
    type: 'transaction',
    timestamp: options.now.toISOString(),
    entry: entries,
  };
}
