/**
 * Geometry: text items split into words, words clustered into lines by vertical position. Works the same on a PDF
 * text layer (runs of any length) and on OCR output (one item per word, boxes a little uneven).
 */
import type { TextItem } from './extraction.ts';
import { isCjk } from './text.ts';

export interface Word {
  page: number;
  text: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface Line {
  page: number;
  /** Centre of the line, top-left origin. */
  cy: number;
  /** Median word height. */
  height: number;
  /** Left to right. */
  words: Word[];
}

export const cx = (w: { x0: number; x1: number }) => (w.x0 + w.x1) / 2;
const cyOf = (w: Word) => (w.y0 + w.y1) / 2;

/** Splits a run of text at whitespace; word positions are estimated from character counts (CJK counted wider). */
export function splitItem(item: TextItem): Word[] {
  const text = item.text;
  if (!text || !text.trim() || !Number.isFinite(item.x) || !Number.isFinite(item.y)) return [];
  const width = Number.isFinite(item.width) && item.width > 0 ? item.width : Math.max(1, text.length * (item.height || 10) * 0.5);
  const height = Number.isFinite(item.height) && item.height > 0 ? item.height : 10;
  const weight = (ch: string) => (isCjk(ch) ? 1.8 : 1);
  const total = [...text].reduce((s, ch) => s + weight(ch), 0) || 1;
  const words: Word[] = [];
  let acc = 0;
  let start = -1;
  let startAcc = 0;
  const chars = [...text];
  for (let i = 0; i <= chars.length; i++) {
    const ch = chars[i];
    const space = ch === undefined || /\s/.test(ch);
    if (!space && start < 0) { start = i; startAcc = acc; }
    if (space && start >= 0) {
      words.push({
        page: item.page,
        text: chars.slice(start, i).join(''),
        x0: item.x + (width * startAcc) / total,
        x1: item.x + (width * acc) / total,
        y0: item.y,
        y1: item.y + height,
      });
      start = -1;
    }
    if (ch !== undefined) acc += weight(ch);
  }
  return words;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
};

/**
 * Lines of words, per page, top to bottom. A word joins the current line when its centre lies within half a word
 * height of the line's centre: robust to OCR boxes of uneven height and to baselines a point or two apart.
 */
export function toLines(items: TextItem[]): Line[] {
  const words = items.flatMap(splitItem);
  const pages = [...new Set(words.map((w) => w.page))].sort((a, b) => a - b);
  const lines: Line[] = [];
  for (const page of pages) {
    const ws = words.filter((w) => w.page === page).sort((a, b) => cyOf(a) - cyOf(b) || a.x0 - b.x0);
    let cur: Word[] = [];
    let sum = 0;
    const flush = () => {
      if (!cur.length) return;
      cur.sort((a, b) => a.x0 - b.x0);
      const height = median(cur.map((w) => w.y1 - w.y0));
      lines.push({ page, cy: sum / cur.length, height, words: joinTouching(cur, height) });
      cur = [];
      sum = 0;
    };
    for (const w of ws) {
      const h = w.y1 - w.y0;
      if (cur.length) {
        const lineCy = sum / cur.length;
        const lineH = median(cur.map((x) => x.y1 - x.y0));
        if (Math.abs(cyOf(w) - lineCy) > 0.5 * Math.min(h, lineH)) flush();
      }
      cur.push(w);
      sum += cyOf(w);
    }
    flush();
  }
  return lines;
}

/**
 * Runs that touch form one word: a PDF switches fonts inside a word (`实测值` in a CJK font, `(` in Helvetica), and
 * pdfjs returns each run as its own item.
 */
function joinTouching(words: Word[], height: number): Word[] {
  const out: Word[] = [];
  for (const w of words) {
    const last = out[out.length - 1];
    if (last && w.x0 - last.x1 < 0.12 * height && w.x0 - last.x1 > -0.3 * height) {
      out[out.length - 1] = { ...last, text: last.text + w.text, x1: Math.max(last.x1, w.x1), y0: Math.min(last.y0, w.y0), y1: Math.max(last.y1, w.y1) };
    } else out.push(w);
  }
  return out;
}

/** A hard break in a line's text where two words are far apart (more than this many line heights). */
export const HARD_GAP = 2.5;
export const BREAK = '\u0000';

/** The line as one string (words joined by spaces, BREAK at wide gaps) with, per character, its word's index. */
export function lineText(line: Line): { text: string; wordOf: number[] } {
  let text = '';
  const wordOf: number[] = [];
  line.words.forEach((w, i) => {
    if (i > 0) {
      const gap = w.x0 - line.words[i - 1]!.x1;
      const sep = gap > HARD_GAP * line.height ? ` ${BREAK} ` : ' ';
      text += sep;
      for (let k = 0; k < sep.length; k++) wordOf.push(-1);
    }
    text += w.text;
    for (let k = 0; k < w.text.length; k++) wordOf.push(i);
  });
  return { text, wordOf };
}
