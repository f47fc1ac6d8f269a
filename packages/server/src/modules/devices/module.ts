import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import { DeviceBody, DevicePatch, DeviceView } from './devices.schemas.js';
import type { DevicesService } from './devices.service.js';

export { createDevicesService, type DevicesService } from './devices.service.js';
export { createDeviceDispatcher } from './dispatch.js';
export { createCalibrationService, type CalibrationService } from './calibration.service.js';
export { calibrationRoutes } from './calibration.routes.js';

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
