import { existsSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from './db/database.js';
import { auditRoutes, createAuditService } from './modules/audit/module.js';
import { accountsRoutes, authRoutes, createAccountsService, createAuthService, SESSION_COOKIE } from './modules/auth/module.js';
import { healthRoutes } from './modules/health/module.js';
import { createDeviceImportService, createFolderWatcher, deviceImportRoutes } from './modules/device-import/module.js';
import { createDocumentReader } from './modules/device-import/document.js';
import { createMllpListener, type MllpListener } from './modules/device-import/mllp-listener.js';
import { calibrationRoutes, createCalibrationService, createDeviceDispatcher, createDevicesService, deviceRoutes } from './modules/devices/module.js';
import { createExamsService, createPatientStore, examRoutes } from './modules/exams/module.js';
import { createHisService, type HisConnection, hisRoutes } from './modules/his/module.js';
import { createDeviceTemplatesService, deviceTemplateRoutes } from './modules/device-templates/module.js';
import { createOrgService, orgRoutes } from './modules/org/module.js';
import { createDeliveryService, deliveryRoutes, APPROVED_TOPIC, DELIVER_TOPIC, REVOKED_TOPIC } from './modules/delivery/module.js';
import { createReportsService, reportRoutes } from './modules/reports/module.js';
import { createQuestionnaireService, questionnaireRoutes } from './modules/questionnaire/module.js';
import { createLabSettingsService, labSettingsRoutes } from './modules/lab-settings/module.js';
import { renderReportPdf, renderPdfToJpg } from './modules/reports/render/index.js';
import { createReviewService, createSignaturesService, reviewRoutes, signatureRoutes } from './modules/review/module.js';
import { type RegisteredRoute, registerAccessControl } from './platform/access.js';
import type { Config } from './platform/config.js';
import { createHmac } from 'node:crypto';
import { Sm4Sealer } from './platform/crypto.js';
import { createFileStore } from './platform/files.js';
import { createOutboxWorker } from './platform/outbox.js';
import { AppError, registerErrorHandler } from './platform/errors.js';
import { route, useZod } from './platform/http.js';
import { collectOpenApi } from './platform/openapi.js';
import { version } from './platform/version.js';

export interface AppOptions {
  config: Config;
  database: Database;
  secretKey: string;
  /** The hospital's HIS database (the embedded demo HIS in the demo); null when none is configured. */
  his?: HisConnection | null;
  logger?: boolean;
  now?: () => Date;
}

const derivedKey = (secretKey: string, purpose: string) => createHmac('sm3', Buffer.from(secretKey, 'hex')).update(purpose).digest('hex');

/** Creates every service once, by hand, with its dependencies. */
export function createServices({ database, secretKey, config, his = null, now }: Omit<AppOptions, 'logger'>) {
  const db = database.db;
  const sealer = new Sm4Sealer(secretKey);
  const auth = createAuthService({ db, sealer, issuer: config.hospitalName, now });
  const hisService = createHisService({ db, connection: his, now });
  const patients = createPatientStore(sealer, derivedKey(secretKey, 'pftis:id-number-hash'));
  const dispatchToDevice = createDeviceDispatcher({ db, patients });
  const files = createFileStore(path.resolve(config.dataDir, 'files'));
  const deviceTemplates = createDeviceTemplatesService({ db, ocrLanguages: config.ocrLanguages, now });
  const readDocument = createDocumentReader(() => deviceTemplates.activeTemplates(), { languages: config.ocrLanguages });
  const deviceImport = createDeviceImportService({ db, files, readDocument, now });
  const calibration = createCalibrationService({ db, files, now });
  const reports = createReportsService({ db, hospitalName: config.hospitalName, now });
  const renderer = { pdf: renderReportPdf, jpg: renderPdfToJpg };
  const delivery = createDeliveryService({ db, files, his: hisService, reports, renderer, sealer, publicUrl: config.publicUrl, hospitalName: config.hospitalName, now });
  const signatures = createSignaturesService({ db, sealer, pepperHex: derivedKey(secretKey, 'pftis:signing-pepper'), hospitalName: config.hospitalName, now });
  return {
    auth,
    accounts: createAccountsService({ db, auth, now }),
    org: createOrgService({ db, now, changeAccess: auth.changeAccess }),
    audit: createAuditService({ db }),
    his: hisService,
    exams: createExamsService({ db, his: hisService, patients, qc: calibration, now }),
    calibration,
    devices: createDevicesService({ db, now }),
    deviceImport,
    deviceTemplates,
    reports,
    questionnaires: createQuestionnaireService({ db, now }),
    labSettings: createLabSettingsService({ db, now }),
    signatures,
    review: createReviewService({ db, reports, signatures, renderer, files, publicUrl: config.publicUrl, now }),
    delivery,
    /** Picks up device results from their folders; started by the server, polled directly by tests. */
    folderWatcher: createFolderWatcher({ db, imports: deviceImport, calibration }),
    /** Delivers everything queued for other systems; started by the server, drained by tests. */
    outbox: createOutboxWorker({
      db,
      now,
      leaseMs: config.outboxLeaseMs,
      handlers: {
        'his.status': (payload) => hisService.writeStatus(payload),
        'device.worklist': (payload) => dispatchToDevice(payload),
        [APPROVED_TOPIC]: (payload) => delivery.fanOut(payload),
        [REVOKED_TOPIC]: (payload) => delivery.fanOut(payload, 'revoke'),
        [DELIVER_TOPIC]: (payload) => delivery.deliver(payload),
      },
    }),
  };
}

export type Services = ReturnType<typeof createServices>;

export interface BuiltApp {
  app: FastifyInstance;
  services: Services;
  /** Every route with its declared access rule, as registered. */
  routes: RegisteredRoute[];
  /** The MLLP listener for device results (HL7 ORU); null unless deviceMllpPort is configured. Listens once the app is ready. */
  mllpListener: MllpListener | null;
}

/** The composition root: platform plugins first, then each module's routes, then the web app. */
export async function buildApp(options: AppOptions): Promise<BuiltApp> {
  const { config, database } = options;
  const startedAt = Date.now();
  const app = Fastify({
    logger: options.logger === false ? false : { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers["x-csrf-token"]'] },
    trustProxy: config.trustProxy,
    bodyLimit: 10 * 1024 * 1024,
  });
  useZod(app);
  registerErrorHandler(app);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 50 * 1024 * 1024 }, (_request, body, done) => done(null, body));
  await app.register(cookie);

  const services = createServices(options);
  const { auth } = services;
  const routes = registerAccessControl(app, {
    async authenticate(request) {
      try {
        return await auth.authenticate(request.cookies[SESSION_COOKIE], request.ip);
      } catch (error) {
        if (error instanceof AppError && error.code === 'auth.session-expired') {
          // Let a public route (the login page calling /api/health) go on as if signed out.
          if (request.routeOptions.config.access === 'public') return null;
        }
        throw error;
      }
    },
    recordDenial: (request, actor, permission) => auth.recordDenial(actor, permission, request.method, request.routeOptions.url ?? request.url),
  });
  const openApiDocument = collectOpenApi(app, { title: 'PFTIS API', version });

  healthRoutes(app, { db: database.db, kind: database.kind, version, startedAt });
  authRoutes(app, auth, config.secureCookies);
  accountsRoutes(app, services.accounts, auth);
  orgRoutes(app, services.org);
  auditRoutes(app, services.audit);
  hisRoutes(app, services.his);
  examRoutes(app, services.exams);
  deviceRoutes(app, services.devices);
  deviceImportRoutes(app, services.deviceImport);
  deviceTemplateRoutes(app, services.deviceTemplates);
  calibrationRoutes(app, services.calibration);
  reportRoutes(app, services.reports);
  questionnaireRoutes(app, services.questionnaires);
  labSettingsRoutes(app, services.labSettings);
  reviewRoutes(app, services.review, config.hospitalName);
  signatureRoutes(app, services.signatures);
  deliveryRoutes(app, services.delivery);
  const mllpListener =
    config.deviceMllpPort === undefined
      ? null
      : createMllpListener({ db: database.db, imports: services.deviceImport, host: config.deviceMllpHost, port: config.deviceMllpPort, maxMessageBytes: config.deviceMllpMaxBytes, idleTimeoutMs: config.deviceMllpIdleMs, log: app.log, now: options.now });
  if (mllpListener) app.addHook('onReady', async () => void (await mllpListener.start()));
  const stopFollowingSessions = await services.auth.followSessionChanges(database);
  const stopFollowingOrders = await services.exams.followRegisteredOrders(database);
  const stopFollowingViews = await services.his.followDefinitionChanges(database);
  app.addHook('onClose', async () => {
    await stopFollowingSessions().catch(() => {});
    await stopFollowingOrders().catch(() => {});
    await stopFollowingViews().catch(() => {});
    await mllpListener?.stop();
    await services.folderWatcher.stop();
    await services.outbox.stop();
    await services.his.close();
  });
  route(app, { method: 'GET', url: '/api/docs', access: 'authenticated', summary: 'This OpenAPI document', tags: ['meta'] }, () => openApiDocument());

  await serveWebApp(app, config.webDist);
  return { app, services, routes, mllpListener };
}

/** Serves the built single-page app; unknown paths outside /api get index.html so client routes work on reload. */
async function serveWebApp(app: FastifyInstance, webDist: string) {
  const root = path.resolve(webDist);
  const built = existsSync(path.join(root, 'index.html'));
  await app.register(fastifyStatic, { root: built ? root : process.cwd(), serve: false });
  route(app, { method: 'GET', url: '/*', access: 'public', summary: 'Web application', tags: ['web'] }, async (req, reply) => {
    const wildcard = (req.params as { '*': string })['*'] ?? '';
    if (wildcard.startsWith('api/')) return reply.callNotFound();
    if (!built) return reply.type('text/plain; charset=utf-8').status(503).send('Web UI not built: run `npm run build` (npm start does it).');
    const file = path.join(root, wildcard);
    const isAsset = wildcard !== '' && file.startsWith(root) && existsSync(file) && !wildcard.endsWith('/');
    if (isAsset) return reply.header('cache-control', wildcard.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache').sendFile(wildcard);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
