import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { OperatorError } from './errors.js';

const bool = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no'])]).transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

const ConfigSchema = z.object({
  host: z.string().default('0.0.0.0'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** PostgreSQL server; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl: z.string().url().optional(),
  databasePoolSize: z.coerce.number().int().min(1).max(200).default(10),
  dataDir: z.string().default('./data'),
  /** Seed the demo hospital into an empty embedded database. Never with a PostgreSQL server. */
  demo: bool.optional(),
  /** 64 hex characters. Encrypts personal data and second-factor secrets (SM4). Generated into dataDir when absent on the embedded database. */
  secretKey: z.string().regex(/^[0-9a-fA-F]{64}$/, 'secretKey must be 64 hex characters').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Set when served over HTTPS (directly or behind a proxy): session cookies get the Secure flag. */
  secureCookies: bool.default(false),
  trustProxy: bool.default(false),
  webDist: z.string().optional(),
  hospitalName: z.string().default('PFTIS'),
  /** The address patients and the HIS reach this server at: the QR code on each report points to <publicUrl>/verify/<code>. */
  publicUrl: z.string().url().default('http://localhost:8080'),
  /** How long a claimed outbox message stays invisible to other workers; after a crash it is retried once this passes. */
  outboxLeaseMs: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** The HIS database with a read-only account: mysql://… (MySQL/MariaDB) or postgres://…. The demo uses its own. */
  hisUrl: z.string().regex(/^(mysql|mariadb|postgres|postgresql):\/\//, 'hisUrl must start with mysql:// or postgres://').optional(),
  /** Port of the MLLP listener taking HL7 v2 results (ORU^R01) from devices; off unless set (0 picks a free port). */
  deviceMllpPort: z.coerce.number().int().min(0).max(65535).optional(),
  deviceMllpHost: z.string().default('0.0.0.0'),
  /** Largest HL7 message taken over MLLP, in bytes; a larger one is answered AE and not stored. */
  deviceMllpMaxBytes: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(32 * 1024 * 1024),
  /** A device connection silent this long is closed (the device reconnects when it has something to send). */
  deviceMllpIdleMs: z.coerce.number().int().min(1000).max(86_400_000).default(600_000),
  /** Tesseract languages for scanned device reports, most likely first (chi_sim, eng, fra are installed). */
  ocrLanguages: z.string().default('chi_sim,eng,fra').transform((v) => v.split(',').map((l) => l.trim()).filter(Boolean)).pipe(z.array(z.enum(['chi_sim', 'eng', 'fra'])).min(1)),
});

export type Config = z.infer<typeof ConfigSchema> & { demo: boolean; webDist: string };

const envNames: Record<string, string> = {
  host: 'PFTIS_HOST',
  port: 'PFTIS_PORT',
  databaseUrl: 'DATABASE_URL',
  databasePoolSize: 'PFTIS_DATABASE_POOL_SIZE',
  dataDir: 'PFTIS_DATA_DIR',
  demo: 'PFTIS_DEMO',
  secretKey: 'PFTIS_SECRET_KEY',
  logLevel: 'PFTIS_LOG_LEVEL',
  secureCookies: 'PFTIS_SECURE_COOKIES',
  trustProxy: 'PFTIS_TRUST_PROXY',
  webDist: 'PFTIS_WEB_DIST',
  hospitalName: 'PFTIS_HOSPITAL_NAME',
  publicUrl: 'PFTIS_PUBLIC_URL',
  outboxLeaseMs: 'PFTIS_OUTBOX_LEASE_MS',
  hisUrl: 'PFTIS_HIS_URL',
  deviceMllpPort: 'PFTIS_DEVICE_MLLP_PORT',
  deviceMllpHost: 'PFTIS_DEVICE_MLLP_HOST',
  deviceMllpMaxBytes: 'PFTIS_DEVICE_MLLP_MAX_BYTES',
  deviceMllpIdleMs: 'PFTIS_DEVICE_MLLP_IDLE_MS',
  ocrLanguages: 'PFTIS_OCR_LANGUAGES',
};

export class ConfigError extends OperatorError {}

/**
 * Reads the configuration: an optional JSON file (PFTIS_CONFIG), then environment variables, which win.
 * Every problem is reported at once, naming the setting, so the server never starts half-configured.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): Config {
  let fromFile: Record<string, unknown> = {};
  if (env.PFTIS_CONFIG) {
    try {
      fromFile = JSON.parse(readFileSync(env.PFTIS_CONFIG, 'utf8'));
    } catch (error) {
      throw new ConfigError(`cannot read config file ${env.PFTIS_CONFIG}: ${(error as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const parsed = ConfigSchema.safeParse({ ...fromFile, ...fromEnv, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${envNames[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  return {
    ...config,
    // The demo hospital exists only on the embedded database, and only when not switched off.
    demo: config.databaseUrl ? false : (config.demo ?? true),
    webDist: config.webDist ?? path.resolve(import.meta.dirname, '../../../web/dist'),
  };
}
