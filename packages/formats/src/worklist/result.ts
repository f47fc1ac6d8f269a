import type { ParseResult } from '../result.ts';

/** The package's value-or-reason type (../result.ts), used by writers as well as readers: bad input is a value. */
export type Result<T> = ParseResult<T>;

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(reason: string): Result<T> {
  return { ok: false, reason };
}
