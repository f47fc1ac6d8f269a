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
