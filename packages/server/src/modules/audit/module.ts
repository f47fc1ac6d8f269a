import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import type { AuditService } from './audit.service.js';

export { createAuditService, type AuditService } from './audit.service.js';

const AuditQuery = z.object({
  from: z.coerce.date({ error: '开始时间格式不正确' }).optional(),
  to: z.coerce.date({ error: '结束时间格式不正确' }).optional(),
  actor: z.string().trim().max(64).optional(),
  action: z.string().trim().max(64).optional(),
  entityType: z.string().trim().max(64).optional(),
  entityId: z.string().trim().max(128).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

const AuditPage = z.object({
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  items: z.array(
    z.object({
      id: z.number(),
      occurredAt: z.string(),
      actorId: z.string().nullable(),
      actorName: z.string(),
      ip: z.string().nullable(),
      action: z.string(),
      outcome: z.string(),
      entityType: z.string().nullable(),
      entityId: z.string().nullable(),
      campusId: z.string().nullable(),
      before: z.unknown(),
      after: z.unknown(),
      detail: z.unknown(),
      hash: z.string(),
    }),
  ),
});

const Verdict = z.object({
  ok: z.boolean(),
  checked: z.number(),
  headHash: z.string().optional(),
  brokenAtId: z.number().optional(),
  reason: z.string().optional(),
});

export function auditRoutes(app: FastifyInstance, audit: AuditService) {
  const tags = ['audit'];
  route(app, { method: 'GET', url: '/api/audit/entries', access: 'audit.read', summary: 'Search the audit log', tags, query: AuditQuery, response: AuditPage }, (req) =>
    audit.search(actorRef(actorOf(req)), req.query),
  );
  route(app, { method: 'GET', url: '/api/audit/verify', access: 'audit.read', summary: 'Check the SM3 hash chain of the whole audit log', tags, response: Verdict }, (req) =>
    audit.verify(actorRef(actorOf(req))),
  );
}
