import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import { ReportLayoutSchema, type ReportsService } from './reports.service.js';

export { createReportsService, type ReportsService } from './reports.service.js';

export const Phrase = z.object({
  id: z.string(),
  /** Set for a personal phrase only. */
  ownerId: z.string().nullable(),
  scope: z.enum(['personal', 'campus', 'department']),
  campusId: z.string().nullable(),
  campusName: z.string().nullable(),
  category: z.string(),
  text: z.string(),
  sort: z.number(),
  /** Whether the caller may delete it. */
  removable: z.boolean(),
});

/** 常用语 (phrase library: personal, per campus and department-wide) and the lab's report layout. */
export function reportRoutes(app: FastifyInstance, reports: ReportsService) {
  const tags = ['reports'];
  route(app, { method: 'GET', url: '/api/report-phrases', access: 'exam.read', summary: "My own phrases, my working campus's and the department's", tags, response: z.array(Phrase) }, (req) => reports.phrases(actorOf(req)));
  route(
    app,
    {
      method: 'POST', url: '/api/report-phrases', access: 'exam.read', summary: 'Add a phrase (campus or department-wide: level-2 reviewers only)', tags, status: 201, response: Phrase,
      body: z.object({
        text: z.string().trim().min(1, '请输入常用语').max(2000),
        category: z.string().trim().max(40).default(''),
        scope: z.enum(['personal', 'campus', 'department'], { error: '范围应为个人、院区或科室' }).optional(),
        /** Before scopes: true meant department-wide. */
        shared: z.boolean().default(false),
      }),
    },
    (req) => reports.addPhrase(actorOf(req), req.body),
  );
  route(app, { method: 'DELETE', url: '/api/report-phrases/:id', access: 'exam.read', summary: 'Remove a phrase (my own; shared ones: level-2 reviewers)', tags, params: IdParams, response: z.object({ ok: z.literal(true) }) }, async (req) => {
    await reports.removePhrase(actorOf(req), req.params.id);
    return { ok: true as const };
  });
  route(app, { method: 'GET', url: '/api/report-layout', access: 'authenticated', summary: 'How printed reports are laid out', tags, response: ReportLayoutSchema }, () => reports.layout());
  route(app, { method: 'PUT', url: '/api/report-layout', access: 'system.settings', summary: 'Change the report layout', tags, body: ReportLayoutSchema, response: ReportLayoutSchema }, (req) =>
    reports.updateLayout(actorRef(actorOf(req)), req.body),
  );
}
