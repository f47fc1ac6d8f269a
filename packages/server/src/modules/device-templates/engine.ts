/**
 * The layout-template engine as the editor uses it: read with one template and say where each value came from
 * (traceTemplate), and score every template's anchors (scoreTemplates).
 */
import { type DeviceExtraction, type DeviceReportTemplate, type ExtractionTrace, scoreTemplates, type TextItem, traceTemplate } from '@pftis/formats/device-report/index';

export type { ExtractionTrace };

export function readTraced(items: TextItem[], template: DeviceReportTemplate, format: 'pdf' | 'image'): { extraction: DeviceExtraction; trace: ExtractionTrace } {
  return traceTemplate(items, template, format);
}

export const scoreAll = scoreTemplates;
