/**
 * One approved report version as it leaves PFTIS for the HIS, EMR or integration platform: everything any delivery
 * format (SQL write-back, HTTP/JSON/XML, HL7 ORU, FHIR, file drop) needs, already resolved. Writers are pure:
 * DeliveredReport in, bytes or a document out.
 */
export interface DeliveredResult {
  /** Parameter id of the clinical core: FEV1, FVC, FEV1FVC, PEF, FEF2575, FEF75, TLC, RV, RVTLC, FRC, TLCO_SI, KCO_SI, VA … */
  param: string;
  /** e.g. "FEV1 第一秒用力呼气容积" */
  label: string;
  /** UCUM: L, L/s, %, mmol/min/kPa … (FEV1FVC and RVTLC as %). */
  unit: string;
  stage: 'pre' | 'post';
  value: number | null;
  predicted: number | null;
  lln: number | null;
  uln: number | null;
  zScore: number | null;
  pctPredicted: number | null;
}

export interface DeliveredReport {
  /**
   * `${reportId}:${version}`: the same at every retry, so a receiver can ignore a repeat. A revoke keeps the revoked
   * version's key; messages derive their ids from `reportDeliveryKey` (ids.ts) (`${idempotencyKey}:revoke`).
   */
  idempotencyKey: string;
  reportId: string;
  version: number;
  /**
   * publish: first version; replace: a correction of `supersedesVersion`; revoke: this (approved, already delivered)
   * version is withdrawn, e.g. it was sent for the wrong patient. A revoke carries the revoked version's own data and
   * idempotency key (so the receiver can find what to withdraw); `pdf` is still filled in, but no writer sends the
   * document again: the messages identify the version and say it is withdrawn (see `reportDeliveryKey` (ids.ts) for the
   * key that tells the withdrawal apart from the version's publication).
   */
  action: 'publish' | 'replace' | 'revoke';
  supersedesVersion: number | null;
  correctionReason: string | null;
  /** 撤回原因: set on a revoke, else null. */
  revocationReason: string | null;
  hospital: { name: string; campusCode: string; campusName: string };
  patient: { hisPatientId: string | null; name: string; sex: 'male' | 'female' | 'unknown'; birthDate: string; outpatientNo: string | null; inpatientNo: string | null };
  order: {
    /** 申请单号 */
    requestNo: string | null;
    accessionNo: string;
    visitType: 'outpatient' | 'inpatient' | 'emergency' | 'physical';
    /** 门诊流水号 / 住院流水号 */
    visitSerialNo: string | null;
    itemCode: string | null;
    itemName: string;
    examDate: string;
    requestingDepartment: string | null;
    requestingDoctor: string | null;
  };
  results: DeliveredResult[];
  conclusion: { text: string; summary: string | null; pattern: string | null; severity: string | null; bdr: 'positive' | 'negative' | null };
  technician: string | null;
  reporter: string | null;
  reviewer: string;
  /** ISO 8601 with offset. */
  approvedAt: string;
  /** 电子签章号: the signer certificate's serial number (hex). */
  signatureSerial: string | null;
  /** The public verification page of this version. */
  verificationUrl: string;
  /** The signed final PDF, and its pages as JPEG where the target takes images. */
  pdf: { bytes: Uint8Array; sha256: string; sm3: string };
  jpgPages: Uint8Array[] | null;
}
