import type { TextItem } from '@pftis/formats/device-report/index';
import { inspectImage, ocrImage, ocrPdfPages } from '../device-import/ocr.js';
import { readPdfText } from '../device-import/pdf-text.js';

export interface SamplePage { page: number; width: number; height: number }

export interface SampleText {
  format: 'pdf' | 'image';
  pages: SamplePage[];
  items: TextItem[];
  /** Why no text could be read, null when read. */
  reason: string | null;
}

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<Pdfjs> | null = null;

/** Page sizes in points (as displayed, rotation applied), or [] when the file cannot be opened. */
async function pdfPageSizes(bytes: Uint8Array, maxPages = 50): Promise<SamplePage[]> {
  try {
    const lib = await (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));
    const document = await lib.getDocument({ data: new Uint8Array(bytes), verbosity: lib.VerbosityLevel.ERRORS, isEvalSupported: false }).promise;
    try {
      const pages: SamplePage[] = [];
      for (let n = 1; n <= Math.min(document.numPages, maxPages); n++) {
        const viewport = (await document.getPage(n)).getViewport({ scale: 1 });
        pages.push({ page: n, width: viewport.width, height: viewport.height });
      }
      return pages;
    } finally {
      await document.destroy().catch(() => undefined);
    }
  } catch {
    return [];
  }
}

/** Pages known from the items alone (a fallback): each page as large as the text on it, A4 at least. */
function pagesFromItems(items: TextItem[]): SamplePage[] {
  const byPage = new Map<number, SamplePage>();
  for (const i of items) {
    const p = byPage.get(i.page) ?? { page: i.page, width: 595.28, height: 841.89 };
    p.width = Math.max(p.width, i.x + Math.max(0, i.width));
    p.height = Math.max(p.height, i.y + Math.max(0, i.height));
    byPage.set(i.page, p);
  }
  return [...byPage.values()].sort((a, b) => a.page - b.page);
}

const isPdf = (b: Uint8Array) => b.length >= 4 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46;

/**
 * The text of a sample report with positions and page sizes: a PDF's text layer, or OCR for an image-only PDF, a scan
 * or a photo (the same readers the import uses). Never throws.
 */
export async function readSample(bytes: Uint8Array, options: { languages?: string[] } = {}): Promise<SampleText> {
  if (isPdf(bytes)) {
    const text = await readPdfText(bytes);
    if (text.reason && !text.items.length) return { format: 'pdf', pages: [], items: [], reason: `PDF: ${text.reason}` };
    if (text.hasTextLayer) {
      const pages = await pdfPageSizes(bytes);
      return { format: 'pdf', pages: pages.length ? pages : pagesFromItems(text.items), items: text.items, reason: null };
    }
    const ocr = await ocrPdfPages(bytes, { languages: options.languages });
    if (!ocr.ok) return { format: 'image', pages: [], items: [], reason: `OCR: ${ocr.reason}` };
    return { format: 'image', pages: ocr.pages.map((p) => ({ page: p.page, width: p.widthPt, height: p.heightPt })), items: ocr.items, reason: null };
  }
  const image = inspectImage(bytes);
  if (!image.ok) return { format: 'image', pages: [], items: [], reason: `不是 PDF 或可识别的图片：${image.reason}` };
  const ocr = await ocrImage(bytes, { languages: options.languages });
  if (!ocr.ok) return { format: 'image', pages: [], items: [], reason: `OCR: ${ocr.reason}` };
  return { format: 'image', pages: ocr.pages.map((p) => ({ page: p.page, width: p.widthPt, height: p.heightPt })), items: ocr.items, reason: null };
}
