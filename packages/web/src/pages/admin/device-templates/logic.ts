import type { DeviceExtraction, ExtractionTrace, TraceBox, TraceSource } from './api.ts';

// ---------------------------------------------------------------------------------------------------------------
// The JSON editor

export type JsonCheck =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; kind: 'syntax'; message: string; line: number; column: number }
  | { ok: false; kind: 'not-object' };

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** Parses the editor's text; a syntax error comes back with where it is (V8 and Firefox message forms). */
export function checkJson(text: string): JsonCheck {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, kind: 'not-object' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lc = /line (\d+) column (\d+)/i.exec(message);
    if (lc) return { ok: false, kind: 'syntax', message, line: Number(lc[1]), column: Number(lc[2]) };
    const position = /position (\d+)/i.exec(message);
    const at = position ? Number(position[1]) : text.length;
    return { ok: false, kind: 'syntax', message, ...lineColumn(text, at) };
  }
}

/** A server path (`template.tables.0.columns.1.role`) as people read it (`tables[0].columns[1].role`). */
export function readablePath(field: string): string {
  const parts = field.replace(/^(body\.)?template\.?/, '').split('.').filter(Boolean);
  return parts.reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '') || '(模板)';
}

/**
 * Where a path (`['tables', 0, 'columns', 1, 'role']`) lies in JSON text, as a character offset: the deepest part of
 * the path that exists (a missing member points at its object). A small scanner, tolerant of nothing but valid JSON;
 * null when the text does not parse.
 */
export function locatePath(text: string, path: Array<string | number>): number | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  let best: number | null = null;
  // returns false when the text is not JSON
  const value = (depth: number, follow: boolean): boolean => {
    ws();
    if (follow && depth === 0) best = i;
    const want = follow ? path[depth] : undefined;
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return (i++, true);
      for (;;) {
        ws();
        if (text[i] !== '"') return false;
        const keyAt = i;
        const key = string();
        ws();
        if (text[i] !== ':') return false;
        i++;
        const match = follow && depth < path.length && want === key;
        if (match) best = keyAt;
        if (!value(depth + 1, match)) return false;
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') return (i++, true);
        return false;
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return (i++, true);
      for (let n = 0; ; n++) {
        const match = follow && depth < path.length && Number(want) === n;
        if (match) {
          ws();
          best = i;
        }
        if (!value(depth + 1, match)) return false;
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') return (i++, true);
        return false;
      }
    }
    if (ch === '"') {
      string();
      return true;
    }
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!literal) return false;
    i += literal[0].length;
    return true;
  };
  try {
    if (!value(0, true)) return null;
    ws();
    return i === text.length ? best : null;
  } catch {
    return null;
  }
}

/** A server field error's path as a lookup path for locatePath. */
export const pathOf = (field: string): Array<string | number> =>
  field.replace(/^(body\.)?template\.?/, '').split('.').filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));

// ---------------------------------------------------------------------------------------------------------------
// What is highlighted on the page

export type Selection =
  | { kind: 'field'; index: number }
  | { kind: 'measurement'; index: number; role?: string }
  | { kind: 'conclusion' }
  | { kind: 'anchor'; index: number }
  | { kind: 'table'; index: number };

export interface Highlight {
  /** Text items to tint (indexes into the sample's items). */
  items: Set<number>;
  /** Word boxes to outline, the value's own words. */
  boxes: TraceBox[];
  /** Word boxes of the label or header that led to the value, outlined differently. */
  labels: TraceBox[];
}

export const NO_HIGHLIGHT: Highlight = { items: new Set(), boxes: [], labels: [] };

const merge = (sources: Array<TraceSource | undefined>) => ({
  items: sources.flatMap((s) => s?.items ?? []),
  boxes: sources.flatMap((s) => s?.boxes ?? []),
});

/** The text a selected field, result row or cell, conclusion or anchor came from. */
export function highlightOf(trace: ExtractionTrace | null, selection: Selection | null): Highlight {
  if (!trace || !selection) return NO_HIGHLIGHT;
  let value: { items: number[]; boxes: TraceBox[] } = { items: [], boxes: [] };
  let label: { items: number[]; boxes: TraceBox[] } = { items: [], boxes: [] };
  switch (selection.kind) {
    case 'field': {
      const f = trace.fields[selection.index];
      value = merge([f?.value]);
      label = merge([f?.label]);
      break;
    }
    case 'measurement': {
      const m = trace.measurements[selection.index];
      if (!m) break;
      value = selection.role ? merge([m.cells[selection.role]]) : merge(Object.values(m.cells));
      label = merge([m.label]);
      break;
    }
    case 'conclusion':
      value = merge([trace.conclusion?.text]);
      label = merge([trace.conclusion?.start]);
      break;
    case 'anchor':
      value = merge([trace.anchors[selection.index]?.source]);
      break;
    case 'table':
      label = merge([trace.tables[selection.index]?.header]);
      break;
  }
  return { items: new Set([...value.items, ...label.items]), boxes: value.boxes, labels: label.boxes };
}

// ---------------------------------------------------------------------------------------------------------------
// Fields as extracted

/** The value the extraction kept for a template field (after parsing dates, numbers, sex…), for display. */
export function extractedValue(extraction: DeviceExtraction | null, field: string): string | number | null {
  if (!extraction) return null;
  const { patient, identifiers, test } = extraction;
  const map: Record<string, string | number | null> = {
    name: patient.name, lastName: patient.name, firstName: patient.name, patientId: patient.id, sex: patient.sex, birthDate: patient.birthDate, age: patient.age,
    heightCm: patient.heightCm, weightKg: patient.weightKg, accessionNo: identifiers.accessionNo, requestNo: identifiers.requestNo,
    outpatientSerial: identifiers.outpatientSerial, inpatientSerial: identifiers.inpatientSerial, testDate: test.measuredAt, testTime: test.measuredAt,
    testDateTime: test.measuredAt, operator: test.operator, device: test.device, deviceSerial: test.deviceSerial, qualityGrade: test.qualityGrade, testType: test.type,
  };
  return map[field] ?? null;
}

export interface FieldRow {
  field: string;
  labels: string[];
  /** Index into trace.fields, null when the field was not found. */
  traceIndex: number | null;
  text: string | null;
  from: 'label' | 'table' | null;
  value: string | number | null;
}

/** Every field the template asks for (labelled fields, then table row fields), with what was found for it. */
export function fieldRows(template: { fields?: Array<{ field: string; labels: string[] }>; tables?: Array<{ rowFields?: Array<{ field: string; labels: string[] }> }> } | null, extraction: DeviceExtraction | null, trace: ExtractionTrace | null): FieldRow[] {
  const declared = [...(template?.fields ?? []), ...(template?.tables ?? []).flatMap((t) => t.rowFields ?? [])];
  const seen = new Set<string>();
  const rows: FieldRow[] = [];
  const add = (field: string, labels: string[]) => {
    if (seen.has(field)) {
      rows.find((r) => r.field === field)!.labels.push(...labels);
      return;
    }
    seen.add(field);
    const traceIndex = trace ? trace.fields.findIndex((f) => f.field === field) : -1;
    const found = traceIndex >= 0 ? trace!.fields[traceIndex]! : null;
    rows.push({ field, labels: [...labels], traceIndex: found ? traceIndex : null, text: found?.text ?? null, from: found?.from ?? null, value: found ? extractedValue(extraction, field) : null });
  };
  for (const d of declared) add(d.field, d.labels);
  // fields the trace has that the template does not list (never expected, shown rather than hidden)
  for (const f of trace?.fields ?? []) if (!seen.has(f.field)) add(f.field, []);
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Page geometry

/** Points to pixels so the widest page fits the space available (clamped to a readable range), times the zoom. */
export function pageScale(pages: Array<{ width: number }>, available: number, zoom = 1): number {
  const widest = Math.max(1, ...pages.map((p) => p.width));
  const fit = Math.min(2.5, Math.max(0.4, (available - 2) / widest));
  return fit * zoom;
}
