import type { ColumnType, Generated } from 'kysely';

// The database as the application sees it (camelCase through Kysely's CamelCasePlugin).
// Kept by hand beside the migrations; the integration tests exercise every table through it.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | null, string | null>;

export interface CampusTable {
  id: Generated<string>;
  code: string;
  name: string;
  nameEn: string | null;
  address: string | null;
  active: Generated<boolean>;
  createdAt: Generated<Date>;
  updatedAt: Timestamp;
}

export interface DepartmentTable {
  id: Generated<string>;
  campusId: string;
  code: string;
  name: string;
  nameEn: string | null;
  kind: Generated<'pft_lab' | 'clinical' | 'administrative'>;
  active: Generated<boolean>;
  createdAt: Generated<Date>;
  updatedAt: Timestamp;
}

export interface RoleTable {
  id: Generated<string>;
  code: string;
  name: string;
  nameEn: string;
  description: Generated<string>;
  builtin: Generated<boolean>;
  administrative: Generated<boolean>;
  createdAt: Generated<Date>;
  updatedAt: Timestamp;
}

export interface RolePermissionTable {
  roleId: string;
  permission: string;
}

export interface AppUserTable {
  id: Generated<string>;
  username: string;
  displayName: string;
  passwordHash: string;
  passwordChangedAt: Timestamp;
  mustChangePassword: Generated<boolean>;
  failedAttempts: Generated<number>;
  lockedUntil: Date | null;
  disabled: Generated<boolean>;
  totpSecret: string | null;
  totpEnabled: Generated<boolean>;
  lastLoginAt: Date | null;
  lastLoginIp: string | null;
  createdAt: Generated<Date>;
  updatedAt: Timestamp;
}

export interface UserRoleTable {
  userId: string;
  roleId: string;
}

export interface UserCampusTable {
  userId: string;
  campusId: string;
}

export type SessionState = 'mfa' | 'password_change' | 'mfa_enroll' | 'active';

export interface SessionTable {
  id: string;
  userId: string;
  state: SessionState;
  csrfToken: string;
  campusId: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: Generated<Date>;
  lastSeenAt: Timestamp;
  expiresAt: Timestamp;
}

export interface SettingTable {
  key: string;
  value: Json;
  updatedAt: Timestamp;
  updatedBy: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  occurredAt: Date;
  actorId: string | null;
  actorName: string;
  ip: string | null;
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  entityType: string | null;
  entityId: string | null;
  campusId: string | null;
  before: Json;
  after: Json;
  detail: Json;
  prevHash: string;
  hash: string;
}

export interface HisViewTable {
  id: Generated<string>;
  code: string;
  name: string;
  enabled: Generated<boolean>;
  currentVersion: number;
  createdAt: Generated<Date>;
  updatedAt: Timestamp;
}

export interface HisViewVersionTable {
  viewId: string;
  version: number;
  sql: string;
  mapping: Json;
  timeoutMs: number;
  comment: Generated<string>;
  sampleKey: string | null;
  createdBy: string | null;
  createdByName: string;
  createdAt: Generated<Date>;
}

export interface HisViewCallTable {
  id: Generated<number>;
  viewId: string;
  calledAt: Timestamp;
  ok: boolean;
  latencyMs: number;
  error: string | null;
}

export interface DeviceTemplateTable {
  id: Generated<string>;
  name: string;
  version: number;
  template: Json;
  enabled: Generated<boolean>;
  comment: Generated<string>;
  createdBy: string | null;
  createdByName: string;
  createdAt: Generated<Date>;
}

export type ExamStatus = 'registered' | 'in_progress' | 'results' | 'draft' | 'pending_review' | 'approved' | 'delivered' | 'cancelled';

export interface PatientTable {
  id: Generated<string>;
  hisPatientId: string | null;
  name: string;
  sex: 'male' | 'female' | 'unknown';
  birthDate: string;
  idNumberSealed: string | null;
  idNumberHash: string | null;
  phoneSealed: string | null;
  addressSealed: string | null;
  cardNo: string | null;
  outpatientNo: string | null;
  inpatientNo: string | null;
  createdAt: Generated<Date>;
  updatedAt: Timestamp;
}

export interface DeviceTable {
  id: Generated<string>;
  campusId: string;
  name: string;
  room: Generated<string>;
  vendor: Generated<string>;
  model: Generated<string>;
  channel: 'gdt' | 'ndd_xml' | 'hl7_mllp';
  folder: string | null;
  host: string | null;
  port: number | null;
  encoding: Generated<'gbk' | 'gb18030' | 'iso-8859-1' | 'utf-8'>;
  gdtVersion: Generated<'2.1' | '3.5'>;
  resultFolder: string | null;
  enabled: Generated<boolean>;
  createdAt: Generated<Date>;
  updatedAt: Timestamp;
}

export interface ExamTable {
  id: Generated<string>;
  accessionNo: string;
  campusId: string;
  patientId: string;
  requestNo: string | null;
  itemCode: string | null;
  itemName: string;
  testKind: string;
  visitType: 'outpatient' | 'inpatient' | 'emergency' | 'physical';
  visitSerialNo: string | null;
  ward: string | null;
  bed: string | null;
  requestingDepartment: string | null;
  requestingDoctor: string | null;
  clinicalDiagnosis: string | null;
  requestedAt: Date | null;
  heightCm: number | null;
  weightKg: number | null;
  status: Generated<ExamStatus>;
  hisVerified: Generated<boolean>;
  deviceId: string | null;
  room: string | null;
  examDate: string;
  registeredBy: string | null;
  registeredAt: Timestamp;
  updatedAt: Timestamp;
}

export interface AccessionCounterTable {
  campusId: string;
  day: string;
  last: number;
}

export interface OutboxTable {
  id: Generated<number>;
  topic: string;
  key: string;
  payload: Json;
  campusId: string | null;
  status: Generated<'pending' | 'done' | 'failed'>;
  attempts: Generated<number>;
  nextAttemptAt: Timestamp;
  lastError: string | null;
  createdAt: Generated<Date>;
  doneAt: Date | null;
  /** Overrides the worker's limit (a delivery target's own setting). */
  maxAttempts: number | null;
}

export interface OutboxAttemptTable {
  id: Generated<number>;
  outboxId: number;
  attemptedAt: Date;
  ok: boolean;
  durationMs: number;
  detail: string | null;
}

export type RawFileStatus = 'received' | 'imported' | 'unmatched' | 'quarantined';

export interface RawFileTable {
  id: Generated<string>;
  sha256: string;
  sm3: string;
  sizeBytes: number;
  originalName: string;
  source: 'upload' | 'folder' | 'mllp' | 'api';
  deviceId: string | null;
  campusId: string | null;
  receivedAt: Date;
  receivedBy: string | null;
  format: string | null;
  status: RawFileStatus;
  reason: string | null;
  examId: string | null;
  attempts: Generated<number>;
  updatedAt: Timestamp;
  extraction: Json;
}

export interface MeasurementSetTable {
  id: Generated<string>;
  examId: string;
  rawFileId: string;
  format: string;
  testType: string | null;
  measuredAt: string | null;
  qualityGrade: string | null;
  deviceSerial: string | null;
  vendor: string | null;
  template: string | null;
  operator: string | null;
  deviceName: string | null;
  deviceConclusion: string | null;
  devicePatient: ColumnType<unknown, string | undefined, string>;
  identifiers: ColumnType<unknown, string | undefined, string>;
  warnings: ColumnType<unknown, string | undefined, string>;
  comparison: Json;
  createdAt: Generated<Date>;
}

export interface MeasurementTable {
  id: Generated<number>;
  setId: string;
  param: string | null;
  deviceParam: string;
  stage: Generated<'pre' | 'post'>;
  value: number | null;
  rawValue: string | null;
  unit: string | null;
  devicePredicted: number | null;
  deviceLln: number | null;
  deviceUln: number | null;
  deviceZscore: number | null;
  devicePctPred: number | null;
  deviceChangePct: number | null;
}

export interface CalibrationTable {
  id: Generated<string>;
  deviceId: string;
  campusId: string;
  kind: 'volume_check' | 'calibration' | 'biological_control';
  performedAt: Date;
  checkDate: string;
  performedBy: string | null;
  operatorName: string;
  syringeVolumeL: number | null;
  syringeSerial: string | null;
  temperatureC: number | null;
  pressureHpa: number | null;
  humidityPct: number | null;
  injections: Json;
  subject: string | null;
  fev1L: number | null;
  fvcL: number | null;
  passed: boolean;
  problems: Json;
  attachmentSha256: string | null;
  attachmentName: string | null;
  notes: Generated<string>;
  createdAt: Generated<Date>;
  source: Generated<'manual' | 'document' | 'device'>;
  baselineFev1L: number | null;
  baselineFvcL: number | null;
  baselineSessions: number | null;
}

export interface CalibrationDocumentTable {
  id: Generated<string>;
  calibrationId: string | null;
  campusId: string | null;
  sha256: string;
  name: string;
  mediaType: 'application/pdf' | 'image/jpeg' | 'image/png';
  sizeBytes: number;
  uploadedBy: string | null;
  uploadedAt: Generated<Date>;
}

export interface CalibrationActionTable {
  id: Generated<string>;
  calibrationId: string;
  action: string;
  performedBy: string | null;
  operatorName: string;
  createdAt: Generated<Date>;
}

export interface TrialCurveTable {
  id: Generated<number>;
  setId: string;
  stage: 'pre' | 'post';
  number: number;
  accepted: boolean | null;
  sampleIntervalS: number;
  timeZeroOffsetS: number | null;
  flowLps: number[];
  volumeL: number[];
}

export type SigningAlgorithm = 'rsa' | 'sm2';

export interface SigningCaTable {
  id: Generated<string>;
  algorithm: SigningAlgorithm;
  subject: string;
  certificatePem: string;
  privateKeySealed: string;
  active: Generated<boolean>;
  createdAt: Generated<Date>;
}

export interface SigningTrustTable {
  id: Generated<string>;
  certificatePem: string;
  sha256: string;
  subject: string;
  issuer: string;
  isCa: boolean;
  notAfter: Date;
  comment: Generated<string>;
  addedBy: string | null;
  addedByName: string;
  createdAt: Generated<Date>;
}

export interface UserSignatureTable {
  userId: string;
  imagePng: Uint8Array | null;
  algorithm: SigningAlgorithm | null;
  source: 'department_ca' | 'pkcs12' | null;
  certificatePem: string | null;
  chainPem: Generated<string>;
  privateKeySealed: string | null;
  subject: string | null;
  serial: string | null;
  notAfter: Date | null;
  failedPinAttempts: Generated<number>;
  pinLockedUntil: Date | null;
  updatedAt: Timestamp;
}

export type PhraseScope = 'personal' | 'campus' | 'department';

export interface PhraseTable {
  id: Generated<string>;
  /** Set for a personal phrase only. */
  ownerId: string | null;
  scope: Generated<PhraseScope>;
  /** Set for a campus (院区) phrase only. */
  campusId: string | null;
  createdBy: string | null;
  category: Generated<string>;
  text: string;
  sort: Generated<number>;
  createdAt: Generated<Date>;
}

export interface QuestionnaireDefinitionTable {
  id: Generated<string>;
  campusId: string | null;
  version: number;
  content: ColumnType<unknown, string, never>;
  comment: Generated<string>;
  createdBy: string | null;
  createdByName: string;
  createdAt: Generated<Date>;
}

export interface QuestionnaireAnswerTable {
  id: Generated<string>;
  examId: string;
  campusId: string;
  revision: number;
  definitionId: string;
  answers: ColumnType<unknown, string, never>;
  flags: ColumnType<unknown, string, never>;
  contraindications: Generated<number>;
  warnings: Generated<number>;
  answeredBy: string | null;
  answeredByName: string;
  answeredAt: Date;
}

export interface ReportTable {
  id: Generated<string>;
  examId: string;
  campusId: string;
  currentVersion: Generated<number>;
  createdAt: Generated<Date>;
}

export type ReportStatus = 'draft' | 'pending' | 'approved' | 'superseded' | 'revoked';

export interface ReportVersionTable {
  reportId: string;
  version: number;
  status: Generated<ReportStatus>;
  submission: Generated<number>;
  chain: ColumnType<unknown, string | undefined, string>;
  approvedLevels: Generated<number>;
  content: ColumnType<unknown, string, string>;
  conclusionText: Generated<string>;
  pattern: string | null;
  severity: string | null;
  bdr: 'positive' | 'negative' | null;
  authorId: string | null;
  authorName: string;
  submittedBy: string | null;
  submittedAt: Date | null;
  returnedComment: string | null;
  correctionReason: string | null;
  approvedAt: Date | null;
  signerId: string | null;
  signerCertificatePem: string | null;
  signatureAlgorithm: string | null;
  finalSha256: string | null;
  finalSm3: string | null;
  verificationCode: string | null;
  printCount: Generated<number>;
  revokedAt: Date | null;
  revocationReason: string | null;
  createdAt: Generated<Date>;
  updatedAt: Timestamp;
}

export type ReviewAction = 'submit' | 'approve' | 'return' | 'correct' | 'print' | 'revoke' | 'edit';

export interface ReviewStepTable {
  id: Generated<number>;
  reportId: string;
  version: number;
  submission: number;
  action: ReviewAction;
  level: number | null;
  actorId: string | null;
  actorName: string;
  comment: string | null;
  at: Date;
}

export type DeliveryKind = 'sql' | 'http' | 'hl7' | 'fhir' | 'file';

export interface DeliveryTargetTable {
  id: Generated<string>;
  campusId: string | null;
  name: string;
  kind: DeliveryKind;
  document: Generated<'pdf' | 'jpg'>;
  config: ColumnType<unknown, string, string>;
  secretSealed: string | null;
  updateStatus: Generated<boolean>;
  maxAttempts: Generated<number>;
  enabled: Generated<boolean>;
  createdAt: Generated<Date>;
  updatedAt: Timestamp;
}

export interface DB {
  campus: CampusTable;
  department: DepartmentTable;
  role: RoleTable;
  rolePermission: RolePermissionTable;
  appUser: AppUserTable;
  userRole: UserRoleTable;
  userCampus: UserCampusTable;
  session: SessionTable;
  setting: SettingTable;
  auditLog: AuditLogTable;
  hisView: HisViewTable;
  hisViewVersion: HisViewVersionTable;
  hisViewCall: HisViewCallTable;
  deviceTemplate: DeviceTemplateTable;
  patient: PatientTable;
  device: DeviceTable;
  exam: ExamTable;
  accessionCounter: AccessionCounterTable;
  outbox: OutboxTable;
  outboxAttempt: OutboxAttemptTable;
  rawFile: RawFileTable;
  measurementSet: MeasurementSetTable;
  measurement: MeasurementTable;
  calibration: CalibrationTable;
  calibrationDocument: CalibrationDocumentTable;
  calibrationAction: CalibrationActionTable;
  trialCurve: TrialCurveTable;
  signingCa: SigningCaTable;
  userSignature: UserSignatureTable;
  signingTrust: SigningTrustTable;
  phrase: PhraseTable;
  questionnaireDefinition: QuestionnaireDefinitionTable;
  questionnaireAnswer: QuestionnaireAnswerTable;
  report: ReportTable;
  reportVersion: ReportVersionTable;
  reviewStep: ReviewStepTable;
  deliveryTarget: DeliveryTargetTable;
}
