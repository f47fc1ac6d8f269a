import { z } from 'zod';
import { MappingSchema } from './mapping.js';

export const CodeParams = z.object({ code: z.string().regex(/^[a-z.-]+$/, '视图代码格式不正确') });

export const DraftBody = z.object({
  sql: z.string().trim().min(1, '请输入 SQL').max(20_000),
  mapping: MappingSchema,
  timeoutMs: z.number().int().min(100, '超时不能少于 100 毫秒').max(60_000, '超时不能超过 60 秒'),
  sampleKey: z.string().trim().min(1, '请输入测试用的样例值').max(64),
});
export const SaveBody = DraftBody.extend({ comment: z.string().trim().max(200).default('') });
export const RollbackBody = z.object({ version: z.number().int().min(1) });
export const EnabledBody = z.object({ enabled: z.boolean() });

const ProblemView = z.object({
  kind: z.string(),
  field: z.string().optional(),
  column: z.string().optional(),
  row: z.number().optional(),
  value: z.unknown().optional(),
  message: z.string(),
});

export const TestReply = z.object({
  ok: z.boolean(),
  latencyMs: z.number().nullable(),
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.string().nullable())),
  records: z.array(z.record(z.string(), z.unknown())),
  skipped: z.number(),
  problems: z.array(ProblemView),
});

export const ViewList = z.array(
  z.object({
    code: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    version: z.number(),
    sql: z.string(),
    mapping: MappingSchema,
    timeoutMs: z.number(),
    status: z.object({ lastSuccessAt: z.string().nullable(), calls: z.number(), errorRate: z.number(), medianLatencyMs: z.number().nullable() }),
  }),
);

export const History = z.array(
  z.object({
    version: z.number(),
    current: z.boolean(),
    comment: z.string(),
    createdByName: z.string(),
    createdAt: z.string(),
    sql: z.string(),
    mapping: MappingSchema,
    timeoutMs: z.number(),
    diff: z.array(z.object({ kind: z.enum(['same', 'added', 'removed']), text: z.string() })),
  }),
);

export const VersionReply = z.object({ version: z.number() });
