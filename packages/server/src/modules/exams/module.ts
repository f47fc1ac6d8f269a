import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import * as s from './exams.schemas.js';
import type { ExamsService } from './exams.service.js';

export { createExamsService, classifyScan, type ExamsService } from './exams.service.js';
export { createPatientStore, type PatientStore } from './patients.js';

/** 登记 (scan intake) and 今日工作列表. */
export function examRoutes(app: FastifyInstance, exams: ExamsService) {
  const tags = ['exams'];
  route(app, { method: 'POST', url: '/api/exams/scan', access: 'exam.register', summary: 'Look up a scanned card, visit, order or ID number in the HIS', tags, body: s.ScanBody, response: s.ScanReply }, (req) =>
    exams.scan(actorOf(req), req.body.code),
  );
  route(app, { method: 'POST', url: '/api/exams', access: 'exam.register', summary: 'Register the selected HIS orders as exams', tags, body: s.RegisterBody, response: s.RegisterReply, status: 201 }, (req) =>
    exams.register(actorOf(req), req.body),
  );
  route(app, { method: 'POST', url: '/api/exams/manual', access: 'exam.register', summary: 'Register without the HIS (marked 待核对)', tags, body: s.ManualRegisterBody, response: s.ManualReply, status: 201 }, (req) =>
    exams.registerManually(actorOf(req), req.body),
  );
  route(app, { method: 'POST', url: '/api/exams/reconcile', access: 'exam.register', summary: 'Reconcile 待核对 exams against the HIS now', tags, response: s.ReconcileReply }, (req) =>
    exams.reconcile(actorRef(actorOf(req))),
  );
  route(app, { method: 'GET', url: '/api/exams/worklist', access: 'exam.read', summary: 'One day of exams with status and device hand-over', tags, query: s.WorklistQuery, response: s.WorklistReply }, (req) =>
    exams.worklist(actorOf(req), req.query),
  );
  route(app, { method: 'GET', url: '/api/exams/scan-patterns', access: 'exam.register', summary: 'How scanned codes are told apart', tags, response: s.ScanPatternsSchema }, () => exams.scanPatterns());
  route(app, { method: 'PUT', url: '/api/exams/scan-patterns', access: 'system.settings', summary: 'Change how scanned codes are told apart', tags, body: z.object({ patterns: s.ScanPatternsSchema }), response: s.ScanPatternsSchema }, (req) =>
    exams.updateScanPatterns(actorOf(req), req.body.patterns),
  );
}
