// A spirometer's calibration / volume-verification log as its software exports it: a delimited text file
// (comma, semicolon or tab; decimal point or comma; UTF-8 with or without BOM, UTF-16, or GBK/GB18030), with
// Chinese or English headers, one row per syringe stroke (or per check), sometimes a few lines of preamble above
// the header ("定标筒容积: 3.00 L", "Operator: ...") and summary or junk lines below. No vendor publishes its
// format (../shared/samples/SOURCES.md), so the columns are found by a list of header aliases, which a per-device
// mapping can override. Pure: no I/O, never throws; row-level trouble becomes warnings, a file that cannot be read
// at all becomes a reason.

export type LogField =
  | 'date'
  | 'time'
  | 'dateTime'
  | 'kind'
  | 'checkId'
  | 'syringeVolume'
  | 'syringeSerial'
  | 'flow'
  | 'expectedVolume'
  | 'measuredVolume'
  | 'errorPct'
  | 'temperature'
  | 'pressure'
  | 'humidity'
  | 'operator'
  | 'result';

export const LOG_FIELDS: readonly LogField[] = ['date', 'time', 'dateTime', 'kind', 'checkId', 'syringeVolume', 'syringeSerial', 'flow', 'expectedVolume', 'measuredVolume', 'errorPct', 'temperature', 'pressure', 'humidity', 'operator', 'result'];

/** Which column holds a field: its header text as printed (compared ignoring case, spaces and units) or its 1-based number. */
export type ColumnMapping = Partial<Record<LogField, string | number>>;

export interface CalibrationLogOptions {
  /** Overrides the built-in aliases for the fields it names. */
  mapping?: ColumnMapping;
  /** The text encoding; by default UTF-8/UTF-16 by BOM, else UTF-8 if valid, else GB18030 (a superset of GBK). */
  encoding?: 'auto' | 'utf-8' | 'gbk' | 'gb18030';
  /** What a row without a type column is; verification (a volume check) unless the device says otherwise. */
  defaultKind?: CheckKind;
}

export type CheckKind = 'volume_check' | 'calibration';

export interface LogInjection {
  /** 1-based line of the file. */
  row: number;
  flowLps: number | null;
  /** The volume the stroke should have read (the syringe's), when the log prints it. */
  expectedL: number | null;
  measuredL: number;
  /** The error the device printed, percent, if any (ours is recomputed from the volumes by the clinical rules). */
  deviceErrorPct: number | null;
}

export interface LogCheck {
  /** Local wall-clock time of the check as printed (no offset), 'YYYY-MM-DDTHH:mm:ss'. */
  performedAt: string;
  kind: CheckKind;
  syringeVolumeL: number;
  syringeSerial: string | null;
  temperatureC: number | null;
  pressureHpa: number | null;
  humidityPct: number | null;
  operator: string | null;
  /** The device's own verdict, when it prints one. */
  deviceVerdict: 'pass' | 'fail' | null;
  injections: LogInjection[];
}

export interface LogWarning {
  /** 1-based line, or null for the whole file. */
  row: number | null;
  code: 'row-skipped' | 'ambiguous-date' | 'error-mismatch' | 'check-skipped' | 'value-ignored' | 'syringe-differs';
  /** Chinese, shown as is in the 质控 page. */
  message: string;
}

export interface CalibrationLog {
  encoding: string;
  delimiter: ',' | ';' | '\t';
  /** 1-based line of the header row. */
  headerRow: number;
  /** Field → the header it was read from. */
  columns: Partial<Record<LogField, string>>;
  checks: LogCheck[];
  warnings: LogWarning[];
}

export type CalibrationLogResult = { ok: true; value: CalibrationLog } | { ok: false; reason: string; warnings: LogWarning[] };

// Header aliases, normalised (lower case; spaces, '_', '-', '.', ':' and units in brackets removed).
const ALIASES: Record<LogField, string[]> = {
  date: ['日期', '检测日期', '定标日期', '校准日期', '检查日期', '测试日期', 'date', 'testdate', 'caldate', 'checkdate', 'datum'],
  time: ['时间', '检测时间', '定标时间', '校准时间', '检查时间', '测试时间', 'time', 'testtime', 'zeit', 'heure'],
  dateTime: ['日期时间', '日期/时间', '时间戳', '记录时间', 'datetime', 'date/time', 'timestamp', 'performedat'],
  kind: ['类型', '检查类型', '定标类型', '项目', '模式', '检查项目', 'type', 'mode', 'kind', 'procedure', 'checktype', 'testtype'],
  checkId: ['测试编号', '检查编号', '记录号', '记录编号', '定标编号', 'checkid', 'testid', 'session', 'sessionid', 'run', 'runid'],
  syringeVolume: ['定标筒容积', '定标筒', '定标筒体积', '校准筒容积', '校准筒', '定标桶容积', '定标筒规格', 'syringe', 'syringevolume', 'syringesize', 'calibrationsyringe', 'syringevol'],
  syringeSerial: ['定标筒编号', '定标筒序列号', '定标筒sn', '校准筒编号', '校准筒序列号', 'syringeserial', 'syringesn', 'syringes/n', 'syringeid', 'syringeserialnumber', 'syringeno'],
  flow: ['流速', '流量', '平均流速', '注气流速', '注射流速', 'flow', 'meanflow', 'flowrate', 'avgflow', 'averageflow', 'injectionflow'],
  expectedVolume: ['标准容积', '预期容积', '目标容积', '参考容积', '理论容积', '标称容积', 'expected', 'expectedvolume', 'target', 'targetvolume', 'reference', 'nominal', 'nominalvolume', 'refvolume'],
  measuredVolume: ['实测容积', '测量容积', '测得容积', '实测值', '测量值', '实测', '容积', '体积', 'measured', 'measuredvolume', 'volume', 'actual', 'actualvolume', 'reading', 'measvolume', 'vol'],
  errorPct: ['误差', '相对误差', '偏差', '误差率', '容积误差', 'error', 'errorpct', 'deviation', 'diff', 'relativeerror', 'err', 'volumeerror'],
  temperature: ['温度', '环境温度', '室温', 'temperature', 'temp', 'ambienttemperature', 'roomtemperature'],
  pressure: ['大气压', '气压', '大气压力', '环境气压', 'pressure', 'barometricpressure', 'baro', 'atmpressure', 'pbar', 'barometer', 'ambientpressure'],
  humidity: ['湿度', '相对湿度', '环境湿度', 'humidity', 'rh', 'relativehumidity'],
  operator: ['操作者', '操作员', '操作人', '技师', '检查者', '检测者', 'operator', 'user', 'technician', 'performedby', 'tech'],
  result: ['结果', '判定', '是否合格', '结论', '判定结果', 'result', 'status', 'pass/fail', 'verdict', 'outcome'],
};

const ALIAS_INDEX = new Map<string, LogField>(Object.entries(ALIASES).flatMap(([field, names]) => names.map((n) => [n, field as LogField] as const)));

interface Header {
  name: string;
  /** The unit from the header, lower case ('l', 'ml', '%', 'l/s', 'kpa', ...), or ''. */
  unit: string;
}

function splitHeader(raw: string): Header {
  let text = raw.trim().replace(/^\uFEFF/, '');
  const units: string[] = [];
  text = text.replace(/[([（【]([^)\]）】]*)[)\]）】]/g, (_, u: string) => {
    units.push(u);
    return '';
  });
  if (/%/.test(text)) units.push('%');
  text = text.replace(/%/g, '');
  const name = text.toLowerCase().replace(/[\s_.:：-]+/g, '');
  return { name, unit: units.join(' ').toLowerCase().replace(/\s+/g, '').replace('℃', '°c') };
}

// ---- text ----

function decode(bytes: Uint8Array, encoding: CalibrationLogOptions['encoding']): { text: string; encoding: string } | null {
  const tryDecode = (label: string, from = 0) => {
    try {
      return new TextDecoder(label, { fatal: true }).decode(bytes.subarray(from));
    } catch {
      return null;
    }
  };
  if (encoding && encoding !== 'auto') {
    const text = tryDecode(encoding, encoding === 'utf-8' && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
    return text === null ? null : { text, encoding };
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    const text = tryDecode('utf-8', 3);
    return text === null ? null : { text, encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    const text = tryDecode('utf-16le', 2);
    return text === null ? null : { text, encoding: 'utf-16le' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const text = tryDecode('utf-16be', 2);
    return text === null ? null : { text, encoding: 'utf-16be' };
  }
  const utf8 = tryDecode('utf-8');
  if (utf8 !== null) return { text: utf8, encoding: 'utf-8' };
  const gb = tryDecode('gb18030');
  return gb === null ? null : { text: gb, encoding: 'gb18030' };
}

/** Delimited text into rows (RFC 4180 quoting: quoted fields may hold the delimiter, "" and line breaks). */
function tokenize(text: string, delimiter: string): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      field = '';
      inQuotes = true;
    } else if (c === delimiter) {
      cells.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(field);
      rows.push({ line: rowLine, cells });
      cells = [];
      field = '';
      line++;
      rowLine = line;
    } else field += c;
  }
  if (field !== '' || cells.length) {
    cells.push(field);
    rows.push({ line: rowLine, cells });
  }
  return rows;
}

/** A number as devices print it: '2.98', '2,98', '+1.3 %', '1 013,2', '1,013.2', '3.00 L'; null if none. */
export function readNumber(cell: string | undefined): number | null {
  if (cell === undefined) return null;
  let s = cell.trim().replace(/[\s\u00a0\u202f]/g, '').replace(/^\+/, '').replace(/−/g, '-');
  const m = /^-?\d[\d.,]*/.exec(s);
  if (!m) return null;
  s = m[0];
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    s = lastComma > lastDot ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  } else if (lastComma >= 0) {
    s = (s.match(/,/g)!.length > 1 ? s.replace(/,/g, '') : s.replace(',', '.'));
  } else if ((s.match(/\./g)?.length ?? 0) > 1) return null;
  const n = Number(s.replace(/[.,]$/, ''));
  return Number.isFinite(n) ? n : null;
}

// ---- dates ----

const pad = (n: number | string) => String(n).padStart(2, '0');

interface DateParts {
  date: string | null;
  time: string | null;
  ambiguous: boolean;
}

/** A date and/or a time out of one cell: 2026-12-07, 2026/12/7, 2026年12月7日, 07.12.2026, 12/07/2026, 08:15[:30]. */
function readDateTime(cell: string, dayFirst: boolean): DateParts {
  const s = cell.trim();
  let date: string | null = null;
  let ambiguous = false;
  let rest = s;
  const valid = (y: number, mo: number, d: number) => mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && y >= 1990 && y <= 2100;
  let m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?/.exec(s);
  if (m) {
    if (valid(+m[1]!, +m[2]!, +m[3]!)) date = `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)}`;
    rest = s.slice(m[0].length);
  } else if ((m = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})/.exec(s))) {
    const a = +m[1]!;
    const b = +m[3]!;
    const y = +m[4]!;
    let day: number;
    let month: number;
    if (m[2] === '.') [day, month] = [a, b];
    else if (a > 12) [day, month] = [a, b];
    else if (b > 12) [day, month] = [b, a];
    else {
      [day, month] = dayFirst ? [a, b] : [b, a];
      ambiguous = a !== b;
    }
    if (valid(y, month, day)) date = `${y}-${pad(month)}-${pad(day)}`;
    rest = s.slice(m[0].length);
  } else if ((m = /^(\d{4})(\d{2})(\d{2})(?!\d{3})/.exec(s))) {
    if (valid(+m[1]!, +m[2]!, +m[3]!)) date = `${m[1]}-${m[2]}-${m[3]}`;
    rest = s.slice(m[0].length);
  }
  const t = /(?:^|[\sT])(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(rest.startsWith('T') ? rest : ` ${rest.trim()}`);
  let time: string | null = null;
  if (t && +t[1]! < 24 && +t[2]! < 60 && +(t[3] ?? 0) < 60) {
    let hour = +t[1]!;
    if (/(pm|下午)/i.test(rest) && hour < 12) hour += 12;
    if (/(am|上午)/i.test(rest) && hour === 12) hour = 0;
    time = `${pad(hour)}:${t[2]}:${t[3] ?? '00'}`;
  }
  return { date, time, ambiguous };
}

// ---- values with units ----

function litres(value: number | null, unit: string): number | null {
  if (value === null) return null;
  if (/^ml|^cc/.test(unit)) return value / 1000;
  if (!unit && value > 20) return value / 1000; // no unit printed: 3000 is millilitres
  return value;
}

function litresPerSecond(value: number | null, unit: string): number | null {
  if (value === null) return null;
  if (/l\/min|lpm/.test(unit)) return value / 60;
  if (/ml\/s/.test(unit)) return value / 1000;
  return value;
}

function hectopascal(value: number | null, unit: string): number | null {
  if (value === null) return null;
  if (/mmhg|torr/.test(unit)) return value * 1.333224;
  if (/kpa/.test(unit)) return value * 10;
  if (/hpa|mbar/.test(unit)) return value;
  return value < 200 ? value * 10 : value; // 101.3 is kPa
}

function celsius(value: number | null, unit: string): number | null {
  if (value === null) return null;
  return /°f|^f$|fahrenheit/.test(unit) ? ((value - 32) * 5) / 9 : value;
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));

function readKind(cell: string | undefined): CheckKind | null {
  const s = (cell ?? '').trim().toLowerCase();
  if (!s) return null;
  if (/verif|check|验证|检定|核查|校验|检验|test|容积检查/.test(s)) return 'volume_check';
  if (/calib|定标|校准|kalib|étalonn/.test(s)) return 'calibration';
  return null;
}

function readVerdict(cell: string | undefined): 'pass' | 'fail' | null {
  const s = (cell ?? '').trim().toLowerCase();
  if (!s) return null;
  if (/不合格|未通过|失败|fail|nok|not ok|✗/.test(s)) return 'fail';
  if (/合格|通过|成功|pass|^ok$|✓/.test(s)) return 'pass';
  return null;
}

// ---- header ----

interface Layout {
  headerIndex: number;
  columns: Partial<Record<LogField, number>>;
  headers: Header[];
}

function locateColumns(cells: string[], mapping: ColumnMapping | undefined): Partial<Record<LogField, number>> {
  const headers = cells.map(splitHeader);
  const columns: Partial<Record<LogField, number>> = {};
  headers.forEach((h, i) => {
    const field = ALIAS_INDEX.get(h.name) ?? ALIAS_INDEX.get(`${h.name}/${h.unit}`);
    if (field && columns[field] === undefined) columns[field] = i;
  });
  // "误差%" and "误差(L)" may both be there: the percent one is the error.
  const pctError = headers.findIndex((h) => ALIAS_INDEX.get(h.name) === 'errorPct' && h.unit.includes('%'));
  if (pctError >= 0) columns.errorPct = pctError;
  else if (columns.errorPct !== undefined && /^(l|ml)$/.test(headers[columns.errorPct]!.unit)) delete columns.errorPct;
  for (const [field, target] of Object.entries(mapping ?? {}) as Array<[LogField, string | number]>) {
    if (typeof target === 'number') {
      if (target >= 1 && target <= cells.length) columns[field] = target - 1;
      continue;
    }
    const wanted = splitHeader(target).name;
    const i = cells.findIndex((c) => c.trim() === target.trim() || splitHeader(c).name === wanted);
    if (i >= 0) columns[field] = i;
  }
  return columns;
}

const isHeader = (c: Partial<Record<LogField, number>>) =>
  (c.measuredVolume !== undefined || (c.errorPct !== undefined && c.expectedVolume !== undefined)) && (c.date !== undefined || c.dateTime !== undefined || c.time !== undefined);

function findLayout(rows: Array<{ cells: string[] }>, mapping: ColumnMapping | undefined): Layout | null {
  for (let i = 0; i < Math.min(rows.length, 60); i++) {
    const cells = rows[i]!.cells;
    if (cells.length < 2) continue;
    const columns = locateColumns(cells, mapping);
    if (isHeader(columns)) return { headerIndex: i, columns, headers: cells.map(splitHeader) };
  }
  return null;
}

// ---- preamble: "定标筒容积: 3.00 L", "Operator;Li Na" ----

type Preamble = Partial<Record<'syringeVolume' | 'syringeSerial' | 'temperature' | 'pressure' | 'humidity' | 'operator', { value: string; unit: string }>>;

function readPreamble(rows: Array<{ cells: string[] }>): Preamble {
  const found: Preamble = {};
  for (const { cells } of rows) {
    const filled = cells.map((c) => c.trim()).filter(Boolean);
    let key: string | undefined;
    let value: string | undefined;
    if (filled.length === 1) {
      const m = /^([^:：=]+)[:：=]\s*(.+)$/.exec(filled[0]!);
      if (m) [key, value] = [m[1]!, m[2]!];
    } else if (filled.length === 2) [key, value] = [filled[0]!.replace(/[:：=]\s*$/, ''), filled[1]!];
    if (!key || value === undefined) continue;
    const h = splitHeader(key);
    const field = ALIAS_INDEX.get(h.name);
    if (field === 'syringeVolume' || field === 'syringeSerial' || field === 'temperature' || field === 'pressure' || field === 'humidity' || field === 'operator') {
      const unitInValue = /[\d.,]+\s*([a-z°℃%/]+)\s*$/i.exec(value)?.[1]?.toLowerCase().replace('℃', '°c') ?? '';
      found[field] ??= { value: value.trim(), unit: h.unit || unitInValue };
    }
  }
  return found;
}

// ---- the log ----

interface Row {
  line: number;
  timestamp: string;
  kind: CheckKind;
  checkId: string | null;
  syringeL: number | null;
  serial: string | null;
  injection: LogInjection | null;
  temperatureC: number | null;
  pressureHpa: number | null;
  humidityPct: number | null;
  operator: string | null;
  verdict: 'pass' | 'fail' | null;
}

const seconds = (timestamp: string) => Date.parse(`${timestamp}Z`) / 1000;

/** Reads a calibration / verification log exported by a spirometer's software. */
export function readCalibrationLog(bytes: Uint8Array, options: CalibrationLogOptions = {}): CalibrationLogResult {
  const warnings: LogWarning[] = [];
  const fail = (reason: string): CalibrationLogResult => ({ ok: false, reason, warnings });
  if (bytes.length === 0) return fail('文件为空');
  if (bytes.length > 20 * 1024 * 1024) return fail('文件过大（超过 20 MB），不是定标记录导出文件');
  const head = bytes.subarray(0, 8);
  if (head[0] === 0x25 && head[1] === 0x50 && head[2] === 0x44 && head[3] === 0x46) return fail('这是 PDF 文件，请作为定标报告附件上传');
  if ((head[0] === 0xff && head[1] === 0xd8) || (head[0] === 0x89 && head[1] === 0x50)) return fail('这是图片文件，请作为定标报告附件上传');
  const isUtf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  if (!isUtf16 && bytes.subarray(0, 4096).includes(0)) return fail('不是文本文件（含二进制内容），无法作为定标记录读取');
  const decoded = decode(bytes, options.encoding);
  if (!decoded) return fail(`文件编码无法识别（${options.encoding && options.encoding !== 'auto' ? options.encoding : 'UTF-8 / GBK'}）`);
  const text = decoded.text.replace(/^\uFEFF/, '');

  // The delimiter whose header row names the most fields.
  let best: { delimiter: ',' | ';' | '\t'; rows: Array<{ line: number; cells: string[] }>; layout: Layout } | null = null;
  for (const delimiter of ['\t', ';', ','] as const) {
    const rows = tokenize(text, delimiter);
    const layout = findLayout(rows, options.mapping);
    if (layout && (!best || Object.keys(layout.columns).length > Object.keys(best.layout.columns).length)) best = { delimiter, rows, layout };
  }
  if (!best) return fail('未找到定标记录表头：需要日期（或时间）列和实测容积列，可在设备设置中指定列对应关系');
  const { delimiter, rows, layout } = best;
  const col = layout.columns;
  const unitOf = (f: LogField) => (col[f] === undefined ? '' : layout.headers[col[f]!]!.unit);
  const cell = (cells: string[], f: LogField) => (col[f] === undefined ? undefined : cells[col[f]!]?.trim());
  const preamble = readPreamble(rows.slice(0, layout.headerIndex));
  const pre = {
    syringeL: preamble.syringeVolume ? litres(readNumber(preamble.syringeVolume.value), preamble.syringeVolume.unit) : null,
    serial: preamble.syringeSerial?.value ?? null,
    temperatureC: preamble.temperature ? celsius(readNumber(preamble.temperature.value), preamble.temperature.unit) : null,
    pressureHpa: preamble.pressure ? hectopascal(readNumber(preamble.pressure.value), preamble.pressure.unit) : null,
    humidityPct: preamble.humidity ? readNumber(preamble.humidity.value) : null,
    operator: preamble.operator?.value ?? null,
  };
  // Day-first for slashed dates unless the file says otherwise: Chinese exports print year first anyway, and a
  // file with decimal commas comes from a day-first locale.
  const dataRows = rows.slice(layout.headerIndex + 1);
  const dayFirst = delimiter !== ',' || !dataRows.some((r) => /^\d{1,2}\/(1[3-9]|2\d|3[01])\/\d{4}/.test(cell(r.cells, 'date') ?? cell(r.cells, 'dateTime') ?? ''));
  let ambiguousDate = false;
  const parsed: Row[] = [];
  const skip = (line: number, why: string) => warnings.push({ row: line, code: 'row-skipped', message: `第 ${line} 行${why}，已跳过` });
  const headerNames = new Set(layout.headers.map((h) => h.name));

  for (const { line, cells } of dataRows) {
    const filled = cells.filter((c) => c.trim() !== '');
    if (filled.length === 0) continue;
    // A repeated header (logs appended to one another), or a separator line.
    if (filled.every((c) => /^[-=_*\s]+$/.test(c))) continue;
    if (cells.filter((c) => headerNames.has(splitHeader(c).name) && splitHeader(c).name !== '').length >= 2) continue;
    const when = readDateTime(`${cell(cells, 'dateTime') ?? cell(cells, 'date') ?? ''}`, dayFirst);
    const timeCell = cell(cells, 'time');
    const timed = timeCell ? readDateTime(timeCell, dayFirst) : { date: null, time: null, ambiguous: false };
    const date = when.date ?? timed.date;
    const time = timed.time ?? when.time ?? (date ? '00:00:00' : null);
    if (!date || !time) {
      skip(line, `无法识别日期（“${filled.slice(0, 3).join(' ').slice(0, 40)}”）`);
      continue;
    }
    if (when.ambiguous || timed.ambiguous) ambiguousDate = true;
    const timestamp = `${date}T${time}`;

    const syringeCell = cell(cells, 'syringeVolume');
    const rowSyringe = litres(readNumber(syringeCell), unitOf('syringeVolume')) ?? pre.syringeL;
    const expected = litres(readNumber(cell(cells, 'expectedVolume')), unitOf('expectedVolume'));
    let measured = litres(readNumber(cell(cells, 'measuredVolume')), unitOf('measuredVolume'));
    const deviceError = readNumber(cell(cells, 'errorPct'));
    const reference = expected ?? rowSyringe;
    if (measured === null && deviceError !== null && reference !== null) measured = round(reference * (1 + deviceError / 100), 3);
    const kind = readKind(cell(cells, 'kind')) ?? options.defaultKind ?? 'volume_check';
    if (measured === null || !(measured > 0) || measured > 20) {
      skip(line, measured === null ? '缺少实测容积' : `实测容积 ${measured} L 不合理`);
      continue;
    }
    if (deviceError !== null && reference !== null && cell(cells, 'measuredVolume') !== undefined) {
      const ours = (100 * (measured - reference)) / reference;
      if (Math.abs(ours - deviceError) > 0.2) {
        warnings.push({ row: line, code: 'error-mismatch', message: `第 ${line} 行设备误差 ${deviceError}% 与容积计算的 ${ours.toFixed(2)}% 不符，按容积计算` });
      }
    }
    const flow = litresPerSecond(readNumber(cell(cells, 'flow')), unitOf('flow'));
    const ranged = (value: number | null, min: number, max: number, label: string) => {
      if (value === null) return null;
      if (value < min || value > max) {
        warnings.push({ row: line, code: 'value-ignored', message: `第 ${line} 行${label} ${round(value, 2)} 超出合理范围，未采用` });
        return null;
      }
      return value;
    };
    parsed.push({
      line,
      timestamp,
      kind,
      checkId: cell(cells, 'checkId') || null,
      syringeL: rowSyringe ?? expected,
      serial: cell(cells, 'syringeSerial') || pre.serial,
      injection: { row: line, flowLps: flow === null ? null : ranged(round(flow, 3), 0, 20, '流速'), expectedL: expected, measuredL: round(measured, 3), deviceErrorPct: deviceError },
      temperatureC: ranged(celsius(readNumber(cell(cells, 'temperature')), unitOf('temperature')), -10, 50, '温度') ?? pre.temperatureC,
      pressureHpa: ranged(hectopascal(readNumber(cell(cells, 'pressure')), unitOf('pressure')), 500, 1100, '大气压') ?? pre.pressureHpa,
      humidityPct: ranged(readNumber(cell(cells, 'humidity')), 0, 100, '湿度') ?? pre.humidityPct,
      operator: cell(cells, 'operator') || pre.operator,
      verdict: readVerdict(cell(cells, 'result')),
    });
  }
  if (ambiguousDate) warnings.push({ row: null, code: 'ambiguous-date', message: `日期格式不明确（如 03/04/2026），已按${dayFirst ? '日/月/年' : '月/日/年'}读取` });

  // Rows into checks. With a check-id column, by it; when strokes of one check share their time, by the time;
  // when every stroke has its own time, strokes less than two minutes apart are one check.
  const sharedTimes = parsed.some((r, i) => i > 0 && parsed[i - 1]!.timestamp === r.timestamp);
  const groups: Row[][] = [];
  for (const row of parsed) {
    const group = groups.at(-1);
    const last = group?.at(-1);
    const same =
      last &&
      last.kind === row.kind &&
      (last.syringeL === row.syringeL || last.syringeL === null || row.syringeL === null) &&
      (col.checkId !== undefined ? last.checkId === row.checkId : sharedTimes ? last.timestamp === row.timestamp : Math.abs(seconds(row.timestamp) - seconds(last.timestamp)) <= 120);
    if (same) group!.push(row);
    else groups.push([row]);
  }

  const checks: LogCheck[] = [];
  for (const group of groups) {
    const first = group[0]!;
    const pick = <T>(f: (r: Row) => T | null): T | null => group.map(f).find((v) => v !== null && v !== undefined) ?? null;
    const syringe = pick((r) => r.syringeL);
    if (syringe === null || !(syringe > 0) || syringe > 20) {
      warnings.push({ row: first.line, code: 'check-skipped', message: `第 ${first.line} 行起的检查缺少定标筒容积，未导入` });
      continue;
    }
    const verdicts = group.map((r) => r.verdict).filter((v) => v !== null);
    checks.push({
      performedAt: first.timestamp,
      kind: first.kind,
      syringeVolumeL: round(syringe, 3),
      syringeSerial: pick((r) => r.serial),
      temperatureC: pick((r) => r.temperatureC),
      pressureHpa: (() => {
        const p = pick((r) => r.pressureHpa);
        return p === null ? null : round(p, 1);
      })(),
      humidityPct: pick((r) => r.humidityPct),
      operator: pick((r) => r.operator),
      deviceVerdict: verdicts.length ? (verdicts.includes('fail') ? 'fail' : 'pass') : null,
      injections: group.map((r) => r.injection!),
    });
  }
  if (!checks.length) return fail(parsed.length ? '没有可导入的定标检查（缺少定标筒容积）' : '表头之后没有可读的定标数据行');
  const columns = Object.fromEntries(Object.entries(col).map(([f, i]) => [f, rows[layout.headerIndex]!.cells[i]!.trim()]));
  return { ok: true, value: { encoding: decoded.encoding, delimiter, headerRow: rows[layout.headerIndex]!.line, columns, checks, warnings } };
}

/** Whether a file is such a log: cheap enough to ask of every file in a device's exchange folder. */
export function looksLikeCalibrationLog(bytes: Uint8Array, options: CalibrationLogOptions = {}): boolean {
  return readCalibrationLog(bytes, options).ok;
}
