import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { ConfigError } from './config.js';

/**
 * The master key for SM4 encryption at rest. A server deployment must supply it (PFTIS_SECRET_KEY, kept
 * outside the database and its backups); the embedded database keeps a generated one in its data folder.
 */
export function resolveSecretKey(config: Config): string {
  if (config.secretKey) return config.secretKey.toLowerCase();
  if (config.databaseUrl) throw new ConfigError('PFTIS_SECRET_KEY (64 hex characters) is required when DATABASE_URL is set');
  const file = path.join(config.dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
