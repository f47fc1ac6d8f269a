import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';

export interface AppErrorInit {
  code: string;
  status: number;
  /** Shown to the user: Simplified Chinese. */
  title: string;
  /** English, for logs and API clients. */
  message?: string;
  /** Safe to send: never SQL, stack traces or patient data. */
  extra?: Record<string, unknown>;
}

/**
 * A failure that one line explains to whoever runs the server or the CLI (bad configuration, database unreachable,
 * port taken): reported without a stack trace.
 */
export class OperatorError extends Error {}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly extra: Record<string, unknown>;

  constructor(init: AppErrorInit) {
    super(init.message ?? init.code);
    this.code = init.code;
    this.status = init.status;
    this.title = init.title;
    this.extra = init.extra ?? {};
  }
}

export class NotFound extends AppError {
  constructor(entity: string, id: string) {
    super({ code: 'not-found', status: 404, title: '记录不存在', message: `${entity} ${id} not found`, extra: { entity } });
  }
}

export class Conflict extends AppError {
  constructor(code: string, title: string, extra?: Record<string, unknown>) {
    super({ code, status: 409, title, extra });
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export function zodFieldErrors(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

/** Every error leaves the server as application/problem+json (RFC 9457) with a Chinese title and the request id. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = (status: number, code: string, title: string, extra: Record<string, unknown> = {}) =>
      reply
        .status(status)
        .type('application/problem+json')
        .send({ type: `/problems/${code}`, code, title, status, requestId: request.id, ...extra });

    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      return problem(error.status, error.code, error.title, error.extra);
    }
    if (error instanceof ZodError) {
      const context = (error as unknown as { validationContext?: string }).validationContext;
      return problem(400, 'validation', '请求参数不正确', { errors: zodFieldErrors(error, context) });
    }
    if (error.validation) {
      return problem(400, 'validation', '请求参数不正确', {
        errors: error.validation.map((v) => ({ field: String(v.instancePath ?? ''), message: v.message ?? '' })),
      });
    }
    if (error.statusCode && error.statusCode < 500) {
      const code = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported-media-type' : 'bad-request';
      const title = code === 'unsupported-media-type' ? '不支持的请求格式' : '请求格式不正确';
      return problem(error.statusCode, code, title, { detail: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return problem(500, 'internal', '系统内部错误，请联系管理员');
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type('application/problem+json')
      .send({ type: '/problems/route-not-found', code: 'route-not-found', title: '接口不存在', status: 404, requestId: request.id }),
  );
}
