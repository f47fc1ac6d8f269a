// Another server process for the audit chain test: appends entries to the PostgreSQL database at argv[2]
// (alone and inside transactions, three at a time) while other processes do the same.
import { register } from 'tsx/esm/api';

register();
const { openPostgres } = await import('../db/database.ts');
const { recordAudit, recordAuditAlone, systemActor } = await import('../platform/audit.ts');

const [url, count, label] = process.argv.slice(2);
const database = await openPostgres(url, 3);
const actor = systemActor(label);
try {
  await Promise.all(
    [0, 1, 2].map(async (lane) => {
      for (let i = lane; i < Number(count); i += 3) {
        const input = { action: `test.process.${label}.${i}` };
        if (i % 2) await recordAuditAlone(database.db, actor, input);
        else await database.db.transaction().execute((trx) => recordAudit(trx, actor, input));
      }
    }),
  );
} finally {
  await database.close();
}
