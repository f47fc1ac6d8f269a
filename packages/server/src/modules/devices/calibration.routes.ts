import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import { QcPolicySchema, type CalibrationService } from './calibration.service.js';

const volume = z.number({ error: '请输入容积' }).positive('容积须大于 0').max(20);
const CheckBody = z.object({
  deviceId: z.uuid('设备编号格式不正确'),
  kind: z.enum(['volume_check', 'calibration', 'biological_control'], { error: '请选择记录类型' }),
  performedAt: z.coerce.date({ error: '时间格式不正确' }).optional(),
  syringeVolumeL: volume.optional(),
  syringeSerial: z.string().trim().max(60).optional(),
  temperatureC: z.number().min(-10).max(50).optional(),
  pressureHpa: z.number().min(500).max(1100).optional(),
  humidityPct: z.number().min(0).max(100).optional(),
  injections: z.array(z.object({ flowLps: z.number().min(0).max(20).nullish(), measuredL: volume })).max(20).optional(),
  subject: z.string().trim().max(40).optional(),
  fev1L: volume.optional(),
  fvcL: volume.optional(),
  notes: z.string().max(1000).optional(),
}).refine((c) => c.kind === 'biological_control' || (c.syringeVolumeL !== undefined && (c.injections?.length ?? 0) > 0), { message: '定标记录须填写定标筒容积和各次注气读数', path: ['injections'] })
  .refine((c) => c.kind !== 'biological_control' || (!!c.subject && c.fev1L !== undefined && c.fvcL !== undefined), { message: '生物质控须填写受试者、FEV1 和 FVC', path: ['subject'] });

const Problem = z.object({ code: z.string(), detail: z.string() });
const Recorded = z.object({ id: z.string(), passed: z.boolean(), problems: z.array(Problem), injections: z.array(z.unknown()), checkDate: z.string() });
const Check = z.object({
  id: z.string(), deviceId: z.string(), campusId: z.string(), kind: z.string(), performedAt: z.string(), checkDate: z.string(), operatorName: z.string(),
  syringeVolumeL: z.number().nullable(), syringeSerial: z.string().nullable(), temperatureC: z.number().nullable(), pressureHpa: z.number().nullable(), humidityPct: z.number().nullable(),
  injections: z.array(z.unknown()), subject: z.string().nullable(), fev1L: z.number().nullable(), fvcL: z.number().nullable(), passed: z.boolean(), problems: z.array(Problem),
  attachmentSha256: z.string().nullable(), attachmentName: z.string().nullable(), notes: z.string(),
});
const Overview = z.array(z.object({ deviceId: z.string(), name: z.string(), room: z.string(), today: z.enum(['passed', 'failed', 'missing']), lastCheckAt: z.string().nullable(), lastPassed: z.boolean().nullable() }));

/** 定标/质控: calibration and verification records per device. */
export function calibrationRoutes(app: FastifyInstance, calibration: CalibrationService) {
  const tags = ['calibration'];
  route(app, { method: 'POST', url: '/api/calibration', access: 'calibration.write', summary: 'Record a volume check, calibration or biological control', tags, body: CheckBody, response: Recorded, status: 201 }, (req) =>
    calibration.record(actorRef(actorOf(req)), req.body),
  );
  route(
    app,
    { method: 'POST', url: '/api/calibration/:id/attachment', access: 'calibration.write', summary: "Keep the device's own report (raw bytes, application/octet-stream)", tags, params: IdParams, query: z.object({ name: z.string().trim().min(1).max(255) }), body: z.instanceof(Buffer, { message: '请以 application/octet-stream 上传文件内容' }), response: z.object({ id: z.string(), sha256: z.string() }) },
    (req) => calibration.attach(actorRef(actorOf(req)), req.params.id, new Uint8Array(req.body), req.query.name),
  );
  route(app, { method: 'GET', url: '/api/calibration', access: 'calibration.read', summary: "A device's records, newest first", tags, query: z.object({ deviceId: z.uuid(), from: z.iso.date().optional(), to: z.iso.date().optional() }), response: z.array(Check) }, (req) =>
    calibration.list(req.query),
  );
  route(app, { method: 'GET', url: '/api/calibration/overview', access: 'calibration.read', summary: "Each device of a campus with today's check state", tags, query: z.object({ campusId: z.uuid() }), response: Overview }, (req) =>
    calibration.overview(req.query.campusId),
  );
  route(app, { method: 'GET', url: '/api/calibration/policy', access: 'calibration.read', summary: 'Quality-control policy', tags, response: QcPolicySchema }, () => calibration.policy());
  route(app, { method: 'PUT', url: '/api/calibration/policy', access: 'system.settings', summary: 'Change the quality-control policy', tags, body: QcPolicySchema, response: QcPolicySchema }, (req) =>
    calibration.updatePolicy(actorRef(actorOf(req)), req.body),
  );
}
