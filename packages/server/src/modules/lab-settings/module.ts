import type { FastifyInstance } from 'fastify';
import { route } from '../../platform/http.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import { LabSettingsBody, OptionsReply, PreviewBody, PreviewReply } from './lab-settings.schemas.js';
import type { LabSettingsService } from './lab-settings.service.js';

export { createLabSettingsService, type LabSettingsService } from './lab-settings.service.js';
export { patientGroupFor, type LabPatientGroup, type PatientGroupMatch } from './patient-group.js';

/** 判读设置: every signed-in user may read the lab's clinical settings (they shape every report); clinical.settings changes them. */
export function labSettingsRoutes(app: FastifyInstance, settings: LabSettingsService) {
  const tags = ['lab-settings'];
  route(app, { method: 'GET', url: '/api/lab-settings', access: 'authenticated', summary: "The lab's reference equations, patient groups, interpretation scheme and narrative templates", tags, response: LabSettingsBody }, () =>
    settings.get(),
  );
  route(app, { method: 'PUT', url: '/api/lab-settings', access: 'clinical.settings', summary: 'Change the clinical settings (applies to reports drafted from now on)', tags, body: LabSettingsBody, response: LabSettingsBody }, (req) =>
    settings.update(actorRef(actorOf(req)), req.body),
  );
  route(app, { method: 'GET', url: '/api/lab-settings/options', access: 'authenticated', summary: 'The equations per parameter group and the default settings', tags, response: OptionsReply }, () => settings.options());
  route(app, { method: 'POST', url: '/api/lab-settings/preview', access: 'authenticated', summary: 'Sample patients interpreted with a draft of the settings (nothing is saved)', tags, body: PreviewBody, response: PreviewReply }, (req) =>
    settings.preview(req.body.settings),
  );
}
