/** Parsers return a value or a reason; they never throw on bad input. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };
