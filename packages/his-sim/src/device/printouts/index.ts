/**
 * Device-report PDFs as the demo devices print them, for the simulator and for the template tests. Deterministic:
 * the same input gives the same bytes. Layouts:
 * - `sentrysuite`: a Jaeger SentrySuite-style spirometry report (English), FEV1/FVC in percent;
 * - `easyone`: an ndd EasyOne Connect-style FVC report (English), FEV1/FVC as a fraction, PEF in L/min, trials;
 * - `chinese`: a Chinese 肺功能检查报告 with 预计值 / 实测值 / 实/预% and 结论, Noto Sans SC embedded;
 * - `chinese-nonembedded`: the same page with NO embedded font (STSong-Light via UniGB-UCS2-H, Helvetica).
 */
import { chineseOps } from './chinese.js';
import { renderEmbedded, renderNonEmbedded } from './draw.js';
import { easyOneOps } from './easyone.js';
import type { PrintoutInput, PrintoutLayout, PrintoutOptions } from './input.js';
import { sentrySuiteOps } from './sentrysuite.js';

export type { PrintoutInput, PrintoutLayout, PrintoutOptions, PrintoutRow } from './input.js';
export { SAMPLE_PRINTOUT, SAMPLE_PRINTOUT_ZH } from './fixture.js';

export const sentrySuitePdf = (input: PrintoutInput): Uint8Array => renderEmbedded(sentrySuiteOps(input), `Spirometry ${input.patient.id}`);
export const easyOnePdf = (input: PrintoutInput): Uint8Array => renderEmbedded(easyOneOps(input), `FVC ${input.patient.id}`);
export const chinesePdf = (input: PrintoutInput, options: PrintoutOptions = {}): Uint8Array =>
  renderEmbedded(chineseOps(input, options), `肺功能检查报告 ${input.patient.id}`);
export const chineseNonEmbeddedPdf = (input: PrintoutInput, options: PrintoutOptions = {}): Uint8Array =>
  renderNonEmbedded(chineseOps(input, options), `肺功能检查报告 ${input.patient.id}`);

/** One entry point for the simulator: the device's layout, the result, the PDF bytes. */
export function devicePrintout(layout: PrintoutLayout, input: PrintoutInput, options: PrintoutOptions = {}): Uint8Array {
  switch (layout) {
    case 'sentrysuite': return sentrySuitePdf(input);
    case 'easyone': return easyOnePdf(input);
    case 'chinese': return chinesePdf(input, options);
    case 'chinese-nonembedded': return chineseNonEmbeddedPdf(input, options);
  }
}
