/**
 * A realistic delivered report for tests of the delivery writers and of their receivers (his-sim, server): the
 * bronchodilator test of the server's render fixture (56-year-old man, GLI Global 2022 / GLI-2012), approved and
 * signed, with a small but valid one-page PDF and one "JPEG" page.
 */
import { createHash } from 'node:crypto';
import type { DeliveredReport, DeliveredResult } from './delivered-report.ts';

export interface DeliveredReportOverrides extends Partial<Omit<DeliveredReport, 'hospital' | 'patient' | 'order' | 'conclusion' | 'pdf'>> {
  /** `{ bytes }` alone gets its SHA-256 and SM3 computed. */
  pdf?: Partial<DeliveredReport['pdf']>;
  hospital?: Partial<DeliveredReport['hospital']>;
  patient?: Partial<DeliveredReport['patient']>;
  order?: Partial<DeliveredReport['order']>;
  conclusion?: Partial<DeliveredReport['conclusion']>;
}

/**
 * Nested objects merge one level deep. `action: 'replace'` sets supersedesVersion and a correction reason; `action:
 * 'revoke'` a revocation reason.
 */
export function sampleDeliveredReport(overrides: DeliveredReportOverrides = {}): DeliveredReport {
  const reportId = overrides.reportId ?? '3f6d2a9e-8c41-4b7a-9e25-1d0c7b5a4e63';
  const version = overrides.version ?? 1;
  const replace = (overrides.action ?? 'publish') === 'replace';
  const revoke = overrides.action === 'revoke';
  const pdfBytes = overrides.pdf?.bytes ?? samplePdfBytes();
  const base: DeliveredReport = {
    idempotencyKey: `${reportId}:${version}`,
    reportId,
    version,
    action: 'publish',
    supersedesVersion: replace ? version - 1 : null,
    correctionReason: replace ? '舒张后 FVC 录入有误，已按设备原始数据更正' : null,
    revocationReason: revoke ? '患者信息登记错误（报告发给了另一位患者），已撤回' : null,
    hospital: { name: '江南市第一人民医院', campusCode: 'DY', campusName: '东院区' },
    patient: {
      hisPatientId: 'P000123456',
      name: '张伟',
      sex: 'male',
      birthDate: '1970-03-08',
      outpatientNo: 'MZ2026112537',
      inpatientNo: null,
    },
    order: {
      requestNo: 'SQ2026112500815',
      accessionNo: 'PF20261125-0037',
      visitType: 'outpatient',
      visitSerialNo: 'MZLS20261125-004417',
      itemCode: 'FGN003',
      itemName: '支气管舒张试验',
      examDate: '2026-11-25',
      requestingDepartment: '呼吸与危重症医学科',
      requestingDoctor: '李娜',
    },
    results: sampleDeliveredResults(),
    conclusion: {
      text:
        '轻度阻塞性通气功能障碍，支气管舒张试验阳性。\n' +
        '吸入沙丁胺醇 400 μg 后 FEV1 增加 380 mL（改善率 16.1%），FVC 增加 210 mL。\n' +
        '小气道功能障碍（MMEF、FEF75 低于正常低限）。',
      summary: '阻塞性通气功能障碍 · 轻度 · 支气管舒张试验阳性',
      pattern: 'obstruction',
      severity: 'mild',
      bdr: 'positive',
    },
    technician: '王芳',
    reporter: '陈志强',
    reviewer: '刘建国',
    approvedAt: '2026-11-25T15:20:00+08:00',
    signatureSerial: '5A3F09C1D27E4B88',
    verificationUrl: 'https://pftis.jiangnan-hospital.example/v/7F3K9Q2M',
    pdf: pdfWithDigests(pdfBytes),
    jpgPages: [sampleJpegBytes()],
  };
  const { hospital, patient, order, conclusion, pdf, ...rest } = overrides;
  return {
    ...base,
    ...rest,
    hospital: { ...base.hospital, ...hospital },
    patient: { ...base.patient, ...patient },
    order: { ...base.order, ...order },
    conclusion: { ...base.conclusion, ...conclusion },
    pdf: pdf ? { ...pdfWithDigests(pdf.bytes ?? pdfBytes), ...pdf } : base.pdf,
  };
}

function result(
  param: string, label: string, unit: string, stage: 'pre' | 'post',
  value: number | null, predicted: number | null, lln: number | null, uln: number | null, zScore: number | null, pctPredicted: number | null,
): DeliveredResult {
  return { param, label, unit, stage, value, predicted, lln, uln, zScore, pctPredicted };
}

/** Pre and post values; PEF has no reference equation, so its predicted, limits and z are null. */
export function sampleDeliveredResults(): DeliveredResult[] {
  return [
    result('FEV1', 'FEV1 一秒量', 'L', 'pre', 2.36, 3.23, 2.41, 4.01, -1.75, 73.0),
    result('FVC', 'FVC 用力肺活量', 'L', 'pre', 3.86, 4.08, 3.08, 5.09, -0.36, 94.7),
    result('FEV1FVC', 'FEV1/FVC 一秒率', '%', 'pre', 61.1, 79.0, 67.3, 88.6, -2.35, 77.4),
    result('PEF', 'PEF 峰流速', 'L/s', 'pre', 6.12, null, null, null, null, null),
    result('FEF2575', 'MMEF 最大呼气中期流量', 'L/s', 'pre', 1.21, 2.93, 1.65, 4.58, -2.36, 41.3),
    result('FEF75', 'FEF75 呼出75%时流量', 'L/s', 'pre', 0.36, 1.08, 0.53, 2.09, -2.51, 33.4),
    result('FEV1', 'FEV1 一秒量', 'L', 'post', 2.74, 3.23, 2.41, 4.01, -1.0, 84.7),
    result('FVC', 'FVC 用力肺活量', 'L', 'post', 4.07, 4.08, 3.08, 5.09, -0.01, 99.8),
    result('FEV1FVC', 'FEV1/FVC 一秒率', '%', 'post', 67.3, 79.0, 67.3, 88.6, -1.64, 85.2),
    result('PEF', 'PEF 峰流速', 'L/s', 'post', 6.85, null, null, null, null, null),
    result('FEF2575', 'MMEF 最大呼气中期流量', 'L/s', 'post', 1.62, 2.93, 1.65, 4.58, -1.69, 55.3),
    result('FEF75', 'FEF75 呼出75%时流量', 'L/s', 'post', 0.47, 1.08, 0.53, 2.09, -1.92, 43.6),
  ];
}

function pdfWithDigests(bytes: Uint8Array): DeliveredReport['pdf'] {
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sm3: createHash('sm3').update(bytes).digest('hex'),
  };
}

/** A minimal valid one-page PDF 1.4 (catalog, pages, page, content stream, Helvetica) with a correct xref table. */
export function samplePdfBytes(text = 'PFTIS sample report'): Uint8Array {
  const content = `BT /F1 18 Tf 72 720 Td (${text.replace(/[\\()]/g, '\\$&')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  // The binary comment line (bytes ≥ 0x80) marks the file as binary, as PDF writers do.
  const header = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  let body = header;
  const offsets: number[] = [];
  for (const [index, object] of objects.entries()) {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  }
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, 'latin1'));
}

/** Bytes that start and end like a JPEG (SOI … EOI); not a decodable image, enough for transport tests. */
export function sampleJpegBytes(): Uint8Array {
  return new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);
}
