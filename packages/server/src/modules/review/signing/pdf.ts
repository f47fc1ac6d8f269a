import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString, ParseSpeeds, type PDFObject } from 'pdf-lib';
import { hospitalWallClock } from '../../../platform/hospital-time.js';
import { concat } from './der.js';
import { SigningError } from './errors.js';

/**
 * The PDF side of signing: an incremental update (ISO 32000-1 §7.5.6) that appends a signature field and
 * dictionary after the original bytes, which stay untouched. A renderer's output keeps its hash as a prefix of
 * the signed file, and a second signer can sign later without breaking the first signature.
 */

export type SubFilter = 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached';

export interface SignatureFields {
  subFilter: SubFilter;
  signingTime: Date;
  reason: string;
  location: string;
  name: string;
  contactInfo?: string;
}

export interface PreparedPdf {
  pdf: Uint8Array;
  byteRange: [number, number, number, number];
  /** Offset of the first hex digit inside /Contents <…>, and how many hex digits there are. */
  contentsOffset: number;
  contentsHexLength: number;
}

const latin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const BYTE_RANGE_WIDTH = '/ByteRange [0 0000000000 0000000000 0000000000]'.length;

function bytesOf(obj: PDFObject): Uint8Array {
  const out = new Uint8Array(obj.sizeInBytes());
  obj.copyBytesInto(out, 0);
  return out;
}

/** Text string as UTF-16BE with BOM (ISO 32000-1 §7.9.2.2), so Chinese reasons and names survive. */
const textString = (text: string) => bytesOf(PDFHexString.fromText(text));

/** PDF date in hospital time, e.g. D:20261125143000+08'00'. */
function pdfDate(date: Date): string {
  const wall = hospitalWallClock(date).replace(/[-: ]/g, '');
  return `D:${wall}+08'00'`;
}

export async function loadPdf(pdf: Uint8Array): Promise<PDFDocument> {
  try {
    return await PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest, throwOnInvalidObject: false });
  } catch (error) {
    throw new SigningError('signing.unsupported-pdf', `cannot read the PDF: ${(error as Error).message}`);
  }
}

function firstPage(doc: PDFDocument): { ref: PDFRef; dict: PDFDict } {
  const ctx = doc.context;
  let node = doc.catalog.lookup(PDFName.of('Pages'), PDFDict);
  for (let depth = 0; depth < 32; depth++) {
    const kids = node.lookup(PDFName.of('Kids'), PDFArray);
    const ref = kids.get(0);
    if (!(ref instanceof PDFRef)) break;
    const dict = ctx.lookup(ref, PDFDict);
    if (dict.lookup(PDFName.of('Type')) === PDFName.of('Page')) return { ref, dict };
    node = dict;
  }
  throw new SigningError('signing.unsupported-pdf', 'the PDF has no page');
}

/** Offset of the last cross-reference section, whether it is a table, and the trailer /Size it declares. */
function lastXref(pdf: Uint8Array): { offset: number; isStream: boolean; size: number } {
  const tail = Buffer.from(pdf.subarray(Math.max(0, pdf.length - 2048))).toString('latin1');
  const match = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!match) throw new SigningError('signing.unsupported-pdf', 'no startxref at the end of the PDF');
  const offset = Number(match[1]);
  const section = Buffer.from(pdf.subarray(offset)).toString('latin1');
  const isStream = !section.trimStart().startsWith('xref');
  const size = /\/Size\s+(\d+)/.exec(section);
  if (!size) throw new SigningError('signing.unsupported-pdf', 'no trailer /Size');
  return { offset, isStream, size: Number(size[1]) };
}

/**
 * Appends an invisible signature field whose /Contents is `contentsBytes` zero bytes (as hex) and whose /ByteRange
 * excludes exactly that hex string.
 */
export async function addSignaturePlaceholder(pdf: Uint8Array, fields: SignatureFields, contentsBytes: number): Promise<PreparedPdf> {
  const doc = await loadPdf(pdf);
  const ctx = doc.context;
  if (ctx.trailerInfo.Encrypt) throw new SigningError('signing.unsupported-pdf', 'encrypted PDFs cannot be signed');
  const rootRef = ctx.trailerInfo.Root;
  if (!(rootRef instanceof PDFRef)) throw new SigningError('signing.unsupported-pdf', 'no document catalog');
  const xref = lastXref(pdf);
  let nextNumber = Math.max(xref.size, ctx.largestObjectNumber + 1);
  const newRef = () => PDFRef.of(nextNumber++);

  // Objects to write in the update: new ones and changed copies of existing ones (same number, new offset).
  const changed = new Map<PDFRef, PDFObject>();
  const catalog = doc.catalog;
  const page = firstPage(doc);
  const sigRef = newRef();
  const widgetRef = newRef();
  const apRef = newRef();

  let acroForm: PDFDict;
  const acroEntry = catalog.get(PDFName.of('AcroForm'));
  if (acroEntry instanceof PDFRef) {
    acroForm = ctx.lookup(acroEntry, PDFDict);
    changed.set(acroEntry, acroForm);
  } else if (acroEntry instanceof PDFDict) {
    acroForm = acroEntry;
    changed.set(rootRef, catalog);
  } else {
    acroForm = ctx.obj({ Fields: [] });
    const acroRef = newRef();
    changed.set(acroRef, acroForm);
    catalog.set(PDFName.of('AcroForm'), acroRef);
    changed.set(rootRef, catalog);
  }
  const fieldsEntry = acroForm.get(PDFName.of('Fields'));
  let fieldsArray: PDFArray;
  if (fieldsEntry instanceof PDFRef) {
    fieldsArray = ctx.lookup(fieldsEntry, PDFArray);
    changed.set(fieldsEntry, fieldsArray);
  } else if (fieldsEntry instanceof PDFArray) {
    fieldsArray = fieldsEntry;
  } else {
    fieldsArray = ctx.obj([]);
    acroForm.set(PDFName.of('Fields'), fieldsArray);
  }
  const existingSignatures = fieldsArray.asArray().filter((f) => {
    const dict = f instanceof PDFRef ? ctx.lookupMaybe(f, PDFDict) : undefined;
    return dict?.get(PDFName.of('FT')) === PDFName.of('Sig');
  }).length;
  fieldsArray.push(widgetRef);
  const flags = acroForm.lookupMaybe(PDFName.of('SigFlags'), PDFNumber)?.asNumber() ?? 0;
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(flags | 3)); // SignaturesExist | AppendOnly

  const annots = page.dict.get(PDFName.of('Annots'));
  if (annots instanceof PDFRef) {
    const array = ctx.lookup(annots, PDFArray);
    array.push(widgetRef);
    changed.set(annots, array);
  } else if (annots instanceof PDFArray) {
    annots.push(widgetRef);
    changed.set(page.ref, page.dict);
  } else {
    page.dict.set(PDFName.of('Annots'), ctx.obj([widgetRef]));
    changed.set(page.ref, page.dict);
  }

  const widget = ctx.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFString.of(`Signature${existingSignatures + 1}`),
    V: sigRef,
    F: 132, // Print | Locked
    P: page.ref,
    Rect: [0, 0, 0, 0],
    AP: { N: apRef },
  });

  // The signature dictionary is written by hand so that the offsets of /ByteRange and /Contents are known.
  const head = [
    '<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n',
    `/SubFilter /${fields.subFilter}\n`,
    `/M (${pdfDate(fields.signingTime)})\n`,
  ].join('');
  const texts = concat([
    latin1('/Name '),
    textString(fields.name),
    latin1('\n/Reason '),
    textString(fields.reason),
    latin1('\n/Location '),
    textString(fields.location),
    ...(fields.contactInfo ? [latin1('\n/ContactInfo '), textString(fields.contactInfo)] : []),
    latin1('\n/Prop_Build << /App << /Name /PFTIS >> >>\n'),
  ]);

  const original = pdf[pdf.length - 1] === 0x0a || pdf[pdf.length - 1] === 0x0d ? pdf : concat([pdf, latin1('\n')]);
  const parts: Uint8Array[] = [original];
  let length = original.length;
  const offsets = new Map<number, { offset: number; generation: number }>();
  const push = (bytes: Uint8Array) => {
    parts.push(bytes);
    length += bytes.length;
  };
  const writeObject = (ref: PDFRef, body: Uint8Array) => {
    offsets.set(ref.objectNumber, { offset: length, generation: ref.generationNumber });
    push(concat([latin1(`${ref.objectNumber} ${ref.generationNumber} obj\n`), body, latin1('\nendobj\n')]));
  };

  // Signature dictionary first; remember where its placeholders sit.
  offsets.set(sigRef.objectNumber, { offset: length, generation: 0 });
  push(latin1(`${sigRef.objectNumber} 0 obj\n${head}`));
  const byteRangeAt = length;
  push(latin1(`${' '.repeat(BYTE_RANGE_WIDTH)}\n/Contents `));
  const contentsStart = length;
  push(latin1(`<${'0'.repeat(contentsBytes * 2)}>`));
  const contentsEnd = length;
  push(concat([latin1('\n'), texts, latin1('>>\nendobj\n')]));

  writeObject(widgetRef, bytesOf(widget));
  writeObject(apRef, latin1('<< /Type /XObject /Subtype /Form /BBox [0 0 0 0] /Resources << >> /Length 0 >>\nstream\n\nendstream'));
  for (const [ref, obj] of changed) writeObject(ref, bytesOf(obj));

  const trailerEntries = [`/Size ${nextNumber}`, `/Root ${rootRef.objectNumber} ${rootRef.generationNumber} R`];
  const info = ctx.trailerInfo.Info;
  if (info instanceof PDFRef) trailerEntries.push(`/Info ${info.objectNumber} ${info.generationNumber} R`);
  const id = ctx.trailerInfo.ID;
  const idBytes = id ? Buffer.from(bytesOf(id)).toString('latin1') : null;
  if (idBytes) trailerEntries.push(`/ID ${idBytes}`);
  trailerEntries.push(`/Prev ${xref.offset}`);

  const numbers = [...offsets.keys()].sort((a, b) => a - b);
  const xrefStart = length;
  if (xref.isStream) {
    // The previous section is a cross-reference stream: continue with one (uncompressed, W [1 4 2]).
    const xrefRef = nextNumber++;
    trailerEntries[0] = `/Size ${nextNumber}`;
    offsets.set(xrefRef, { offset: xrefStart, generation: 0 });
    numbers.push(xrefRef);
    const data = Buffer.alloc(numbers.length * 7);
    numbers.forEach((n, i) => {
      const entry = offsets.get(n)!;
      data.writeUInt8(1, i * 7);
      data.writeUInt32BE(entry.offset, i * 7 + 1);
      data.writeUInt16BE(entry.generation, i * 7 + 5);
    });
    const index = numbers.map((n) => `${n} 1`).join(' ');
    push(latin1(`${xrefRef} 0 obj\n<< /Type /XRef ${trailerEntries.join(' ')} /W [1 4 2] /Index [${index}] /Length ${data.length} >>\nstream\n`));
    push(new Uint8Array(data));
    push(latin1(`\nendstream\nendobj\nstartxref\n${xrefStart}\n%%EOF\n`));
  } else {
    const lines = ['xref'];
    for (const n of numbers) {
      const entry = offsets.get(n)!;
      lines.push(`${n} 1`, `${String(entry.offset).padStart(10, '0')} ${String(entry.generation).padStart(5, '0')} n `);
    }
    push(latin1(`${lines.join('\n')}\ntrailer\n<< ${trailerEntries.join(' ')} >>\nstartxref\n${xrefStart}\n%%EOF\n`));
  }

  const out = concat(parts);
  const byteRange: [number, number, number, number] = [0, contentsStart, contentsEnd, out.length - contentsEnd];
  const rangeText = `/ByteRange [${byteRange.join(' ')}]`.padEnd(BYTE_RANGE_WIDTH, ' ');
  if (rangeText.length > BYTE_RANGE_WIDTH) throw new SigningError('signing.unsupported-pdf', 'the PDF is too large to sign');
  out.set(latin1(rangeText), byteRangeAt);
  return { pdf: out, byteRange, contentsOffset: contentsStart + 1, contentsHexLength: contentsBytes * 2 };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading signatures back

export interface PdfSignatureEntry {
  fieldName: string | null;
  subFilter: string | null;
  byteRange: number[];
  reason: string | null;
  location: string | null;
  name: string | null;
  contactInfo: string | null;
  claimedTime: Date | null;
  /** The /Contents value as parsed from the dictionary. */
  contents: Uint8Array | null;
}

function text(dict: PDFDict, key: string): string | null {
  const value = dict.lookup(PDFName.of(key));
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : null;
}

/** Every signature dictionary in the file (all revisions), with the field that holds it. */
export async function findSignatureDictionaries(pdf: Uint8Array): Promise<PdfSignatureEntry[]> {
  const doc = await loadPdf(pdf);
  const objects = doc.context.enumerateIndirectObjects();
  const fieldNames = new Map<number, string>();
  for (const [, obj] of objects) {
    if (!(obj instanceof PDFDict) || obj.get(PDFName.of('FT')) !== PDFName.of('Sig')) continue;
    const v = obj.get(PDFName.of('V'));
    const t = text(obj, 'T');
    if (v instanceof PDFRef && t !== null) fieldNames.set(v.objectNumber, t);
  }
  const entries: PdfSignatureEntry[] = [];
  for (const [ref, obj] of objects) {
    if (!(obj instanceof PDFDict)) continue;
    const byteRange = obj.lookup(PDFName.of('ByteRange'));
    if (!(byteRange instanceof PDFArray) || !obj.has(PDFName.of('Contents'))) continue;
    let claimedTime: Date | null = null;
    const m = obj.lookup(PDFName.of('M'));
    if (m instanceof PDFString || m instanceof PDFHexString) {
      try {
        claimedTime = m.decodeDate();
      } catch {
        claimedTime = null;
      }
    }
    const subFilter = obj.lookup(PDFName.of('SubFilter'));
    const contents = obj.lookup(PDFName.of('Contents'));
    entries.push({
      fieldName: fieldNames.get(ref.objectNumber) ?? null,
      subFilter: subFilter instanceof PDFName ? subFilter.decodeText() : null,
      byteRange: byteRange.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : Number.NaN)),
      reason: text(obj, 'Reason'),
      location: text(obj, 'Location'),
      name: text(obj, 'Name'),
      contactInfo: text(obj, 'ContactInfo'),
      claimedTime,
      contents: contents instanceof PDFHexString || contents instanceof PDFString ? contents.asBytes() : null,
    });
  }
  return entries.sort((a, b) => (a.byteRange[1] ?? 0) - (b.byteRange[1] ?? 0));
}
