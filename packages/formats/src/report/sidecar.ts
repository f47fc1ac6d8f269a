/**
 * Metadata file written next to a dropped report PDF / JPG (folder-drop targets): who, which order, which version,
 * the conclusion, and the digests to check the document against. No document bytes. UTF-8, no BOM.
 *
 * A revoke is the sidecar alone (`action: "revoke"`, `revocationReason`, `files` empty), named like the version's
 * files with the `_revoked` suffix (file-name.ts), so it does not overwrite the published PDF: the HIS finds the
 * withdrawn version by `idempotencyKey` (or 申请单号 + version) and checks it against `pdf.sha256`.
 */
import type { DeliveredReport } from './delivered-report.ts';
import { utf8 } from './ids.ts';
import { type XmlNode, xmlElements } from './text-escape.ts';

export const SIDECAR_SCHEMA = 'pftis-report-sidecar/1';

export interface SidecarOptions {
  /** Names of the document files this sidecar describes (the PDF, or the JPG pages), as written. Ignored on a revoke. */
  files?: string[];
}

export interface ReportSidecar {
  text: string;
  bytes: Uint8Array;
}

/** The sidecar content as a plain object (the JSON form; the XML form has the same names and nesting). */
export function reportSidecarContent(report: DeliveredReport, options: SidecarOptions = {}) {
  const { patient, order, conclusion } = report;
  return {
    schema: SIDECAR_SCHEMA,
    reportId: report.reportId,
    version: report.version,
    action: report.action,
    supersedesVersion: report.supersedesVersion,
    correctionReason: report.correctionReason,
    revocationReason: report.revocationReason,
    idempotencyKey: report.idempotencyKey,
    hospital: { name: report.hospital.name, campusCode: report.hospital.campusCode, campusName: report.hospital.campusName },
    requestNo: order.requestNo,
    accessionNo: order.accessionNo,
    visitType: order.visitType,
    visitSerialNo: order.visitSerialNo,
    patient: {
      id: patient.hisPatientId,
      name: patient.name,
      sex: patient.sex,
      birthDate: patient.birthDate,
      outpatientNo: patient.outpatientNo,
      inpatientNo: patient.inpatientNo,
    },
    item: { code: order.itemCode, name: order.itemName },
    examDate: order.examDate,
    requestingDepartment: order.requestingDepartment,
    requestingDoctor: order.requestingDoctor,
    conclusion: { text: conclusion.text, summary: conclusion.summary, pattern: conclusion.pattern, severity: conclusion.severity, bdr: conclusion.bdr },
    technician: report.technician,
    reporter: report.reporter,
    reviewer: report.reviewer,
    approvedAt: report.approvedAt,
    signatureSerial: report.signatureSerial,
    verificationUrl: report.verificationUrl,
    pdf: { sha256: report.pdf.sha256, sm3: report.pdf.sm3, sizeBytes: report.pdf.bytes.byteLength },
    files: report.action === 'revoke' ? [] : (options.files ?? []),
  };
}

export function buildReportSidecar(report: DeliveredReport, format: 'json' | 'xml', options: SidecarOptions = {}): ReportSidecar {
  const content = reportSidecarContent(report, options);
  if (format === 'json') {
    const text = `${JSON.stringify(content, null, 2)}\n`;
    return { text, bytes: utf8(text) };
  }
  const { files, ...rest } = content;
  const body: { [name: string]: XmlNode } = { ...rest, files: files.length ? { file: files } : null };
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n<pftisReport>\n${xmlElements(body, '  ')}</pftisReport>\n`;
  return { text, bytes: utf8(text) };
}
