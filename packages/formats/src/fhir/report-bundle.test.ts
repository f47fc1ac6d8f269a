import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleDeliveredReport } from '../report/fixtures.ts';
import { toBase64 } from '../report/ids.ts';
import { buildReportFhirBundle } from './report-bundle.ts';

// Test access into plain JSON; the writer's own types are checked by tsc.
type Json = Record<string, any>;

const now = new Date('2026-11-25T07:30:00Z');
const bundleOf = (report = sampleDeliveredReport(), options: Partial<Parameters<typeof buildReportFhirBundle>[1]> = {}) =>
  buildReportFhirBundle(report, { now, ...options }) as Json;
const resources = (bundle: Json, type: string): Json[] => bundle.entry.filter((e: Json) => e.resource.resourceType === type).map((e: Json) => e.resource);
const codes = (concept: Json) => concept.coding.map((c: Json) => `${c.system}|${c.code}`);

/** Every `reference` string anywhere in the value. */
function references(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => references(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'reference' && typeof v === 'string') found.push(v);
      else references(v, found);
    }
  }
  return found;
}

/** R4 element names (http://hl7.org/fhir/R4) of the resources the bundle uses: catches misspelt elements. */
const R4_ELEMENTS: Record<string, string[]> = {
  Bundle: ['resourceType', 'id', 'meta', 'implicitRules', 'language', 'identifier', 'type', 'timestamp', 'total', 'link', 'entry', 'signature'],
  Patient: ['resourceType', 'id', 'meta', 'text', 'extension', 'identifier', 'active', 'name', 'telecom', 'gender', 'birthDate', 'deceasedBoolean', 'address', 'maritalStatus', 'contact', 'communication', 'generalPractitioner', 'managingOrganization', 'link'],
  Observation: ['resourceType', 'id', 'meta', 'text', 'extension', 'identifier', 'basedOn', 'partOf', 'status', 'category', 'code', 'subject', 'focus', 'encounter', 'effectiveDateTime', 'issued', 'performer', 'valueQuantity', 'dataAbsentReason', 'interpretation', 'note', 'bodySite', 'method', 'specimen', 'device', 'referenceRange', 'hasMember', 'derivedFrom', 'component'],
  DiagnosticReport: ['resourceType', 'id', 'meta', 'text', 'extension', 'identifier', 'basedOn', 'status', 'category', 'code', 'subject', 'encounter', 'effectiveDateTime', 'issued', 'performer', 'resultsInterpreter', 'specimen', 'result', 'imagingStudy', 'media', 'conclusion', 'conclusionCode', 'presentedForm'],
};
const ENTRY_ELEMENTS = ['fullUrl', 'resource', 'request'];
const REQUEST_ELEMENTS = ['method', 'url', 'ifNoneMatch', 'ifModifiedSince', 'ifMatch', 'ifNoneExist'];
const ATTACHMENT_ELEMENTS = ['contentType', 'language', 'data', 'url', 'size', 'hash', 'title', 'creation'];

describe('buildReportFhirBundle', () => {
  it('is a transaction of Patient, one Observation per value, and the DiagnosticReport, with R4 element names only', () => {
    const report = sampleDeliveredReport();
    const bundle = bundleOf(report);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'transaction', timestamp: '2026-11-25T07:30:00.000Z' });
    expect(bundle.entry.map((e: Json) => e.resource.resourceType)).toEqual(['Patient', ...report.results.map(() => 'Observation'), 'DiagnosticReport']);
    expect(Object.keys(bundle).every((k) => R4_ELEMENTS.Bundle!.includes(k))).toBe(true);
    for (const entry of bundle.entry as Json[]) {
      expect(Object.keys(entry).every((k) => ENTRY_ELEMENTS.includes(k))).toBe(true);
      expect(Object.keys(entry.request).every((k) => REQUEST_ELEMENTS.includes(k))).toBe(true);
      const type = entry.resource.resourceType as string;
      expect(Object.keys(entry.resource).filter((k) => !R4_ELEMENTS[type]!.includes(k)), type).toEqual([]);
      expect(entry.request).toMatchObject({ method: 'POST', url: type });
      expect(entry.request.ifNoneExist).toMatch(/^identifier=[^|&]+\|[^|&]+$/);
      expect(entry.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(bundle.entry.map((e: Json) => e.fullUrl)).size).toBe(bundle.entry.length);
    // Plain JSON: nothing undefined, nothing that does not survive serialisation.
    expect(JSON.parse(JSON.stringify(bundle))).toEqual(bundle);
  });

  it('resolves every reference within the bundle', () => {
    const bundle = bundleOf();
    const fullUrls = new Set(bundle.entry.map((e: Json) => e.fullUrl));
    const refs = references(bundle);
    expect(refs.length).toBeGreaterThan(bundle.entry.length);
    expect(refs.filter((r) => !fullUrls.has(r))).toEqual([]);
    const [report] = resources(bundle, 'DiagnosticReport');
    const observationUrls = bundle.entry.filter((e: Json) => e.resource.resourceType === 'Observation').map((e: Json) => e.fullUrl);
    expect(report!.result.map((r: Json) => r.reference)).toEqual(observationUrls);
    const patientUrl = bundle.entry[0].fullUrl;
    expect([report!, ...resources(bundle, 'Observation')].every((r) => r.subject.reference === patientUrl)).toBe(true);
  });

  it('is idempotent: the same fullUrls and identifiers at every retry, conditional creates on them; a new version differs', () => {
    const a = bundleOf();
    const b = bundleOf(sampleDeliveredReport(), { now: new Date('2026-11-26T00:00:00Z') });
    expect(b.entry).toEqual(a.entry);
    const [report] = resources(a, 'DiagnosticReport');
    expect(report!.identifier[0]).toEqual({ use: 'official', system: 'urn:pftis:sid:report-version', value: '3f6d2a9e-8c41-4b7a-9e25-1d0c7b5a4e63:1' });
    expect(a.entry.at(-1).request.ifNoneExist).toBe('identifier=urn%3Apftis%3Asid%3Areport-version|3f6d2a9e-8c41-4b7a-9e25-1d0c7b5a4e63%3A1');
    expect(a.entry[0].request.ifNoneExist).toBe('identifier=urn%3Apftis%3Asid%3Ahis-patient-id|P000123456');
    const observation = a.entry[1];
    expect(observation.request.ifNoneExist).toBe(`identifier=${encodeURIComponent(observation.resource.identifier[0].system)}|${encodeURIComponent(observation.resource.identifier[0].value)}`);
    const v2 = bundleOf(sampleDeliveredReport({ version: 2, action: 'replace' }));
    const urls = new Set(a.entry.map((e: Json) => e.fullUrl));
    expect(v2.entry.filter((e: Json) => urls.has(e.fullUrl))).toEqual([]);
    // Identifier systems can live under the hospital's own namespace.
    const owned = bundleOf(sampleDeliveredReport(), { systemBase: 'https://pftis.jiangnan-hospital.example/fhir/' });
    expect(resources(owned, 'DiagnosticReport')[0]!.identifier[0].system).toBe('https://pftis.jiangnan-hospital.example/fhir/sid/report-version');
  });

  it('writes the Patient with its HIS identifiers and the order and visit as logical references', () => {
    const bundle = bundleOf(sampleDeliveredReport({ patient: { inpatientNo: 'ZY0098123' } }));
    const [patient] = resources(bundle, 'Patient');
    expect(patient).toMatchObject({ name: [{ use: 'official', text: '张伟' }], gender: 'male', birthDate: '1970-03-08' });
    expect(patient!.identifier.map((i: Json) => [i.system, i.value])).toEqual([
      ['urn:pftis:sid:his-patient-id', 'P000123456'],
      ['urn:oid:2.16.156.10011.1.11', 'MZ2026112537'],
      ['urn:oid:2.16.156.10011.1.12', 'ZY0098123'],
    ]);
    const [report] = resources(bundle, 'DiagnosticReport');
    expect(report!.basedOn).toEqual([{ type: 'ServiceRequest', identifier: { system: 'urn:oid:2.16.156.10011.1.24', value: 'SQ2026112500815' }, display: '支气管舒张试验' }]);
    expect(report!.encounter).toEqual({ type: 'Encounter', identifier: { system: 'urn:pftis:sid:visit-serial-no', value: 'MZLS20261125-004417' } });
    // Without a HIS patient id the conditional create uses the next identifier.
    const noId = bundleOf(sampleDeliveredReport({ patient: { hisPatientId: null }, order: { requestNo: null } }));
    expect(noId.entry[0].request.ifNoneExist).toBe('identifier=urn%3Aoid%3A2.16.156.10011.1.11|MZ2026112537');
    expect(resources(noId, 'DiagnosticReport')[0]!.basedOn).toBeUndefined();
  });

  it('codes Observations with LOINC where one exists plus the local code, UCUM quantities, LLN/ULN and components', () => {
    const report = sampleDeliveredReport();
    const observations = resources(bundleOf(report), 'Observation');
    const fev1 = observations[0]!;
    expect(codes(fev1.code)).toEqual(['http://loinc.org|20150-9', 'urn:pftis:CodeSystem:pft-parameter|FEV1']);
    expect(fev1).toMatchObject({
      status: 'final',
      effectiveDateTime: '2026-11-25',
      issued: '2026-11-25T15:20:00+08:00',
      valueQuantity: { value: 2.36, unit: 'L', system: 'http://unitsofmeasure.org', code: 'L' },
      interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'L' }] }],
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'procedure' }] }],
    });
    expect(fev1.referenceRange[0].low).toEqual({ value: 2.41, unit: 'L', system: 'http://unitsofmeasure.org', code: 'L' });
    expect(fev1.referenceRange[0].high).toEqual({ value: 4.01, unit: 'L', system: 'http://unitsofmeasure.org', code: 'L' });
    expect(fev1.component.map((c: Json) => [codes(c.code), c.valueQuantity.value, c.valueQuantity.code])).toEqual([
      [['http://loinc.org|20149-1', 'urn:pftis:CodeSystem:pft-parameter|FEV1_PREDICTED'], 3.23, 'L'],
      [['http://snomed.info/sct|1078210003', 'urn:pftis:CodeSystem:pft-parameter|FEV1_ZSCORE'], -1.75, '{Zscore}'],
      [['http://loinc.org|20152-5', 'urn:pftis:CodeSystem:pft-parameter|FEV1_PCT_PRED'], 73, '%'],
    ]);
    // Post values: the same LOINC, the stage in the local code and text.
    const postFev1 = observations.find((o) => o.code.coding.some((c: Json) => c.code === 'FEV1_POST'))!;
    expect(codes(postFev1.code)[0]).toBe('http://loinc.org|20150-9');
    expect(postFev1.code.text).toBe('FEV1 一秒量 舒张后');
    expect(postFev1.valueQuantity.value).toBe(2.74);
    // No LOINC code for MMEF: the local code only. PEF: no reference values, so no range, flag or components.
    const mmef = observations.find((o) => o.code.coding.some((c: Json) => c.code === 'FEF2575'))!;
    expect(codes(mmef.code)).toEqual(['urn:pftis:CodeSystem:pft-parameter|FEF2575']);
    const pef = observations.find((o) => o.code.coding.some((c: Json) => c.code === 'PEF'))!;
    expect(codes(pef.code)[0]).toBe('http://loinc.org|33452-4');
    expect([pef.referenceRange, pef.interpretation, pef.component]).toEqual([undefined, undefined, undefined]);
    // Every value of the report is in the bundle.
    expect(observations.map((o) => o.valueQuantity.value)).toEqual(report.results.map((r) => r.value));
  });

  it('writes the DiagnosticReport: panel code, category PF, people, conclusion and the PDF with its SHA-1', () => {
    const report = sampleDeliveredReport();
    const [dr] = resources(bundleOf(report), 'DiagnosticReport');
    expect(dr).toMatchObject({
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'PF' }] }],
      effectiveDateTime: '2026-11-25',
      issued: '2026-11-25T15:20:00+08:00',
      resultsInterpreter: [{ type: 'Practitioner', display: '刘建国' }, { type: 'Practitioner', display: '陈志强' }],
      conclusion: report.conclusion.text,
    });
    expect(codes(dr!.code)).toEqual(['http://loinc.org|81458-2', 'urn:pftis:CodeSystem:his-item|FGN003']);
    expect(dr!.code.text).toBe('支气管舒张试验');
    expect(dr!.conclusionCode.map((c: Json) => c.coding[0].code)).toEqual(['pattern-obstruction', 'severity-mild', 'bdr-positive']);
    expect(dr!.conclusionCode.map((c: Json) => c.text)).toEqual(['阻塞性通气功能障碍', '轻度', '支气管舒张试验阳性']);
    expect(dr!.identifier.map((i: Json) => i.value)).toEqual([report.idempotencyKey, report.reportId, 'PF20261125-0037']);
    expect(dr!.extension).toBeUndefined();
    const [form] = dr!.presentedForm;
    expect(Object.keys(form).every((k: string) => ATTACHMENT_ELEMENTS.includes(k))).toBe(true);
    expect(form).toMatchObject({ contentType: 'application/pdf', language: 'zh-CN', size: report.pdf.bytes.byteLength, title: '支气管舒张试验报告（第 1 版）' });
    expect(new Uint8Array(Buffer.from(form.data, 'base64'))).toEqual(report.pdf.bytes);
    expect(form.hash).toBe(createHash('sha1').update(report.pdf.bytes).digest('base64'));
    expect(Buffer.from(form.hash, 'base64')).toHaveLength(20);
  });

  it('marks a replacement corrected and names the version it supersedes', () => {
    const bundle = bundleOf(sampleDeliveredReport({ version: 2, action: 'replace' }));
    const [dr] = resources(bundle, 'DiagnosticReport');
    expect(dr!.status).toBe('corrected');
    expect(resources(bundle, 'Observation').every((o) => o.status === 'corrected')).toBe(true);
    expect(dr!.extension).toEqual([
      { url: 'urn:pftis:StructureDefinition:supersedes', valueIdentifier: { system: 'urn:pftis:sid:report-version', value: '3f6d2a9e-8c41-4b7a-9e25-1d0c7b5a4e63:1' } },
    ]);
    expect(dr!.identifier[0].value).toBe('3f6d2a9e-8c41-4b7a-9e25-1d0c7b5a4e63:2');
  });

  it('withdraws a version: conditional updates (PUT by identifier) setting the DiagnosticReport and Observations entered-in-error, without the PDF', () => {
    const published = bundleOf();
    const report = sampleDeliveredReport({ action: 'revoke' });
    const bundle = bundleOf(report);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'transaction', identifier: { system: 'urn:pftis:sid:bundle', value: `${report.idempotencyKey}:revoke` } });
    expect(published.identifier.value).toBe(report.idempotencyKey);
    expect(bundle.entry.map((e: Json) => e.resource.resourceType)).toEqual(published.entry.map((e: Json) => e.resource.resourceType));
    for (const [index, entry] of (bundle.entry as Json[]).entries()) {
      expect(Object.keys(entry.request).every((k) => REQUEST_ELEMENTS.includes(k))).toBe(true);
      const type = entry.resource.resourceType as string;
      expect(Object.keys(entry.resource).filter((k) => !R4_ELEMENTS[type]!.includes(k)), type).toEqual([]);
      const before = published.entry[index];
      if (type === 'Patient') {
        // The Patient is matched as before: nothing new is created.
        expect(entry.request).toEqual(before.request);
        continue;
      }
      // The same resource, found by the identifier it was created with; only the status changes.
      expect(entry.request).toEqual({ method: 'PUT', url: `${type}?${before.request.ifNoneExist}` });
      expect(entry.resource.status).toBe('entered-in-error');
      expect(entry.resource.identifier).toEqual(before.resource.identifier);
    }
    const [dr] = resources(bundle, 'DiagnosticReport');
    const [publishedDr] = resources(published, 'DiagnosticReport');
    expect(bundle.entry.at(-1).request.url).toBe('DiagnosticReport?identifier=urn%3Apftis%3Asid%3Areport-version|3f6d2a9e-8c41-4b7a-9e25-1d0c7b5a4e63%3A1');
    expect(dr!.extension).toEqual([{ url: 'urn:pftis:StructureDefinition:revocation-reason', valueString: report.revocationReason }]);
    // The PDF is not sent again; the attachment keeps what identifies it.
    const { data: _data, ...attachment } = publishedDr!.presentedForm[0];
    expect(dr!.presentedForm).toEqual([attachment]);
    expect(Object.keys(dr!.presentedForm[0]).every((k) => ATTACHMENT_ELEMENTS.includes(k))).toBe(true);
    expect(JSON.stringify(bundle)).not.toContain(toBase64(report.pdf.bytes).slice(0, 40));
    const { status: _s1, extension: _e1, presentedForm: _p1, ...rest } = dr!;
    const { status: _s2, presentedForm: _p2, ...publishedRest } = publishedDr!;
    expect(rest).toEqual(publishedRest);
    // References still resolve within the bundle; a repeat is the same bundle.
    const fullUrls = new Set(bundle.entry.map((e: Json) => e.fullUrl));
    expect(references(bundle).filter((r) => !fullUrls.has(r))).toEqual([]);
    expect(bundleOf(report, { now: new Date('2026-11-27T00:00:00Z') }).entry).toEqual(bundle.entry);
    expect(JSON.parse(JSON.stringify(bundle))).toEqual(bundle);
  });

  it('withdraws without creating a Patient when the patient has no HIS identifier, and without a reason extension when none is given', () => {
    const anonymous = { hisPatientId: null, outpatientNo: null, inpatientNo: null };
    expect(bundleOf(sampleDeliveredReport({ patient: anonymous })).entry[0].resource.resourceType).toBe('Patient');
    const bundle = bundleOf(sampleDeliveredReport({ action: 'revoke', revocationReason: '  ', patient: anonymous }));
    expect(resources(bundle, 'Patient')).toEqual([]);
    const [dr] = resources(bundle, 'DiagnosticReport');
    expect(dr!.subject).toEqual({ display: '张伟' });
    expect(dr!.extension).toBeUndefined();
    expect(resources(bundle, 'Observation').every((o) => o.status === 'entered-in-error' && o.subject.display === '张伟' && !o.subject.reference)).toBe(true);
  });
});

const samples = path.resolve(import.meta.dirname, '../../../../../shared/samples/fhir');
const haveSamples = existsSync(samples);
const sample = (name: string): Json => JSON.parse(readFileSync(path.join(samples, name), 'utf8'));
const shape = (value: unknown): unknown =>
  Array.isArray(value) ? (value.length ? [shape(value[0])] : []) : value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, shape((value as Json)[k])])) : typeof value;

describe.skipIf(!haveSamples)('the bundle against the FHIR samples in ../shared/samples/fhir', () => {
  const report = sampleDeliveredReport();
  const bundle = bundleOf(report);
  const [dr] = resources(bundle, 'DiagnosticReport');
  const observations = resources(bundle, 'Observation');

  it('codes the DiagnosticReport as pft-ig does (category PF, LOINC 81458-2)', () => {
    const pftig = sample('pft-ig/DiagnosticReport-diagnostic-report.json');
    expect(dr!.category).toEqual(pftig.category);
    expect(dr!.code.coding[0]).toEqual(pftig.code.coding[0]);
    expect(dr!.presentedForm[0].contentType).toBe(pftig.presentedForm[0].contentType);
    // Every element the pft-ig report uses (except narrative and its placeholder Encounter) is in ours too.
    const ours = Object.keys(dr!);
    expect(Object.keys(pftig).filter((k) => !['id', 'text'].includes(k) && !ours.includes(k))).toEqual([]);
  });

  it('writes quantities, reference ranges and the category exactly in the shape of pft-ig’s FVC-PRE', () => {
    const fvcPre = sample('pft-ig/Observation-FVC-PRE.json');
    const ours = observations.find((o) => o.code.coding.some((c: Json) => c.code === 'FVC'))!;
    expect(shape(ours.valueQuantity)).toEqual(shape(fvcPre.valueQuantity));
    expect(shape(ours.referenceRange[0].low)).toEqual(shape(fvcPre.referenceRange[0].low));
    expect(ours.category[0].coding[0].system).toBe(fvcPre.category[0].coding[0].system);
    expect(ours.category[0].coding[0].code).toBe(fvcPre.category[0].coding[0].code);
    expect(ours.valueQuantity.system).toBe(fvcPre.valueQuantity.system);
  });

  it('writes the z-score as the MII component (SNOMED 1078210003) with pft-ig’s UCUM {Zscore}', () => {
    const mii = sample('mii-lungenfunktion/Observation-mii-exa-lungenfunktion-mef50.json');
    const zscore = sample('pft-ig/Observation-FVC-PRE-Zscore.json');
    const miiZ = mii.component.find((c: Json) => c.code.coding[0].code === '1078210003');
    const ours = observations[0]!.component.find((c: Json) => c.code.coding[0].code === '1078210003');
    expect(ours.code.coding[0].system).toBe(miiZ.code.coding[0].system);
    expect(ours.code.coding[0].display).toBe(miiZ.code.coding[0].display);
    expect(ours.valueQuantity.code).toBe(zscore.valueQuantity.code);
    expect(ours.valueQuantity.system).toBe(zscore.valueQuantity.system);
    // Component and reference-range structure as MII writes them.
    expect(Object.keys(ours).sort()).toEqual(Object.keys(miiZ).sort());
    expect(Object.keys(observations[0]!.referenceRange[0].low).filter((k) => !(k in mii.referenceRange[0].low))).toEqual(['unit']);
  });
});
