import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Decodes images from outside (device scans, uploaded logos) in a short-lived child process. The image decoders of
 * @napi-rs/canvas crash the whole process (segmentation fault) on some damaged PNG, JPEG and WebP files, and a crash
 * in the server would stop every lab user's work and repeat on every retry; in a child it is only a refusal.
 */
export type SandboxedImage = { ok: true; width: number; height: number; png?: Uint8Array } | { ok: false; reason: string };

const canvasModule = createRequire(import.meta.url).resolve('@napi-rs/canvas');

// Reads the image from stdin; prints its size, and with a target size the image drawn on white at that size as PNG.
const CHILD = `
const { loadImage, createCanvas } = require(process.argv[1]);
const target = process.argv[2] ? JSON.parse(process.argv[2]) : null;
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  try {
    const image = await loadImage(Buffer.concat(chunks));
    const out = { width: image.width, height: image.height };
    if (target) {
      const canvas = createCanvas(target.width, target.height);
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, target.width, target.height);
      context.drawImage(image, 0, 0, target.width, target.height);
      out.png = (await canvas.encode('png')).toString('base64');
    }
    process.stdout.write(JSON.stringify(out));
  } catch (error) {
    process.stderr.write(String(error && error.message || error));
    process.exitCode = 2;
  }
});`;

export function decodeImageSafely(bytes: Uint8Array, options: { resizeTo?: { width: number; height: number }; timeoutMs?: number } = {}): Promise<SandboxedImage> {
  const { resizeTo, timeoutMs = 30_000 } = options;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', CHILD, canvasModule, resizeTo ? JSON.stringify(resizeTo) : ''], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {}); // a child that died early closes its stdin
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `image decoder could not start: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        const parsed = JSON.parse(Buffer.concat(out).toString('utf8')) as { width: number; height: number; png?: string };
        resolve({ ok: true, width: parsed.width, height: parsed.height, ...(parsed.png && { png: new Uint8Array(Buffer.from(parsed.png, 'base64')) }) });
      } else if (signal) {
        resolve({ ok: false, reason: signal === 'SIGKILL' ? `image decoding took longer than ${timeoutMs} ms` : `damaged image: the decoder failed (${signal})` });
      } else {
        resolve({ ok: false, reason: `unreadable image: ${Buffer.concat(err).toString('utf8').trim() || `exit ${code}`}` });
      }
    });
    child.stdin.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}
