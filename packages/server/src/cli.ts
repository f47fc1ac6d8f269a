import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_LAB_SETTINGS, defaultTemplates, interpretCsv, mergeTemplates, refCsv, type LabSettings, type NarrativeTemplatesOverride } from '@pftis/clinical';
import { z } from 'zod';
import { recognise } from './modules/device-import/recognise.js';
import { createDocumentReader } from './modules/device-import/document.js';
import { BUILTIN_TEMPLATES } from '@pftis/formats/device-report/index';
import { parseArgs } from 'node:util';
import { loadConfig } from './platform/config.js';
import { AppError, OperatorError } from './platform/errors.js';
import { resolveSecretKey } from './platform/secret-key.js';

// The server's modules (web server, database drivers, PDF rendering) take seconds to load: only the commands that
// use them load them, so usage, `ref`, `interpret` and `parse` answer at once.
const serverModules = () => import('./server.js');
const databaseModules = async () => ({ ...(await import('./db/migrate.js')), ...(await import('./platform/audit.js')), ...(await import('./app.js')), ...(await serverModules()) });

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
  pftis ref --in FILE.csv --out FILE.csv [--settings LAB.json] [--out-of-range refuse|extrapolate]
                                      reference values for many rows. Input columns: equation (gli2012 gli2022 gli2017
                                      gli2021 jian2017 nhanes3), param, sex (male|female), age (decimal years),
                                      height_cm, ethnicity (gli2012: 1-5; nhanes3: caucasian|african_american|
                                      mexican_american; other equations take none: a value is ignored with a message),
                                      measured (optional; FEV1FVC is a ratio 0-1, above 1 is refused; RVTLC in %).
                                      Added columns: L M S predicted lln uln zscore pct_pred (empty where not defined:
                                      NHANES III has no z, ULN, L, S), status (ok | extrapolated | refused), message.
  pftis interpret --in FILE.csv --out FILE.csv [--settings LAB.json] [--scheme ats2022|china2014]
                  [--out-of-range refuse|extrapolate]
                                      interpret many exams. Input columns: sex, age, height_cm, fev1, fvc (L); optional
                                      ethnicity, spirometry_equation (gli2022 gli2012 jian2017 nhanes3; default: the
                                      lab's), patient_group (an id from --settings), post_fev1, post_fvc, tlc, rv, frc,
                                      dlco_si (mmol/min/kPa), va, hb (g/dL), mmef, fef75 (L/s), mmef_pct_pred_device,
                                      fef50_pct_pred_device, fef75_pct_pred_device (the device's % predicted, for the
                                      small-airway rule where our equation has no value).
                                      Added columns: <p>_z and <p>_pct_pred for fev1 fvc fev1fvc post_fev1 post_fvc
                                      post_fev1fvc tlc rv frc rvtlc dlco_si va kco_si mmef fef75 (dlco_si_* and kco_si_*
                                      from the Hb-corrected DLCO when hb is given); dlco_si_hb_corrected;
                                      pattern (ats2022: normal obstruction possible_restriction restriction mixed
                                      non_specific prism; china2014: normal obstruction restriction mixed non_specific
                                      small_airway_dysfunction; empty when not determinable); severity (none mild
                                      moderate severe; china2014 also moderately_severe very_severe); bdr (positive |
                                      negative | empty without post values); gas_transfer (empty without dlco_si;
                                      normal, reduced (VA/KCO not known), reduced_parenchymal_vascular (VA normal, KCO
                                      low), reduced_low_va (VA low, KCO normal or high), reduced_mixed (VA and KCO low),
                                      reduced_unexplained (VA and KCO normal), elevated); small_airway_dysfunction (yes |
                                      no | empty); narrative_zh; narrative_en; scheme; equations (group=equation);
                                      status (ok | not_determined | refused); message (why something is missing).
      --settings LAB.json             lab settings (equations per parameter group, patient groups, out-of-range
                                      policy, scheme, pattern options, BDR rule, narrative templates); default: GLI
                                      Global 2022, GLI-2017, GLI-2021, refuse, ats2022
      --out-of-range, --scheme        override the settings file

Configuration comes from the environment (DATABASE_URL, PFTIS_DATA_DIR, PFTIS_PORT, ...) or PFTIS_CONFIG.
Without --password a random temporary password is generated and printed.`;

class UsageError extends Error {}

const SPIROMETRY_EQUATIONS = ['gli2022', 'gli2012', 'jian2017', 'nhanes3'] as const;
const NHANES3_GROUPS = ['caucasian', 'african_american', 'mexican_american'] as const;
const PATTERN_CODES = ['normal', 'obstruction', 'possible_restriction', 'restriction', 'mixed', 'non_specific', 'prism', 'small_airway_dysfunction'] as const;
const SEVERITY_CODES = ['none', 'mild', 'moderate', 'moderately_severe', 'severe', 'very_severe'] as const;
const GAS_TRANSFER_CODES = ['normal', 'reduced', 'reduced_parenchymal_vascular', 'reduced_low_va', 'reduced_mixed', 'reduced_unexplained', 'elevated'] as const;

/** One equation choice; the ethnic group must fit the equation (GLI-2012 1-5, NHANES III its three groups, else none). */
const equationChoice = <E extends readonly [string, ...string[]]>(equations: E) =>
  z
    .object({
      equation: z.enum(equations, { error: `equation must be one of ${equations.join(', ')}` }),
      ethnicity: z.union([z.number(), z.string()]).nullish().transform((v) => v ?? undefined),
    })
    .strict()
    .superRefine((choice, ctx) => {
      const e = choice.ethnicity;
      if (choice.equation === 'gli2012' && e !== undefined && !(typeof e === 'number' && Number.isInteger(e) && e >= 1 && e <= 5)) {
        ctx.addIssue({ code: 'custom', path: ['ethnicity'], message: 'gli2012 ethnicity must be 1-5 (1 Caucasian, 2 African American, 3 North East Asian, 4 South East Asian, 5 Other/mixed)' });
      } else if (choice.equation === 'nhanes3' && e !== undefined && !NHANES3_GROUPS.includes(e as never)) {
        ctx.addIssue({ code: 'custom', path: ['ethnicity'], message: `nhanes3 ethnicity must be one of ${NHANES3_GROUPS.join(', ')}` });
      } else if (choice.equation !== 'gli2012' && choice.equation !== 'nhanes3' && e !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['ethnicity'], message: `${choice.equation} takes no ethnicity` });
      }
    });
const choices = z
  .object({ spirometry: equationChoice(SPIROMETRY_EQUATIONS).optional(), transfer: equationChoice(['gli2017']).optional(), volumes: equationChoice(['gli2021']).optional() })
  .strict();
const partialRecord = <K extends readonly [string, ...string[]]>(keys: K) =>
  z.partialRecord(z.enum(keys, { error: `key must be one of ${keys.join(', ')}` }), z.string().max(300));
const templatesOverride = z
  .object({
    pattern: partialRecord(PATTERN_CODES), severity: partialRecord(SEVERITY_CODES), bdr: partialRecord(['positive', 'negative']),
    gasTransfer: partialRecord(GAS_TRANSFER_CODES), patternName: partialRecord(PATTERN_CODES), sexWord: partialRecord(['male', 'female']),
    separator: z.string().max(10), terminator: z.string().max(10), capitalizeFirst: z.boolean(), listSeparator: z.string().max(10),
    noObstruction: z.string().max(300), lowFev1: z.string().max(300), notDeterminable: z.string().max(300),
    whyUnverifiedL: z.string().max(300), whyNoLimits: z.string().max(300), severityNotGraded: z.string().max(300),
  })
  .partial()
  .strict();

/**
 * A lab settings file for `pftis ref|interpret --settings`: any part of the clinical core's LabSettings (the lab's
 * clinical settings as the server stores them, match rules of patient groups included), over DEFAULT_LAB_SETTINGS.
 */
export const LabSettingsFileSchema = z
  .object({
    reference: z
      .object({
        defaults: choices.optional(),
        patientGroups: z
          .array(
            z
              .object({
                id: z.string().min(1, 'a patient group needs an id'),
                label: z.string().default(''),
                match: z.object({ minAge: z.number().nullish(), maxAge: z.number().nullish(), sex: z.enum(['male', 'female']).nullish() }).strict().optional(),
                choices,
              })
              .strict(),
          )
          .optional(),
        outOfRange: z.enum(['refuse', 'extrapolate'], { error: 'outOfRange must be refuse or extrapolate' }).optional(),
      })
      .strict()
      .optional(),
    interpretation: z
      .object({
        scheme: z.enum(['ats2022', 'china2014'], { error: 'scheme must be ats2022 or china2014' }).optional(),
        pattern: z
          .object({ isolatedLowFev1: z.enum(['prism', 'normal', 'non_specific']), lowFvcWithoutTlc: z.enum(['possible_restriction', 'prism']) })
          .partial()
          .strict()
          .optional(),
        china2014: z.object({ lowFvcWithObstructionWithoutTlc: z.enum(['mixed', 'obstruction']) }).strict().optional(),
        bdrRule: z.enum(['ats2022', 'china2014', 'ats2005']).nullish().transform((v) => v ?? undefined),
        bdrOperator: z.enum(['>', '>=']).nullish().transform((v) => v ?? undefined),
      })
      .strict()
      .optional(),
    templates: z.object({ zh: templatesOverride.optional(), en: templatesOverride.optional() }).strict().optional(),
  })
  .strict();

type LabSettingsFile = Omit<LabSettings, 'templates'> & { templateOverrides?: { zh?: NarrativeTemplatesOverride; en?: NarrativeTemplatesOverride } };

/** Reads and validates a lab settings file; every problem is named with its JSON path, in English. */
export async function readLabSettingsFile(file: string): Promise<LabSettingsFile> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => fail(`cannot read settings ${file}: ${error.code}`));
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    fail(`settings ${file} is not valid JSON: ${(error as Error).message}`);
  }
  // English messages here, whatever locale the server configured for its API (platform/http.ts sets zh-CN).
  const parsed = LabSettingsFileSchema.safeParse(json, { error: z.locales.en().localeError });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
    fail(`settings ${file} is not valid lab settings:\n  ${problems.join('\n  ')}`);
  }
  const value = parsed.data;
  const base = DEFAULT_LAB_SETTINGS;
  const defaults = { ...base.reference.defaults };
  for (const group of ['spirometry', 'transfer', 'volumes'] as const) {
    const choice = value.reference?.defaults?.[group];
    // GLI-2012 or NHANES III without a fixed group: each CSV row carries its own ethnicity.
    if (choice) defaults[group] = (choice.ethnicity === undefined ? { equation: choice.equation } : { equation: choice.equation, ethnicity: choice.ethnicity }) as LabSettings['reference']['defaults'][typeof group];
  }
  return {
    reference: {
      defaults,
      patientGroups: (value.reference?.patientGroups ?? []).map((g) => ({ id: g.id, label: g.label, choices: g.choices as LabSettings['reference']['patientGroups'][number]['choices'] })),
      outOfRange: value.reference?.outOfRange ?? base.reference.outOfRange,
    },
    interpretation: {
      ...base.interpretation,
      ...value.interpretation,
      pattern: { ...base.interpretation.pattern, ...value.interpretation?.pattern },
    },
    ...(value.templates ? { templateOverrides: value.templates } : {}),
  };
}

/** --settings, then --out-of-range and --scheme over it. */
async function labFromOptions(command: string, values: { settings?: string; 'out-of-range'?: string; scheme?: string }): Promise<LabSettings> {
  const { templateOverrides, ...lab }: LabSettingsFile = values.settings ? await readLabSettingsFile(values.settings) : structuredClone(DEFAULT_LAB_SETTINGS);
  const outOfRange = values['out-of-range'];
  if (outOfRange !== undefined) {
    if (outOfRange !== 'refuse' && outOfRange !== 'extrapolate') fail(`--out-of-range must be refuse or extrapolate, not ${outOfRange}`);
    lab.reference = { ...lab.reference, outOfRange };
  }
  if (values.scheme !== undefined) {
    if (command !== 'interpret') fail('--scheme applies to pftis interpret only');
    if (values.scheme !== 'ats2022' && values.scheme !== 'china2014') fail(`--scheme must be ats2022 or china2014, not ${values.scheme}`);
    lab.interpretation = { ...lab.interpretation, scheme: values.scheme };
  }
  // Partial templates from the file, over the defaults of the scheme finally in force.
  if (!templateOverrides) return lab;
  const scheme = lab.interpretation.scheme;
  return {
    ...lab,
    templates: {
      zh: mergeTemplates(defaultTemplates(scheme, 'zh'), templateOverrides.zh),
      en: mergeTemplates(defaultTemplates(scheme, 'en'), templateOverrides.en),
    },
  };
}

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
  const { openDatabase, migrateToLatest, createServices, systemActor } = await databaseModules();
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
        const { startServer } = await serverModules();
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
        const { openDatabase, migrateToLatest } = await databaseModules();
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
        const { verifyAuditChain } = await databaseModules();
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
            const { renderPdfToJpg } = await import('./modules/reports/render/index.js');
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
        let values: { in?: string; out?: string; settings?: string; 'out-of-range'?: string; scheme?: string };
        try {
          ({ values } = parseArgs({
            args: [sub, ...rest].filter((a): a is string => a !== undefined),
            options: { in: { type: 'string' }, out: { type: 'string' }, settings: { type: 'string' }, 'out-of-range': { type: 'string' }, scheme: { type: 'string' } },
          }));
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        if (!values.in || !values.out) throw new UsageError(`${command} needs --in FILE.csv and --out FILE.csv`);
        const lab = await labFromOptions(command, values);
        const input = await readFile(values.in, 'utf8').catch((error: NodeJS.ErrnoException) => fail(`cannot read ${values.in}: ${error.code}`));
        let output: string;
        try {
          output = command === 'ref' ? refCsv(input, { outOfRange: lab.reference.outOfRange }) : interpretCsv(input, { lab });
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
    if (error instanceof OperatorError) {
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
