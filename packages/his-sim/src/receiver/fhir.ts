import { randomUUID } from 'node:crypto';
import { documentOf, type ArrivalDocument, type ReportFields } from './arrivals.js';
import { bytesFrom } from './report-fields.js';

/**
 * The demo hospital's FHIR R4 endpoint: a transaction (or batch) Bundle POSTed to the base, resources kept in
 * memory. Conditional create (`request.ifNoneExist`, e.g. `identifier=urn:pftis:report|<reportId>:<version>`) and
 * conditional update (`PUT DiagnosticReport?identifier=…`) match by identifier only, so a repeated delivery returns
 * the ids it got the first time (`200 OK`) without creating anything.
 *
 * A DiagnosticReport with status `entered-in-error` (or `cancelled`) is the withdrawal of that report version (as
 * PFTIS sends it: a conditional update of the version's DiagnosticReport and Observations); the reason, if any, in an
 * extension whose url names revocation / withdrawal (valueString).
 */

type Resource = { resourceType: string; id?: string; meta?: { versionId?: string; lastUpdated?: string }; [key: string]: unknown };
interface BundleEntry {
  fullUrl?: string;
  resource?: Resource;
  request?: { method?: string; url?: string; ifNoneExist?: string };
}
interface Identifier {
  system?: string;
  value?: string;
  type?: { coding?: Array<{ code?: string }>; text?: string };
}

export interface FhirOutcome {
  status: number;
  body: unknown;
  /** Set when the transaction held a DiagnosticReport: what the HIS files. */
  report?: { fields: ReportFields & { idempotencyKey: string }; extraKeys: string[]; source: Record<string, string> };
}

export const operationOutcome = (severity: 'error' | 'fatal', code: string, text: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity, code, diagnostics: text, details: { text } }],
});

const identifiersOf = (resource: Resource | undefined): Identifier[] => {
  const value = resource?.identifier;
  return Array.isArray(value) ? (value as Identifier[]) : value && typeof value === 'object' ? [value as Identifier] : [];
};

/** `identifier=system|value`, `identifier=|value` or `identifier=value`. */
function parseQuery(query: string): { system: string | null; value: string } | null {
  const params = new URLSearchParams(query);
  const keys = [...params.keys()];
  const token = params.get('identifier');
  if (token === null || keys.some((k) => k !== 'identifier')) return null;
  const bar = token.indexOf('|');
  return bar === -1 ? { system: null, value: token } : { system: token.slice(0, bar), value: token.slice(bar + 1) };
}

const matches = (identifier: Identifier, query: { system: string | null; value: string }) =>
  identifier.value === query.value && (query.system === null || (query.system === '' ? !identifier.system : identifier.system === query.system));

const typeCode = (identifier: Identifier) => [...(identifier.type?.coding ?? []).map((c) => c.code ?? ''), identifier.type?.text ?? ''].join(' ').toUpperCase();

export function createFhirStore(now: () => Date = () => new Date()) {
  const resources = new Map<string, Resource>();
  type Answer = { status: string; location: string; resource: Resource; created: boolean };
  const answers = new Map<string, Answer[]>();

  const search = (type: string, query: { system: string | null; value: string }) =>
    [...resources.values()].filter((r) => r.resourceType === type && identifiersOf(r).some((i) => matches(i, query)));

  function transaction(bundle: unknown): FhirOutcome {
    const b = bundle as { resourceType?: string; type?: string; entry?: BundleEntry[] } | null;
    if (!b || b.resourceType !== 'Bundle') return { status: 400, body: operationOutcome('error', 'invalid', '请求体不是 FHIR Bundle') };
    if (b.type !== 'transaction' && b.type !== 'batch') return { status: 400, body: operationOutcome('error', 'invalid', `Bundle.type 应为 transaction 或 batch，收到 ${String(b.type)}`) };
    const entries = Array.isArray(b.entry) ? b.entry : [];
    const at = now().toISOString();

    // 1. Resolve each entry: create, update or already there.
    type Plan = { entry: BundleEntry; resource: Resource; type: string; id: string; existing: Resource | null; conditional: boolean };
    const plans: Plan[] = [];
    for (const [index, entry] of entries.entries()) {
      const resource = entry.resource;
      const method = (entry.request?.method ?? '').toUpperCase();
      if (!resource?.resourceType || (method !== 'POST' && method !== 'PUT')) {
        return { status: 400, body: operationOutcome('error', 'not-supported', `entry[${index}]: 只支持带 resource 的 POST 和 PUT`) };
      }
      const type = resource.resourceType;
      let existing: Resource | null = null;
      let id: string | null = null;
      const url = entry.request?.url ?? type;
      const conditionalQuery = method === 'POST' ? entry.request?.ifNoneExist : url.includes('?') ? url.slice(url.indexOf('?') + 1) : undefined;
      if (conditionalQuery !== undefined) {
        const query = parseQuery(conditionalQuery);
        if (!query) return { status: 400, body: operationOutcome('error', 'not-supported', `entry[${index}]: 条件只支持 identifier=system|value`) };
        const found = search(type, query);
        if (found.length > 1) return { status: 412, body: operationOutcome('error', 'duplicate', `entry[${index}]: ${type}?${conditionalQuery} 匹配到多个资源`) };
        existing = found[0] ?? null;
      } else if (method === 'PUT') {
        id = url.split('/')[1] ?? null;
        if (!id) return { status: 400, body: operationOutcome('error', 'invalid', `entry[${index}]: PUT 需要 ${type}/id`) };
        existing = resources.get(`${type}/${id}`) ?? null;
      }
      plans.push({ entry, resource: structuredClone(resource), type, id: existing?.id ?? id ?? randomUUID(), existing, conditional: conditionalQuery !== undefined });
    }

    // A repeat of a transaction whose DiagnosticReport was created by a conditional create: the whole
    // transaction is answered with the ids it got the first time, and nothing is created again.
    const reportPlan = plans.find((p) => p.type === 'DiagnosticReport');
    const firstAnswer = reportPlan?.existing && reportPlan.conditional && (reportPlan.entry.request?.method ?? '').toUpperCase() === 'POST' ? answers.get(`DiagnosticReport/${reportPlan.id}`) : undefined;
    const replay = firstAnswer && firstAnswer.length === plans.length ? firstAnswer.map((r) => ({ ...r, status: '200 OK', created: false })) : null;

    // 2. Point references at the ids the server gave.
    const ids = new Map(plans.filter((p) => p.entry.fullUrl).map((p) => [p.entry.fullUrl!, `${p.type}/${p.id}`]));
    const rewrite = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(rewrite);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (typeof o.reference === 'string' && ids.has(o.reference)) o.reference = ids.get(o.reference);
        Object.values(o).forEach(rewrite);
      }
    };

    // 3. Apply.
    const responses = replay ?? plans.map((p) => {
      const method = (p.entry.request?.method ?? '').toUpperCase();
      if (p.existing && method === 'POST') {
        return { status: '200 OK', location: `${p.type}/${p.id}/_history/${p.existing.meta?.versionId ?? '1'}`, resource: p.existing, created: false };
      }
      rewrite(p.resource);
      const version = p.existing ? Number(p.existing.meta?.versionId ?? '1') + 1 : 1;
      const stored: Resource = { ...p.resource, id: p.id, meta: { ...(p.resource.meta ?? {}), versionId: String(version), lastUpdated: at } };
      resources.set(`${p.type}/${p.id}`, stored);
      return { status: p.existing ? '200 OK' : '201 Created', location: `${p.type}/${p.id}/_history/${version}`, resource: stored, created: !p.existing };
    });

    const reportIndex = plans.findIndex((p) => p.type === 'DiagnosticReport');
    if (reportIndex !== -1 && responses[reportIndex]!.created) answers.set(`DiagnosticReport/${plans[reportIndex]!.id}`, responses);

    const body = {
      resourceType: 'Bundle',
      id: randomUUID(),
      type: b.type === 'batch' ? 'batch-response' : 'transaction-response',
      timestamp: at,
      entry: responses.map((r) => ({ response: { status: r.status, location: r.location, etag: `W/"${r.resource.meta?.versionId ?? '1'}"`, lastModified: r.resource.meta?.lastUpdated ?? at } })),
    };
    if (reportIndex === -1) return { status: 200, body };
    const inBundle = responses.map((r) => r.resource);
    const plan = plans[reportIndex]!;
    const report = responses[reportIndex]!.resource;
    const fields = reportFields(report, inBundle, plan.entry, resources);
    // The conditional-create identifier is the idempotency key; other identifiers (the accession) repeat across versions.
    const extraKeys = [`dr:DiagnosticReport/${report.id}`];
    return {
      status: 200,
      body,
      report: { fields, extraKeys, source: { diagnosticReport: `DiagnosticReport/${report.id}`, locations: responses.map((r) => r.location).join(' ') } },
    };
  }

  return {
    transaction,
    read: (type: string, id: string): Resource | undefined => resources.get(`${type}/${id}`),
    count: (type?: string) => [...resources.values()].filter((r) => !type || r.resourceType === type).length,
  };
}

function reportFields(report: Resource, bundle: Resource[], entry: BundleEntry, all: Map<string, Resource>): ReportFields & { idempotencyKey: string } {
  const resolve = (ref: unknown): Resource | undefined => {
    const reference = (ref as { reference?: string } | undefined)?.reference;
    return reference ? all.get(reference) : undefined;
  };
  const first = <T>(value: unknown): T | undefined => (Array.isArray(value) ? (value[0] as T) : (value as T | undefined));
  const ids = identifiersOf(report);
  const basedOn = (Array.isArray(report.basedOn) ? report.basedOn : []) as Array<{ reference?: string; identifier?: Identifier }>;
  const serviceRequest = basedOn.map(resolve).find(Boolean) ?? bundle.find((r) => r.resourceType === 'ServiceRequest');
  const srIds = identifiersOf(serviceRequest);
  const placer = (list: Identifier[]) => list.find((i) => /PLAC|申请单/.test(typeCode(i)) || /request|apply|sqdh|placer/i.test(i.system ?? ''));
  const filler = (list: Identifier[]) => list.find((i) => /ACSN|FILL|检查号/.test(typeCode(i)) || /accession|filler/i.test(i.system ?? ''));
  const extension = (pattern: RegExp) => {
    const found = (Array.isArray(report.extension) ? report.extension : []).find((e: { url?: string }) => pattern.test(e.url ?? '')) as Record<string, unknown> | undefined;
    if (!found) return null;
    const value = Object.entries(found).find(([k]) => k.startsWith('value'))?.[1];
    if (value === undefined || value === null) return null;
    // valueIdentifier { value: `${reportId}:${version}` } → the version; valueInteger / valueString as they are.
    if (typeof value === 'object') return /:(\d+)$/.exec(String((value as Identifier).value ?? ''))?.[1] ?? null;
    return String(value);
  };

  const conditional = entry.request?.ifNoneExist ?? (entry.request?.url?.includes('?') ? entry.request.url.slice(entry.request.url.indexOf('?') + 1) : undefined);
  const conditionalValue = conditional ? (parseQuery(conditional)?.value ?? null) : null;
  const keyShaped = ids.map((i) => i.value ?? '').find((v) => /^[^:]+:\d+$/.test(v));
  const idempotencyKey = conditionalValue ?? keyShaped ?? (ids[0] ? `${ids[0].system ?? ''}|${ids[0].value ?? ''}` : `DiagnosticReport/${report.id}`);
  const versionText = extension(/version/i) ?? /:(\d+)$/.exec(idempotencyKey)?.[1] ?? null;
  const supersedes = extension(/supersed|replaces/i);
  const interpreter = first<{ display?: string }>(report.resultsInterpreter);
  const encounter = resolve(report.encounter) ?? bundle.find((r) => r.resourceType === 'Encounter');
  const encounterId = identifiersOf(encounter)[0]?.value ?? (report.encounter as { identifier?: Identifier } | undefined)?.identifier?.value ?? null;
  const patient = resolve(report.subject) ?? bundle.find((r) => r.resourceType === 'Patient');
  const name = first<{ text?: string; family?: string; given?: string[] }>(patient?.name);

  return {
    idempotencyKey,
    orderNo: (basedOn.find((b) => b.identifier?.value)?.identifier?.value ?? placer(srIds)?.value ?? srIds[0]?.value ?? placer(ids)?.value) || null,
    accessionNo: (filler(ids)?.value ?? filler(srIds)?.value) || null,
    visitSerialNo: encounterId,
    version: versionText && /^\d+$/.test(versionText) ? Number(versionText) : null,
    action: report.status === 'entered-in-error' || report.status === 'cancelled' ? 'revoke' : report.status === 'corrected' || report.status === 'amended' ? 'replace' : 'publish',
    supersedesVersion: supersedes && /^\d+$/.test(supersedes) ? Number(supersedes) : null,
    revocationReason: report.status === 'entered-in-error' || report.status === 'cancelled' ? extension(/revocation|revoke|withdraw|撤回/i) : null,
    patientName: name ? (name.text ?? `${name.family ?? ''}${(name.given ?? []).join('')}`) || null : null,
    conclusion: typeof report.conclusion === 'string' ? report.conclusion : null,
    reviewer: interpreter?.display ?? null,
    approvedAt: typeof report.issued === 'string' ? report.issued : null,
    signatureSerial: extension(/signature/i) ?? ids.find((i) => /signature|签章/i.test(i.system ?? ''))?.value ?? null,
    document: documentOfReport(report, bundle),
  };
}

function documentOfReport(report: Resource, bundle: Resource[]): ArrivalDocument | null {
  type Attachment = { contentType?: string; data?: string; url?: string };
  const attachments: Attachment[] = [
    ...((Array.isArray(report.presentedForm) ? report.presentedForm : []) as Attachment[]),
    ...bundle.filter((r) => r.resourceType === 'DocumentReference').flatMap((r) => ((r.content ?? []) as Array<{ attachment?: Attachment }>).map((c) => c.attachment ?? {})),
    ...bundle.filter((r) => r.resourceType === 'Binary').map((r) => ({ contentType: r.contentType as string | undefined, data: r.data as string | undefined })),
  ];
  const ordered = [...attachments.filter((a) => /pdf/i.test(a.contentType ?? '')), ...attachments.filter((a) => !/pdf/i.test(a.contentType ?? ''))];
  for (const a of ordered) {
    const bytes = a.data ? bytesFrom(a.data) : null;
    if (bytes) return documentOf(bytes);
  }
  const url = ordered.find((a) => a.url)?.url;
  return url ? { kind: 'reference', bytes: null, size: 0, sha256: null, reference: url } : null;
}
