import type { FastifyInstance } from 'fastify';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import * as s from './org.schemas.js';
import type { OrgService } from './org.service.js';

export { createOrgService, type OrgService } from './org.service.js';

export function orgRoutes(app: FastifyInstance, org: OrgService) {
  const tags = ['org'];
  route(app, { method: 'GET', url: '/api/org/campuses', access: 'authenticated', summary: 'Campuses with their departments', tags, response: s.CampusList }, () => org.list());
  route(app, { method: 'POST', url: '/api/org/campuses', access: 'org.manage', summary: 'Add a campus', tags, body: s.CampusBody, response: s.CampusView, status: 201 }, (req) =>
    org.createCampus(actorRef(actorOf(req)), req.body),
  );
  route(app, { method: 'PATCH', url: '/api/org/campuses/:id', access: 'org.manage', summary: 'Change a campus', tags, params: IdParams, body: s.CampusPatch, response: s.CampusView }, (req) =>
    org.updateCampus(actorRef(actorOf(req)), req.params.id, req.body),
  );
  route(app, { method: 'POST', url: '/api/org/departments', access: 'org.manage', summary: 'Add a department', tags, body: s.DepartmentBody, response: s.DepartmentView, status: 201 }, (req) =>
    org.createDepartment(actorRef(actorOf(req)), req.body),
  );
  route(app, { method: 'PATCH', url: '/api/org/departments/:id', access: 'org.manage', summary: 'Change a department', tags, params: IdParams, body: s.DepartmentPatch, response: s.DepartmentView }, (req) =>
    org.updateDepartment(actorRef(actorOf(req)), req.params.id, req.body),
  );
}
