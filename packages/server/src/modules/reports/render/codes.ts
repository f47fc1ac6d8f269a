import bwipjs from 'bwip-js';

/**
 * Barcodes and QR codes as module patterns (bwip-js `raw`), so the renderer draws them as vector
 * rectangles: sharp at any printer resolution and no images in the PDF.
 */

/** Code 128: bar and space widths in modules, starting with a bar. */
export function code128Modules(text: string): number[] {
  const [symbol] = bwipjs.raw('code128', text, '');
  if (!symbol || !('sbs' in symbol)) throw new Error('code128: no symbol');
  return symbol.sbs;
}

export interface QrMatrix { size: number; dark: (x: number, y: number) => boolean }

export function qrMatrix(text: string): QrMatrix {
  const [symbol] = bwipjs.raw('qrcode', text, 'eclevel=M');
  if (!symbol || !('pixs' in symbol)) throw new Error('qrcode: no symbol');
  const { pixs, pixx, pixy } = symbol;
  if (pixx !== pixy) throw new Error('qrcode: not square');
  return { size: pixx, dark: (x, y) => pixs[y * pixx + x] === 1 };
}

/** Rectangles [x, y, w, h] in module units, horizontal runs merged. */
export function qrRuns(matrix: QrMatrix): Array<[number, number, number, number]> {
  const runs: Array<[number, number, number, number]> = [];
  for (let y = 0; y < matrix.size; y++) {
    let start = -1;
    for (let x = 0; x <= matrix.size; x++) {
      const dark = x < matrix.size && matrix.dark(x, y);
      if (dark && start < 0) start = x;
      if (!dark && start >= 0) {
        runs.push([start, y, x - start, 1]);
        start = -1;
      }
    }
  }
  return runs;
}
