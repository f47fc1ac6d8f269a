// Chinese hospitals keep Beijing time (UTC+8, no daylight saving): exam days, check days and the naive
// wall-clock times a HIS stores are all in it.
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** The hospital's calendar day at an instant, as 'YYYY-MM-DD'. */
export const hospitalDate = (at: Date) => new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);

/** The hospital's wall-clock time at an instant, as 'YYYY-MM-DD HH:mm:ss' (how HIS tables store times). */
export const hospitalWallClock = (at: Date) => new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
