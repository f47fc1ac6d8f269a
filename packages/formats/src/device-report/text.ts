/**
 * Text matching for printed and OCR'd reports: case-, accent-, width- and space-insensitive, with a little tolerance
 * for OCR misreads (one edit per six characters).
 */

const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;

export const isCjk = (ch: string): boolean => CJK.test(ch);

/** One character folded for matching: NFKC (full-width to ASCII), accents dropped, lower case, dashes unified. */
function foldChar(ch: string): string {
  return ch
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\u2212\u2010-\u2015]/g, '-');
}

/** Folded text with all whitespace removed: the form every label, header and anchor is compared in. */
export function compact(text: string): string {
  return foldChar(text).replace(/\s+/g, '');
}

/** Folded text, whitespace kept, plus for each folded character the index of the original character it came from. */
export function foldWithMap(text: string): { folded: string; map: number[] } {
  let folded = '';
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const ch = String.fromCodePoint(code);
    const f = /\s/.test(ch) ? '' : foldChar(ch);
    for (const c of f) {
      folded += c;
      map.push(i);
    }
    if (code > 0xffff) i++;
  }
  return { folded, map };
}

/** How many edits a needle of this length may differ by and still match. */
export const allowedEdits = (length: number, fuzzy: boolean): number => (fuzzy ? Math.floor(length / 6) : 0);

/** Levenshtein distance, bounded: returns max + 1 as soon as it is exceeded. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Whole-string match of two compact forms, exact or within the allowed edits. */
export function sameText(a: string, b: string, fuzzy = true): boolean {
  if (a === b) return true;
  const k = allowedEdits(Math.min(a.length, b.length), fuzzy);
  return k > 0 && editDistance(a, b, k) <= k;
}

/**
 * Every place `needle` occurs in `hay` (both compact or folded), exactly or — when fuzzy — within the allowed edits
 * (Sellers' approximate substring search). Returns [start, end) ranges in `hay`, best first for overlapping hits.
 */
export function findAll(hay: string, needle: string, fuzzy = true): Array<{ start: number; end: number; edits: number }> {
  if (!needle) return [];
  const k = allowedEdits(needle.length, fuzzy);
  const hits: Array<{ start: number; end: number; edits: number }> = [];
  if (k === 0) {
    for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) hits.push({ start: i, end: i + needle.length, edits: 0 });
    return hits;
  }
  const m = needle.length;
  // column j of the DP: D[i] = edits to match needle[0..i) ending at hay position j; S[i] = where that match starts
  let D = Array.from({ length: m + 1 }, (_, i) => i);
  let S = Array.from({ length: m + 1 }, () => 0);
  const raw: Array<{ start: number; end: number; edits: number }> = [];
  for (let j = 1; j <= hay.length; j++) {
    const nd = [0];
    const ns = [j];
    for (let i = 1; i <= m; i++) {
      const sub = D[i - 1]! + (needle[i - 1] === hay[j - 1] ? 0 : 1);
      const del = D[i]! + 1;
      const ins = nd[i - 1]! + 1;
      if (sub <= del && sub <= ins) { nd.push(sub); ns.push(S[i - 1]!); }
      else if (del <= ins) { nd.push(del); ns.push(S[i]!); }
      else { nd.push(ins); ns.push(ns[i - 1]!); }
    }
    D = nd;
    S = ns;
    if (D[m]! <= k) raw.push({ start: S[m]!, end: j, edits: D[m]! });
  }
  // keep the best hit of each cluster of overlapping ends
  for (const h of raw) {
    const last = hits[hits.length - 1];
    if (last && h.start < last.end) {
      if (h.edits < last.edits || (h.edits === last.edits && h.end - h.start === m && last.end - last.start !== m)) hits[hits.length - 1] = h;
    } else hits.push(h);
  }
  return hits;
}

/** True when `hay` contains `needle` (both raw text), tolerant as above. */
export function containsText(hay: string, needle: string, fuzzy = true): boolean {
  return findAll(compact(hay), compact(needle), fuzzy).length > 0;
}

/** Joins words of one line: a space between them, none between two CJK characters (OCR spaces out Hanzi). */
export function joinWords(words: string[]): string {
  let out = '';
  for (const w of words) {
    const t = w.trim();
    if (!t) continue;
    if (out && !(isCjk(out[out.length - 1]!) && isCjk(t[0]!))) out += ' ';
    out += t;
  }
  return out;
}

/** Collapses spaces between CJK characters inside one string. */
export function tidyCjkSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])/g, '').trim();
}
