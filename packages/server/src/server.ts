import path from 'node:path';
import { DEMO_SIGNING_PIN, type DemoHis, openDemoHis } from '@pftis/his-sim';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { type Database, openPglite, openPostgres } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { startDemoDevices } from './demo/demo-devices.js';
import { startDemoReceiver } from './demo/demo-receiver.js';
import { seedDemo } from './demo/seed-demo.js';
import { systemActor } from './platform/audit.js';
import type { HisConnection } from './modules/his/module.js';
import type { Config } from './platform/config.js';
import { OperatorError } from './platform/errors.js';
import { resolveSecretKey } from './platform/secret-key.js';

/** Opens the configured database: a PostgreSQL server when DATABASE_URL is set, else embedded PGlite. */
export function openDatabase(config: Config): Promise<Database> {
  return config.databaseUrl ? openPostgres(config.databaseUrl, config.databasePoolSize) : openPglite(config.dataDir);
}

export class ListenFailed extends OperatorError {}

/** The configured HIS, or in the demo the demo hospital's embedded HIS (kept in dataDir/demo-his). */
async function openHis(config: Config): Promise<{ connection: HisConnection | null; demoHis?: DemoHis }> {
  if (config.hisUrl) {
    const kind = /^(mysql|mariadb):/.test(config.hisUrl) ? 'mysql' : 'postgres';
    return { connection: { kind, url: config.hisUrl.replace(/^mariadb:/, 'mysql:') } };
  }
  if (!config.demo) return { connection: null };
  const demoHis = await openDemoHis(path.join(config.dataDir, 'demo-his'));
  return { connection: { kind: 'pglite', instance: demoHis.pglite }, demoHis };
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Opens the database, migrates, seeds the demo hospital when asked, and listens. */
export async function startServer(config: Config, options: { logger?: boolean } = {}): Promise<RunningServer> {
  const secretKey = resolveSecretKey(config);
  const database = await openDatabase(config);
  let app: FastifyInstance | undefined;
  let demoHis: DemoHis | undefined;
  try {
    await migrateToLatest(database.db);
    const his = await openHis(config);
    demoHis = his.demoHis;
    const built = await buildApp({ config, database, secretKey, his: his.connection, logger: options.logger });
    const { services } = built;
    app = built.app;
    if (config.demo) {
      const logins = await seedDemo(database.db, services, config.dataDir);
      if (logins) {
        app.log.info('demo hospital seeded');
        console.log(`\n示范医院已创建 / Demo hospital created. Demo logins (password ${logins[0]!.password}):`);
        for (const l of logins) console.log(`  ${l.username.padEnd(10)} ${l.role}`);
        console.log(`  医师审核签名密码 / physicians' signing PIN: ${DEMO_SIGNING_PIN}`);
      }
    }
    services.outbox.start();
    services.folderWatcher.start();
    if (config.demo) {
      // The demo hospital's devices answer each worklist entry with a result after about as long as a test takes.
      const demoDevices = await startDemoDevices({ db: database.db, services, listener: built.mllpListener, log: app.log });
      app.addHook('onClose', () => demoDevices.close());
      const receiver = await startDemoReceiver(services, demoHis!, config.dataDir, config.port ? config.port + 1 : 0);
      app.addHook('onClose', () => receiver.close());
      console.log(`示范 HIS 报告接收页 / the demo HIS's received reports: ${receiver.urls.viewer}`);
    }
    const reconcile = setInterval(() => services.exams.reconcile(systemActor('reconcile')).catch((error) => app?.log.warn({ err: error }, 'reconciliation failed')), 5 * 60_000);
    reconcile.unref();
    app.addHook('onClose', async () => clearInterval(reconcile));
    const address = await app.listen({ host: config.host, port: config.port }).catch((error: NodeJS.ErrnoException) => {
      throw new ListenFailed(`cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`);
    });
    const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
    console.log(`\nPFTIS is running at ${url} (${database.location})\n`);
    return {
      url,
      async close() {
        await built.app.close();
        await demoHis?.close();
        await database.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => {});
    await demoHis?.close().catch(() => {});
    await database.close().catch(() => {});
    throw error;
  }
}
