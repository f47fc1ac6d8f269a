import iconv from 'iconv-lite';
import { type Result, fail, ok } from './result.ts';

/**
 * Byte encodings the worklist writers can produce.
 * - 'gbk': Windows code page 936, what Chinese Windows device software reads by default.
 * - 'gb18030': superset of GBK; needed for characters GBK lacks (CJK Extension B and later, e.g. 𠮷).
 * - 'iso-8859-1': Latin-1, the GDT "ANSI" character set.
 * - 'utf-8'.
 */
export type TextEncoding = 'gbk' | 'gb18030' | 'iso-8859-1' | 'utf-8';

/**
 * Encodes text, refusing instead of substituting: iconv-lite silently writes '?' for a character the target
 * encoding lacks, which on a device means a wrong patient name. The check is a decode round trip.
 */
export function encodeText(text: string, encoding: TextEncoding): Result<Uint8Array> {
  const bytes = iconv.encode(text, encoding);
  if (iconv.decode(bytes, encoding) === text) return ok(new Uint8Array(bytes));
  const missing = unrepresentableCharacters(text, encoding);
  return fail(`not representable in ${encoding}: ${missing.map(describeCharacter).join(', ')}`);
}

export function decodeText(bytes: Uint8Array, encoding: TextEncoding): string {
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding);
}

/** The distinct characters (code points) of text that the encoding cannot hold, in order of appearance. */
export function unrepresentableCharacters(text: string, encoding: TextEncoding): string[] {
  const missing = new Set<string>();
  for (const character of text) {
    if (iconv.decode(iconv.encode(character, encoding), encoding) !== character) missing.add(character);
  }
  return [...missing];
}

function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  return `'${character}' (U+${codePoint.toString(16).toUpperCase().padStart(4, '0')})`;
}
