import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { migrationStatus } from '../../db/migrate.js';
import type { DB } from '../../db/types.js';
import { route } from '../../platform/http.js';

const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  database: z.object({ reachable: z.boolean(), kind: z.string(), latencyMs: z.number().optional(), error: z.string().optional() }),
  migrations: z.object({ current: z.boolean(), applied: z.number(), latest: z.string(), pending: z.array(z.string()) }).optional(),
});

/** Liveness and readiness for monitors and load balancers: 200 when the database answers and is migrated, else 503. */
export function healthRoutes(app: FastifyInstance, deps: { db: Kysely<DB>; kind: string; version: string; startedAt: number }) {
  route(app, { method: 'GET', url: '/api/health', access: 'public', summary: 'Service health', tags: ['health'], response: Health }, async (_req, reply) => {
    const base = { version: deps.version, uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000) };
    const t0 = performance.now();
    try {
      await sql`select 1`.execute(deps.db);
      const latencyMs = Math.round((performance.now() - t0) * 10) / 10;
      const migrations = await migrationStatus(deps.db);
      const status: 'ok' | 'degraded' = migrations.current ? 'ok' : 'degraded';
      if (status !== 'ok') reply.status(503);
      return { status, ...base, database: { reachable: true, kind: deps.kind, latencyMs }, migrations };
    } catch (error) {
      reply.status(503);
      return { status: 'degraded' as const, ...base, database: { reachable: false, kind: deps.kind, error: (error as Error).message } };
    }
  });
}
