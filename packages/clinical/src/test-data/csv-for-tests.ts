import { parseCsvRecords } from '../csv-text.ts';

/** Test fixtures as records keyed by header name. */
export function parseSimpleCsv(text: string): Record<string, string>[] {
  return parseCsvRecords(text).records;
}
