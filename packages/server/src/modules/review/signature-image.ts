import { inflateSync } from 'node:zlib';

/** What a handwritten signature image may be: a PNG of at most 512 KB, between 20×10 and 2000×1000 pixels. */
export const SIGNATURE_IMAGE_LIMITS = { maxBytes: 512 * 1024, minWidth: 20, minHeight: 10, maxWidth: 2000, maxHeight: 1000 } as const;

export interface ImageLimits {
  maxBytes: number;
  minWidth: number;
  minHeight: number;
  maxWidth: number;
  maxHeight: number;
}

export type PngProblem = 'not-png' | 'too-large' | 'corrupt' | 'dimensions';

export type PngCheck = { ok: true; width: number; height: number } | { ok: false; problem: PngProblem; detail: string };

const MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Samples per pixel by colour type (PNG §11.2.2), with the bit depths each allows. */
const COLOUR_TYPES: Record<number, { channels: number; depths: number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};

// Adam7: [x start, y start, x step, y step] of each pass.
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/**
 * Checks a PNG completely before any image library sees it (the native decoder the report renderer uses crashes the
 * process on some malformed files): chunk structure and CRCs, the IHDR, the size limits, and that the image data
 * inflates to exactly the scanlines the header promises, each with a valid filter type.
 */
export function checkSignaturePng(png: Uint8Array, limits: ImageLimits = SIGNATURE_IMAGE_LIMITS): PngCheck {
  const fail = (problem: PngProblem, detail: string): PngCheck => ({ ok: false, problem, detail });
  if (png.length < MAGIC.length || !MAGIC.every((b, i) => png[i] === b)) return fail('not-png', 'no PNG signature');
  if (png.length > limits.maxBytes) return fail('too-large', `${png.length} bytes, at most ${limits.maxBytes}`);

  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let header: { width: number; height: number; depth: number; colour: number; interlace: number } | null = null;
  let palette = false;
  let ended = false;
  let idatDone = false;
  const idat: Uint8Array[] = [];
  for (let at = MAGIC.length; !ended; ) {
    if (at + 12 > png.length) return fail('corrupt', 'truncated chunk');
    const length = view.getUint32(at);
    if (length > png.length - at - 12) return fail('corrupt', 'chunk longer than the file');
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) return fail('corrupt', 'bad chunk type');
    const data = png.subarray(at + 8, at + 8 + length);
    if (crc32(png.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) return fail('corrupt', `CRC mismatch in ${type}`);
    if (!header && type !== 'IHDR') return fail('corrupt', 'IHDR is not the first chunk');
    if (type !== 'IDAT' && idat.length) idatDone = true;
    if (type === 'IHDR') {
      if (header || length !== 13) return fail('corrupt', 'bad IHDR');
      const h = new DataView(data.buffer, data.byteOffset, 13);
      header = { width: h.getUint32(0), height: h.getUint32(4), depth: data[8]!, colour: data[9]!, interlace: data[12]! };
      const colour = COLOUR_TYPES[header.colour];
      if (!colour || !colour.depths.includes(header.depth) || data[10] !== 0 || data[11] !== 0 || header.interlace > 1) return fail('corrupt', 'unsupported IHDR values');
      const { width, height } = header;
      if (width < limits.minWidth || height < limits.minHeight || width > limits.maxWidth || height > limits.maxHeight) {
        return { ok: false, problem: 'dimensions', detail: `${width}×${height}` };
      }
    } else if (type === 'PLTE') {
      if (length === 0 || length % 3 || length / 3 > 256) return fail('corrupt', 'bad PLTE');
      palette = true;
    } else if (type === 'IDAT') {
      if (idatDone) return fail('corrupt', 'IDAT chunks are not consecutive');
      idat.push(data);
    } else if (type === 'IEND') {
      ended = true;
    } else if (!(png[at + 4]! & 0x20)) {
      return fail('corrupt', `unknown critical chunk ${type}`);
    }
    at += 12 + length;
  }
  if (!header) return fail('corrupt', 'no IHDR');
  if (header.colour === 3 && !palette) return fail('corrupt', 'palette image without PLTE');
  if (idat.length === 0) return fail('corrupt', 'no image data');

  const { width, height, depth, colour, interlace } = header;
  const bitsPerPixel = COLOUR_TYPES[colour]!.channels * depth;
  const passes = interlace
    ? ADAM7.map(([x0, y0, dx, dy]) => ({ w: Math.ceil(Math.max(0, width - x0) / dx), h: Math.ceil(Math.max(0, height - y0) / dy) }))
    : [{ w: width, h: height }];
  const rows = passes.filter((p) => p.w > 0 && p.h > 0).flatMap((p) => Array.from({ length: p.h }, () => 1 + Math.ceil((p.w * bitsPerPixel) / 8)));
  const expected = rows.reduce((a, b) => a + b, 0);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch (error) {
    return fail('corrupt', `image data does not inflate: ${(error as Error).message}`);
  }
  if (raw.length !== expected) return fail('corrupt', `image data has ${raw.length} bytes, the header needs ${expected}`);
  let offset = 0;
  for (const row of rows) {
    if (raw[offset]! > 4) return fail('corrupt', 'bad scanline filter');
    offset += row;
  }
  return { ok: true, width, height };
}
