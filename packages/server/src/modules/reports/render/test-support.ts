import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createCanvas, loadImage } from '@napi-rs/canvas';

/** Helpers for the renderer's tests: poppler tools on a PDF, and image comparison. */

const run = promisify(execFile);

async function withPdfFile<T>(pdf: Uint8Array, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pftis-render-'));
  try {
    const file = path.join(dir, 'report.pdf');
    await writeFile(file, pdf);
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `pdftotext` of the whole document or of one page (1-based): `layout` keeps the page's geometry,
 * `raw` the order in which the text was drawn.
 */
export function pdfText(pdf: Uint8Array, page?: number, mode: 'layout' | 'raw' = 'layout'): Promise<string> {
  return withPdfFile(pdf, async (file) => {
    const range = page === undefined ? [] : ['-f', String(page), '-l', String(page)];
    const { stdout } = await run('pdftotext', [`-${mode}`, '-enc', 'UTF-8', ...range, file, '-']);
    return stdout;
  });
}

export function pdfFonts(pdf: Uint8Array): Promise<string> {
  return withPdfFile(pdf, async (file) => (await run('pdffonts', [file])).stdout);
}

/** Text without any whitespace: pdftotext spaces CJK text unpredictably. */
export const compact = (text: string) => text.replace(/\s+/g, '');

/** Width and height from a baseline or progressive JPEG's SOF marker. */
export function jpegSize(jpg: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 9 < jpg.length) {
    if (jpg[i] !== 0xff) throw new Error(`bad JPEG marker at ${i}`);
    const marker = jpg[i + 1]!;
    const length = (jpg[i + 2]! << 8) | jpg[i + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (jpg[i + 5]! << 8) | jpg[i + 6]!, width: (jpg[i + 7]! << 8) | jpg[i + 8]! };
    }
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}

export interface GreyImage { width: number; height: number; pixels: Float32Array }

/** Decodes an image and averages it to grey blocks of block×block pixels (robust to anti-aliasing). */
export async function greyBlocks(image: Uint8Array, block: number): Promise<GreyImage> {
  const img = await loadImage(Buffer.from(image));
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, img.width, img.height);
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, img.width, img.height);
  const width = Math.floor(img.width / block);
  const height = Math.floor(img.height / block);
  const pixels = new Float32Array(width * height);
  for (let by = 0; by < height; by++) {
    for (let bx = 0; bx < width; bx++) {
      let sum = 0;
      for (let y = by * block; y < (by + 1) * block; y++) {
        for (let x = bx * block; x < (bx + 1) * block; x++) {
          const o = (y * img.width + x) * 4;
          sum += 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
        }
      }
      pixels[by * width + bx] = sum / (block * block);
    }
  }
  return { width, height, pixels };
}

/** Share of blocks whose grey level differs by more than threshold (0–255); 1 when the sizes differ. */
export function differingShare(a: GreyImage, b: GreyImage, threshold: number): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  let differing = 0;
  for (let i = 0; i < a.pixels.length; i++) if (Math.abs(a.pixels[i]! - b.pixels[i]!) > threshold) differing++;
  return differing / a.pixels.length;
}

/** Luminance of a rectangle (in PDF points) of a page image rendered at dpi, for barcode decoding. */
export async function luminanceOf(png: Uint8Array, dpi: number, rect: [number, number, number, number]) {
  const img = await loadImage(Buffer.from(png));
  const s = dpi / 72;
  const [x, y, w, h] = rect.map((v) => Math.round(v * s)) as [number, number, number, number];
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(img, x, y, w, h, 0, 0, w, h);
  const { data } = ctx.getImageData(0, 0, w, h);
  const lum = new Uint8ClampedArray(w * h);
  for (let i = 0; i < w * h; i++) lum[i] = (data[i * 4]! * 299 + data[i * 4 + 1]! * 587 + data[i * 4 + 2]! * 114) / 1000;
  return { lum, width: w, height: h };
}
