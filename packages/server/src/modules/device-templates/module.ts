import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import * as s from './device-templates.schemas.js';
import type { DeviceTemplatesService } from './device-templates.service.js';

export { createDeviceTemplatesService, parseTemplate, type DeviceTemplatesService } from './device-templates.service.js';
export { TemplateSchema } from './device-templates.schemas.js';

/** 报告模板: the layout templates for printed and scanned device reports, their versions, and trying them on samples. */
export function deviceTemplateRoutes(app: FastifyInstance, templates: DeviceTemplatesService) {
  const tags = ['device-templates'];
  const access = 'device.template' as const;
  route(app, { method: 'GET', url: '/api/device-templates', access, summary: 'Layout templates: built-in and saved, with the version in use', tags, response: s.TemplateList }, () => templates.list());
  route(app, { method: 'GET', url: '/api/device-templates/:name', access, summary: 'One template: the active version and every version with its diff', tags, params: s.NameParams, response: s.TemplateDetail }, (req) =>
    templates.detail(req.params.name),
  );
  route(
    app,
    { method: 'POST', url: '/api/device-templates/:name/versions', access, summary: 'Save a template as the next version (refused when it does not parse)', tags, params: s.NameParams, body: s.SaveBody, response: s.VersionReply, status: 201 },
    (req) => templates.save(actorRef(actorOf(req)), req.params.name, req.body.template, req.body.comment, req.body.enable),
  );
  route(app, { method: 'POST', url: '/api/device-templates/:name/rollback', access, summary: 'Save an earlier version (or the built-in) as the newest, enabled', tags, params: s.NameParams, body: s.RollbackBody, response: s.VersionReply }, (req) =>
    templates.rollback(actorRef(actorOf(req)), req.params.name, req.body.version),
  );
  route(
    app,
    { method: 'POST', url: '/api/device-templates/:name/versions/:version/enabled', access, summary: 'Enable a saved version (disabling the others of its name) or disable it', tags, params: s.VersionParams, body: s.EnabledBody, response: s.EnabledBody },
    (req) => templates.setEnabled(actorRef(actorOf(req)), req.params.name, req.params.version, req.body.enabled),
  );
  route(
    app,
    {
      method: 'POST',
      url: '/api/device-templates/try',
      access,
      summary: 'Read a sample report (raw PDF or image bytes, application/octet-stream) with a template: text items, extraction, trace, scores',
      tags,
      query: s.TryQuery,
      body: z.instanceof(Buffer, { message: '请以 application/octet-stream 上传样例文件' }),
      response: s.TryReply,
    },
    (req) => templates.trySample(actorRef(actorOf(req)), new Uint8Array(req.body), req.query),
  );
  route(app, { method: 'POST', url: '/api/device-templates/try-draft', access, summary: "Re-read a sample's text items with an unsaved template", tags, body: s.TryDraftBody, response: s.TryReply }, (req) =>
    templates.tryDraft(req.body),
  );
}
