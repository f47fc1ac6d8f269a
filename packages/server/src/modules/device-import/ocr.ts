/**
 * OCR of scanned or photographed device reports (PNG, JPEG, image-only PDF), fully offline.
 *
 * tesseract.js 7 runs the Tesseract LSTM engine (WebAssembly) in a worker thread. The language models come from the
 * npm packages @tesseract.js-data/{fra,eng,chi_sim} (the `4.0.0_best_int` variant); nothing is fetched at run time:
 * the gzipped models are copied into one local `tessdata` folder (tesseract.js takes a single `langPath`), and a
 * local path — never a URL — is handed over, so tesseract.js reads them with `fs`. Its unpacked copies go to
 * `cachePath`, so the second start of a worker skips the gunzip.
 *
 * One worker per process, created on first use (about 0.5–2 s) and kept for the next pages; `terminateOcr()` ends
 * it. Pages are processed one at a time. Nothing here throws on bad input: every failure is returned as a reason.
 *
 * Output: TextItems (packages/formats/src/device-report/extraction.ts) in points with the origin at the top-left of
 * the page, one per recognised word (`items`) and one per recognised line (`lines`).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, copyFileSync, statSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TextItem } from '@pftis/formats/device-report/extraction';
import { renderPdfToPng } from '../reports/render/render-jpg.js';
import { decodeImageSafely } from '../../platform/image-sandbox.js';

type Tesseract = typeof import('tesseract.js');
type TesseractWorker = Awaited<ReturnType<Tesseract['createWorker']>>;

const require = createRequire(import.meta.url);

/** Models shipped by the @tesseract.js-data packages. */
export const OCR_LANGUAGES = ['fra', 'eng', 'chi_sim'] as const;
export type OcrLanguage = (typeof OCR_LANGUAGES)[number];
/** `4.0.0_best_int`: LSTM-only integer models, a fraction of the size of `4.0.0` with the same results on our scans. */
const MODEL_VARIANT = '4.0.0_best_int';
/** Resolution assumed when an image carries none (the Foch A4 scan is 1653×2339 px, i.e. 200 dpi). */
export const DEFAULT_DPI = 200;
/** Resolution at which image-only PDF pages are rendered for OCR (Tesseract reads best at about 300 dpi). */
export const PDF_RENDER_DPI = 300;
/** Larger inputs are refused rather than risking the worker's memory (a 600 dpi A3 page is about 70 Mpx). */
const MAX_PIXELS = 80_000_000;
const MAX_PDF_PAGES = 50;
/** A page that takes longer than this is abandoned and the worker replaced (a hung or crashed worker never answers). */
const PAGE_TIMEOUT_MS = 180_000;

export interface OcrOptions {
  /** Tesseract language codes, in order of preference; default from `configureOcr` (fra + eng). */
  languages?: string[];
  /** Resolution of the image when it does not say, or to override what it says. */
  dpi?: number;
  /**
   * Enlarge the image by this factor (1–4, bilinear, via @napi-rs/canvas) before recognition; coordinates still come
   * back in points of the original page. Default 1. Measured on the Foch scan (200 dpi) through the template: 1× reads
   * all 41 numbers right but misreads 7 short labels/units ("L/s" as "Lis", "CI" as "Cl"); 2× fixes most units but
   * lost one number (CVF Théo) and 2.5× turned 2.91 into 291. Numbers matter more, so enlarging is the caller's
   * choice (small screenshots), not the default.
   */
  scale?: number;
}

export interface OcrPage {
  page: number;
  widthPt: number;
  heightPt: number;
  /** Resolution used to turn pixels into points. */
  dpi: number;
  /** Mean word confidence (0–100) of the page, null when no word was found. */
  meanConfidence: number | null;
}

export type OcrResult =
  | {
      ok: true;
      /** One item per word, in reading order. */
      items: TextItem[];
      /** One item per line (words joined by single spaces), for readers that want whole lines. */
      lines: TextItem[];
      /** Size of the (first) page in points. */
      pageWidthPt: number;
      pageHeightPt: number;
      pages: OcrPage[];
      /** Wall time of the recognition, worker start included when it happened in this call. */
      seconds: number;
      languages: string[];
    }
  | { ok: false; reason: string };

// ── configuration and the model folder ──────────────────────────────────────────────────────────────

interface OcrConfig {
  /** Where the `tessdata` folder and the unpacked cache live: the data dir in the server, a temp dir otherwise. */
  dir: string;
  languages: string[];
}

let config: OcrConfig = { dir: path.join(os.tmpdir(), 'pftis-ocr'), languages: ['fra', 'eng'] };

/** Sets where the model files are assembled (e.g. `<dataDir>/ocr`) and the default languages. Ends a running worker. */
export async function configureOcr(next: Partial<OcrConfig>): Promise<void> {
  await terminateOcr();
  config = { ...config, ...next };
}

function modelSource(language: OcrLanguage): string {
  const root = path.dirname(require.resolve(`@tesseract.js-data/${language}/package.json`));
  return path.join(root, MODEL_VARIANT, `${language}.traineddata.gz`);
}

/**
 * Copies the gzipped models into one folder (tesseract.js takes a single langPath). The folder and the cache are
 * named after the variant and the package versions so that an upgrade never reads stale unpacked models.
 */
function prepareModels(languages: OcrLanguage[]): { langPath: string; cachePath: string } {
  // the unpacked models are cached per language file, so one cache serves every language set
  const stamp = createHash('sha256')
    .update(OCR_LANGUAGES.map((l) => `${l}@${(require(`@tesseract.js-data/${l}/package.json`) as { version: string }).version}`).join(','))
    .digest('hex')
    .slice(0, 10);
  const langPath = path.join(config.dir, `tessdata-${MODEL_VARIANT}`);
  const cachePath = path.join(config.dir, `cache-${MODEL_VARIANT}-${stamp}`);
  mkdirSync(langPath, { recursive: true });
  mkdirSync(cachePath, { recursive: true });
  for (const language of languages) {
    const source = modelSource(language);
    const target = path.join(langPath, `${language}.traineddata.gz`);
    if (existsSync(target) && statSync(target).size === statSync(source).size) continue;
    // copy then rename, so that a concurrent process never reads half a model
    const partial = `${target}.${process.pid}.part`;
    copyFileSync(source, partial);
    renameSync(partial, target);
  }
  return { langPath, cachePath };
}

// ── the worker ─────────────────────────────────────────────────────────────────────────────────────

let worker: { languages: string; instance: Promise<TesseractWorker> } | null = null;
// one page at a time through the one worker
let queue: Promise<unknown> = Promise.resolve();

function serialised<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => undefined);
  return run;
}

async function startWorker(languages: OcrLanguage[]): Promise<TesseractWorker> {
  const tesseract = (await import('tesseract.js')).default as unknown as Tesseract;
  const { langPath, cachePath } = prepareModels(languages);
  const instance = await tesseract.createWorker(languages, tesseract.OEM.LSTM_ONLY, {
    // a local path (not a URL): tesseract.js reads it with fs and never goes to its default CDN
    langPath,
    cachePath,
    gzip: true,
    logger: () => undefined,
    // worker errors reach the promise of the job; keep them out of the console
    errorHandler: () => undefined,
  });
  await instance.setParameters({
    preserve_interword_spaces: '1',
  });
  return instance;
}

/** The process's worker for these languages, started on first use or restarted for other languages. */
async function getWorker(languages: OcrLanguage[]): Promise<{ instance: TesseractWorker; started: boolean }> {
  const key = languages.join('+');
  if (worker && worker.languages === key) return { instance: await worker.instance, started: false };
  await terminateOcr();
  const instance = startWorker(languages);
  worker = { languages: key, instance };
  instance.catch(() => {
    if (worker?.instance === instance) worker = null;
  });
  return { instance: await instance, started: true };
}

/** Ends the OCR worker, if one runs (the next OCR call starts a new one). */
export async function terminateOcr(): Promise<void> {
  const current = worker;
  worker = null;
  if (!current) return;
  try {
    await (await current.instance).terminate();
  } catch {
    // a worker that failed to start has nothing to end
  }
}

/** Starts the worker ahead of the first page (e.g. at server start) and says how long it took. */
export async function warmUpOcr(options: Pick<OcrOptions, 'languages'> = {}): Promise<{ ok: true; seconds: number } | { ok: false; reason: string }> {
  const languages = checkLanguages(options.languages ?? config.languages);
  if (!languages.ok) return languages;
  const start = performance.now();
  return serialised(async () => {
    try {
      await getWorker(languages.value);
      return { ok: true as const, seconds: (performance.now() - start) / 1000 };
    } catch (error) {
      return { ok: false as const, reason: `OCR engine failed to start: ${message(error)}` };
    }
  });
}

// ── images ─────────────────────────────────────────────────────────────────────────────────────────

interface ImageInfo {
  kind: 'png' | 'jpeg' | 'bmp' | 'tiff' | 'webp' | 'gif';
  width: number;
  height: number;
  /** Resolution written in the file (PNG pHYs, JFIF density), null when absent or not in inches/centimetres. */
  dpi: number | null;
}

/** Reads the type, size and resolution of an image from its header, or says why it is not one we read. */
export function inspectImage(bytes: Uint8Array): { ok: true; value: ImageInfo } | { ok: false; reason: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (offset: number, ...expected: number[]) => expected.every((b, i) => bytes[offset + i] === b);
  if (bytes.length >= 24 && at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) {
    if (!at(12, 0x49, 0x48, 0x44, 0x52)) return { ok: false, reason: 'PNG without an IHDR header' };
    const width = view.getUint32(16);
    const height = view.getUint32(20);
    let dpi: number | null = null;
    // walk the chunks before the image data for pHYs (pixels per metre when the unit byte is 1)
    for (let offset = 8; offset + 8 <= bytes.length; ) {
      const length = view.getUint32(offset);
      const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
      if (type === 'IDAT' || type === 'IEND') break;
      if (type === 'pHYs' && length === 9 && offset + 17 <= bytes.length && bytes[offset + 16] === 1) {
        dpi = (view.getUint32(offset + 8) * 0.0254);
      }
      offset += 12 + length;
    }
    return checkSize({ kind: 'png', width, height, dpi });
  }
  if (bytes.length >= 4 && at(0, 0xff, 0xd8, 0xff)) {
    let dpi: number | null = null;
    for (let offset = 2; offset + 4 <= bytes.length; ) {
      if (bytes[offset] !== 0xff) return { ok: false, reason: 'JPEG with a damaged segment structure' };
      const marker = bytes[offset + 1]!;
      if (marker === 0xff) { offset += 1; continue; }
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) { offset += 2; continue; }
      if (marker === 0xd9 || marker === 0xda) break;
      const length = view.getUint16(offset + 2);
      // JFIF APP0: units (1 = dpi, 2 = dots per cm), X density
      if (marker === 0xe0 && offset + 16 <= bytes.length && at(offset + 4, 0x4a, 0x46, 0x49, 0x46, 0x00)) {
        const units = bytes[offset + 11];
        const density = view.getUint16(offset + 12);
        if (density > 0 && units === 1) dpi = density;
        if (density > 0 && units === 2) dpi = density * 2.54;
      }
      // start of frame (baseline, progressive, …; not DHT 0xc4, JPG 0xc8, DAC 0xcc)
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        if (offset + 9 > bytes.length) break;
        return checkSize({ kind: 'jpeg', width: view.getUint16(offset + 7), height: view.getUint16(offset + 5), dpi });
      }
      offset += 2 + length;
    }
    return { ok: false, reason: 'JPEG without a frame header (truncated or damaged file)' };
  }
  if (bytes.length >= 26 && at(0, 0x42, 0x4d)) {
    return checkSize({ kind: 'bmp', width: view.getInt32(18, true), height: Math.abs(view.getInt32(22, true)), dpi: null });
  }
  if (bytes.length >= 8 && (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a))) {
    // size is read by the engine; TIFF tags are not walked here
    return { ok: true, value: { kind: 'tiff', width: 0, height: 0, dpi: null } };
  }
  if (bytes.length >= 12 && at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) {
    return { ok: true, value: { kind: 'webp', width: 0, height: 0, dpi: null } };
  }
  if (bytes.length >= 10 && at(0, 0x47, 0x49, 0x46, 0x38)) {
    return checkSize({ kind: 'gif', width: view.getUint16(6, true), height: view.getUint16(8, true), dpi: null });
  }
  return { ok: false, reason: 'not an image OCR can read (PNG, JPEG, TIFF, BMP, WebP or GIF expected)' };
}

function checkSize(info: ImageInfo): { ok: true; value: ImageInfo } | { ok: false; reason: string } {
  if (!(info.width > 0 && info.height > 0)) return { ok: false, reason: `image has no size (${info.width}×${info.height} px)` };
  if (info.width * info.height > MAX_PIXELS) return { ok: false, reason: `image too large for OCR (${info.width}×${info.height} px, limit ${MAX_PIXELS / 1e6} Mpx)` };
  if (info.width < 16 || info.height < 16) return { ok: false, reason: `image too small for OCR (${info.width}×${info.height} px)` };
  return { ok: true, value: info };
}

/**
 * The resolution to turn pixels into points. What the file says is trusted when it gives a plausible page (long side
 * 2–20 in); otherwise 200 dpi, unless that makes a photograph larger than A3, in which case the long side is taken
 * as an A4 page (a phone photo of a report is usually a whole page).
 */
export function effectiveDpi(width: number, height: number, written: number | null, override?: number): number {
  if (override && override >= 30 && override <= 2400) return override;
  const longSide = Math.max(width, height);
  if (written && written >= 30 && written <= 2400) {
    const inches = longSide / written;
    if (inches >= 2 && inches <= 20) return written;
  }
  if (longSide / DEFAULT_DPI > 17) return longSide / 11.69;
  return DEFAULT_DPI;
}

function checkLanguages(requested: string[]): { ok: true; value: OcrLanguage[] } | { ok: false; reason: string } {
  const known = new Set<string>(OCR_LANGUAGES);
  const unknown = requested.filter((l) => !known.has(l));
  if (unknown.length > 0) return { ok: false, reason: `no OCR model for language ${unknown.join(', ')} (available: ${OCR_LANGUAGES.join(', ')})` };
  if (requested.length === 0) return { ok: false, reason: 'no OCR language given' };
  return { ok: true, value: [...new Set(requested)] as OcrLanguage[] };
}

const message = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/^(?:Error:\s*)+/, '').slice(0, 300);

// ── recognition ────────────────────────────────────────────────────────────────────────────────────

interface Box { x0: number; y0: number; x1: number; y1: number }
interface OcrWord { text: string; confidence: number; bbox: Box }
interface OcrLine { text: string; confidence: number; bbox: Box; words: OcrWord[] }
interface OcrBlock { paragraphs: Array<{ lines: OcrLine[] }> }

/** Tesseract puts spaces between Hanzi; a space between two CJK characters is never meant. */
export const joinCjk = (text: string) => text.replace(/(?<=[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]) +(?=[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef])/gu, '');

function toItems(blocks: OcrBlock[] | null, page: number, dpi: number): { words: TextItem[]; lines: TextItem[] } {
  const k = 72 / dpi;
  const item = (text: string, box: Box, confidence: number): TextItem => ({
    page,
    text,
    x: box.x0 * k,
    y: box.y0 * k,
    width: (box.x1 - box.x0) * k,
    height: (box.y1 - box.y0) * k,
    confidence: Math.round(confidence * 10) / 10,
  });
  const words: TextItem[] = [];
  const lines: TextItem[] = [];
  for (const block of blocks ?? []) {
    for (const paragraph of block.paragraphs ?? []) {
      for (const line of paragraph.lines ?? []) {
        const lineWords = (line.words ?? []).filter((w) => w.text.trim() !== '');
        if (lineWords.length === 0) continue;
        for (const w of lineWords) words.push(item(w.text.trim(), w.bbox, w.confidence));
        const text = joinCjk(lineWords.map((w) => w.text.trim()).join(' '));
        const mean = lineWords.reduce((s, w) => s + w.confidence, 0) / lineWords.length;
        lines.push(item(text, line.bbox, mean));
      }
    }
  }
  return { words, lines };
}

async function recognisePage(instance: TesseractWorker, image: Uint8Array, page: number, dpi: number) {
  await instance.setParameters({ user_defined_dpi: String(Math.round(dpi)) });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`page ${page} took longer than ${PAGE_TIMEOUT_MS / 1000} s`)), PAGE_TIMEOUT_MS);
  });
  let result: Awaited<ReturnType<TesseractWorker['recognize']>>;
  try {
    result = await Promise.race([
      instance.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength), {}, { blocks: true, text: false }),
      timeout,
    ]);
  } catch (error) {
    // a worker that timed out may be stuck: replace it before the next page
    if (/took longer than/.test(message(error))) await terminateOcr();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const { words, lines } = toItems(result.data.blocks as unknown as OcrBlock[] | null, page, dpi);
  const meanConfidence = words.length ? Math.round((words.reduce((s, w) => s + (w.confidence ?? 0), 0) / words.length) * 10) / 10 : null;
  return { words, lines, meanConfidence };
}

/** The image scaled up, decoded outside this process (device files may be damaged in ways that crash the decoder). */
async function enlarge(bytes: Uint8Array, width: number, height: number, scale: number): Promise<Uint8Array> {
  const resized = await decodeImageSafely(bytes, { resizeTo: { width: Math.round(width * scale), height: Math.round(height * scale) } });
  if (!resized.ok) throw new Error(resized.reason);
  return resized.png!;
}

/** OCR of one image (PNG, JPEG, TIFF, BMP, WebP, GIF). Never throws. */
export async function ocrImage(bytes: Uint8Array, options: OcrOptions = {}): Promise<OcrResult> {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return { ok: false, reason: 'empty file' };
  const info = inspectImage(bytes);
  if (!info.ok) return info;
  const languages = checkLanguages(options.languages ?? config.languages);
  if (!languages.ok) return languages;
  return serialised(async () => {
    const start = performance.now();
    try {
      const { instance } = await getWorker(languages.value);
      const { width, height, dpi: written } = info.value;
      // TIFF and WebP sizes are not read from the header; take the engine's view of the page
      let dpi = effectiveDpi(width, height, written, options.dpi);
      const scale = options.scale !== undefined && options.scale > 1 && options.scale <= 4 && width > 0 ? options.scale : 1;
      const input = scale === 1 ? bytes : await enlarge(bytes, width, height, scale);
      // measured at dpi × scale, pixels of the enlarged image come out as points of the original page
      const page = await recognisePage(instance, input, 1, dpi * scale);
      let pageWidth = width;
      let pageHeight = height;
      if (!(width > 0 && height > 0)) {
        const extent = page.lines.reduce((m, l) => ({ w: Math.max(m.w, l.x + l.width), h: Math.max(m.h, l.y + l.height) }), { w: 0, h: 0 });
        dpi = options.dpi ?? DEFAULT_DPI;
        pageWidth = (extent.w * dpi) / 72;
        pageHeight = (extent.h * dpi) / 72;
      }
      const widthPt = (pageWidth * 72) / dpi;
      const heightPt = (pageHeight * 72) / dpi;
      return {
        ok: true as const,
        items: page.words,
        lines: page.lines,
        pageWidthPt: widthPt,
        pageHeightPt: heightPt,
        pages: [{ page: 1, widthPt, heightPt, dpi, meanConfidence: page.meanConfidence }],
        seconds: (performance.now() - start) / 1000,
        languages: languages.value,
      };
    } catch (error) {
      const why = message(error);
      // Leptonica could not decode the file: say so in plain words
      if (/read image/i.test(why)) return { ok: false as const, reason: `image could not be decoded (truncated or damaged ${info.value.kind.toUpperCase()})` };
      return { ok: false as const, reason: `OCR failed: ${why}` };
    }
  });
}

/**
 * OCR of an image-only PDF (a scan saved as PDF): every page is rendered with pdfjs at 300 dpi and read. Items carry
 * their page number; coordinates are PDF points of that page. Never throws.
 */
export async function ocrPdfPages(bytes: Uint8Array, options: Pick<OcrOptions, 'languages'> & { dpi?: number; maxPages?: number } = {}): Promise<OcrResult> {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return { ok: false, reason: 'empty file' };
  if (!(bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46)) return { ok: false, reason: 'not a PDF (no %PDF header)' };
  const languages = checkLanguages(options.languages ?? config.languages);
  if (!languages.ok) return languages;
  const dpi = options.dpi && options.dpi >= 72 && options.dpi <= 600 ? options.dpi : PDF_RENDER_DPI;
  const start = performance.now();
  let rendered: Uint8Array[];
  try {
    rendered = await renderPdfToPng(bytes, { dpi });
  } catch (error) {
    return { ok: false, reason: `PDF could not be rendered for OCR: ${message(error)}` };
  }
  if (rendered.length === 0) return { ok: false, reason: 'PDF has no pages' };
  const maxPages = options.maxPages ?? MAX_PDF_PAGES;
  if (rendered.length > maxPages) return { ok: false, reason: `PDF has ${rendered.length} pages, more than the ${maxPages} OCR reads` };
  return serialised(async () => {
    try {
      const { instance } = await getWorker(languages.value);
      const items: TextItem[] = [];
      const lines: TextItem[] = [];
      const pages: OcrPage[] = [];
      for (let n = 0; n < rendered.length; n++) {
        const image = rendered[n]!;
        const info = inspectImage(image);
        if (!info.ok) return { ok: false as const, reason: `page ${n + 1}: ${info.reason}` };
        const page = await recognisePage(instance, image, n + 1, dpi);
        items.push(...page.words);
        lines.push(...page.lines);
        pages.push({ page: n + 1, widthPt: (info.value.width * 72) / dpi, heightPt: (info.value.height * 72) / dpi, dpi, meanConfidence: page.meanConfidence });
      }
      return {
        ok: true as const,
        items,
        lines,
        pageWidthPt: pages[0]!.widthPt,
        pageHeightPt: pages[0]!.heightPt,
        pages,
        seconds: (performance.now() - start) / 1000,
        languages: languages.value,
      };
    } catch (error) {
      return { ok: false as const, reason: `OCR failed: ${message(error)}` };
    }
  });
}
