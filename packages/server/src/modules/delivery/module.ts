import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import type { DeliveryService } from './delivery.service.js';
import { TargetBody } from './targets.js';

export { createDeliveryService, type DeliveryService, APPROVED_TOPIC, DELIVER_TOPIC, REVOKED_TOPIC } from './delivery.service.js';

const TargetView = z.object({
  id: z.string(), campusId: z.string().nullable(), name: z.string(), kind: z.string(), document: z.string(), config: z.unknown(), hasSecret: z.boolean(),
  updateStatus: z.boolean(), maxAttempts: z.number(), enabled: z.boolean(), updatedAt: z.string(),
});
const Overview = z.object({
  awaitingFanOut: z.number(),
  targets: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), enabled: z.boolean(), campusId: z.string().nullable(), pending: z.number(), failed: z.number(), doneLastDay: z.number(), oldestPendingMinutes: z.number().nullable() })),
});
const Job = z.object({
  id: z.number(), key: z.string(), status: z.string(), attempts: z.number(), lastError: z.string().nullable(), reasonZh: z.string().nullable(), createdAt: z.string(), doneAt: z.string().nullable(),
  nextAttemptAt: z.string(), targetId: z.string(), version: z.number(), accessionNo: z.string().nullable(), requestNo: z.string().nullable(), patientName: z.string().nullable(),
});
const JobParams = z.object({ id: z.coerce.number().int().positive() });

/** 上传监控 and delivery targets (system administrator). */
export function deliveryRoutes(app: FastifyInstance, delivery: DeliveryService) {
  const tags = ['delivery'];
  route(app, { method: 'GET', url: '/api/delivery/targets', access: 'delivery.manage', summary: 'Delivery targets', tags, response: z.array(TargetView) }, () => delivery.listTargets());
  route(app, { method: 'POST', url: '/api/delivery/targets', access: 'delivery.manage', summary: 'Add a delivery target', tags, body: TargetBody, response: TargetView, status: 201 }, (req) =>
    delivery.saveTarget(actorRef(actorOf(req)), req.body),
  );
  route(app, { method: 'PUT', url: '/api/delivery/targets/:id', access: 'delivery.manage', summary: 'Change a delivery target', tags, params: IdParams, body: TargetBody, response: TargetView }, (req) =>
    delivery.saveTarget(actorRef(actorOf(req)), req.body, req.params.id),
  );
  route(app, { method: 'GET', url: '/api/delivery/overview', access: 'delivery.manage', summary: 'Queue depth, oldest pending and failures per target', tags, response: Overview }, () => delivery.overview());
  route(
    app,
    { method: 'GET', url: '/api/delivery/jobs', access: 'delivery.manage', summary: 'Delivery jobs, newest first (failed = dead letters)', tags, query: z.object({ status: z.enum(['pending', 'failed', 'done']).optional(), targetId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }), response: z.array(Job) },
    (req) => delivery.jobs(req.query),
  );
  route(app, { method: 'GET', url: '/api/delivery/jobs/:id/attempts', access: 'delivery.manage', summary: 'Every attempt of one job', tags, params: JobParams, response: z.array(z.object({ attemptedAt: z.string(), ok: z.boolean(), durationMs: z.number(), detail: z.string().nullable(), reasonZh: z.string().nullable() })) }, (req) =>
    delivery.attempts(req.params.id),
  );
  route(app, { method: 'POST', url: '/api/delivery/jobs/:id/resend', access: 'delivery.manage', summary: 'Send again now (audited)', tags, params: JobParams, response: z.object({ status: z.enum(['pending', 'done']) }) }, (req) =>
    delivery.resend(actorRef(actorOf(req)), req.params.id),
  );
}
