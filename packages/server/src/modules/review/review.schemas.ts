import { z } from 'zod';
import { WorkspaceQuestionnaire } from '../questionnaire/questionnaire.schemas.js';

export const ChainLevel = z.object({ level: z.number(), name: z.string(), nameEn: z.string(), permission: z.string() });
export const CodeParams = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{8,40}$/, '校验码格式不正确') });
export const Created = z.object({ reportId: z.string(), version: z.number() });
export const PinBody = z.object({ pin: z.string().min(1, '请输入签名密码').max(64) });

const nullableText = z.string().max(40).nullable();
export const ConclusionBody = z.object({
  conclusionText: z.string().max(4000, '结论过长'),
  pattern: z.enum(['normal', 'obstruction', 'possible_restriction', 'restriction', 'mixed', 'non_specific', 'prism', 'small_airway_dysfunction']).nullable(),
  severity: z.enum(['none', 'mild', 'moderate', 'moderately_severe', 'severe', 'very_severe']).nullable(),
  bdr: z.enum(['positive', 'negative']).nullable(),
  /** Recompute the values from the device results first (drafts only). */
  refresh: z.boolean().optional(),
});

const iso = z.union([z.date(), z.string()]).transform((v) => (typeof v === 'string' ? v : v.toISOString()));
const Row = z.object({
  param: z.string(), unit: z.string(), predicted: z.number().nullable(), lln: z.number().nullable(), uln: z.number().nullable(), measured: z.number().nullable(),
  zScore: z.number().nullable(), pctPredicted: z.number().nullable(), post: z.number().nullable(), postZScore: z.number().nullable(), postPctPredicted: z.number().nullable(),
  changePct: z.number().nullable(), reference: z.enum(['equation', 'device', 'none']),
});
export const Content = z.object({
  subject: z.object({ sex: z.string(), ageYears: z.number().nullable(), heightCm: z.number().nullable(), weightKg: z.number().nullable() }),
  rows: z.array(Row),
  equations: z.array(z.object({ group: z.string(), equation: z.string(), equationVersion: z.string(), ethnicity: z.union([z.number(), z.string()]).nullish(), source: z.string() })),
  quality: z.object({ source: z.string(), fev1: z.string().nullable(), fvc: z.string().nullable(), acceptableFev1: z.number().nullable(), acceptableFvc: z.number().nullable(), post: z.object({ fev1: z.string().nullable(), fvc: z.string().nullable(), acceptableFev1: z.number().nullable(), acceptableFvc: z.number().nullable() }).nullish(), device: z.string().nullish() }).nullable(),
  interpretation: z.object({ scheme: z.string(), pattern: z.string().nullable(), severity: z.string(), bdr: z.string().nullable(), narrative: z.object({ zh: z.string(), en: z.string() }), findings: z.array(z.object({ code: z.string(), values: z.record(z.string(), z.unknown()) })) }).nullable(),
  warnings: z.array(z.string()),
});

export const Workspace = z.object({
  exam: z.object({
    id: z.string(), accessionNo: z.string(), requestNo: z.string().nullable(), itemName: z.string(), testKind: z.string(), visitType: z.string(), visitSerialNo: z.string().nullable(),
    ward: z.string().nullable(), bed: z.string().nullable(), requestingDepartment: z.string().nullable(), requestingDoctor: z.string().nullable(), clinicalDiagnosis: z.string().nullable(),
    examDate: z.string(), heightCm: z.number().nullable(), weightKg: z.number().nullable(), status: z.string(), campusId: z.string(), campusName: z.string(),
    patientName: z.string(), sex: z.string(), birthDate: z.string(), hisPatientId: z.string().nullable(), outpatientNo: z.string().nullable(), inpatientNo: z.string().nullable(),
  }),
  age: z.string(),
  report: z.object({ id: z.string(), currentVersion: z.number(), versions: z.array(z.object({ version: z.number(), status: z.string(), createdAt: iso, approvedAt: iso.nullable(), correctionReason: z.string().nullable(), authorName: z.string() })) }).nullable(),
  version: z.object({
    version: z.number(), status: z.enum(['draft', 'pending', 'approved', 'superseded', 'revoked']), revokedAt: iso.nullable(), revocationReason: z.string().nullable(), submission: z.number(), chain: z.array(ChainLevel), approvedLevels: z.number(), content: Content,
    conclusionText: z.string(), pattern: z.string().nullable(), severity: z.string().nullable(), bdr: z.string().nullable(), authorName: z.string(), returnedComment: z.string().nullable(),
    correctionReason: z.string().nullable(), submittedAt: iso.nullable(), approvedAt: iso.nullable(), verificationCode: z.string().nullable(), finalSha256: z.string().nullable(), finalSm3: z.string().nullable(),
    signatureAlgorithm: z.string().nullable(), printCount: z.number(),
  }).nullable(),
  steps: z.array(z.object({ action: z.string(), level: z.number().nullable(), actorName: z.string(), comment: z.string().nullable(), at: iso, submission: z.number() })),
  curves: z.array(z.object({ stage: z.string(), number: z.number(), accepted: z.boolean().nullable(), sampleIntervalS: z.number(), flowLps: z.array(z.number()), volumeL: z.array(z.number()) })),
  previous: z.array(z.object({ examId: z.string(), examDate: z.string(), itemName: z.string(), status: z.string(), reportStatus: z.string().nullable(), conclusion: z.string().nullable(), fev1: z.number().nullable(), fvc: z.number().nullable(), fev1fvc: z.number().nullable() })),
  allowed: z.object({ edit: z.boolean(), submit: z.boolean(), approve: z.boolean(), return: z.boolean(), correct: z.boolean(), revoke: z.boolean() }).nullable(),
  policy: z.object({ fourEyes: z.boolean(), pinOnPrint: z.boolean() }),
  /** The pre-test questionnaire's answers in force (问卷调查), or null when none were given. */
  questionnaire: WorkspaceQuestionnaire.nullable().default(null),
});

export const Approved = z.object({ status: z.enum(['pending', 'approved']), level: z.number(), final: z.object({ sha256: z.string(), verificationCode: z.string() }).nullable() });

export const Queue = z.object({
  items: z.array(z.object({
    reportId: z.string(), version: z.number(), examId: z.string(), accessionNo: z.string(), patientName: z.string(), sex: z.string(), visitType: z.string(), ward: z.string().nullable(), bed: z.string().nullable(),
    itemName: z.string(), examDate: z.string(), level: z.number(), levelName: z.string(), levelNameEn: z.string(), waitingMinutes: z.number(), submittedAt: z.string().nullable(), urgent: z.boolean(), pattern: z.string().nullable(), correctionReason: z.string().nullable(),
    /** False when four-eyes keeps this viewer from approving it (listed so they see it waits for a colleague). */
    approvable: z.boolean(),
    blockedBy: z.enum(['four_eyes', 'four_eyes_editor']).nullable(),
  })),
  /** Per level: what the viewer can approve (count, urgent, oldest wait) and what waits there for someone else (blocked). */
  levels: z.array(z.object({ level: z.number(), name: z.string(), nameEn: z.string(), count: z.number(), urgent: z.number(), oldestMinutes: z.number(), blocked: z.number() })),
});

export const Verification = z.object({
  hospital: z.string(), campus: z.string(), examDate: z.string(), version: z.number(), superseded: z.boolean(), revoked: z.boolean(), signer: z.string(), signedAt: z.string().nullable(), algorithm: z.string(),
  /** The certificate that signed the final PDF, as recorded at approval. */
  signerCertificate: z.object({ subject: z.string(), commonName: z.string(), issuer: z.string(), serial: z.string(), notBefore: z.string(), notAfter: z.string(), sha256: z.string() }).nullable(),
  sha256: z.string(), sm3: z.string(), storedIntact: z.boolean(), signatureValid: z.boolean(),
  presented: z.object({ sha256: z.string(), matchesStored: z.boolean(), signatureValid: z.boolean(), reason: z.string().nullable(), signer: z.string().nullable() }).nullable(),
});

export const SignatureStatus = z.object({
  hasImage: z.boolean(), algorithm: z.enum(['rsa', 'sm2']).nullable(), source: z.enum(['department_ca', 'pkcs12']).nullable(), subject: z.string().nullable(), serial: z.string().nullable(),
  notAfter: iso.nullable(), canSign: z.boolean(),
  /** Whether the certificate chains to the department CA or the trust list; null without a certificate. */
  trusted: z.boolean().nullable(),
});
export const IssueBody = z.object({ algorithm: z.enum(['rsa', 'sm2']).default('sm2'), pin: z.string().min(6, '签名密码至少 6 位').max(64) });
export const ImportBody = z.object({ p12Base64: z.string().min(10).max(200_000), password: z.string().max(128), pin: z.string().min(6, '签名密码至少 6 位').max(64) });

export const TrustEntry = z.object({ id: z.string(), subject: z.string(), issuer: z.string(), isCa: z.boolean(), notAfter: iso, sha256: z.string(), comment: z.string(), addedByName: z.string(), createdAt: iso, certificatePem: z.string() });
export const TrustList = z.object({
  departmentCas: z.array(z.object({ id: z.string(), algorithm: z.enum(['rsa', 'sm2']), active: z.boolean(), subject: z.string(), notAfter: iso, sha256: z.string() })),
  entries: z.array(TrustEntry),
});
export const TrustBody = z.object({
  /** PEM, or DER as base64. */
  certificate: z.string().trim().min(100, '请上传证书文件').max(30_000, '证书文件过大'),
  comment: z.string().trim().max(200).default(''),
});
