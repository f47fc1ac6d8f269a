import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import { ReportLayoutSchema, type ReportsService } from './reports.service.js';

export { createReportsService, type ReportsService } from './reports.service.js';

const Phrase = z.object({ id: z.string(), ownerId: z.string().nullable(), category: z.string(), text: z.string(), sort: z.number() });

/** 常用语 (phrase library, per lab and per user) and the lab's report layout. */
export function reportRoutes(app: FastifyInstance, reports: ReportsService) {
  const tags = ['reports'];
  route(app, { method: 'GET', url: '/api/report-phrases', access: 'exam.read', summary: "The lab's and my own phrases", tags, response: z.array(Phrase) }, (req) => reports.phrases(actorOf(req).userId));
  route(
    app,
    {
      method: 'POST', url: '/api/report-phrases', access: 'exam.read', summary: 'Add a phrase (shared with the lab: senior reviewers only)', tags, status: 201, response: Phrase,
      body: z.object({ text: z.string().trim().min(1, '请输入常用语').max(2000), category: z.string().trim().max(40).default(''), shared: z.boolean().default(false) }),
    },
    (req) => {
      const actor = actorOf(req);
      if (req.body.shared && !actor.permissions.has('report.approve.level2')) {
        throw new AppError({ code: 'auth.forbidden', status: 403, title: '只有审核医师可以添加科室常用语', message: 'shared phrases need report.approve.level2' });
      }
      return reports.addPhrase(actorRef(actor), req.body);
    },
  );
  route(app, { method: 'DELETE', url: '/api/report-phrases/:id', access: 'exam.read', summary: 'Remove a phrase', tags, params: IdParams, response: z.object({ ok: z.literal(true) }) }, async (req) => {
    const actor = actorOf(req);
    await reports.removePhrase(actorRef(actor), req.params.id, actor.permissions.has('report.approve.level2'));
    return { ok: true as const };
  });
  route(app, { method: 'GET', url: '/api/report-layout', access: 'authenticated', summary: 'How printed reports are laid out', tags, response: ReportLayoutSchema }, () => reports.layout());
  route(app, { method: 'PUT', url: '/api/report-layout', access: 'system.settings', summary: 'Change the report layout', tags, body: ReportLayoutSchema, response: ReportLayoutSchema }, (req) =>
    reports.updateLayout(actorRef(actorOf(req)), req.body),
  );
}
