import { sha256Hex, sm3Hex } from '../../../platform/crypto.js';

export interface PdfDigests {
  sizeBytes: number;
  sm3: string;
  sha256: string;
}

/** SM3 and SHA-256 (lowercase hex) of a final PDF, for the archive record and the audit log. */
export function pdfDigests(pdf: Uint8Array): PdfDigests {
  return { sizeBytes: pdf.length, sm3: sm3Hex(pdf), sha256: sha256Hex(pdf) };
}
