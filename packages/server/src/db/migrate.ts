import { type Kysely, Migrator, type MigrationResultSet } from 'kysely';
import { OperatorError } from '../platform/errors.js';
import { migrations } from './migrations/index.js';

function migrator(db: Kysely<any>) {
  return new Migrator({
    db: db.withoutPlugins(),
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migration',
    migrationLockTableName: 'schema_migration_lock',
  });
}

export class MigrationFailed extends OperatorError {}

/** Runs every pending migration; the migrator's advisory lock lets several servers start at once. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const result: MigrationResultSet = await migrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationFailed(`migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export interface MigrationStatus {
  applied: number;
  latest: string;
  pending: string[];
  current: boolean;
}

export async function migrationStatus(db: Kysely<any>): Promise<MigrationStatus> {
  const infos = await migrator(db).getMigrations();
  const pending = infos.filter((m) => !m.executedAt).map((m) => m.name);
  return {
    applied: infos.length - pending.length,
    latest: Object.keys(migrations).at(-1) ?? '',
    pending,
    current: pending.length === 0,
  };
}
