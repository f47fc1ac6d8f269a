import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { FONT_FILES } from '../modules/reports/render/fonts.js';

let registered = false;

/** A demo "handwritten" signature: the name in blue ink, slanted, on a transparent background (PNG). */
export function demoSignaturePng(name: string): Uint8Array {
  if (!registered) {
    GlobalFonts.registerFromPath(FONT_FILES.bold, 'PFTIS Demo Signature');
    registered = true;
  }
  const canvas = createCanvas(60 * name.length + 40, 90);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#1b2a78';
  ctx.font = '52px "PFTIS Demo Signature"';
  ctx.setTransform(1, 0, -0.25, 1, 20, 0);
  ctx.fillText(name, 10, 64);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.strokeStyle = '#1b2a78';
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  ctx.moveTo(12, 78);
  ctx.bezierCurveTo(canvas.width * 0.3, 70, canvas.width * 0.7, 86, canvas.width - 10, 72);
  ctx.stroke();
  return new Uint8Array(canvas.toBuffer('image/png'));
}
