import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { z, type ZodType } from 'zod';
import type { Permission } from './permission-catalog.js';

// Validation messages reach hospital staff: Chinese unless a schema gives its own.
z.config(z.locales.zhCN());

/**
 * Who may call a route. 'public': anyone. 'session': any signed-in session, also one that must still
 * finish its second factor or password change. 'authenticated': a fully signed-in user. Otherwise the
 * one permission the route needs.
 */
export type Access = 'public' | 'session' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

export interface RouteDef<P extends ZodType, Q extends ZodType, B extends ZodType, R extends ZodType> {
  method: HTTPMethods;
  url: string;
  access: Access;
  summary: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** Replies are serialised through this schema, so fields it does not list never leave the server. */
  response?: R;
  status?: number;
}

export type TypedRequest<P extends ZodType, Q extends ZodType, B extends ZodType> = Omit<FastifyRequest, 'params' | 'query' | 'body'> & {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
};

/** Declares a route: its access rule, zod schemas (validation, serialisation and OpenAPI) and one handler. */
export function route<P extends ZodType = ZodType<unknown>, Q extends ZodType = ZodType<unknown>, B extends ZodType = ZodType<unknown>, R extends ZodType = ZodType<unknown>>(
  app: FastifyInstance,
  def: RouteDef<P, Q, B, R>,
  handler: (request: TypedRequest<P, Q, B>, reply: FastifyReply) => Promise<z.input<R>> | z.input<R>,
): void {
  const status = def.status ?? 200;
  app.route({
    method: def.method,
    url: def.url,
    config: { access: def.access },
    schema: {
      summary: def.summary,
      tags: def.tags,
      ...(def.params && { params: def.params }),
      ...(def.query && { querystring: def.query }),
      ...(def.body && { body: def.body }),
      ...(def.response && { response: { [status]: def.response } }),
    },
    handler: async (request, reply) => {
      const result = await handler(request as unknown as TypedRequest<P, Q, B>, reply);
      if (reply.sent) return reply;
      if (reply.statusCode === 200) reply.status(status);
      return reply.send(result);
    },
  });
}

/** zod as Fastify's validator and serializer: parsed (coerced, defaulted) values replace the raw input. */
export function useZod(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema }) => (data) => {
    const result = (schema as ZodType).safeParse(data);
    return result.success ? { value: result.data } : { error: result.error };
  });
  app.setSerializerCompiler(({ schema }) => (data) => JSON.stringify((schema as ZodType).parse(data)));
}
