import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import { Candidates, DeviceResults, FileList, Measurements, Received, Status, UploadQuery } from './device-import.schemas.js';
import type { DeviceImportService } from './device-import.service.js';

export { createDeviceImportService, type DeviceImportService } from './device-import.service.js';
export { createFolderWatcher } from './folder-watch.js';

/** Device results in: upload (one file per request, raw bytes), the 待匹配 and quarantine lists, binding by hand. */
export function deviceImportRoutes(app: FastifyInstance, imports: DeviceImportService) {
  const tags = ['device-import'];
  route(
    app,
    { method: 'POST', url: '/api/device-import/files', access: 'device.import', summary: 'Upload one device result file (body: the raw bytes, application/octet-stream)', tags, query: UploadQuery, body: z.instanceof(Buffer, { message: '请以 application/octet-stream 上传文件内容' }), response: Received, status: 201 },
    (req) => {
      const actor = actorOf(req);
      return imports.receive(actorRef(actor), { bytes: new Uint8Array(req.body), originalName: req.query.name, source: 'upload', deviceId: req.query.deviceId ?? null, campusId: actor.campusId });
    },
  );
  route(app, { method: 'GET', url: '/api/device-import/files', access: 'device.import', summary: 'Received files, newest first', tags, query: z.object({ status: Status.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }), response: FileList }, (req) =>
    imports.list(req.query),
  );
  route(app, { method: 'POST', url: '/api/device-import/files/:id/reprocess', access: 'device.import', summary: 'Parse and bind a stored file again', tags, params: IdParams, response: z.object({ status: Status }) }, async (req) => ({
    status: await imports.parseAndBind(actorRef(actorOf(req)), req.params.id),
  }));
  route(app, { method: 'GET', url: '/api/device-import/files/:id/candidates', access: 'device.import', summary: 'The exams an unmatched file may belong to, most likely first, with identity conflicts', tags, params: IdParams, response: Candidates }, (req) =>
    imports.candidates(req.params.id),
  );
  route(
    app,
    { method: 'POST', url: '/api/device-import/files/:id/bind', access: 'device.import', summary: 'Bind an unmatched file to an exam (acceptConflicts: the person checked a differing name, sex or birth date)', tags, params: IdParams, body: z.object({ examId: z.uuid('检查编号格式不正确'), acceptConflicts: z.boolean().default(false) }), response: z.object({ status: Status }) },
    (req) => imports.bind(actorRef(actorOf(req)), req.params.id, req.body.examId, req.body.acceptConflicts),
  );
  route(app, { method: 'GET', url: '/api/exams/:id/device-results', access: 'exam.read', summary: "What the device said beside its values: patient, conclusion, template, and our reference values compared with the device's", tags, params: IdParams, response: DeviceResults }, (req) =>
    imports.deviceResults(actorRef(actorOf(req)), req.params.id),
  );
  route(app, { method: 'GET', url: '/api/exams/:id/measurements', access: 'exam.read', summary: "An exam's imported device values", tags, params: IdParams, response: Measurements }, (req) => imports.measurements(actorRef(actorOf(req)), req.params.id));
}
