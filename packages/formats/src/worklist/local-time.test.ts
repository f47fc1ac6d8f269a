import { describe, expect, it } from 'vitest';
import { localDateTimeParts, zoneOffsetMs } from './local-time.ts';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

/** The offset straight from the zone's wall clock, second by second: what the kept offsets must always equal. */
function wallClockOffset(timeZone: string, utcMs: number): number {
  const p = localDateTimeParts(new Date(utcMs), timeZone);
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(utcMs / 1000) * 1000;
}

describe('zoneOffsetMs', () => {
  it('gives the zone’s offset from UTC, in whole, half and quarter hours', () => {
    expect(zoneOffsetMs('Asia/Shanghai', at('2026-11-25T02:00:00Z'))).toBe(8 * HOUR);
    expect(zoneOffsetMs('Asia/Kolkata', at('2026-11-25T02:00:00Z'))).toBe(5.5 * HOUR);
    expect(zoneOffsetMs('Asia/Kathmandu', at('2026-11-25T02:00:00Z'))).toBe(5.75 * HOUR);
    expect(zoneOffsetMs('UTC', at('2026-11-25T02:00:00Z'))).toBe(0);
  });

  it('changes exactly at a daylight-saving transition (New York, 8 March 2026, 07:00 UTC)', () => {
    expect(zoneOffsetMs('America/New_York', at('2026-03-08T06:59:59Z'))).toBe(-5 * HOUR);
    expect(zoneOffsetMs('America/New_York', at('2026-03-08T07:00:00Z'))).toBe(-4 * HOUR);
    // Asked again, now from what was kept: the same answers.
    expect(zoneOffsetMs('America/New_York', at('2026-03-08T06:59:59Z'))).toBe(-5 * HOUR);
    expect(zoneOffsetMs('America/New_York', at('2026-03-08T07:00:00Z'))).toBe(-4 * HOUR);
  });

  it('stays exact inside a quarter hour that holds a transition off the quarter (Shanghai’s local mean time ending in 1900)', () => {
    // Local mean time +08:05:43 until 1901-01-01 00:00 local, i.e. 1900-12-31T15:54:17Z.
    const transition = at('1900-12-31T15:54:17Z');
    for (const utcMs of [transition - 1000, transition, transition + 1000, transition - 1000, transition]) {
      expect(zoneOffsetMs('Asia/Shanghai', utcMs)).toBe(wallClockOffset('Asia/Shanghai', utcMs));
    }
    expect(zoneOffsetMs('Asia/Shanghai', transition - 1000)).toBe(8 * HOUR + 5 * 60_000 + 43_000);
    expect(zoneOffsetMs('Asia/Shanghai', transition)).toBe(8 * HOUR);
  });

  it('agrees with the wall clock across a year of instants in several zones, asked twice', () => {
    const zones = ['Asia/Shanghai', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
    for (let pass = 0; pass < 2; pass++) {
      for (const zone of zones) {
        for (let t = at('2026-01-01T00:00:00Z'); t < at('2027-01-01T00:00:00Z'); t += 7 * HOUR + 13 * 60_000 + 7_000) {
          expect(zoneOffsetMs(zone, t)).toBe(wallClockOffset(zone, t));
        }
      }
    }
  });
});
