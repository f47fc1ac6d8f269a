import type { DeviceExtraction, DeviceReportTemplate, TextItem } from '@pftis/formats/device-report/index';
import { apiRequest, apiUpload } from '../../../api/client.ts';

export type { DeviceExtraction, DeviceReportTemplate, TextItem };

export type TemplateSource = 'builtin' | 'saved' | 'draft';

export interface TemplateSummary {
  name: string;
  vendor: string;
  language: string;
  description: string | null;
  builtin: boolean;
  activeSource: 'builtin' | 'saved' | null;
  activeVersion: number | null;
  latestVersion: number;
  savedVersions: number;
  updatedAt: string | null;
}

export interface DiffLine { kind: 'same' | 'added' | 'removed'; text: string }

export interface TemplateVersion {
  version: number;
  builtin: boolean;
  enabled: boolean;
  active: boolean;
  comment: string;
  createdByName: string;
  createdAt: string | null;
  template: DeviceReportTemplate;
  diff: DiffLine[];
}

export interface TemplateDetail extends TemplateSummary {
  active: DeviceReportTemplate | null;
  versions: TemplateVersion[];
}

export interface TraceBox { page: number; x: number; y: number; width: number; height: number; text: string }
/** Where a value came from: indexes into the sample's text items, and the word boxes within them. */
export interface TraceSource { items: number[]; boxes: TraceBox[] }

export interface ExtractionTrace {
  anchors: Array<{ text: string; found: boolean; source: TraceSource }>;
  fields: Array<{ field: string; text: string; from: 'label' | 'table'; label: TraceSource; value: TraceSource }>;
  tables: Array<{ table: number; found: boolean; header: TraceSource }>;
  /** One per extraction.measurements entry, same order. */
  measurements: Array<{ label: TraceSource; cells: Record<string, TraceSource> }>;
  conclusion: { start: TraceSource; text: TraceSource } | null;
}

export interface SamplePage { page: number; width: number; height: number }

export interface TemplateScore { name: string; version: number; source: TemplateSource; score: number; minScore: number; fits: boolean; missing: string[] }

export interface TryResult {
  format: 'pdf' | 'image';
  sha256: string | null;
  reason: string | null;
  pages: SamplePage[];
  items: TextItem[];
  template: { name: string; version: number; source: TemplateSource } | null;
  chosen: string | null;
  extraction: DeviceExtraction | null;
  trace: ExtractionTrace | null;
  scores: TemplateScore[];
  seconds: number;
}

const one = (name: string) => `/api/device-templates/${encodeURIComponent(name)}`;

export const deviceTemplatesApi = {
  list: () => apiRequest<TemplateSummary[]>('/api/device-templates'),
  detail: (name: string) => apiRequest<TemplateDetail>(one(name)),
  save: (name: string, body: { template: unknown; comment: string; enable: boolean }) => apiRequest<{ name: string; version: number }>(`${one(name)}/versions`, { method: 'POST', body }),
  rollback: (name: string, version: number) => apiRequest<{ name: string; version: number }>(`${one(name)}/rollback`, { method: 'POST', body: { version } }),
  setEnabled: (name: string, version: number, enabled: boolean) => apiRequest<{ enabled: boolean }>(`${one(name)}/versions/${version}/enabled`, { method: 'POST', body: { enabled } }),
  /** Reads a sample file with a saved template (name, version) or the best-fitting active one. */
  trySample: (file: Blob, query: { name?: string; version?: number } = {}) => apiUpload<TryResult>('/api/device-templates/try', file, query),
  /** Re-reads the sample's text with the unsaved template being edited. */
  tryDraft: (sample: Pick<TryResult, 'format' | 'pages' | 'items'>, template: unknown) =>
    apiRequest<TryResult>('/api/device-templates/try-draft', { method: 'POST', body: { format: sample.format, pages: sample.pages, items: sample.items, template } }),
};
