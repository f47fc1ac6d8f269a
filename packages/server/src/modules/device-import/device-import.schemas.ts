import { z } from 'zod';

export const Status = z.enum(['received', 'imported', 'unmatched', 'quarantined']);
export const UploadQuery = z.object({
  name: z.string().trim().min(1, '请提供文件名').max(255),
  deviceId: z.uuid('设备编号格式不正确').optional(),
});
export const Received = z.object({ fileId: z.string(), status: Status, duplicate: z.boolean() });
export const FileList = z.array(
  z.object({
    id: z.string(),
    sha256: z.string(),
    originalName: z.string(),
    source: z.string(),
    format: z.string().nullable(),
    status: Status,
    reason: z.string().nullable(),
    examId: z.string().nullable(),
    receivedAt: z.string(),
    attempts: z.number(),
    sizeBytes: z.number(),
  }),
);
export const Measurements = z.array(
  z.object({
    setId: z.string(),
    format: z.string(),
    qualityGrade: z.string().nullable(),
    param: z.string().nullable(),
    deviceParam: z.string(),
    stage: z.string(),
    value: z.number().nullable(),
    unit: z.string().nullable(),
    devicePredicted: z.number().nullable(),
    deviceLln: z.number().nullable(),
    deviceUln: z.number().nullable(),
    deviceZscore: z.number().nullable(),
    devicePctPred: z.number().nullable(),
    deviceChangePct: z.number().nullable(),
  }),
);

const DevicePatient = z.object({ name: z.string().nullable(), id: z.string().nullable(), sex: z.enum(['M', 'F']).nullable(), birthDate: z.string().nullable(), age: z.number().nullable(), heightCm: z.number().nullable(), weightKg: z.number().nullable() });
const Identifiers = z.object({ accessionNo: z.string().nullable(), requestNo: z.string().nullable(), outpatientSerial: z.string().nullable(), inpatientSerial: z.string().nullable(), patientId: z.string().nullable() });
const Conflict = z.object({ field: z.enum(['name', 'sex', 'birthDate']), device: z.string(), his: z.string() });

export const Candidates = z.object({
  extraction: z.object({ patient: DevicePatient, identifiers: Identifiers, measuredAt: z.string().nullable(), testType: z.string().nullable() }).nullable(),
  candidates: z.array(
    z.object({
      examId: z.string(), accessionNo: z.string(), requestNo: z.string().nullable(), examDate: z.string(), status: z.string(), patientName: z.string(), sex: z.string(), birthDate: z.string(),
      score: z.number(), reasons: z.array(z.string()), conflicts: z.array(Conflict),
    }),
  ),
});

const FieldValues = z.record(z.string(), z.number());
export const DeviceResults = z.array(
  z.object({
    setId: z.string(), format: z.string(), vendor: z.string().nullable(), template: z.string().nullable(), testType: z.string().nullable(), measuredAt: z.string().nullable(),
    operator: z.string().nullable(), deviceName: z.string().nullable(), deviceConclusion: z.string().nullable(), patient: z.unknown(), identifiers: z.unknown(), warnings: z.array(z.string()),
    comparison: z
      .object({
        equations: z.array(z.string()),
        ours: z.object({ pattern: z.string().nullable(), severity: z.string().nullable(), bdr: z.enum(['positive', 'negative']).nullable(), narrative: z.string().nullable() }).nullable(),
        rows: z.array(z.object({ param: z.string(), stage: z.enum(['pre', 'post']), device: FieldValues, ours: FieldValues, differs: z.array(z.string()) })),
        flagged: z.number(),
        warnings: z.array(z.string()),
      })
      .nullable(),
  }),
);

