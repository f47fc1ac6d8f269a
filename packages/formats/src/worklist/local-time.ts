/** Hospital local time: HL7 and GDT timestamps carry no offset (interfaces.md §2.2 MSH-7), so the zone is explicit. */
export const DEFAULT_HOSPITAL_TIME_ZONE = 'Asia/Shanghai';

export interface LocalDateTime {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

// Building a formatter costs far more than using one (tenths of a millisecond against microseconds): one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Zero-padded wall-clock parts of an instant in a time zone, independent of the process's TZ. */
export function localDateTimeParts(instant: Date, timeZone: string = DEFAULT_HOSPITAL_TIME_ZONE): LocalDateTime {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    year: part('year').padStart(4, '0'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

const QUARTER_HOUR_MS = 15 * 60_000;
// Offsets keyed by zone and UTC quarter hour. Zone transitions fall on quarter hours in practice; a quarter hour
// whose two ends disagree (a transition inside it, such as a historical local-mean-time change) is never kept.
const offsets = new Map<string, number>();

function offsetAt(timeZone: string, utcMs: number): number {
  const p = localDateTimeParts(new Date(utcMs), timeZone);
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(utcMs / 1000) * 1000;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds (+8 h for Asia/Shanghai). */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const quarter = Math.floor(utcMs / QUARTER_HOUR_MS);
  const key = `${timeZone} ${quarter}`;
  const kept = offsets.get(key);
  if (kept !== undefined) return kept;
  const start = offsetAt(timeZone, quarter * QUARTER_HOUR_MS);
  if (start !== offsetAt(timeZone, (quarter + 1) * QUARTER_HOUR_MS - 1)) return offsetAt(timeZone, utcMs);
  if (offsets.size >= 10_000) offsets.clear();
  offsets.set(key, start);
  return start;
}
