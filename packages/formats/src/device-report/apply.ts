/**
 * Reads a device report with a layout template: `chooseTemplate` picks the layout by its anchors, `applyTemplate`
 * reads patient, identifiers, test, results table(s) and conclusion. Pure and total: odd input gives warnings and
 * nulls, never an exception.
 */
import { type DeviceExtraction, type ExtractedMeasurement, emptyExtraction, measurement, type Stage, type TextItem } from './extraction.ts';
import { BREAK, cx, type Line, lineText, toLines, type Word } from './layout.ts';
import { resolveParam, toCoreUnits } from './params.ts';
import type { ColumnRole, ColumnSpec, DeviceReportTemplate, FieldName, FieldSpec, TableSpec } from './template.ts';
import { compact, findAll, foldWithMap, joinWords, sameText, tidyCjkSpaces } from './text.ts';
import { type ExtractionTrace, TraceCollector, wordsInRange } from './trace.ts';
import { type DecimalSeparator, looksLikeUnit, ocrUnit, parseDate, parseNumber, parseTime } from './values.ts';

// ---------------------------------------------------------------------------------------------------------------
// Finding labels in lines

interface Hit {
  lineIndex: number;
  /** [start, end) in the line's text. */
  start: number;
  end: number;
  length: number;
  edits: number;
  key: number;
}

/**
 * OCR tolerance: on a PDF text layer labels must match exactly ("Weight:" must not be read where "Height:" is
 * printed); on OCR words (items with a confidence) one edit per six characters is allowed. Set per call of the
 * (synchronous) entry points.
 */
let fuzzyText = true;
const withFuzz = <T>(items: TextItem[], f: () => T): T => {
  const before = fuzzyText;
  fuzzyText = Array.isArray(items) && items.some((i) => i && typeof i.confidence === 'number');
  try { return f(); } finally { fuzzyText = before; }
};

/** Set only during traceTemplate: records where each value came from. */
let tracer: TraceCollector | null = null;

const LATIN_OR_DIGIT = /[A-Za-z0-9]/;

/** Occurrences of any of `needles` (raw text) in the line, at word boundaries, longest first without overlaps. */
function findLabels(text: string, needles: Array<{ key: number; text: string; exact?: boolean }>): Array<Omit<Hit, 'lineIndex'>> {
  const { folded, map } = foldWithMap(text);
  const hits: Array<Omit<Hit, 'lineIndex'>> = [];
  for (const n of needles) {
    const c = compact(n.text);
    if (!c) continue;
    for (const h of findAll(folded, c, fuzzyText && !n.exact)) {
      const start = map[h.start]!;
      const end = map[h.end - 1]! + 1;
      const before = text[start - 1];
      const after = text[end];
      if (before !== undefined && LATIN_OR_DIGIT.test(before) && LATIN_OR_DIGIT.test(text[start]!)) continue;
      if (after !== undefined && LATIN_OR_DIGIT.test(after) && LATIN_OR_DIGIT.test(text[end - 1]!)) continue;
      hits.push({ start, end, length: c.length, edits: h.edits, key: n.key });
    }
  }
  hits.sort((a, b) => a.edits - b.edits || b.length - a.length || a.start - b.start);
  const kept: typeof hits = [];
  for (const h of hits) if (!kept.some((k) => h.start < k.end && k.start < h.end)) kept.push(h);
  return kept.sort((a, b) => a.start - b.start);
}

/** The line's text without hard breaks: anchors and end markers may span wide gaps (`Théo   Pré   % Théo`). */
const flatText = (line: Line) => lineText(line).text.split(` ${BREAK} `).join(' ');

const lineContains = (line: Line, texts: string[] | undefined): boolean =>
  !!texts?.length && findLabels(flatText(line), texts.map((t, key) => ({ key, text: t }))).length > 0;

// ---------------------------------------------------------------------------------------------------------------
// Labelled fields

interface FieldValue { text: string; line: number }

function readFields(lines: Line[], specs: FieldSpec[]): Map<FieldName, FieldValue> {
  const needles = specs.flatMap((s, i) => s.labels.map((text) => ({ key: i, text, exact: s.exact })));
  const out = new Map<FieldName, FieldValue>();
  lines.forEach((line, lineIndex) => {
    const { text } = lineText(line);
    const hits = findLabels(text, needles);
    hits.forEach((h, i) => {
      const spec = specs[h.key]!;
      if (out.has(spec.field)) return;
      let value = '';
      if ((spec.position ?? 'right') === 'right') {
        const raw = text.slice(h.end, hits[i + 1]?.start ?? text.length);
        const segments = raw.split(BREAK).map((s) => s.replace(/^[\s:：.]+/, '').trim());
        value = segments.find((s) => s) ?? '';
        // a label followed by another label after a wide gap has no value of its own
      } else {
        value = below(lines, lineIndex, line, h.start, h.end);
      }
      // a label printed with nothing after it counts as found, with no value
      out.set(spec.field, { text: tidyCjkSpaces(value), line: lineIndex });
      if (tracer) traceField(tracer, lines, lineIndex, h, hits[i + 1]?.start ?? text.length, spec, tidyCjkSpaces(value));
    });
  });
  return out;
}

/** Text on the next line under the label's horizontal extent. */
function below(lines: Line[], lineIndex: number, line: Line, start: number, end: number): string {
  return joinWords(belowWords(lines, lineIndex, line, start, end).map((w) => w.text));
}

function belowWords(lines: Line[], lineIndex: number, line: Line, start: number, end: number): Word[] {
  const { wordOf } = lineText(line);
  const first = line.words[wordOf[start] ?? 0];
  const last = line.words[wordOf[end - 1] ?? 0];
  const next = lines[lineIndex + 1];
  if (!first || !last || !next || next.page !== line.page || next.cy - line.cy > 3 * line.height) return [];
  const x0 = first.x0 - line.height;
  const x1 = Math.max(last.x1, first.x0 + 8 * line.height);
  return next.words.filter((w) => cx(w) >= x0 && cx(w) <= x1);
}

/** Tracing: the words of a field's label and of the value readFields took (same rules: first non-empty segment). */
function traceField(t: TraceCollector, lines: Line[], lineIndex: number, hit: { start: number; end: number }, limit: number, spec: FieldSpec, value: string): void {
  const line = lines[lineIndex]!;
  const { text, wordOf } = lineText(line);
  const label = wordsInRange(line.words, wordOf, hit.start, hit.end);
  let words: Word[] = [];
  if ((spec.position ?? 'right') === 'right') {
    let from = hit.end;
    for (let k = hit.end; k <= limit; k++) {
      if (k < limit && text[k] !== BREAK) continue;
      if (text.slice(from, k).replace(/^[\s:：.]+/, '').trim()) {
        // a word holding both the end of the label and the value ("ID:P001") belongs to both
        words = wordsInRange(line.words, wordOf, from, k);
        break;
      }
      from = k + 1;
    }
  } else words = belowWords(lines, lineIndex, line, hit.start, hit.end);
  t.field(spec.field, value, label, words);
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

interface Cell { role: ColumnRole; x0: number; x1: number }

function headerMatches(spec: ColumnSpec, text: string): boolean {
  const c = compact(text);
  if (!c) return false;
  if (spec.headers.some((h) => sameText(c, compact(h), fuzzyText))) return true;
  if (spec.pattern) {
    try { return new RegExp(spec.pattern).test(c); } catch { return false; }
  }
  return false;
}

/** Matches the column specs left to right against the words of one line. */
function matchHeader(line: Line, columns: ColumnSpec[]): { cells: Cell[]; matched: number; used: boolean[] } {
  const words = line.words;
  const used = words.map(() => false);
  const cells: Cell[] = [];
  let cursor = 0;
  let matched = 0;
  for (const spec of columns) {
    if (!spec.headers.length && !spec.pattern) continue;
    let found = false;
    for (let i = cursor; i < words.length; i++) {
      let len = 0;
      for (let l = Math.min(3, words.length - i); l >= 1; l--) {
        if (words.slice(i, i + l).some((_, k) => used[i + k])) continue;
        if (headerMatches(spec, words.slice(i, i + l).map((w) => w.text).join(' '))) { len = l; break; }
      }
      if (!len) continue;
      for (let k = 0; k < len; k++) used[i + k] = true;
      cells.push({ role: spec.role, x0: words[i]!.x0, x1: words[i + len - 1]!.x1 });
      if (!found) matched++;
      found = true;
      cursor = i + len;
      if (!spec.repeat) break;
      i = cursor - 1;
    }
  }
  return { cells, matched, used };
}

interface Columns { labelRight: number; cols: Array<Cell & { left: number; right: number }> }

function columnRanges(line: Line, cells: Cell[], used: boolean[]): Columns | null {
  const valueCells = cells.filter((c) => c.role !== 'param');
  if (!valueCells.length) return null;
  const firstValueX = Math.min(...valueCells.map((c) => c.x0));
  // header words that matched nothing but sit among the value columns become ignored columns
  const extra: Cell[] = line.words.filter((w, i) => !used[i] && w.x0 >= firstValueX).map((w) => ({ role: 'ignore', x0: w.x0, x1: w.x1 }));
  const all = [...valueCells, ...extra].sort((a, b) => cx(a) - cx(b));
  const cols = all.map((c, i) => {
    const prev = all[i - 1];
    const next = all[i + 1];
    const gapLeft = prev ? (cx(c) - cx(prev)) / 2 : next ? (cx(next) - cx(c)) / 2 : c.x1 - c.x0;
    const gapRight = next ? (cx(next) - cx(c)) / 2 : prev ? cx(c) - cx(prev) : c.x1 - c.x0;
    return { ...c, left: cx(c) - gapLeft, right: cx(c) + gapRight };
  });
  const paramCell = cells.find((c) => c.role === 'param');
  const labelRight = Math.max(cols[0]!.left, paramCell ? paramCell.x1 : -Infinity);
  cols[0]!.left = labelRight;
  return { labelRight, cols };
}

interface TableHeader { lineIndex: number; columns: Columns; spec: TableSpec }

function findHeader(lines: Line[], spec: TableSpec, from: number): TableHeader | null {
  const withHeaders = spec.columns.filter((c) => c.headers.length || c.pattern).length;
  const need = spec.minColumns ?? Math.min(3, withHeaders);
  let start = from;
  if (spec.after?.length) {
    const i = lines.findIndex((l, k) => k >= from && lineContains(l, spec.after));
    if (i < 0) return null;
    start = i;
  }
  let best: { lineIndex: number; matched: number; cells: Cell[]; used: boolean[] } | null = null;
  for (let i = start; i < lines.length; i++) {
    const m = matchHeader(lines[i]!, spec.columns);
    if (m.matched >= need && (!best || m.matched > best.matched)) best = { lineIndex: i, ...m };
  }
  if (!best) return null;
  const columns = columnRanges(lines[best.lineIndex]!, best.cells, best.used);
  return columns ? { lineIndex: best.lineIndex, columns, spec } : null;
}

const PRE_ROLES: ColumnRole[] = ['pre', 'pctPred', 'z'];
const POST_ROLES: ColumnRole[] = ['post', 'postPctPred', 'postZ', 'changePct', 'change'];

interface RowRead {
  measurements: ExtractedMeasurement[];
  fields: Array<{ field: FieldName; text: string }>;
  warnings: string[];
}

function readRows(lines: Line[], header: TableHeader, decimal: DecimalSeparator, stops: (line: Line, index: number) => boolean): RowRead {
  const { columns, spec } = header;
  const out: RowRead = { measurements: [], fields: [], warnings: [] };
  const headerLine = lines[header.lineIndex]!;
  let lastCy = headerLine.cy;
  for (let i = header.lineIndex + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.page !== headerLine.page) break;
    if (line.cy - lastCy > 4.5 * Math.max(line.height, headerLine.height)) break;
    if (lineContains(line, spec.end) || stops(line, i)) break;
    const labelWords: Word[] = [];
    const byRole = new Map<ColumnRole, string[]>();
    const cellTexts: string[] = [];
    const wordsByRole = new Map<ColumnRole, Word[]>();
    const cellWords: Word[] = [];
    for (const w of line.words) {
      const c = cx(w);
      if (c < columns.labelRight) { labelWords.push(w); continue; }
      const col = columns.cols.find((k) => c >= k.left && c < k.right);
      if (!col) continue;
      byRole.set(col.role, [...(byRole.get(col.role) ?? []), w.text]);
      if (col.role !== 'ignore' && col.role !== 'unit') cellTexts.push(w.text);
      if (tracer) {
        wordsByRole.set(col.role, [...(wordsByRole.get(col.role) ?? []), w]);
        if (col.role !== 'ignore' && col.role !== 'unit') cellWords.push(w);
      }
    }
    const cell = (role: ColumnRole) => {
      const t = byRole.get(role);
      return t ? t.join('') : null;
    };
    // the label, with a unit printed after it (in a unit column, as a last word, or in brackets)
    const words = labelWords.map((w) => w.text);
    let unit = cell('unit') !== null ? byRole.get('unit')!.join(' ') : null;
    if (unit === null && words.length > 1 && looksLikeUnit(words[words.length - 1]!)) {
      unit = words.pop()!;
      if (tracer) wordsByRole.set('unit', [labelWords[labelWords.length - 1]!]);
    }
    else if (unit === null && fuzzyText && labelWords.length > 1) {
      // OCR: a short word standing apart at the right of the label area is the unit column, however misread
      const lastWord = labelWords[labelWords.length - 1]!;
      const gap = lastWord.x0 - labelWords[labelWords.length - 2]!.x1;
      if (gap > 1.5 * line.height && lastWord.text.length <= 4 && !/\d{2}/.test(lastWord.text)) {
        words.pop();
        unit = ocrUnit(lastWord.text);
        if (unit === null) out.warnings.push(`row "${joinWords(words)}": unit "${lastWord.text}" not read; the parameter's usual unit is assumed`);
      }
    }
    let label = joinWords(words);
    const bracket = /\s*[[(（]([^\])）]+)[\])）]\s*$/.exec(label);
    if (unit === null && bracket && looksLikeUnit(bracket[1]!)) {
      unit = bracket[1]!;
      label = label.slice(0, bracket.index).trim();
    }
    const rowField = spec.rowFields?.find((f) => f.labels.some((l) => sameText(compact(label), compact(l), fuzzyText)));
    if (rowField) {
      const text = rowField.column ? cell(rowField.column) && byRole.get(rowField.column)!.join(' ') : cellTexts.join(' ');
      if (text) out.fields.push({ field: rowField.field, text });
      if (text && tracer) tracer.rowField(rowField.field, text, labelWords, rowField.column ? (wordsByRole.get(rowField.column) ?? []) : cellWords);
      lastCy = line.cy;
      continue;
    }
    const num = (role: ColumnRole) => {
      const raw = cell(role);
      if (raw === null) return { raw: null, value: null };
      const p = parseNumber(raw, decimal);
      if (p.value === null) {
        if (p.reason !== 'empty') out.warnings.push(`row "${label}": ${role} ${p.reason}`);
        return { raw, value: null };
      }
      if ('warning' in p && p.warning) out.warnings.push(`row "${label}": ${p.warning}`);
      return { raw, value: p.value };
    };
    const v = Object.fromEntries((['predicted', 'lln', 'uln', ...PRE_ROLES, ...POST_ROLES] as ColumnRole[]).map((r) => [r, num(r)])) as Record<ColumnRole, { raw: string | null; value: number | null }>;
    const hasPre = PRE_ROLES.some((r) => v[r]!.raw !== null) || (['predicted', 'lln', 'uln'] as ColumnRole[]).some((r) => v[r]!.value !== null);
    const hasPost = POST_ROLES.some((r) => v[r]!.raw !== null);
    if (!hasPre && !hasPost) {
      // a title, a blank or a row the device left empty
      if (label) lastCy = line.cy;
      continue;
    }
    lastCy = line.cy;
    if (!label) {
      out.warnings.push(`values without a row label on page ${line.page} at y ${Math.round(line.cy)}`);
      continue;
    }
    const info = resolveParam(label);
    if (!info) out.warnings.push(`unknown parameter "${label}"`);
    const make = (stage: Stage, value: { raw: string | null; value: number | null }, pct: number | null, z: number | null) => {
      const conv = toCoreUnits(info, unit, { value: value.value, predicted: v.predicted!.value, lln: v.lln!.value, uln: v.uln!.value });
      out.warnings.push(...conv.warnings.map((w) => `row "${label}": ${w}`));
      return measurement({
        param: conv.param,
        deviceParam: label,
        stage,
        value: conv.value,
        rawValue: value.raw,
        unit: conv.unit,
        predicted: conv.predicted,
        lln: conv.lln,
        uln: conv.uln,
        zscore: z,
        pctPred: pct,
        ...(stage === 'post' ? { changePct: v.changePct!.value } : {}),
      });
    };
    if (hasPre) out.measurements.push(make('pre', v.pre!, v.pctPred!.value, v.z!.value));
    if (hasPre && tracer) tracer.measurement('pre', labelWords.filter((w) => !wordsByRole.get('unit')?.includes(w)), wordsByRole);
    if (hasPost) out.measurements.push(make('post', v.post!, v.postPctPred!.value, v.postZ!.value));
    if (hasPost && tracer) tracer.measurement('post', labelWords.filter((w) => !wordsByRole.get('unit')?.includes(w)), wordsByRole);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Conclusion

function readConclusion(lines: Line[], template: DeviceReportTemplate, from: number): string | null {
  const spec = template.conclusion;
  if (!spec) return null;
  const needles = spec.start.map((text, key) => ({ key, text }));
  for (let i = from; i < lines.length; i++) {
    const { text } = lineText(lines[i]!);
    const hit = findLabels(text, needles)[0];
    if (!hit) continue;
    const parts: string[] = [];
    const first = text.slice(hit.end).split(BREAK).join(' ').replace(/^[\s:：.]+/, '');
    if (first.trim()) parts.push(tidyCjkSpaces(first));
    let lastCy = lines[i]!.cy;
    const traced: Word[] = [];
    for (let k = i + 1; k < lines.length && k <= i + (spec.maxLines ?? 12); k++) {
      const line = lines[k]!;
      if (line.page !== lines[i]!.page || line.cy - lastCy > 4 * line.height) break;
      if (lineContains(line, spec.end)) break;
      parts.push(tidyCjkSpaces(joinWords(line.words.map((w) => w.text))));
      if (tracer) traced.push(...line.words);
      lastCy = line.cy;
    }
    const out = parts.filter(Boolean).join('\n').trim();
    if (tracer && out) {
      const { wordOf } = lineText(lines[i]!);
      const start = wordsInRange(lines[i]!.words, wordOf, hit.start, hit.end);
      const rest = wordsInRange(lines[i]!.words, wordOf, hit.end, text.length).filter((w) => !start.includes(w));
      tracer.setConclusion(start, [...rest, ...traced]);
    }
    return out || null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Field values

const SEX: Record<string, 'M' | 'F'> = {
  m: 'M', male: 'M', man: 'M', 男: 'M', 男性: 'M', h: 'M', homme: 'M', masculin: 'M', mannlich: 'M', maennlich: 'M',
  f: 'F', female: 'F', woman: 'F', 女: 'F', 女性: 'F', femme: 'F', feminin: 'F', w: 'F', weiblich: 'F',
};

function parseSex(text: string, extra: FieldSpec['values']): { value: 'M' | 'F' | null; known: boolean } {
  const c = compact(text);
  for (const [k, v] of Object.entries(extra ?? {})) if (compact(k) === c) return { value: v, known: true };
  const first = compact(text.split(/[\s,/;]+/)[0] ?? '');
  const v = SEX[c] ?? SEX[first] ?? SEX[c.replace(/[^a-z\u4e00-\u9fff]/g, '')];
  return v ? { value: v, known: true } : { value: null, known: false };
}

function firstNumber(text: string, decimal: DecimalSeparator): number | null {
  const m = /[-+]?\d+(?:[.,]\d+)?/.exec(text.normalize('NFKC'));
  if (!m) return null;
  const p = parseNumber(m[0], decimal);
  return p.value;
}

// ---------------------------------------------------------------------------------------------------------------
// The two entry points

function anchorScore(lines: Line[], template: DeviceReportTemplate): { score: number; missing: string[] } {
  const texts = lines.map(flatText);
  let total = 0;
  let found = 0;
  const missing: string[] = [];
  for (const a of template.anchors) {
    const w = a.weight ?? 1;
    total += w;
    if (texts.some((t) => findLabels(t, [{ key: 0, text: a.text }]).length)) found += w;
    else missing.push(a.text);
  }
  return { score: total ? found / total : 0, missing };
}

/** The best-fitting template by its anchors, with its score 0–1; null when none reaches its minScore (default 0.6). */
export function chooseTemplate(items: TextItem[], templates: readonly DeviceReportTemplate[]): { template: DeviceReportTemplate; score: number } | null {
  return withFuzz(items, () => choose(items, templates));
}

function choose(items: TextItem[], templates: readonly DeviceReportTemplate[]): { template: DeviceReportTemplate; score: number } | null {
  let lines: Line[];
  try { lines = toLines(Array.isArray(items) ? items : []); } catch { return null; }
  let best: { template: DeviceReportTemplate; score: number } | null = null;
  for (const template of templates) {
    const { score } = anchorScore(lines, template);
    if (score < (template.minScore ?? 0.6)) continue;
    if (!best || score > best.score) best = { template, score };
  }
  return best;
}

/** Every template's anchor score 0–1 (as chooseTemplate computes it), whether it reaches its minScore, and the anchors not found. */
export function scoreTemplates(items: TextItem[], templates: readonly DeviceReportTemplate[]): Array<{ template: DeviceReportTemplate; score: number; minScore: number; fits: boolean; missing: string[] }> {
  return withFuzz(items, () => {
    let lines: Line[];
    try { lines = toLines(Array.isArray(items) ? items : []); } catch { lines = []; }
    return templates.map((template) => {
      const { score, missing } = anchorScore(lines, template);
      const minScore = template.minScore ?? 0.6;
      return { template, score, minScore, fits: score >= minScore, missing };
    });
  });
}

/**
 * applyTemplate, and where each value came from (for the template editor): for every field, result cell, conclusion,
 * table header and anchor, the words read and the indexes of the items in `items` they were cut from.
 */
export function traceTemplate(items: TextItem[], template: DeviceReportTemplate, format: 'pdf' | 'image' = 'pdf'): { extraction: DeviceExtraction; trace: ExtractionTrace } {
  const before = tracer;
  const collector = new TraceCollector();
  tracer = collector;
  try {
    const extraction = applyTemplate(items, template, format);
    return { extraction, trace: collector.finish(Array.isArray(items) ? items : []) };
  } finally {
    tracer = before;
  }
}

function traceAnchors(t: TraceCollector, lines: Line[], template: DeviceReportTemplate): void {
  for (const a of template.anchors) {
    let words: Word[] = [];
    for (const line of lines) {
      // anchors are matched on the line without its wide-gap breaks (flatText): words joined by single spaces
      const wordOf = line.words.flatMap((w, i) => [...(i > 0 ? [-1] : []), ...Array.from({ length: w.text.length }, () => i)]);
      const hit = findLabels(flatText(line), [{ key: 0, text: a.text }])[0];
      if (hit) {
        words = wordsInRange(line.words, wordOf, hit.start, hit.end);
        break;
      }
    }
    t.anchor(a.text, words);
  }
}

/** Reads a report's text (PDF text layer or OCR words) with one template. Never throws. */
export function applyTemplate(items: TextItem[], template: DeviceReportTemplate, format: 'pdf' | 'image' = 'pdf'): DeviceExtraction {
  const ex = emptyExtraction(format);
  ex.vendor = template.vendor;
  ex.template = `${template.name}@${template.version}`;
  try {
    const clean = Array.isArray(items) ? items.filter((i) => i && typeof i.text === 'string') : [];
    withFuzz(clean, () => read(clean, template, ex));
  } catch (e) {
    ex.warnings.push(`template ${ex.template} could not be applied: ${e instanceof Error ? e.message : String(e)}`);
  }
  return ex;
}

function read(items: TextItem[], template: DeviceReportTemplate, ex: DeviceExtraction): void {
  const lines = toLines(items);
  if (!lines.length) {
    ex.warnings.push('no text to read');
    return;
  }
  const anchors = anchorScore(lines, template);
  if (tracer) traceAnchors(tracer, lines, template);
  if (anchors.missing.length) ex.warnings.push(`anchors not found: ${anchors.missing.map((a) => `"${a}"`).join(', ')}`);

  // tables first: their row fields are fields too, and their extent bounds the conclusion search
  const headers: TableHeader[] = [];
  let from = 0;
  for (const [n, spec] of template.tables.entries()) {
    const h = findHeader(lines, spec, from);
    tracer?.table(n, h ? lines[h.lineIndex]!.words : null);
    if (!h) {
      if (!spec.optional) ex.warnings.push(`results table ${n + 1}: header row not found`);
      continue;
    }
    headers.push(h);
    from = h.lineIndex + 1;
  }
  const rowFields: Array<{ field: FieldName; text: string }> = [];
  const measurements: ExtractedMeasurement[] = [];
  let tableEnd = 0;
  for (const h of headers) {
    const others = headers.filter((o) => o !== h && o.lineIndex > h.lineIndex).map((o) => o.lineIndex);
    const conclusionStart = template.conclusion?.start;
    const stop = (line: Line, index: number) => others.includes(index) || lineStartsWith(line, conclusionStart);
    const r = readRows(lines, h, h.spec.decimal ?? template.decimal, stop);
    measurements.push(...r.measurements);
    rowFields.push(...r.fields);
    ex.warnings.push(...r.warnings);
    tableEnd = Math.max(tableEnd, h.lineIndex);
    if (!r.measurements.length) ex.warnings.push(`results table at line ${h.lineIndex + 1}: no values read`);
  }
  ex.measurements = mergeStages(measurements);

  const fields = readFields(lines, template.fields);
  for (const f of rowFields) if (!fields.has(f.field)) fields.set(f.field, { text: f.text, line: -1 });
  for (const spec of template.fields) if (!fields.has(spec.field)) ex.warnings.push(`field ${spec.field} not found (labels ${spec.labels.map((l) => `"${l}"`).join(', ')})`);
  applyFields(fields, template, ex);

  ex.conclusion = readConclusion(lines, template, 0);
  if (template.conclusion && ex.conclusion === null) ex.warnings.push('conclusion not found');
  ex.test.type = template.testType ?? fields.get('testType')?.text ?? deriveTestType(ex.measurements);
}

function lineStartsWith(line: Line, texts: string[] | undefined): boolean {
  if (!texts?.length) return false;
  const { text } = lineText(line);
  const hit = findLabels(text, texts.map((t, key) => ({ key, text: t })))[0];
  return !!hit && hit.start <= 1;
}

/** A post measurement takes the predicted, LLN and ULN of its pre row when its own table did not print them. */
function mergeStages(ms: ExtractedMeasurement[]): ExtractedMeasurement[] {
  const key = (m: ExtractedMeasurement) => m.param ?? compact(m.deviceParam);
  for (const m of ms) {
    if (m.stage !== 'post') continue;
    const pre = ms.find((p) => p.stage === 'pre' && key(p) === key(m));
    if (!pre) continue;
    m.predicted ??= pre.predicted;
    m.lln ??= pre.lln;
    m.uln ??= pre.uln;
    if (m.unit === null && pre.unit !== null && m.param !== 'FEV1FVC' && m.param !== 'FEV1FEV6') m.unit = pre.unit;
  }
  return ms;
}

function deriveTestType(ms: ExtractedMeasurement[]): string | null {
  if (!ms.length) return null;
  const has = (...ps: string[]) => ms.some((m) => m.param !== null && ps.includes(m.param));
  if (ms.some((m) => m.stage === 'post')) return 'bronchodilator';
  if (has('TLCO_SI', 'DLCO_trad', 'KCO_SI', 'KCO_trad')) return 'dlco';
  if (has('TLC', 'RV', 'FRC')) return 'lung_volumes';
  return 'spirometry';
}

function applyFields(fields: Map<FieldName, FieldValue>, template: DeviceReportTemplate, ex: DeviceExtraction): void {
  // a dash or "N/A" printed as a value means "none"
  const get = (f: FieldName) => {
    const t = fields.get(f)?.text ?? null;
    return t === null || /^(?:[-—–_/\s]*|n\/?a|none|无)$/i.test(t) ? null : t;
  };
  const spec = (f: FieldName) => template.fields.find((s) => s.field === f);
  const dateFormat = (f: FieldName) => spec(f)?.dateFormat ?? template.dateFormat;
  const warn = (w: string) => ex.warnings.push(w);

  const last = get('lastName');
  const first = get('firstName');
  ex.patient.name = get('name') ?? ([last, first].filter(Boolean).join(' ') || null);
  ex.patient.id = get('patientId');
  const sex = get('sex');
  if (sex !== null) {
    const s = parseSex(sex, spec('sex')?.values);
    ex.patient.sex = s.value;
    if (!s.known) warn(`sex "${sex}" not recognised`);
  }
  const birth = get('birthDate');
  if (birth !== null) {
    const d = parseDate(birth, dateFormat('birthDate'));
    if (d.value === null) warn(`birth date: ${d.reason}`);
    else ex.patient.birthDate = d.value;
  }
  const age = get('age');
  if (age !== null) ex.patient.age = firstNumber(age, template.decimal);
  const height = get('heightCm');
  if (height !== null) {
    let h = firstNumber(height, template.decimal);
    if (h !== null && /\bin\b|inch|"/.test(height)) h = Math.round(h * 2.54 * 10) / 10;
    else if (h !== null && h < 3 && /\bm\b/.test(height)) h = Math.round(h * 1000) / 10;
    ex.patient.heightCm = h;
    if (h === null) warn(`height "${height}" not read`);
  }
  const weight = get('weightKg');
  if (weight !== null) {
    let w = firstNumber(weight, template.decimal);
    if (w !== null && /\blbs?\b/i.test(weight)) w = Math.round(w * 0.45359237 * 10) / 10;
    ex.patient.weightKg = w;
    if (w === null) warn(`weight "${weight}" not read`);
  }
  ex.identifiers.patientId = ex.patient.id;
  ex.identifiers.accessionNo = get('accessionNo');
  ex.identifiers.requestNo = get('requestNo');
  ex.identifiers.outpatientSerial = get('outpatientSerial');
  ex.identifiers.inpatientSerial = get('inpatientSerial');

  // test date and time, in one field or two
  const dt = get('testDateTime');
  const dateText = get('testDate') ?? dt;
  const timeText = get('testTime') ?? (get('testDate') ? get('testDate') : dt);
  if (dateText !== null) {
    const d = parseDate(dateText, dateFormat(get('testDate') !== null ? 'testDate' : 'testDateTime'));
    if (d.value === null) warn(`test date: ${d.reason}`);
    else {
      const t = timeText !== null ? parseTime(timeText.replace(/\d{1,4}\s*[./\-年]\s*\d{1,2}\s*[./\-月]\s*\d{1,4}\s*日?/, ' ')) : null;
      if (get('testTime') !== null && t && t.value === null) warn(`test time: ${t.reason}`);
      ex.test.measuredAt = t && t.value !== null ? `${d.value}T${t.value}` : d.value;
    }
  }
  ex.test.operator = get('operator');
  ex.test.device = get('device');
  ex.test.deviceSerial = get('deviceSerial');
  ex.test.qualityGrade = get('qualityGrade');
}
