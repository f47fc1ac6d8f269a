/**
 * Age in decimal years: (test date − birth date) in days / 365.25 (project convention, clinical.md §2; how the GLI
 * calculator converts dates was not checked, U). Never rounded, floored or truncated (clinical.md §4).
 */
const MS_PER_DAY = 86_400_000;

/** Dates as ISO 'YYYY-MM-DD' (any time part is ignored) or Date objects (their UTC calendar day is used). */
export function decimalAgeYears(birthDate: string | Date, testDate: string | Date): number | null {
  const birthDay = utcDayNumber(birthDate);
  const testDay = utcDayNumber(testDate);
  if (birthDay === null || testDay === null || testDay < birthDay) return null;
  return (testDay - birthDay) / 365.25;
}

function utcDayNumber(date: string | Date): number | null {
  if (date instanceof Date) {
    const time = date.getTime();
    if (Number.isNaN(time)) return null;
    return Math.floor(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) / MS_PER_DAY);
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, day);
  const check = new Date(time);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return time / MS_PER_DAY;
}
