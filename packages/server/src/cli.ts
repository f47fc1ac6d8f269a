import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { interpretCsv, refCsv } from '@pftis/clinical';
import { recognise } from './modules/device-import/recognise.js';
import { createDocumentReader } from './modules/device-import/document.js';
import { BUILTIN_TEMPLATES } from '@pftis/formats/device-report/index';
import { renderPdfToJpg } from './modules/reports/render/index.js';
import { parseArgs } from 'node:util';
import { createServices } from './app.js';
import { DatabaseUnreachable, DataDirInUse } from './db/database.js';
import { MigrationFailed, migrateToLatest } from './db/migrate.js';
import { systemActor, verifyAuditChain } from './platform/audit.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { AppError } from './platform/errors.js';
import { resolveSecretKey } from './platform/secret-key.js';
import { ListenFailed, openDatabase, startServer } from './server.js';

const usage = `pftis — PFTIS command line

  pftis start                         start the server (migrates first)
  pftis migrate                       apply pending database migrations
  pftis user add <username> --name <display name> [--role <code>]... [--campus <code>]... [--password <p>]
  pftis user passwd <username> [--password <p>]   set a temporary password (changed at next login)
  pftis user lock <username>
  pftis user unlock <username>
  pftis audit verify                  check the audit log's SM3 hash chain
  pftis render EXAM_ID --out FILE.pdf [--jpg DIR]
                                      the exam's signed final report (or, before approval, a 草稿 draft)
  pftis parse FILE [--template NAME] [--json]
                                      what a device result or report holds (patient, ids, values, conclusion), without importing it
  pftis ref --in FILE.csv --out FILE.csv          reference values (predicted, LLN, ULN, z, %pred) for many rows
  pftis interpret --in FILE.csv --out FILE.csv    interpret many exams (pattern, severity, BDR, narrative)

Configuration comes from the environment (DATABASE_URL, PFTIS_DATA_DIR, PFTIS_PORT, ...) or PFTIS_CONFIG.
Without --password a random temporary password is generated and printed.`;

class UsageError extends Error {}

/** A temporary password that satisfies any policy up to 4 character classes. */
const temporaryPassword = () => `Tmp-${randomBytes(9).toString('base64url')}7a`;

async function withServices<T>(work: (ctx: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> {
  const ctx = await open();
  try {
    return await work(ctx);
  } finally {
    await ctx.database.close();
  }
}

async function open() {
  const config = loadConfig();
  const database = await openDatabase(config);
  await migrateToLatest(database.db);
  const services = createServices({ config, database, secretKey: resolveSecretKey(config) });
  const actor = systemActor(`cli:${process.env.USER ?? 'unknown'}`);
  return { config, database, services, actor };
}

async function userCommand(sub: string | undefined, args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, role: { type: 'string', multiple: true }, campus: { type: 'string', multiple: true }, password: { type: 'string' } },
  });
  const username = positionals[0];
  if (!username) throw new UsageError('a username is required');
  await withServices(async ({ services, actor, database }) => {
    const { accounts } = services;
    if (sub === 'add') {
      const roles = await accounts.listRoles();
      const roleIds = (values.role ?? []).map((code) => roles.find((r) => r.code === code)?.id ?? fail(`unknown role ${code}; known: ${roles.map((r) => r.code).join(', ')}`));
      const campuses = await database.db.selectFrom('campus').select(['id', 'code']).execute();
      const campusIds = values.campus?.length
        ? values.campus.map((code) => campuses.find((c) => c.code === code)?.id ?? fail(`unknown campus ${code}`))
        : campuses.map((c) => c.id);
      const password = values.password ?? temporaryPassword();
      await accounts.createUser(actor, { username, displayName: values.name ?? username, password, roleIds, campusIds });
      console.log(`user ${username} created${values.password ? '' : ` with temporary password ${password}`} (must be changed at first login)`);
    } else if (sub === 'passwd') {
      const password = values.password ?? temporaryPassword();
      await accounts.resetPassword(actor, await accounts.findUserId(username), password);
      console.log(`password of ${username} reset${values.password ? '' : ` to ${password}`} (must be changed at next login)`);
    } else if (sub === 'lock' || sub === 'unlock') {
      await accounts.setLocked(actor, await accounts.findUserId(username), sub === 'lock');
      console.log(`user ${username} ${sub}ed`);
    } else {
      throw new UsageError(`unknown user command ${sub ?? ''}`);
    }
  });
}

function fail(message: string): never {
  throw new UsageError(message);
}

export async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    switch (command) {
      case 'start': {
        const server = await startServer(loadConfig());
        const stop = async () => {
          await server.close();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        return -1;
      }
      case 'migrate': {
        const config = loadConfig();
        const database = await openDatabase(config);
        try {
          const applied = await migrateToLatest(database.db);
          console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
        } finally {
          await database.close();
        }
        return 0;
      }
      case 'user':
        await userCommand(sub, rest);
        return 0;
      case 'audit': {
        if (sub !== 'verify') throw new UsageError(`unknown audit command ${sub ?? ''}`);
        const verdict = await withServices(({ database }) => verifyAuditChain(database.db));
        if (verdict.ok) {
          console.log(`audit chain intact: ${verdict.checked} entries, head ${verdict.headHash}`);
          return 0;
        }
        console.error(`audit chain BROKEN at entry ${verdict.brokenAtId} (${verdict.reason}); ${verdict.checked} entries before it verified`);
        return 3;
      }
      case 'render': {
        const { values } = parseArgs({ args: rest, options: { out: { type: 'string' }, jpg: { type: 'string' } } });
        if (!sub || (!values.out && !values.jpg)) throw new UsageError('render needs an EXAM_ID and --out FILE.pdf and/or --jpg DIR');
        if (!/^[0-9a-f-]{36}$/i.test(sub)) throw new UsageError(`${sub} is not an exam id (a UUID)`);
        return withServices(async ({ services, actor }) => {
          const { final, version, pdf } = await services.review.exportForExam(actor, sub);
          if (values.out) await writeFile(values.out, pdf);
          if (values.jpg) {
            await mkdir(values.jpg, { recursive: true });
            const layout = await services.reports.layout();
            const pages = await renderPdfToJpg(pdf, { dpi: layout.jpgDpi, quality: layout.jpgQuality });
            for (const [i, page] of pages.entries()) await writeFile(path.join(values.jpg, `page-${i + 1}.jpg`), page);
            console.log(`${pages.length} page(s) written to ${values.jpg}`);
          }
          console.log(final ? `version ${version}: signed final report${values.out ? ` written to ${values.out}` : ''}` : `version ${version} is not approved: DRAFT (watermarked 草稿)${values.out ? ` written to ${values.out}` : ''}`);
          return 0;
        });
      }
      case 'parse': {
        const { values, positionals } = parseArgs({ args: [sub, ...rest].filter((a): a is string => a !== undefined), allowPositionals: true, options: { template: { type: 'string' }, json: { type: 'boolean' } } });
        const file = positionals[0];
        if (!file) throw new UsageError('parse needs a FILE');
        const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => fail(`cannot read ${file}: ${error.code}`));
        // Without a database: the built-in layout templates (the server also uses the lab's saved versions).
        const readDocument = createDocumentReader(async () => BUILTIN_TEMPLATES, { languages: loadConfig().ocrLanguages });
        const result = await recognise(new Uint8Array(bytes), { template: values.template, readDocument });
        if (!result.ok) {
          console.error(`pftis: cannot read ${file}: ${result.reason}`);
          return 1;
        }
        const { trials, ...r } = result.value;
        if (values.json) console.log(JSON.stringify(r, null, 2));
        else {
          console.log(`${r.format}${r.template ? ` (${r.template})` : ''}: accession ${r.identifiers.accessionNo ?? '-'}, patient ${r.patient.id ?? '-'}, test ${r.test.type ?? '-'} at ${r.test.measuredAt ?? '-'}, grade ${r.test.qualityGrade ?? '-'}, ${trials.length} trial curve(s)`);
          for (const m of r.measurements) console.log(`  ${(m.param ?? m.deviceParam).padEnd(10)} ${m.stage.padEnd(4)} ${m.value ?? m.rawValue ?? '-'} ${m.unit ?? ''}`);
          if (r.conclusion) console.log(`  conclusion: ${r.conclusion}`);
          for (const warning of r.warnings) console.log(`  warning: ${warning}`);
        }
        return 0;
      }
      case 'ref':
      case 'interpret': {
        const { values } = parseArgs({ args: [sub, ...rest].filter((a): a is string => a !== undefined), options: { in: { type: 'string' }, out: { type: 'string' } } });
        if (!values.in || !values.out) throw new UsageError(`${command} needs --in FILE.csv and --out FILE.csv`);
        const input = await readFile(values.in, 'utf8').catch((error: NodeJS.ErrnoException) => fail(`cannot read ${values.in}: ${error.code}`));
        let output: string;
        try {
          output = command === 'ref' ? refCsv(input) : interpretCsv(input);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        await writeFile(values.out, output);
        const lines = output.trim().split('\n').length - 1;
        console.log(`${command}: ${lines} row(s) written to ${values.out}`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
        console.log(usage);
        return 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`pftis: ${error.message}\n\n${usage}`);
      return 2;
    }
    if ([ConfigError, DatabaseUnreachable, DataDirInUse, MigrationFailed, ListenFailed].some((type) => error instanceof type)) {
      // Expected failures: one line naming what was tried, no stack trace.
      console.error(`pftis: ${(error as Error).message}`);
      return 1;
    }
    if (error instanceof AppError) {
      console.error(`pftis: ${error.message === error.code ? error.title : error.message} (${error.code})`);
      return 1;
    }
    throw error;
  }
}
