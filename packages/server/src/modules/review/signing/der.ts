/**
 * Minimal DER encoder and reader. The reader keeps byte offsets, so signatures are always checked over the bytes
 * exactly as received (a re-encoded issuer name or attribute set is how the node-forge trap in stack.md §3.1 breaks
 * signatures with Chinese names).
 */

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export class DerError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function tlv(tag: number, content: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const body = content instanceof Uint8Array ? content : concat(content);
  return concat([Uint8Array.of(tag), encodeLength(body.length), body]);
}

export const seq = (...items: Uint8Array[]) => tlv(Tag.SEQUENCE, items);

/** SET OF in DER order (X.690 §11.6: sorted by their encodings). */
export function setOf(items: readonly Uint8Array[]): Uint8Array {
  return tlv(Tag.SET, [...items].sort(compareBytes));
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);
export const implicitConstructed = (n: number, content: Uint8Array | readonly Uint8Array[]) => tlv(0xa0 | n, content);
export const implicitPrimitive = (n: number, content: Uint8Array) => tlv(0x80 | n, content);

export const nullValue = () => Uint8Array.of(Tag.NULL, 0);
export const octets = (bytes: Uint8Array) => tlv(Tag.OCTET_STRING, bytes);
export const bitString = (bytes: Uint8Array) => tlv(Tag.BIT_STRING, concat([Uint8Array.of(0), bytes]));
export const utf8String = (text: string) => tlv(Tag.UTF8_STRING, new TextEncoder().encode(text));
export const bmpString = (text: string) => {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) >> 8;
    out[2 * i + 1] = text.charCodeAt(i) & 0xff;
  }
  return tlv(Tag.BMP_STRING, out);
};
export function printableString(text: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw new DerError(`not a PrintableString: ${text}`);
  return tlv(Tag.PRINTABLE_STRING, new TextEncoder().encode(text));
}
export const boolean = (value: boolean) => Uint8Array.of(Tag.BOOLEAN, 1, value ? 0xff : 0);

/** INTEGER from a non-negative number, bigint or unsigned big-endian bytes. */
export function integer(value: number | bigint | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) bytes = value;
  else {
    let hex = BigInt(value).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    bytes = Buffer.from(hex, 'hex');
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Uint8Array.of(0);
  if ((bytes[0] as number) & 0x80) bytes = concat([Uint8Array.of(0), bytes]);
  return tlv(Tag.INTEGER, bytes);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((s) => BigInt(s));
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined) throw new DerError(`bad OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return tlv(Tag.OID, Uint8Array.from(out));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** RFC 5280 §4.1.2.5: UTCTime up to 2049, GeneralizedTime from 2050; always UTC, whole seconds. */
export function time(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(Tag.UTC_TIME, new TextEncoder().encode(`${pad(y % 100)}${rest}`));
  return tlv(Tag.GENERALIZED_TIME, new TextEncoder().encode(`${pad(y, 4)}${rest}`));
}

export function algorithmIdentifier(algorithm: string, parameters?: Uint8Array | null): Uint8Array {
  return parameters ? seq(oid(algorithm), parameters) : seq(oid(algorithm));
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export class DerNode {
  constructor(
    readonly buffer: Uint8Array,
    readonly tag: number,
    /** Offset of the tag byte. */
    readonly start: number,
    /** Offset of the first content byte. */
    readonly contentStart: number,
    readonly end: number,
  ) {}

  get constructed(): boolean {
    return (this.tag & 0x20) !== 0;
  }
  get content(): Uint8Array {
    return this.buffer.subarray(this.contentStart, this.end);
  }
  /** The whole TLV, exactly as received. */
  get raw(): Uint8Array {
    return this.buffer.subarray(this.start, this.end);
  }

  children(): DerNode[] {
    if (!this.constructed) throw new DerError(`tag 0x${this.tag.toString(16)} is not constructed`);
    const out: DerNode[] = [];
    for (let offset = this.contentStart; offset < this.end; ) {
      const child = readDerAt(this.buffer, offset, this.end);
      out.push(child);
      offset = child.end;
    }
    return out;
  }

  child(index: number, expectedTag?: number): DerNode {
    const c = this.children()[index];
    if (!c) throw new DerError(`missing element ${index}`);
    if (expectedTag !== undefined && c.tag !== expectedTag) throw new DerError(`element ${index}: expected tag 0x${expectedTag.toString(16)}, got 0x${c.tag.toString(16)}`);
    return c;
  }

  expect(tag: number): this {
    if (this.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}, got 0x${this.tag.toString(16)}`);
    return this;
  }

  /** The single element inside an EXPLICIT tag (or an OCTET STRING that wraps DER). */
  inner(): DerNode {
    if (this.constructed) return this.child(0);
    return readDer(this.content);
  }

  oid(): string {
    this.expect(Tag.OID);
    const bytes = this.content;
    const arcs: bigint[] = [];
    let value = 0n;
    for (const b of bytes) {
      value = (value << 7n) | BigInt(b & 0x7f);
      if ((b & 0x80) === 0) {
        arcs.push(value);
        value = 0n;
      }
    }
    const first = arcs.shift();
    if (first === undefined) throw new DerError('empty OID');
    const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
    return [...head, ...arcs].join('.');
  }

  /** Unsigned magnitude bytes of an INTEGER (leading sign byte removed). */
  integerBytes(): Uint8Array {
    this.expect(Tag.INTEGER);
    const c = this.content;
    return c.length > 1 && c[0] === 0 ? c.subarray(1) : c;
  }

  bigint(): bigint {
    const c = this.expect(Tag.INTEGER).content;
    if (c.length === 0) throw new DerError('empty INTEGER');
    if ((c[0] as number) & 0x80) throw new DerError('negative INTEGER');
    return BigInt(`0x${Buffer.from(c).toString('hex')}`);
  }

  bitStringBytes(): Uint8Array {
    const c = this.expect(Tag.BIT_STRING).content;
    if (c[0] !== 0) throw new DerError('BIT STRING with unused bits');
    return c.subarray(1);
  }

  /** Named-bit BIT STRING (such as KeyUsage) as a list of set bit numbers. */
  bits(): number[] {
    const c = this.expect(Tag.BIT_STRING).content;
    const out: number[] = [];
    for (let i = 1; i < c.length; i++) for (let b = 0; b < 8; b++) if ((c[i] as number) & (0x80 >> b)) out.push((i - 1) * 8 + b);
    return out;
  }

  text(): string {
    const c = this.content;
    switch (this.tag) {
      case Tag.UTF8_STRING:
        return new TextDecoder('utf-8').decode(c);
      case Tag.BMP_STRING: {
        let s = '';
        for (let i = 0; i + 1 < c.length; i += 2) s += String.fromCharCode(((c[i] as number) << 8) | (c[i + 1] as number));
        return s;
      }
      case Tag.UNIVERSAL_STRING: {
        let s = '';
        for (let i = 0; i + 3 < c.length; i += 4) s += String.fromCodePoint(new DataView(c.buffer, c.byteOffset + i, 4).getUint32(0));
        return s;
      }
      case Tag.PRINTABLE_STRING:
      case Tag.IA5_STRING:
      case Tag.T61_STRING:
        return Buffer.from(c).toString('latin1');
      default:
        throw new DerError(`tag 0x${this.tag.toString(16)} is not a string`);
    }
  }

  date(): Date {
    const s = Buffer.from(this.content).toString('latin1');
    let m: RegExpMatchArray | null;
    if (this.tag === Tag.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s))) {
      const yy = Number(m[1]);
      return new Date(Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
    }
    if (this.tag === Tag.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/.exec(s))) {
      const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
      return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
    }
    throw new DerError(`unsupported time value ${s}`);
  }
}

function readDerAt(buffer: Uint8Array, offset: number, limit: number): DerNode {
  if (offset + 2 > limit) throw new DerError('truncated DER');
  const tag = buffer[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let length = buffer[offset + 1] as number;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new DerError('indefinite length is not DER');
    if (count > 4 || contentStart + count > limit) throw new DerError('bad DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buffer[contentStart + i] as number);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError('DER value runs past its container');
  return new DerNode(buffer, tag, offset, contentStart, end);
}

/** Reads one DER value at the start of `bytes`; trailing bytes (such as the zero padding of a PDF /Contents) are allowed. */
export function readDer(bytes: Uint8Array): DerNode {
  return readDerAt(bytes, 0, bytes.length);
}

/** Reads one DER value that must fill `bytes` exactly. */
export function readDerExact(bytes: Uint8Array): DerNode {
  const node = readDer(bytes);
  if (node.end !== bytes.length) throw new DerError('trailing bytes after DER value');
  return node;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}
