/**
 * Numbers, dates, times and units as device reports print them. Every function returns null and a reason rather than
 * throwing; the decimal separator and the date order come from the template, never guessed per cell
 * (interfaces.md §8.3).
 */

export type DecimalSeparator = '.' | ',';

export type Parsed<T> = { value: T; warning?: string } | { value: null; reason: string };

/** Marks a device prints instead of a value: they mean "no value", not "unreadable". */
const EMPTY = /^(?:|-+|—+|–+|\*+|n\/?a|nan|---|\.|\/|#+)$/i;

/**
 * A printed number: `3.43`, `3,43` (decimal comma), `-0.75`, `−1,2`, `+4.4`, `92%`, `1 234,5`, `<0.1`, `4.20*` (flag).
 * OCR look-alikes inside digits (O → 0, l/I/| → 1) are corrected. A separator that is not the template's decimal
 * separator is read as a thousands separator when it groups three digits, otherwise as a decimal point with a warning.
 */
export function parseNumber(raw: string | null | undefined, decimal: DecimalSeparator = '.'): Parsed<number> {
  if (raw == null) return { value: null, reason: 'empty' };
  let s = raw.normalize('NFKC').trim().replace(/[\u2212\u2010-\u2015]/g, '-').replace(/\s+/g, '');
  if (EMPTY.test(s)) return { value: null, reason: 'empty' };
  s = s.replace(/^[<>≤≥~]=?/, '').replace(/[*#†!]+$/, '').replace(/%$/, '');
  // OCR look-alikes, only when the rest is numeric
  if (/^[-+]?[\dOolI|.,]+$/.test(s) && /\d/.test(s)) s = s.replace(/[Oo]/g, '0').replace(/[lI|]/g, '1');
  if (!/^[-+]?[\d.,]+$/.test(s) || !/\d/.test(s)) return { value: null, reason: `not a number: "${raw}"` };
  const other = decimal === '.' ? ',' : '.';
  let warning: string | undefined;
  const groups = new RegExp(`^[-+]?\\d{1,3}(\\${other}\\d{3})+(\\${decimal}\\d+)?$`);
  if (s.includes(other)) {
    if (groups.test(s)) s = s.split(other).join('');
    else if (!s.includes(decimal) && s.split(other).length === 2) {
      s = s.replace(other, decimal);
      warning = `"${raw}" uses "${other}" where the template expects "${decimal}" as the decimal separator`;
    } else return { value: null, reason: `ambiguous separators in "${raw}"` };
  }
  if (decimal === ',') s = s.replace(',', '.');
  if ((s.match(/\./g) ?? []).length > 1) return { value: null, reason: `not a number: "${raw}"` };
  const n = Number(s);
  if (!Number.isFinite(n)) return { value: null, reason: `not a number: "${raw}"` };
  return warning ? { value: n, warning } : { value: n };
}

/**
 * Date formats seen on device printouts. Only the order of day, month and year matters when reading: separators
 * may be `.`, `/`, `-` or 年月日, and the year may have two or four digits (two-digit years are put in the century
 * that makes the date not lie in the future).
 */
export type DateFormat = 'DD.MM.YY' | 'DD.MM.YYYY' | 'DD/MM/YYYY' | 'MM/DD/YYYY' | 'YYYY-MM-DD' | 'YYYY/MM/DD' | 'YYYY年MM月DD日' | 'YYYYMMDD';

const orderOf = (f: DateFormat): 'DMY' | 'MDY' | 'YMD' => (f.startsWith('YYYY') ? 'YMD' : f.startsWith('MM') ? 'MDY' : 'DMY');

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1850 || y > 2200) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export interface DateOptions {
  /** Reference for two-digit years: the date is placed in the latest century that does not put it after this. */
  today?: Date;
}

/** A date as ISO `YYYY-MM-DD`, from the first date-looking run of `raw` in the template's order. */
export function parseDate(raw: string | null | undefined, format: DateFormat, options: DateOptions = {}): Parsed<string> {
  if (raw == null || !raw.trim()) return { value: null, reason: 'empty' };
  const s = raw.normalize('NFKC').replace(/\s+/g, ' ').trim();
  const order = orderOf(format);
  let y: number; let m: number; let d: number; let yearText: string;
  if (format === 'YYYYMMDD' && /^\d{8}/.test(s.replace(/\D/g, '')) && !/[./\-年]/.test(s.slice(0, 10))) {
    const digits = s.replace(/\D/g, '').slice(0, 8);
    yearText = digits.slice(0, 4); y = Number(yearText); m = Number(digits.slice(4, 6)); d = Number(digits.slice(6, 8));
  } else {
    const sep = '\\s*[./\\-年月]\\s*';
    const re = order === 'YMD'
      ? new RegExp(`(\\d{4}|\\d{2})${sep}(\\d{1,2})${sep}(\\d{1,2})`)
      : new RegExp(`(\\d{1,2})${sep}(\\d{1,2})${sep}(\\d{4}|\\d{2})(?!\\d)`);
    const hit = re.exec(s);
    if (!hit) return { value: null, reason: `not a date (${format}): "${raw}"` };
    const [a, b, c] = [hit[1]!, hit[2]!, hit[3]!];
    if (order === 'YMD') { yearText = a; m = Number(b); d = Number(c); }
    else if (order === 'DMY') { d = Number(a); m = Number(b); yearText = c; }
    else { m = Number(a); d = Number(b); yearText = c; }
    y = Number(yearText);
  }
  if (yearText.length === 2) {
    const today = options.today ?? new Date();
    const ty = today.getFullYear();
    y = Math.floor(ty / 100) * 100 + y;
    const candidate = Date.UTC(y, m - 1, d);
    if (candidate > Date.UTC(ty, today.getMonth(), today.getDate())) y -= 100;
  }
  if (!validDate(y, m, d)) return { value: null, reason: `impossible date (${format}): "${raw}"` };
  return { value: `${pad(y, 4)}-${pad(m)}-${pad(d)}` };
}

/**
 * A time of day as `HH:MM:SS`: `08:44`, `15:59:33`, `3:59 PM`, `15:59:33 PM` (a 24-hour clock with a stray suffix:
 * the suffix is ignored when the hour is above 12), `10时30分`.
 */
export function parseTime(raw: string | null | undefined): Parsed<string> {
  if (raw == null || !raw.trim()) return { value: null, reason: 'empty' };
  const s = raw.normalize('NFKC');
  const hit = /(\d{1,2})\s*[:时h]\s*(\d{2})(?:\s*[:分m]\s*(\d{2}))?\s*(?:秒)?\s*(am|pm)?/i.exec(s);
  if (!hit) return { value: null, reason: `not a time: "${raw}"` };
  let h = Number(hit[1]);
  const mi = Number(hit[2]);
  const sec = Number(hit[3] ?? 0);
  // Chinese writes the half of the day before the time (下午3:15)
  const suffix = hit[4] ?? /上午|下午/.exec(s)?.[0];
  const pm = suffix && /pm|下午/i.test(suffix);
  const am = suffix && /am|上午/i.test(suffix);
  if (h <= 12 && pm && h !== 12) h += 12;
  if (h === 12 && am) h = 0;
  if (h > 23 || mi > 59 || sec > 59) return { value: null, reason: `impossible time: "${raw}"` };
  return { value: `${pad(h)}:${pad(mi)}:${pad(sec)}` };
}

/** Canonical spellings of the units PFT reports print. */
export type Unit = 'L' | 'mL' | 'L/s' | 'L/min' | '%' | 's' | 'mmol/min/kPa' | 'mL/min/mmHg' | 'mmol/min/kPa/L' | 'mL/min/mmHg/L' | 'kPa·s/L' | '1/(kPa·s)' | 'cmH2O/L/s';

const UNIT_SPELLINGS: Array<[RegExp, Unit]> = [
  [/^(l|ltr|litres?|liters?|升|l\(btps\)|lbtps)$/, 'L'],
  [/^(ml|毫升|ml\(btps\))$/, 'mL'],
  [/^(l\/s|l\/sec|ls-1|l\.s-1|l\/秒|升\/秒)$/, 'L/s'],
  [/^(l\/min|l\/m|lpm|升\/分)$/, 'L/min'],
  [/^(%|pct|percent)$/, '%'],
  [/^(s|sec|秒)$/, 's'],
  [/^(mmol\/min\/kpa|mmol\/\(min\*kpa\)|mmol\/\(min·kpa\)|mmol\/min·kpa)$/, 'mmol/min/kPa'],
  [/^(ml\/min\/mmhg|ml\/\(min\*mmhg\)|ml\/min·mmhg)$/, 'mL/min/mmHg'],
  [/^(mmol\/min\/kpa\/l|mmol\/\(min\*kpa\*l\)|mmol\/min·kpa·l)$/, 'mmol/min/kPa/L'],
  [/^(ml\/min\/mmhg\/l|ml\/\(min\*mmhg\*l\)|ml\/min·mmhg·l)$/, 'mL/min/mmHg/L'],
  [/^(kpa\*s\/l|kpa·s\/l|kpas\/l)$/, 'kPa·s/L'],
  [/^(1\/\(kpa\*s\)|1\/\(kpa·s\)|1\/kpas)$/, '1/(kPa·s)'],
  [/^(cmh2o\/l\/s|cmh2o\/\(l\/s\))$/, 'cmH2O/L/s'],
];

/** Strips brackets (`[L]`, `(L/s)`) and maps spellings to one form; unknown units come back as printed. */
export function normaliseUnit(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const inner = raw.normalize('NFKC').trim().replace(/^[[(（【]\s*|\s*[\])）】]$/g, '').trim();
  if (!inner) return null;
  const key = inner.toLowerCase().replace(/\s+/g, '');
  for (const [re, unit] of UNIT_SPELLINGS) if (re.test(key)) return unit;
  return inner;
}

/** True when a word is a known unit, bracketed or not (used to find units printed in the label column). */
export function looksLikeUnit(raw: string): boolean {
  const u = normaliseUnit(raw);
  return u !== null && UNIT_SPELLINGS.some(([, unit]) => unit === u);
}

/** OCR misreads of units seen on scanned tables ("L/s" read as "Lis"); used only for OCR words. */
const OCR_UNITS: Record<string, Unit> = { lis: 'L/s', lls: 'L/s', l1s: 'L/s', 'l/5': 'L/s', 'l|s': 'L/s', us: 'L/s', 'i/s': 'L/s', '1/s': 'L/s', ml: 'mL', '°/o': '%', '%o': '%' };

/** The unit an OCR word most likely shows, or null. */
export function ocrUnit(raw: string): string | null {
  const direct = looksLikeUnit(raw) ? normaliseUnit(raw) : null;
  return direct ?? OCR_UNITS[raw.normalize('NFKC').trim().toLowerCase()] ?? null;
}
