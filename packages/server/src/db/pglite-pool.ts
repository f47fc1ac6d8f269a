import type { PGlite } from '@electric-sql/pglite';

/**
 * Presents one in-process PGlite instance as a `pg.Pool`-shaped object for Kysely's PostgresDialect.
 * PGlite has a single session, so a "connection" is an exclusive lease: a transaction holds it until
 * release, and every other caller waits its turn. Code inside a transaction must therefore use the
 * transaction object, never the outer `db`, or it would wait for itself.
 */
export function pglitePool(pg: PGlite) {
  let tail: Promise<void> = Promise.resolve();
  let ended = false;

  async function connect() {
    if (ended) throw new Error('PGlite pool has been closed');
    let release!: () => void;
    const leased = new Promise<void>((resolve) => (release = resolve));
    const previous = tail;
    tail = previous.then(() => leased);
    await previous;
    let released = false;
    return {
      async query(text: string, params: unknown[] = []) {
        const result = await pg.query<Record<string, unknown>>(text, params);
        const command = commandOf(text);
        return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
      },
      release() {
        if (!released) {
          released = true;
          release();
        }
      },
    };
  }

  return {
    connect,
    async end() {
      ended = true;
      await tail;
    },
  };
}

function commandOf(text: string): string {
  const match = /^\s*(?:with\b[\s\S]*?\)\s*)?(\w+)/i.exec(text);
  return (match?.[1] ?? '').toUpperCase();
}
