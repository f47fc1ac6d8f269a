import { deflateSync } from 'node:zlib';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { checkSignaturePng, SIGNATURE_IMAGE_LIMITS } from './signature-image.js';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (bytes: Uint8Array) => {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc(body), 8 + data.length);
  return out;
}

const MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG written by hand (independent of the checker): any colour type, bit depth, Adam7 or not, raw IDAT payload optional. */
function pngFile(o: { width: number; height: number; colour: number; depth: number; interlace?: 0 | 1; idat?: Uint8Array; palette?: boolean }): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(o.width, 0);
  ihdr.writeUInt32BE(o.height, 4);
  ihdr[8] = o.depth;
  ihdr[9] = o.colour;
  ihdr[12] = o.interlace ?? 0;
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[o.colour] ?? 1;
  const rowBytes = (w: number) => 1 + Math.ceil((w * channels * o.depth) / 8);
  const rows: number[] = [];
  const passes = o.interlace ? ([[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const) : ([[0, 0, 1, 1]] as const);
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil(Math.max(0, o.width - x0) / dx);
    const h = Math.ceil(Math.max(0, o.height - y0) / dy);
    if (w && h) for (let y = 0; y < h; y++) rows.push(rowBytes(w));
  }
  // Filter type 0 on every scanline; pixel bytes a pattern (palette indices 0, within the palette).
  const pixels = Buffer.alloc(rows.reduce((a, b) => a + b, 0), o.colour === 3 ? 0 : 0x5a);
  let offset = 0;
  for (const row of rows) {
    pixels[offset] = 0;
    offset += row;
  }
  const chunks = [chunk('IHDR', ihdr)];
  if (o.colour === 3 || o.palette) chunks.push(chunk('PLTE', Buffer.from([0, 0, 0, 255, 255, 255])));
  chunks.push(chunk('tEXt', Buffer.from('Software\0PFTIS test', 'latin1')));
  chunks.push(chunk('IDAT', o.idat ?? deflateSync(pixels)));
  chunks.push(chunk('IEND', new Uint8Array()));
  return Buffer.concat([MAGIC, ...chunks]);
}

describe('checkSignaturePng', () => {
  it('accepts valid PNGs of every colour type, bit depth and interlacing, and the renderer decodes them at the same size', async () => {
    const variants = [
      { colour: 0, depth: 1 }, { colour: 0, depth: 8 }, { colour: 0, depth: 16 }, { colour: 2, depth: 8 }, { colour: 2, depth: 16 },
      { colour: 3, depth: 4 }, { colour: 3, depth: 8 }, { colour: 4, depth: 8 }, { colour: 6, depth: 8 }, { colour: 6, depth: 16 },
    ];
    for (const v of variants) {
      for (const interlace of [0, 1] as const) {
        const file = pngFile({ width: 61, height: 23, interlace, ...v });
        const label = `colour ${v.colour} depth ${v.depth} interlace ${interlace}`;
        expect(checkSignaturePng(file), label).toEqual({ ok: true, width: 61, height: 23 });
        const decoded = await loadImage(file);
        expect([decoded.width, decoded.height], label).toEqual([61, 23]);
      }
    }
    const drawn = createCanvas(300, 90).toBuffer('image/png');
    expect(checkSignaturePng(drawn)).toEqual({ ok: true, width: 300, height: 90 });
  });

  it('refuses what is not a PNG, too many bytes, and sizes outside the limits', () => {
    expect(checkSignaturePng(createCanvas(100, 40).toBuffer('image/jpeg'))).toMatchObject({ ok: false, problem: 'not-png' });
    expect(checkSignaturePng(Buffer.from('GIF89a'))).toMatchObject({ ok: false, problem: 'not-png' });
    expect(checkSignaturePng(new Uint8Array())).toMatchObject({ ok: false, problem: 'not-png' });
    const big = Buffer.concat([pngFile({ width: 50, height: 20, colour: 2, depth: 8 }), Buffer.alloc(SIGNATURE_IMAGE_LIMITS.maxBytes)]);
    expect(checkSignaturePng(big)).toMatchObject({ ok: false, problem: 'too-large' });
    expect(checkSignaturePng(pngFile({ width: 2001, height: 20, colour: 0, depth: 1 }))).toMatchObject({ ok: false, problem: 'dimensions', detail: '2001×20' });
    expect(checkSignaturePng(pngFile({ width: 19, height: 20, colour: 0, depth: 1 }))).toMatchObject({ ok: false, problem: 'dimensions' });
    expect(checkSignaturePng(pngFile({ width: 50, height: 1001, colour: 0, depth: 1 }))).toMatchObject({ ok: false, problem: 'dimensions' });
  });

  it('refuses files with correct checksums but broken content, without inflating a decompression bomb', () => {
    const corrupt = (file: Uint8Array) => expect(checkSignaturePng(file)).toMatchObject({ ok: false, problem: 'corrupt' });
    // The file that crashed the native decoder: the PNG signature followed by garbage.
    corrupt(Buffer.concat([MAGIC, Buffer.alloc(300, 7)]));
    // Image data one scanline short, one byte long, and not zlib at all.
    const w = 40;
    const h = 12;
    corrupt(pngFile({ width: w, height: h, colour: 0, depth: 8, idat: deflateSync(Buffer.alloc((w + 1) * (h - 1))) }));
    corrupt(pngFile({ width: w, height: h, colour: 0, depth: 8, idat: deflateSync(Buffer.alloc((w + 1) * h + 1)) }));
    corrupt(pngFile({ width: w, height: h, colour: 0, depth: 8, idat: Buffer.from('not zlib data at all') }));
    // A filter type byte that does not exist.
    const rows = Buffer.alloc((w + 1) * h);
    rows[(w + 1) * 3] = 9;
    corrupt(pngFile({ width: w, height: h, colour: 0, depth: 8, idat: deflateSync(rows) }));
    // 64 MB of zeros behind a 40×12 header: refused once it inflates past the expected size.
    const started = Date.now();
    corrupt(pngFile({ width: w, height: h, colour: 0, depth: 8, idat: deflateSync(Buffer.alloc(64 * 1024 * 1024)) }));
    expect(Date.now() - started).toBeLessThan(2000);
    // Header combinations PNG does not allow, and a palette image without its palette.
    corrupt(pngFile({ width: w, height: h, colour: 2, depth: 4 }));
    corrupt(pngFile({ width: w, height: h, colour: 5, depth: 8 }));
    const noPalette = pngFile({ width: w, height: h, colour: 3, depth: 8 });
    const plte = noPalette.indexOf('PLTE', 0, 'latin1') - 4;
    corrupt(Buffer.concat([noPalette.subarray(0, plte), noPalette.subarray(plte + 12 + 6)]));
  });

  it('refuses every single-byte change and every truncation of a valid PNG, and never throws', () => {
    const file = pngFile({ width: 64, height: 20, colour: 6, depth: 8 });
    expect(checkSignaturePng(file).ok).toBe(true);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 1500; i++) {
      const mutant = Buffer.from(file);
      const at = Math.floor(random() * mutant.length);
      mutant[at] = mutant[at]! ^ (1 + Math.floor(random() * 255));
      expect(checkSignaturePng(mutant).ok, `byte ${at}`).toBe(false);
    }
    for (let length = 0; length < file.length; length++) expect(checkSignaturePng(file.subarray(0, length)).ok, `first ${length} bytes`).toBe(false);
  });
});
