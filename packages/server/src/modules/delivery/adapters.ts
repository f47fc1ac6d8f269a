import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseHl7Ack } from '@pftis/formats/hl7/ack';
import { MllpClient } from '@pftis/formats/hl7/mllp';
import type { DeliveredReport } from '@pftis/formats/report/delivered-report';
import { buildReportFhirBundle, buildReportJson, buildReportOru, buildReportSidecar, buildReportXml, reportDeliveryKey, reportFileName } from '@pftis/formats/report/index';
import { PermanentFailure } from '../../platform/outbox.js';
import type { HisService } from '../his/his.service.js';
import type { TargetConfig } from './targets.js';

export interface SendContext {
  secret: string | null;
  document: 'pdf' | 'jpg';
  his: HisService;
  now: Date;
}

/** Delivers one report version to one target; returns a summary for the attempt log, or throws (PermanentFailure: no retry). */
export async function sendToTarget(target: TargetConfig, report: DeliveredReport, context: SendContext): Promise<string> {
  switch (target.kind) {
    case 'sql':
      return sendSql(target.config, report, context);
    case 'http':
      return sendHttp(target.config, report, context);
    case 'hl7':
      return sendHl7(target.config, report, context);
    case 'fhir':
      return sendFhir(target.config, report, context);
    case 'file':
      return dropFiles(target.config, report, context);
  }
}

/** The values a SQL write-back statement may use as :named parameters. */
export function sqlParameters(report: DeliveredReport, document: 'pdf' | 'jpg'): Record<string, unknown> {
  const image = document === 'jpg' ? report.jpgPages?.[0] : undefined;
  return {
    idempotencyKey: report.idempotencyKey, reportId: report.reportId, version: report.version, action: report.action, supersedesVersion: report.supersedesVersion, revocationReason: report.revocationReason,
    requestNo: report.order.requestNo, accessionNo: report.order.accessionNo, visitSerialNo: report.order.visitSerialNo, visitType: report.order.visitType,
    patientId: report.patient.hisPatientId, patientName: report.patient.name, itemName: report.order.itemName, examDate: report.order.examDate,
    conclusion: report.conclusion.text, summary: report.conclusion.summary, technician: report.technician, reporter: report.reporter, reviewer: report.reviewer,
    approvedAt: report.approvedAt.slice(0, 19).replace('T', ' '), signatureSerial: report.signatureSerial, verificationUrl: report.verificationUrl,
    pdf: Buffer.from(report.pdf.bytes), pdfSha256: report.pdf.sha256, pdfSm3: report.pdf.sm3, jpg: image ? Buffer.from(image) : null,
  };
}

async function sendSql(config: Extract<TargetConfig, { kind: 'sql' }>['config'], report: DeliveredReport, context: SendContext) {
  const values = sqlParameters(report, context.document);
  const statements = report.action === 'revoke' ? config.revokeStatements : config.statements;
  if (statements.length === 0) throw new PermanentFailure('no revoke statement configured for this SQL target: the HIS cannot be told');
  const changed = await context.his.writeReport(statements.map((statement) => ({ sql: statement, values })), config.timeoutMs);
  return `HIS write-back: ${changed.map((n, i) => `statement ${i + 1} changed ${n} row(s)`).join(', ')}`;
}

async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number) {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const reason = (error as Error).name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : (cause ?? (error as Error).message);
    throw new Error(`${url}: ${reason}`);
  }
  const text = await response.text();
  if (response.status >= 500 || response.status === 408 || response.status === 429) throw new Error(`HTTP ${response.status} from ${url}: ${text.slice(0, 200)}`);
  if (response.status >= 400) throw new PermanentFailure(`HTTP ${response.status} from ${url}: ${text.slice(0, 200)}`);
  return { status: response.status, text };
}

async function sendHttp(config: Extract<TargetConfig, { kind: 'http' }>['config'], report: DeliveredReport, context: SendContext) {
  const options = { template: config.template || undefined, document: context.document, now: context.now };
  const body = config.format === 'xml' ? buildReportXml(report, options) : buildReportJson(report, options);
  const headers: Record<string, string> = { ...config.headers, 'content-type': config.format === 'xml' ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8', 'idempotency-key': reportDeliveryKey(report) };
  if (context.secret) headers[config.authHeader.toLowerCase()] = config.authHeader.toLowerCase() === 'authorization' ? `Bearer ${context.secret}` : context.secret;
  const { status, text } = await post(config.url, body.text, headers, config.timeoutMs);
  // Integration platforms answer HTTP 200 with a business code; anything but success is a failure to retry.
  const code = /"code"\s*:\s*"?(-?\w+)"?/.exec(text)?.[1] ?? /<code>\s*(-?\w+)\s*<\/code>/i.exec(text)?.[1];
  if (code !== undefined && !['0', '200', 'AA', 'success'].includes(code)) throw new Error(`receiver answered HTTP ${status} with code ${code} (application error): ${text.slice(0, 200)}`);
  return `HTTP ${status}: ${text.slice(0, 200)}`;
}

async function sendHl7(config: Extract<TargetConfig, { kind: 'hl7' }>['config'], report: DeliveredReport, context: SendContext) {
  const { bytes, controlId } = buildReportOru(report, { ...config, now: context.now });
  const client = new MllpClient({ host: config.host, port: config.port, connectTimeoutMs: Math.min(5000, config.timeoutMs), responseTimeoutMs: config.timeoutMs });
  try {
    const response = await client.send(bytes);
    if (!response.ok) throw new Error(`MLLP ${config.host}:${config.port}: ${response.reason}`);
    const ack = parseHl7Ack(response.value, config.encoding === 'gbk' ? 'gbk' : 'utf-8');
    if (!ack.ok) throw new Error(`malformed ACK from ${config.host}:${config.port}: ${ack.reason}`);
    if (ack.value.outcome === 'rejected') throw new PermanentFailure(`receiver rejected the report (${ack.value.code}): ${ack.value.text ?? ''}`);
    if (ack.value.outcome !== 'accepted') throw new Error(`receiver answered ${ack.value.code} (application error): ${ack.value.text ?? ''}`);
    return `ACK ${ack.value.code} for ${controlId}`;
  } finally {
    await client.close();
  }
}

async function sendFhir(config: Extract<TargetConfig, { kind: 'fhir' }>['config'], report: DeliveredReport, context: SendContext) {
  const bundle = buildReportFhirBundle(report, { now: context.now });
  const headers: Record<string, string> = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
  if (context.secret) headers.authorization = `Bearer ${context.secret}`;
  const { status, text } = await post(config.baseUrl, JSON.stringify(bundle), headers, config.timeoutMs);
  let outcomes: string[] = [];
  try {
    outcomes = ((JSON.parse(text) as { entry?: Array<{ response?: { status?: string } }> }).entry ?? []).map((e) => e.response?.status ?? '?');
  } catch {
    throw new Error(`FHIR server answered HTTP ${status} with a body that is not JSON`);
  }
  const bad = outcomes.find((s) => !/^2\d\d/.test(s));
  if (bad) throw new Error(`FHIR transaction entry answered ${bad}`);
  return `FHIR ${status}: ${outcomes.join(', ')}`;
}

async function dropFiles(config: Extract<TargetConfig, { kind: 'file' }>['config'], report: DeliveredReport, context: SendContext) {
  await mkdir(config.folder, { recursive: true });
  const written: string[] = [];
  // Write to a temporary name and rename, so the receiver never picks up half a file; the same name on a retry
  // replaces the earlier copy instead of adding a second report.
  const put = async (name: string, bytes: Uint8Array) => {
    const target = path.join(config.folder, name);
    const temporary = `${target}.${process.pid}.part`;
    await writeFile(temporary, bytes);
    await rename(temporary, target);
    written.push(name);
  };
  // A revocation is the sidecar alone (named with its own suffix); the published document stays as it was.
  const documents = report.action === 'revoke' ? [] : context.document === 'jpg' && report.jpgPages?.length ? report.jpgPages.map((page, i) => ({ bytes: page, ext: report.jpgPages!.length > 1 ? `p${i + 1}.jpg` : 'jpg' })) : [{ bytes: report.pdf.bytes, ext: 'pdf' }];
  for (const d of documents) await put(reportFileName(config.namePattern, report, d.ext), d.bytes);
  // The sidecar last: a receiver that waits for it knows the documents are complete.
  if (config.sidecar !== 'none') await put(reportFileName(config.namePattern, report, config.sidecar), buildReportSidecar(report, config.sidecar).bytes);
  await stat(config.folder);
  return `written to ${config.folder}: ${written.join(', ')}`;
}
