export type FontName = 'R' | 'B';

export const COLORS = {
  ink: '#1b1f24',
  muted: '#5b6573',
  rule: '#8a96a3',
  lightRule: '#d3d9e0',
  headBg: '#eaeff4',
  shade: '#dfe4ea',
  pre: '#1f5fa8',
  post: '#c0392b',
  accent: '#1f4e79',
  watermark: '#c0392b',
} as const;

export interface TextStyle {
  font?: FontName;
  size?: number;
  color?: string;
  align?: 'left' | 'right' | 'center';
  /** Box width for right/centre alignment. */
  width?: number;
  /** Extra space between characters (pt). */
  spacing?: number;
}

/**
 * Thin layer over pdfkit: text placed by its alphabetic baseline, never wrapped or paginated by pdfkit
 * (the report does its own line breaking and page flow, so running headers and kept-together blocks work).
 */
export class PdfWriter {
  constructor(readonly pdf: PDFKit.PDFDocument) {}

  setFont(font: FontName, size: number): this {
    this.pdf.font(font).fontSize(size);
    return this;
  }

  width(text: string, font: FontName, size: number): number {
    return this.setFont(font, size).pdf.widthOfString(text);
  }

  /** Draws one line with its baseline at y; returns the width drawn. */
  text(text: string, x: number, y: number, style: TextStyle = {}): number {
    const font = style.font ?? 'R';
    const size = style.size ?? 9;
    const spacing = style.spacing ?? 0;
    const w = this.width(text, font, size) + spacing * Math.max(0, [...text].length - 1);
    let left = x;
    if (style.align === 'right') left = x + (style.width ?? 0) - w;
    else if (style.align === 'center') left = x + ((style.width ?? 0) - w) / 2;
    this.pdf.fillColor(style.color ?? COLORS.ink);
    this.pdf.text(text, left, y, { lineBreak: false, baseline: 'alphabetic', characterSpacing: spacing });
    return w;
  }

  /** Largest size ≤ size at which text fits width. */
  fitSize(text: string, font: FontName, size: number, width: number, min = size * 0.6): number {
    const w = this.width(text, font, size);
    return w <= width ? size : Math.max(min, (size * width) / w);
  }

  line(x1: number, y1: number, x2: number, y2: number, width: number, color: string, dash?: [number, number]): void {
    const pdf = this.pdf;
    pdf.save().lineWidth(width).strokeColor(color);
    if (dash) pdf.dash(dash[0], { space: dash[1] });
    pdf.moveTo(x1, y1).lineTo(x2, y2).stroke();
    pdf.restore();
  }

  rect(x: number, y: number, w: number, h: number, fill: string): void {
    this.pdf.save().rect(x, y, w, h).fill(fill).restore();
  }

  /**
   * Greedy line breaking for mixed Chinese and Latin text: a break may fall between any two CJK
   * characters or at a space, Latin words stay whole unless longer than the line, and closing
   * punctuation never starts a line.
   */
  wrap(text: string, font: FontName, size: number, width: number): string[] {
    this.setFont(font, size);
    const lines: string[] = [];
    for (const paragraph of text.split(/\r?\n/)) {
      const tokens = tokenize(paragraph);
      let current = '';
      let currentWidth = 0;
      for (const token of tokens) {
        const tokenWidth = this.pdf.widthOfString(token);
        if (current !== '' && currentWidth + tokenWidth > width && !/^\s+$/.test(token)) {
          lines.push(current.trimEnd());
          current = '';
          currentWidth = 0;
        }
        if (current === '' && /^\s+$/.test(token)) continue;
        if (tokenWidth > width) {
          for (const ch of token) {
            const w = this.pdf.widthOfString(ch);
            if (current !== '' && currentWidth + w > width) {
              lines.push(current);
              current = '';
              currentWidth = 0;
            }
            current += ch;
            currentWidth += w;
          }
          continue;
        }
        current += token;
        currentWidth += tokenWidth;
      }
      lines.push(current.trimEnd());
    }
    return lines;
  }
}

const CJK = /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F]/u;
const NO_LINE_START = /^[，。、；：！？）》」』】〕,.;:!?)\]%％·]$/u;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let latin = '';
  const flush = () => {
    if (latin) tokens.push(latin);
    latin = '';
  };
  for (const ch of text) {
    if (/\s/.test(ch)) {
      flush();
      tokens.push(ch);
    } else if (CJK.test(ch)) {
      flush();
      if (NO_LINE_START.test(ch) && tokens.length > 0 && !/^\s+$/.test(tokens[tokens.length - 1]!)) {
        tokens[tokens.length - 1] += ch;
      } else {
        tokens.push(ch);
      }
    } else if (NO_LINE_START.test(ch) && latin === '' && tokens.length > 0 && !/^\s+$/.test(tokens[tokens.length - 1]!)) {
      tokens[tokens.length - 1] += ch;
    } else {
      latin += ch;
    }
  }
  flush();
  return tokens;
}

/** The vertical flow of the report body: a cursor and page breaks that keep blocks together. */
export interface Flow {
  readonly w: PdfWriter;
  /** Left edge and width of the content area. */
  readonly x: number;
  readonly width: number;
  readonly base: number;
  /** Top of the next block. */
  y: number;
  /** Starts a new page when h does not fit below y; true when it did. */
  ensure(h: number): boolean;
}
