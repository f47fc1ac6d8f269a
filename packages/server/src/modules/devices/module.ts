import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import type { DevicesService } from './devices.service.js';

export { createDevicesService, type DevicesService } from './devices.service.js';
export { createDeviceDispatcher } from './dispatch.js';

const DeviceFields = z.object({
  campusId: z.uuid('院区编号格式不正确'),
  name: z.string().trim().min(1, '请输入设备名称').max(60),
  room: z.string().trim().max(40).optional(),
  vendor: z.string().trim().max(60).optional(),
  model: z.string().trim().max(60).optional(),
  channel: z.enum(['gdt', 'ndd_xml', 'hl7_mllp'], { error: '请选择对接方式' }),
  folder: z.string().trim().max(400).nullish(),
  /** Where the device writes its results; PFTIS picks them up from there. */
  resultFolder: z.string().trim().max(400).nullish(),
  host: z.string().trim().max(200).nullish(),
  port: z.number().int().min(1).max(65535).nullish(),
  encoding: z.enum(['gbk', 'gb18030', 'iso-8859-1', 'utf-8']).optional(),
  gdtVersion: z.enum(['2.1', '3.5']).optional(),
  enabled: z.boolean().optional(),
});

const DeviceBody = DeviceFields.refine((d) => d.channel === 'hl7_mllp' || !!d.folder, { message: '文件方式须填写交换目录', path: ['folder'] }).refine(
  (d) => d.channel !== 'hl7_mllp' || (!!d.host && !!d.port),
  { message: 'HL7 方式须填写地址和端口', path: ['host'] },
);

// A device keeps its campus and channel; to change those, add a new device.
const DevicePatch = DeviceFields.omit({ campusId: true, channel: true }).partial();

const DeviceView = z.object({
  id: z.string(),
  campusId: z.string(),
  name: z.string(),
  room: z.string(),
  vendor: z.string(),
  model: z.string(),
  channel: z.string(),
  folder: z.string().nullable(),
  resultFolder: z.string().nullable(),
  host: z.string().nullable(),
  port: z.number().nullable(),
  encoding: z.string(),
  gdtVersion: z.string(),
  enabled: z.boolean(),
});

export function deviceRoutes(app: FastifyInstance, devices: DevicesService) {
  const tags = ['devices'];
  route(app, { method: 'GET', url: '/api/devices', access: 'authenticated', summary: 'Devices (all campuses, or one)', tags, query: z.object({ campusId: z.uuid().optional() }), response: z.array(DeviceView) }, (req) =>
    devices.list(req.query.campusId),
  );
  route(app, { method: 'POST', url: '/api/devices', access: 'device.manage', summary: 'Add a device', tags, body: DeviceBody, response: DeviceView, status: 201 }, (req) =>
    devices.create(actorRef(actorOf(req)), req.body),
  );
  route(app, { method: 'PATCH', url: '/api/devices/:id', access: 'device.manage', summary: 'Change a device', tags, params: IdParams, body: DevicePatch, response: DeviceView }, (req) =>
    devices.update(actorRef(actorOf(req)), req.params.id, req.body),
  );
}
