// Baseline for the start-up benchmark: the least a server on the embedded database must do —
// load PGlite, open (or create) the data folder, and answer a health check over HTTP.
import http from 'node:http';
import { PGlite } from '@electric-sql/pglite';

const db = await PGlite.create({ dataDir: process.env.PFTIS_DATA_DIR });
const server = http.createServer(async (_req, res) => {
  await db.query('select 1');
  res.end('{"status":"ok"}');
});
server.listen(Number(process.env.PFTIS_PORT), '127.0.0.1');
process.on('SIGTERM', async () => {
  server.close();
  await db.close();
  process.exit(0);
});
