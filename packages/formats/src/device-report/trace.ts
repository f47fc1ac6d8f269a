/**
 * Where each extracted value came from, for the template editor: `traceTemplate` (apply.ts) reads a report exactly as
 * `applyTemplate` does and records, for every field, result cell, conclusion, table header and anchor, the words it
 * read and the text items those words were cut from. The collector is only active during a `traceTemplate` call; the
 * plain `applyTemplate` records nothing.
 */
import type { TextItem } from './extraction.ts';
import type { Word } from './layout.ts';
import type { ColumnRole, FieldName } from './template.ts';

export interface TraceBox {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
}

/** Words read (their boxes, in points, top-left origin) and the indexes of the text items they were cut from. */
export interface TraceSource {
  items: number[];
  boxes: TraceBox[];
}

export interface ExtractionTrace {
  /** Every anchor of the template, and where it was found. */
  anchors: Array<{ text: string; found: boolean; source: TraceSource }>;
  /** The fields that were found: by their label (`label`) or in a table row (`table`, e.g. `Date test`). */
  fields: Array<{ field: FieldName; text: string; from: 'label' | 'table'; label: TraceSource; value: TraceSource }>;
  /** Each table of the template: its header row, when found. */
  tables: Array<{ table: number; found: boolean; header: TraceSource }>;
  /** One per extracted measurement, in the order of `DeviceExtraction.measurements`: the row label and each cell read. */
  measurements: Array<{ label: TraceSource; cells: Partial<Record<ColumnRole, TraceSource>> }>;
  conclusion: { start: TraceSource; text: TraceSource } | null;
}

const PRE_CELLS: ColumnRole[] = ['unit', 'predicted', 'lln', 'uln', 'pre', 'pctPred', 'z'];
const POST_CELLS: ColumnRole[] = ['unit', 'predicted', 'lln', 'uln', 'post', 'postPctPred', 'postZ', 'changePct', 'change'];

/** Collects words during one traced read; `finish` maps them to text items. */
export class TraceCollector {
  private anchors: Array<{ text: string; words: Word[] }> = [];
  private fields: Array<{ field: FieldName; text: string; label: Word[]; value: Word[] }> = [];
  private rowFields: Array<{ field: FieldName; text: string; label: Word[]; value: Word[] }> = [];
  private tables: Array<{ table: number; words: Word[] | null }> = [];
  private measurements: Array<{ label: Word[]; cells: Partial<Record<ColumnRole, Word[]>> }> = [];
  private conclusion: { start: Word[]; text: Word[] } | null = null;

  anchor(text: string, words: Word[]): void {
    this.anchors.push({ text, words });
  }

  /** A labelled field, as readFields keeps it (first hit wins). */
  field(field: FieldName, text: string, label: Word[], value: Word[]): void {
    this.fields.push({ field, text, label, value });
  }

  rowField(field: FieldName, text: string, label: Word[], value: Word[]): void {
    this.rowFields.push({ field, text, label, value });
  }

  table(table: number, words: Word[] | null): void {
    this.tables.push({ table, words });
  }

  /** One result row that gave a measurement of this stage; called in the order measurements are produced. */
  measurement(stage: 'pre' | 'post', label: Word[], byRole: Map<ColumnRole, Word[]>): void {
    const roles = stage === 'pre' ? PRE_CELLS : POST_CELLS;
    const cells: Partial<Record<ColumnRole, Word[]>> = {};
    for (const role of roles) {
      const words = byRole.get(role);
      if (words?.length) cells[role] = words;
    }
    this.measurements.push({ label, cells });
  }

  setConclusion(start: Word[], text: Word[]): void {
    this.conclusion ??= { start, text };
  }

  finish(items: readonly TextItem[]): ExtractionTrace {
    const source = (words: Word[] | null | undefined): TraceSource => sourceOf(words ?? [], items);
    const labelled = new Set(this.fields.map((f) => f.field));
    const fromTables = this.rowFields.filter((f, i, all) => !labelled.has(f.field) && all.findIndex((g) => g.field === f.field) === i);
    return {
      anchors: this.anchors.map((a) => ({ text: a.text, found: a.words.length > 0, source: source(a.words) })),
      fields: [
        ...this.fields.map((f) => ({ field: f.field, text: f.text, from: 'label' as const, label: source(f.label), value: source(f.value) })),
        ...fromTables.map((f) => ({ field: f.field, text: f.text, from: 'table' as const, label: source(f.label), value: source(f.value) })),
      ],
      tables: this.tables.map((t) => ({ table: t.table, found: t.words !== null, header: source(t.words) })),
      measurements: this.measurements.map((m) => ({
        label: source(m.label),
        cells: Object.fromEntries(Object.entries(m.cells).map(([role, words]) => [role, source(words)])) as Partial<Record<ColumnRole, TraceSource>>,
      })),
      conclusion: this.conclusion ? { start: source(this.conclusion.start), text: source(this.conclusion.text) } : null,
    };
  }
}

/**
 * The text items a word was cut from: on its page, overlapping it horizontally (by more than a sliver) and vertically.
 * Words are split from items by position, and touching runs joined, so every word lies within its items' boxes.
 */
export function sourceOf(words: Word[], items: readonly TextItem[]): TraceSource {
  const found = new Set<number>();
  for (const w of words) {
    const sliver = Math.min(0.5, (w.x1 - w.x0) / 4);
    items.forEach((item, index) => {
      if (!item || item.page !== w.page || typeof item.text !== 'string' || !item.text.trim()) return;
      const width = Number.isFinite(item.width) && item.width > 0 ? item.width : Math.max(1, item.text.length * (item.height || 10) * 0.5);
      const height = Number.isFinite(item.height) && item.height > 0 ? item.height : 10;
      const overlapX = Math.min(w.x1, item.x + width) - Math.max(w.x0, item.x);
      const overlapY = Math.min(w.y1, item.y + height) - Math.max(w.y0, item.y);
      if (overlapX > sliver && overlapY > 0) found.add(index);
    });
  }
  return {
    items: [...found].sort((a, b) => a - b),
    boxes: words.map((w) => ({ page: w.page, x: w.x0, y: w.y0, width: w.x1 - w.x0, height: w.y1 - w.y0, text: w.text })),
  };
}

/** The distinct words behind characters [start, end) of a line's text (see lineText). */
export function wordsInRange(words: Word[], wordOf: number[], start: number, end: number): Word[] {
  const out: Word[] = [];
  for (let k = Math.max(0, start); k < Math.min(end, wordOf.length); k++) {
    const w = words[wordOf[k]!];
    if (wordOf[k]! >= 0 && w && out[out.length - 1] !== w) out.push(w);
  }
  return out;
}
