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
  }),
);

