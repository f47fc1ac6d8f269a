// Time from launching the server process to /api/health answering 200, on the embedded database:
// cold (empty data folder: initdb, migrations, demo seed) and warm (existing folder), each against the
// baseline (bench/baseline-server.mjs) in the same run. Prints a Markdown table for bench/RESULTS.md.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const root = path.resolve(import.meta.dirname, '..');
let port = 18_500;

async function timeToHealthy(command: string[], dataDir: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, PFTIS_DATA_DIR: dataDir, PFTIS_PORT: String(++port), PFTIS_HOST: '127.0.0.1', PFTIS_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const started = performance.now();
  const child = spawn(process.execPath, command, { cwd: root, env, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited with ${child.exitCode}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/health`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await stop(child);
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const subjects = {
  'pftis start': ['packages/server/bin/pftis.mjs', 'start'],
  'baseline (PGlite + node:http)': ['bench/baseline-server.mjs'],
};

const results: Array<{ subject: string; cold: number[]; warm: number[] }> = [];
for (const [subject, command] of Object.entries(subjects)) {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pftis-bench-'));
    cold.push(await timeToHealthy(command, dataDir));
    warm.push(await timeToHealthy(command, dataDir));
    await rm(dataDir, { recursive: true, force: true });
  }
  results.push({ subject, cold, warm });
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`\nStart-up to healthy, median of ${runs} runs (${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version})\n`);
console.log('| subject | cold (empty data folder) | warm (existing data folder) | all cold runs | all warm runs |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.subject} | ${fmt(median(r.cold))} | ${fmt(median(r.warm))} | ${r.cold.map(fmt).join(', ')} | ${r.warm.map(fmt).join(', ')} |`);
}
