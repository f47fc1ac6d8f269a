import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import { ActionBody, ActionView, CheckBody, CheckView, Daily, DailyQuery, DeviceToday, DocumentView, LogImportResult, LogMappingSchema, OverviewRow, QcPolicySchema, Recorded } from './calibration.schemas.js';
import type { CalibrationService } from './calibration.service.js';

const RawFile = z.instanceof(Buffer, { message: '请以 application/octet-stream 上传文件内容' });
const FileName = z.object({ name: z.string().trim().min(1, '请提供文件名').max(255) });

/** 定标/质控: calibration and verification records per device, the 质控 calendar and chart, and the lab's QC policy. */
export function calibrationRoutes(app: FastifyInstance, calibration: CalibrationService) {
  const tags = ['calibration'];
  route(app, { method: 'POST', url: '/api/calibration', access: 'calibration.write', summary: 'Record a volume check, calibration or biological control (by hand, or transcribed from uploaded documents)', tags, body: CheckBody, response: Recorded, status: 201 }, (req) =>
    calibration.record(actorRef(actorOf(req)), req.body),
  );
  route(
    app,
    { method: 'POST', url: '/api/calibration/documents', access: 'calibration.write', summary: "Upload a device's calibration report (PDF, JPG or PNG; raw bytes, application/octet-stream), kept with its SHA-256", tags, query: FileName, body: RawFile, response: DocumentView, status: 201 },
    (req) => {
      const actor = actorOf(req);
      return calibration.uploadDocument(actorRef(actor), actor.campusId, new Uint8Array(req.body), req.query.name);
    },
  );
  route(
    app,
    {
      method: 'POST', url: '/api/calibration/devices/:id/import', access: 'calibration.write',
      summary: "Import a device's calibration / verification log export (CSV or tab-separated text; raw bytes, application/octet-stream): one record per check, the file kept with its SHA-256",
      tags, params: IdParams, query: FileName, body: RawFile, response: LogImportResult,
    },
    (req) => calibration.importLog(actorRef(actorOf(req)), { deviceId: req.params.id, bytes: new Uint8Array(req.body), name: req.query.name, source: 'upload' }),
  );
  route(app, { method: 'GET', url: '/api/calibration/logs/:id', access: 'calibration.read', summary: 'A stored device calibration export, byte for byte', tags, params: IdParams }, async (req, reply) => {
    const file = await calibration.logFile(req.params.id);
    return reply
      .type('text/plain; charset=binary')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
      .header('x-content-sha256', file.sha256)
      .send(file.bytes);
  });
  route(app, { method: 'GET', url: '/api/calibration/devices/:id/log-mapping', access: 'calibration.read', summary: "How the device's calibration exports are read (column mapping)", tags, params: IdParams, response: LogMappingSchema }, (req) =>
    calibration.logMapping(req.params.id),
  );
  route(app, { method: 'PUT', url: '/api/calibration/devices/:id/log-mapping', access: 'device.manage', summary: "Change how the device's calibration exports are read", tags, params: IdParams, body: LogMappingSchema, response: LogMappingSchema }, (req) =>
    calibration.updateLogMapping(actorRef(actorOf(req)), req.params.id, req.body),
  );
  route(app, { method: 'GET', url: '/api/calibration/documents/:id', access: 'calibration.read', summary: 'A stored calibration report, byte for byte', tags, params: IdParams }, async (req, reply) => {
    const doc = await calibration.document(req.params.id);
    return reply
      .type(doc.mediaType)
      .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(doc.name)}`)
      .header('x-content-sha256', doc.sha256)
      .header('cache-control', 'private, max-age=86400, immutable')
      .send(doc.bytes);
  });
  route(
    app,
    { method: 'POST', url: '/api/calibration/:id/attachment', access: 'calibration.write', summary: "Keep the device's own report with a record (raw bytes, application/octet-stream)", tags, params: IdParams, query: FileName, body: RawFile, response: z.object({ id: z.string(), documentId: z.string(), sha256: z.string() }) },
    (req) => calibration.attach(actorRef(actorOf(req)), req.params.id, new Uint8Array(req.body), req.query.name),
  );
  route(app, { method: 'POST', url: '/api/calibration/:id/actions', access: 'calibration.write', summary: 'Log a corrective action on a check', tags, params: IdParams, body: ActionBody, response: ActionView, status: 201 }, (req) =>
    calibration.addAction(actorRef(actorOf(req)), req.params.id, req.body.action),
  );
  route(
    app,
    { method: 'GET', url: '/api/calibration', access: 'calibration.read', summary: "A device's records, newest first", tags, query: z.object({ deviceId: z.uuid(), from: z.iso.date().optional(), to: z.iso.date().optional(), kind: z.enum(['volume_check', 'calibration', 'biological_control']).optional() }), response: z.array(CheckView) },
    (req) => calibration.list(req.query),
  );
  route(app, { method: 'GET', url: '/api/calibration/daily', access: 'calibration.read', summary: '质控 calendar: per day, the volume check, biological control and exams of a device', tags, query: DailyQuery, response: Daily }, (req) =>
    calibration.daily(req.query),
  );
  route(app, { method: 'GET', url: '/api/calibration/overview', access: 'calibration.read', summary: "Each device of a campus with today's check state", tags, query: z.object({ campusId: z.uuid() }), response: z.array(OverviewRow) }, (req) =>
    calibration.overview(req.query.campusId),
  );
  route(app, { method: 'GET', url: '/api/calibration/devices/:id/today', access: 'exam.register', summary: "Registration: the device's volume check today and whether the lab blocks without one", tags, params: IdParams, response: DeviceToday }, (req) =>
    calibration.deviceToday(req.params.id),
  );
  route(app, { method: 'GET', url: '/api/calibration/policy', access: 'calibration.read', summary: 'Quality-control policy', tags, response: QcPolicySchema }, () => calibration.policy());
  route(app, { method: 'PUT', url: '/api/calibration/policy', access: 'system.settings', summary: 'Change the quality-control policy', tags, body: QcPolicySchema, response: QcPolicySchema }, (req) =>
    calibration.updatePolicy(actorRef(actorOf(req)), req.body),
  );
}
