import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { documentOf, type ReportFields } from './arrivals.js';
import { decodeBody, fieldsFromTree, parseBody } from './report-fields.js';

/** Whether a parsed sidecar is a revoke, which comes without documents. */
const isRevoke = (tree: unknown) => fieldsFromTree(tree).action === 'revoke';

/**
 * The demo HIS's shared folder (共享目录): a report is a document (`X.pdf`, or JPEG pages `X.jpg` / `X.p1.jpg`,
 * `X.p2.jpg` …) and a sidecar (`X.json` / `X.xml`, or `X.pdf.json`) carrying the 申请单号, version and the rest; a
 * sidecar may instead list its documents (`files`, `fileName`, `document`). A pair is taken when all its files are
 * there and their sizes have not changed since the previous poll (so a half-written file waits); names starting
 * with `.` or ending in `.part`/`.tmp` are never read. Taken pairs move to `done/`; unreadable ones to `error/`
 * with a `.reason.txt`. The arrival's document is the PDF, else the first page.
 *
 * A revoke (the sidecar's action `revoke` / 撤回 / 作废 …) is a sidecar alone, e.g. `X_revoked.json`: it is taken
 * without documents once settled, and withdraws the version it names.
 */
export interface FilePair {
  base: string;
  /** The PDF, or the JPEG pages in page order; none for a revoke. */
  documents: string[];
  sidecar: string;
}

export interface FileDropOutcome {
  pair: FilePair;
  fields: (ReportFields & { idempotencyKey: string }) | null;
  raw: Uint8Array;
  reason?: string;
}

const DOCUMENT = /\.(pdf|jpe?g)$/i;
const SIDECAR = /\.(json|xml)$/i;
const bySheet = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

export function createFileDrop(folder: string) {
  const sizes = new Map<string, string>();
  const readSidecar = async (name: string) => {
    const bytes = await readFile(path.join(folder, name)).catch(() => null);
    if (!bytes) return null;
    const raw = new Uint8Array(bytes);
    return { raw, parsed: parseBody(decodeBody(raw, null), name.toLowerCase().endsWith('.xml') ? 'application/xml' : 'application/json') };
  };

  /**
   * Sidecars and their documents: `X.pdf` for `X.json` or `X.pdf.json`; the pages `X.p1.jpg`, `X.p2.jpg` … for
   * `X.json`; else the files the sidecar lists.
   */
  async function pairs(): Promise<FilePair[]> {
    const names = (await readdir(folder, { withFileTypes: true }).catch(() => [])).filter((e) => e.isFile() && !e.name.startsWith('.') && !/\.(part|tmp)$/i.test(e.name)).map((e) => e.name);
    const documents = names.filter((n) => DOCUMENT.test(n));
    const found: FilePair[] = [];
    for (const sidecar of names.filter((n) => SIDECAR.test(n))) {
      const stem = sidecar.replace(SIDECAR, '');
      let mine = documents.includes(stem) ? [stem] : documents.filter((d) => d.replace(DOCUMENT, '') === stem || d.startsWith(`${stem}.`)).sort(bySheet);
      let revoke = false;
      if (!mine.length) {
        const read = await readSidecar(sidecar);
        mine = read?.parsed.ok ? listedFiles(read.parsed.tree).filter((f) => documents.includes(f)) : [];
        revoke = !mine.length && read?.parsed.ok === true && isRevoke(read.parsed.tree);
      }
      if (mine.length || revoke) found.push({ base: stem.replace(DOCUMENT, ''), documents: mine, sidecar });
    }
    return found;
  }

  /** Pairs whose files are all there and unchanged in size since the last poll. */
  async function settled(): Promise<FilePair[]> {
    const ready: FilePair[] = [];
    const current = new Set<string>();
    for (const pair of await pairs()) {
      const files = [pair.sidecar, ...pair.documents];
      const sizesNow = await Promise.all(files.map((f) => stat(path.join(folder, f)).then((s) => s.size).catch(() => -1)));
      if (sizesNow.includes(-1)) continue;
      const key = files.join('|');
      const signature = sizesNow.join('/');
      current.add(key);
      if (sizes.get(key) === signature) ready.push(pair);
      sizes.set(key, signature);
    }
    for (const key of sizes.keys()) if (!current.has(key)) sizes.delete(key);
    return ready;
  }

  async function take(pair: FilePair): Promise<FileDropOutcome> {
    const read = await readSidecar(pair.sidecar);
    if (!read) return { pair, fields: null, raw: new Uint8Array(0), reason: '随附文件无法读取' };
    const { raw, parsed } = read;
    if (!parsed.ok) return { pair, fields: null, raw, reason: parsed.reason };
    const fields = fieldsFromTree(parsed.tree);
    if (!fields.orderNo && !fields.accessionNo) return { pair, fields: null, raw, reason: '随附文件缺少申请单号（requestNo）' };
    const idempotencyKey = fields.idempotencyKey ?? (fields.version !== null ? `${fields.orderNo ?? fields.accessionNo}:${fields.version}` : `file:${pair.sidecar}`);
    const main = pair.documents.find((d) => /\.pdf$/i.test(d)) ?? pair.documents[0];
    if (!main) return fields.action === 'revoke' ? { pair, fields: { ...fields, idempotencyKey, document: null }, raw } : { pair, fields: null, raw, reason: '没有报告文件' };
    const bytes = new Uint8Array(await readFile(path.join(folder, main)));
    return { pair, fields: { ...fields, idempotencyKey, document: documentOf(bytes, main) }, raw };
  }

  /** Moves a handled pair out of the way: `done/` or `error/` (with the reason), never overwriting. */
  async function archive(pair: FilePair, to: 'done' | 'error', reason?: string): Promise<void> {
    const dir = path.join(folder, to);
    await mkdir(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 17);
    for (const name of [...pair.documents, pair.sidecar]) await rename(path.join(folder, name), path.join(dir, `${stamp}-${name}`)).catch(() => {});
    if (reason) await writeFile(path.join(dir, `${stamp}-${pair.sidecar}.reason.txt`), `${reason}\n`);
    sizes.delete([pair.sidecar, ...pair.documents].join('|'));
  }

  return { folder, settled, take, archive };
}

/** Document names a sidecar lists (`files: […]`, `<files><file>…</file></files>`, `fileName`, `document` …). */
function listedFiles(tree: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, named: boolean) => {
    if (typeof node === 'string') {
      if (named && DOCUMENT.test(node)) out.push(path.basename(node));
    } else if (Array.isArray(node)) node.forEach((n) => walk(n, named));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) walk(value, /^(files?|filenames?|documents?|documentfile|pdffile|pages?)$/i.test(key.replace(/[^a-z]/gi, '')));
    }
  };
  walk(tree, false);
  return [...new Set(out)];
}
