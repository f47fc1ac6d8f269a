import { z } from 'zod';

/** Placeholders a file name pattern may use (see reportFileName in @pftis/formats). */
const namePattern = z.string().trim().min(3).max(200).regex(/\{(requestNo|accessionNo|reportId)\}/, '文件名规则须包含 {requestNo}、{accessionNo} 或 {reportId}，以区分每份报告');
const timeoutMs = z.number().int().min(500).max(120_000).default(15_000);

export const SqlTargetConfig = z.object({
  /** INSERT/UPDATE statements with :named parameters, run in one HIS transaction; each must be idempotent. */
  statements: z.array(z.string().trim().min(10).max(4000)).min(1, '至少配置一条写入语句').max(5),
  /** Run when an approved report is revoked (e.g. mark the row withdrawn); none: revocations cannot reach this HIS. */
  revokeStatements: z.array(z.string().trim().min(10).max(4000)).max(5).default([]),
  timeoutMs,
});
export const HttpTargetConfig = z.object({
  url: z.string().url('地址格式不正确').refine((u) => /^https?:\/\//.test(u), '只支持 http(s)'),
  format: z.enum(['json', 'xml']).default('json'),
  /** Body template with {{field}} placeholders; empty: the built-in template. */
  template: z.string().max(20_000).default(''),
  /** Header that carries the secret, e.g. Authorization (sent as "Bearer <secret>") or X-Api-Key (sent as is). */
  authHeader: z.string().trim().max(60).default('Authorization'),
  headers: z.record(z.string().max(60), z.string().max(500)).default({}),
  timeoutMs,
});
export const Hl7TargetConfig = z.object({
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  encoding: z.enum(['utf-8', 'gbk']).default('gbk'),
  sendingApplication: z.string().trim().max(40).default('PFTIS'),
  sendingFacility: z.string().trim().max(40).default(''),
  receivingApplication: z.string().trim().max(40).default('HIS'),
  receivingFacility: z.string().trim().max(40).default(''),
  timeoutMs,
});
export const FhirTargetConfig = z.object({
  baseUrl: z.string().url('地址格式不正确'),
  timeoutMs,
});
export const FileTargetConfig = z.object({
  folder: z.string().trim().min(1).max(500),
  namePattern: namePattern.default('{requestNo}_{accessionNo}_v{version}'),
  sidecar: z.enum(['json', 'xml', 'none']).default('json'),
});

export const TargetBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sql'), config: SqlTargetConfig }),
  z.object({ kind: z.literal('http'), config: HttpTargetConfig }),
  z.object({ kind: z.literal('hl7'), config: Hl7TargetConfig }),
  z.object({ kind: z.literal('fhir'), config: FhirTargetConfig }),
  z.object({ kind: z.literal('file'), config: FileTargetConfig }),
]).and(
  z.object({
    name: z.string().trim().min(1, '请填写名称').max(60),
    campusId: z.uuid().nullable().default(null),
    document: z.enum(['pdf', 'jpg']).default('pdf'),
    /** A token or password for the receiver; stored sealed, never sent back. Omit to keep the stored one. */
    secret: z.string().max(2000).optional(),
    updateStatus: z.boolean().default(false),
    maxAttempts: z.number().int().min(1).max(100).default(8),
    enabled: z.boolean().default(true),
  }),
);
export type TargetInput = z.output<typeof TargetBody>;

export type TargetConfig =
  | { kind: 'sql'; config: z.output<typeof SqlTargetConfig> }
  | { kind: 'http'; config: z.output<typeof HttpTargetConfig> }
  | { kind: 'hl7'; config: z.output<typeof Hl7TargetConfig> }
  | { kind: 'fhir'; config: z.output<typeof FhirTargetConfig> }
  | { kind: 'file'; config: z.output<typeof FileTargetConfig> };

/** Why a delivery failed, in the words of the lab's IT staff (the English detail stays in the attempt log). */
export function reasonZh(detail: string | null): string | null {
  if (!detail) return null;
  const rules: Array<[RegExp, string]> = [
    [/ECONNREFUSED|connection refused/i, '无法连接接收方（连接被拒绝），HIS 服务可能未启动'],
    [/ENOTFOUND|EAI_AGAIN/i, '找不到接收方主机，请检查地址配置'],
    [/timed? ?out|timeout|ETIMEDOUT|aborted/i, '等待接收方响应超时'],
    [/ECONNRESET|socket hang up|closed/i, '连接被接收方中断'],
    [/HTTP 5\d\d/, '接收方服务器错误（HTTP 5xx），将自动重试'],
    [/HTTP 4\d\d/, '接收方拒绝了请求（HTTP 4xx），请检查配置或认证'],
    [/malformed ACK|not an ACK/i, '接收方回执（ACK）格式错误'],
    [/rejected|\bAR\b|\bCR\b/, '接收方拒收该报告（AR）'],
    [/\bAE\b|\bCE\b|application error/i, '接收方处理出错（AE），将自动重试'],
    [/statement refused|unknown parameters/i, '写入语句配置有误'],
    [/no HIS connection/i, '未配置 HIS 数据库连接'],
    [/duplicate key|unique constraint/i, '接收方已有该报告（重复写入被拒绝）'],
    [/EACCES|EPERM|ENOENT/i, '无法写入目标文件夹，请检查路径和权限'],
    [/not approved|not completed review/i, '报告未完成审核，禁止发送'],
  ];
  return rules.find(([pattern]) => pattern.test(detail))?.[1] ?? '发送失败，详见英文日志';
}
