import { createRequire } from 'node:module';
import path from 'node:path';
import { createCanvas, type Canvas } from '@napi-rs/canvas';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

const require = createRequire(import.meta.url);
const pdfjsRoot = path.dirname(require.resolve('pdfjs-dist/package.json'));
// pdfjs wants directory URLs ending in '/'; in Node plain paths work (stack.md §3.5)
const CMAP_URL = `${path.join(pdfjsRoot, 'cmaps')}/`;
const STANDARD_FONT_URL = `${path.join(pdfjsRoot, 'standard_fonts')}/`;

let pdfjs: Promise<Pdfjs> | null = null;
// loading the legacy build takes about half a second; do it once, on first use
const loadPdfjs = () => (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));

export interface RasterOptions { dpi: number }
export interface JpgOptions extends RasterOptions {
  /** JPEG quality 1–100. */
  quality: number;
}

/** One JPEG per page, rendered with pdfjs (legacy build) onto @napi-rs/canvas on a white background. */
export async function renderPdfToJpg(pdf: Uint8Array, options: JpgOptions): Promise<Uint8Array[]> {
  const quality = Math.min(100, Math.max(1, Math.round(options.quality)));
  return rasterize(pdf, options, async (canvas) => new Uint8Array(await canvas.encode('jpeg', quality)));
}

/** Lossless variant for comparisons (visual tests). */
export async function renderPdfToPng(pdf: Uint8Array, options: RasterOptions): Promise<Uint8Array[]> {
  return rasterize(pdf, options, async (canvas) => new Uint8Array(await canvas.encode('png')));
}

async function rasterize(pdf: Uint8Array, { dpi }: RasterOptions, encode: (canvas: Canvas) => Promise<Uint8Array>): Promise<Uint8Array[]> {
  if (!(dpi > 0 && dpi <= 1200)) throw new RangeError(`dpi out of range: ${dpi}`);
  const lib = await loadPdfjs();
  const document = await lib.getDocument({
    // pdfjs may transfer (detach) the buffer it is given: hand it a copy
    data: new Uint8Array(pdf),
    cMapUrl: CMAP_URL,
    cMapPacked: true,
    standardFontDataUrl: STANDARD_FONT_URL,
    verbosity: lib.VerbosityLevel.ERRORS,
  }).promise;
  try {
    const pages: Uint8Array[] = [];
    for (let n = 1; n <= document.numPages; n++) {
      const page = await document.getPage(n);
      const viewport = page.getViewport({ scale: dpi / 72 });
      const canvas = createCanvas(Math.round(viewport.width), Math.round(viewport.height));
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      await page.render({ canvas: null, canvasContext: context as unknown as CanvasRenderingContext2D, viewport }).promise;
      pages.push(await encode(canvas));
      page.cleanup();
    }
    return pages;
  } finally {
    await document.destroy();
  }
}
