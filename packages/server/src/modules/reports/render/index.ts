export * from './report-document.js';
export { renderReportPdf } from './render-pdf.js';
export { renderPdfToJpg, renderPdfToPng, type JpgOptions, type RasterOptions } from './render-jpg.js';
