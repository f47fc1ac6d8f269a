import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { reportFonts } from './fonts.js';
import { formatChange, formatPct, formatValue, formatZ } from './format.js';
import { PdfWriter } from './pdf-writer.js';
import { sampleRows } from './fixtures.js';

function writer(): PdfWriter {
  const pdf = new PDFDocument({ autoFirstPage: false });
  pdf.registerFont('R', reportFonts().regular);
  pdf.registerFont('B', reportFonts().bold);
  return new PdfWriter(pdf);
}

describe('PdfWriter.wrap', () => {
  const w = writer();

  it('breaks Chinese text between characters and keeps every character', () => {
    const text = '轻度阻塞性通气功能障碍，支气管舒张试验阳性，小气道功能障碍，建议结合临床随访复查肺功能。';
    const lines = w.wrap(text, 'R', 10, 100);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.join('')).toBe(text);
    for (const line of lines) expect(w.width(line, 'R', 10)).toBeLessThanOrEqual(100);
  });

  it('never starts a line with closing punctuation', () => {
    for (let width = 40; width <= 160; width += 3) {
      const lines = w.wrap('吸入沙丁胺醇后FEV1增加，改善率16.1%。FVC增加（210 mL）。小气道功能障碍；建议复查！', 'R', 10, width);
      for (const line of lines.slice(1)) expect(line).not.toMatch(/^[，。、；：！？）%]/);
    }
  });

  it('keeps Latin words and numbers whole, keeps paragraphs, splits only what is longer than a line', () => {
    const lines = w.wrap('GLI Global 2022 reference\n第二段', 'R', 10, 60);
    expect(lines).toContain('第二段');
    expect(lines.some((l) => l.includes('Global'))).toBe(true);
    expect(lines.every((l) => !/Glo$|^bal/.test(l))).toBe(true);
    const long = w.wrap('https://pftis.example/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'R', 10, 50);
    expect(long.length).toBeGreaterThan(1);
    expect(long.join('')).toBe('https://pftis.example/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  });
});

describe('value formatting', () => {
  const fvc = sampleRows().find((r) => r.param === 'FVC')!;

  it('prints the row’s decimals, z with two, % predicted whole and change signed', () => {
    expect(formatValue(3.8649, fvc)).toBe('3.86');
    expect(formatValue(4, fvc)).toBe('4.00');
    expect(formatValue(null, fvc)).toBe('');
    expect(formatZ(-1.7549)).toBe('-1.75');
    expect(formatZ(-0.001)).toBe('0.00');
    expect(formatPct(94.7)).toBe('95');
    expect(formatChange(16.1)).toBe('+16.1');
    expect(formatChange(-2.04)).toBe('-2.0');
    expect(formatChange(0.01)).toBe('0.0');
    expect(formatChange(null)).toBe('');
  });
});
