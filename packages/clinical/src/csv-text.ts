/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. No I/O. */

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  const input = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i++) {
    const char = input[i];
    if (inQuotes) {
      if (char === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        field += char;
      }
    } else if (char === '"') {
      inQuotes = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && input[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((cells) => !(cells.length === 1 && cells[0]?.trim() === ''));
}

/** Rows as objects keyed by the (trimmed) header names. */
export function parseCsvRecords(text: string): { header: string[]; records: Record<string, string>[] } {
  const [headerRow, ...body] = parseCsv(text);
  const header = (headerRow ?? []).map((name) => name.trim());
  const records = body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
  return { header, records };
}

function quoteField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function formatCsv(header: readonly string[], records: ReadonlyArray<Record<string, string>>): string {
  const lines = [header.map(quoteField).join(',')];
  for (const record of records) lines.push(header.map((name) => quoteField(record[name] ?? '')).join(','));
  return `${lines.join('\n')}\n`;
}
