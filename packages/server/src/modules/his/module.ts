import type { FastifyInstance } from 'fastify';
import { route } from '../../platform/http.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import * as s from './his.schemas.js';
import type { HisService } from './his.service.js';

export { createHisService, HisUnavailable, lookupCodes, WRITE_BACK_KEY, WriteBackSchema, type HisService, type LookupCode } from './his.service.js';
import { WriteBackSchema } from './his.service.js';
export type { HisConnection } from './drivers.js';

/** 接口视图维护: the request-form interface views and their versions. */
export function hisRoutes(app: FastifyInstance, his: HisService) {
  const tags = ['his'];
  route(app, { method: 'GET', url: '/api/his/views', access: 'his.views.read', summary: 'Interface views with live status', tags, response: s.ViewList }, () => his.list());
  route(app, { method: 'GET', url: '/api/his/views/:code/versions', access: 'his.views.read', summary: 'Version history with diffs', tags, params: s.CodeParams, response: s.History }, (req) =>
    his.history(req.params.code),
  );
  route(app, { method: 'POST', url: '/api/his/views/:code/test', access: 'his.views.edit', summary: 'Try a draft definition with a sample key', tags, params: s.CodeParams, body: s.DraftBody, response: s.TestReply }, (req) =>
    his.test(actorRef(actorOf(req)), req.params.code, req.body, req.body.sampleKey),
  );
  route(app, { method: 'POST', url: '/api/his/views/:code/versions', access: 'his.views.edit', summary: 'Save a new version (only if its test passes)', tags, params: s.CodeParams, body: s.SaveBody, response: s.VersionReply, status: 201 }, (req) =>
    his.saveVersion(actorRef(actorOf(req)), req.params.code, req.body, req.body.sampleKey, req.body.comment),
  );
  route(app, { method: 'POST', url: '/api/his/views/:code/rollback', access: 'his.views.edit', summary: 'Make an earlier version current again', tags, params: s.CodeParams, body: s.RollbackBody, response: s.VersionReply }, (req) =>
    his.rollback(actorRef(actorOf(req)), req.params.code, req.body.version),
  );
  route(app, { method: 'GET', url: '/api/his/write-back', access: 'his.views.read', summary: 'Order-status write-back settings', tags, response: WriteBackSchema }, () => his.writeBack());
  route(app, { method: 'PUT', url: '/api/his/write-back', access: 'his.views.edit', summary: 'Change the order-status write-back', tags, body: WriteBackSchema, response: WriteBackSchema }, (req) =>
    his.updateWriteBack(actorRef(actorOf(req)), req.body),
  );
  route(app, { method: 'POST', url: '/api/his/views/:code/enabled', access: 'his.views.edit', summary: 'Enable or disable a view', tags, params: s.CodeParams, body: s.EnabledBody, response: s.EnabledBody }, (req) =>
    his.setEnabled(actorRef(actorOf(req)), req.params.code, req.body.enabled),
  );
}
