import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Noto Sans SC as static TrueType (never WOFF2: pdfkit writes broken PDFs from it, stack.md §3.4).
 * Only the two weights the report uses are read; pdfkit embeds a subset of each.
 */
const require = createRequire(import.meta.url);
const fontDir = path.dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));

export const FONT_FILES = {
  regular: path.join(fontDir, '400Regular', 'NotoSansSC_400Regular.ttf'),
  bold: path.join(fontDir, '700Bold', 'NotoSansSC_700Bold.ttf'),
} as const;

let cache: { regular: Buffer; bold: Buffer } | null = null;

/** The font files, read once per process (about 10 MB each). */
export function reportFonts(): { regular: Buffer; bold: Buffer } {
  cache ??= { regular: readFileSync(FONT_FILES.regular), bold: readFileSync(FONT_FILES.bold) };
  return cache;
}
