import type { FastifyInstance } from 'fastify';
import { z, type ZodType } from 'zod';
import type { Access } from './http.js';

interface CollectedRoute {
  method: string;
  url: string;
  access: Access;
  schema: { summary?: string; tags?: string[]; params?: ZodType; querystring?: ZodType; body?: ZodType; response?: Record<string, ZodType> };
}

const toJson = (schema: ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });

function parameters(schema: ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = toJson(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

/** Collects every API route as it is registered and builds an OpenAPI 3 document from its zod schemas. */
export function collectOpenApi(app: FastifyInstance, info: { title: string; version: string }) {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (options) => {
    if (!options.url.startsWith('/api/') || options.method === 'HEAD') return;
    for (const method of ([] as string[]).concat(options.method)) {
      routes.push({ method, url: options.url, access: options.config?.access ?? 'public', schema: (options.schema ?? {}) as CollectedRoute['schema'] });
    }
  });

  let document: unknown;
  return function openApiDocument() {
    document ??= {
      openapi: '3.0.3',
      info: { ...info, description: 'PFTIS HTTP API. Every operation states the permission it needs (x-permission).' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'pftis_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
      paths: routes.reduce<Record<string, Record<string, unknown>>>((paths, r) => {
        const path = r.url.replace(/:(\w+)/g, '{$1}');
        const responses = Object.fromEntries(
          Object.entries(r.schema.response ?? { 200: z.unknown() }).map(([status, schema]) => [
            status,
            { description: 'OK', content: { 'application/json': { schema: toJson(schema, 'output') } } },
          ]),
        );
        (paths[path] ??= {})[r.method.toLowerCase()] = {
          summary: r.schema.summary,
          tags: r.schema.tags,
          'x-permission': r.access,
          security: r.access === 'public' ? [] : [{ session: [], csrf: [] }],
          parameters: [...parameters(r.schema.params, 'path'), ...parameters(r.schema.querystring, 'query')],
          ...(r.schema.body && { requestBody: { required: true, content: { 'application/json': { schema: toJson(r.schema.body, 'input') } } } }),
          responses: { ...responses, default: { description: 'application/problem+json' } },
        };
        return paths;
      }, {}),
    };
    return document;
  };
}
