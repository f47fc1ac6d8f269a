import { createRequire } from 'node:module';
import path from 'node:path';
import type { TextItem } from '@pftis/formats/device-report/index';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

const require = createRequire(import.meta.url);
const pdfjsRoot = path.dirname(require.resolve('pdfjs-dist/package.json'));
// pdfjs wants directory URLs ending in '/'; in Node plain paths work (stack.md §3.5). Without the cMaps, text in
// non-embedded CJK fonts (STSong-Light + UniGB-UCS2-H) comes out empty.
export const CMAP_URL = `${path.join(pdfjsRoot, 'cmaps')}/`;
export const STANDARD_FONT_URL = `${path.join(pdfjsRoot, 'standard_fonts')}/`;

let pdfjs: Promise<Pdfjs> | null = null;
const loadPdfjs = () => (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));

export interface PdfText {
  pages: number;
  /** Runs of text in points, origin top-left of each page (y is the top of the run). */
  items: TextItem[];
  /** False for an image-only PDF (a scan): it needs OCR. */
  hasTextLayer: boolean;
  /** Why nothing could be read (broken or encrypted file), null when the file was read. */
  reason: string | null;
}

export interface ReadPdfTextOptions {
  /** Pass false to read without CMap files (only to show what goes wrong without them). */
  cMaps?: boolean;
  /** Read at most this many pages (default 50). */
  maxPages?: number;
}

interface RawItem { str: string; transform: number[]; width: number; height: number }

/**
 * The text layer of a PDF with positions, through pdfjs (legacy build) with CMaps and standard-font data from the
 * installed pdfjs-dist. Never throws: a file pdfjs cannot open comes back with no items and a reason.
 */
export async function readPdfText(bytes: Uint8Array, options: ReadPdfTextOptions = {}): Promise<PdfText> {
  const fail = (reason: string): PdfText => ({ pages: 0, items: [], hasTextLayer: false, reason });
  if (!(bytes instanceof Uint8Array) || bytes.length < 8) return fail('not a PDF: empty or too short');
  let lib: Pdfjs;
  try {
    lib = await loadPdfjs();
  } catch (e) {
    return fail(`pdfjs could not be loaded: ${message(e)}`);
  }
  let document: Awaited<ReturnType<Pdfjs['getDocument']>['promise']> | null = null;
  try {
    const task = lib.getDocument({
      // pdfjs may transfer (detach) the buffer it is given: hand it a copy
      data: new Uint8Array(bytes),
      ...(options.cMaps === false ? {} : { cMapUrl: CMAP_URL, cMapPacked: true }),
      standardFontDataUrl: STANDARD_FONT_URL,
      verbosity: lib.VerbosityLevel.ERRORS,
      isEvalSupported: false,
      stopAtErrors: false,
    });
    document = await task.promise;
  } catch (e) {
    return fail(`PDF could not be opened: ${message(e)}`);
  }
  const items: TextItem[] = [];
  const warnings: string[] = [];
  try {
    const pages = Math.min(document.numPages, options.maxPages ?? 50);
    for (let n = 1; n <= pages; n++) {
      try {
        const page = await document.getPage(n);
        const viewport = page.getViewport({ scale: 1 });
        const content = await page.getTextContent();
        for (const raw of content.items as unknown[]) {
          const it = raw as Partial<RawItem>;
          if (typeof it.str !== 'string' || !it.str.trim() || !Array.isArray(it.transform)) continue;
          const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = it.transform;
          const size = Math.hypot(c, d) || Math.hypot(a, b) || it.height || 10;
          // baseline start in viewport (top-left) space; the run's box is one font size tall above the baseline
          const [x, baseline] = viewport.convertToViewportPoint(e, f) as [number, number];
          const height = it.height && it.height > 0 ? it.height : size;
          items.push({ page: n, text: it.str, x, y: baseline - height * 0.85, width: it.width ?? 0, height });
        }
        page.cleanup();
      } catch (e) {
        warnings.push(`page ${n}: ${message(e)}`);
      }
    }
    return {
      pages: document.numPages,
      items,
      hasTextLayer: items.length > 0,
      reason: items.length === 0 && warnings.length ? warnings.join('; ') : null,
    };
  } catch (e) {
    return { pages: document.numPages, items, hasTextLayer: items.length > 0, reason: message(e) };
  } finally {
    await document.destroy().catch(() => undefined);
  }
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
