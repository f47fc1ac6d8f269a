import { createCanvas } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { decodeImageSafely } from './image-sandbox.js';

async function sample(format: 'png' | 'jpeg') {
  const canvas = createCanvas(60, 30);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, 60, 30);
  context.fillStyle = '#000000';
  context.fillRect(5, 5, 20, 10);
  return new Uint8Array(format === 'png' ? await canvas.encode('png') : await canvas.encode('jpeg'));
}

/** Deterministic pseudo-random bytes (LCG), so a failure can be replayed. */
function mutate(bytes: Uint8Array, seed: number, changes: number) {
  const out = Uint8Array.from(bytes);
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < changes; i++) out[2 + (next() % (out.length - 2))] = next() % 256;
  return out;
}

describe('decodeImageSafely', () => {
  it('reads the size of a good PNG and JPEG, and resizes onto white', async () => {
    expect(await decodeImageSafely(await sample('png'))).toEqual({ ok: true, width: 60, height: 30 });
    expect(await decodeImageSafely(await sample('jpeg'))).toMatchObject({ ok: true, width: 60, height: 30 });
    const resized = await decodeImageSafely(await sample('png'), { resizeTo: { width: 120, height: 60 } });
    expect(resized.ok).toBe(true);
    const png = resized.ok ? resized.png! : new Uint8Array();
    expect(new DataView(png.buffer, png.byteOffset).getUint32(16)).toBe(120);
    expect(new DataView(png.buffer, png.byteOffset).getUint32(20)).toBe(60);
  });

  it('refuses a PNG signature followed by garbage (which crashes the decoder in-process) and this process lives on', async () => {
    const garbage = Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 255);
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...garbage]);
    const result = await decodeImageSafely(bytes);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(/damaged image|unreadable image/);
    expect(await decodeImageSafely(await sample('png'))).toMatchObject({ ok: true });
  });

  it('answers every one of 30 damaged PNG and JPEG files with a size or a reason', async () => {
    const refusals: string[] = [];
    for (const format of ['png', 'jpeg'] as const) {
      const good = await sample(format);
      for (let seed = 1; seed <= 15; seed++) {
        const result = await decodeImageSafely(mutate(good, seed, 6));
        if (result.ok) expect(result.width).toBeGreaterThan(0);
        else refusals.push(result.reason);
      }
    }
    expect(refusals.length).toBeGreaterThan(0);
    for (const reason of refusals) expect(reason).toMatch(/^(damaged image|unreadable image)/);
  }, 120_000);
});
