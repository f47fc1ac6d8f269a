import { applyTemplate, chooseTemplate, type DeviceReportTemplate, type TextItem } from '@pftis/formats/device-report/index';
import { ocrImage, ocrPdfPages } from './ocr.js';
import { readPdfText } from './pdf-text.js';
import type { DocumentReader } from './recognise.js';

/** The text of a printed or scanned report with positions: the PDF's text layer, or OCR where there is none. */
export interface OcrChoice {
  languages?: string[];
  /** false: refuse scans and image-only PDFs with a reason instead of running OCR. */
  enabled?: boolean;
}

export async function documentText(bytes: Uint8Array, kind: 'pdf' | 'image', ocr: OcrChoice = {}): Promise<{ ok: true; items: TextItem[]; format: 'pdf' | 'image' } | { ok: false; reason: string }> {
  if (kind === 'pdf') {
    const text = await readPdfText(bytes);
    if (text.reason) return { ok: false, reason: `PDF: ${text.reason}` };
    if (text.hasTextLayer) return { ok: true, items: text.items, format: 'pdf' };
  }
  // A scan, a photo, or a PDF that holds only page images.
  if (ocr.enabled === false) return { ok: false, reason: kind === 'pdf' ? 'PDF: no text layer (an image-only PDF), and OCR is off' : 'image: OCR is off' };
  const read = kind === 'pdf' ? await ocrPdfPages(bytes, { languages: ocr.languages }) : await ocrImage(bytes, { languages: ocr.languages });
  if (!read.ok) return { ok: false, reason: `OCR: ${read.reason}` };
  return { ok: true, items: read.items, format: 'image' };
}

/**
 * Reads device reports by layout template: the named one, or the one whose anchors fit the text best. A report no
 * template fits, or whose template finds no values, is refused with the reason, so the file waits in quarantine
 * until a template is fixed and it is reprocessed.
 */
export function createDocumentReader(templates: () => Promise<readonly DeviceReportTemplate[]>, ocr: OcrChoice = {}): DocumentReader {
  return async (bytes, kind, options) => {
    const text = await documentText(bytes, kind, ocr);
    if (!text.ok) return text;
    if (text.items.length === 0) return { ok: false, reason: `${kind === 'pdf' ? 'PDF' : 'image'}: no text found` };
    const all = await templates();
    const template = options.template ? all.find((t) => t.name === options.template) : chooseTemplate(text.items, all)?.template;
    if (!template) return { ok: false, reason: options.template ? `no layout template named ${options.template}` : 'no layout template fits this report' };
    const extraction = applyTemplate(text.items, template, text.format);
    if (extraction.measurements.length === 0) return { ok: false, reason: `layout template ${template.name} v${template.version} found no results: ${extraction.warnings.join('; ') || 'no table'}` };
    return { ok: true, value: extraction };
  };
}
