// Minimal RFC 4180 reader for list imports: quoted fields, doubled quotes, CRLF or LF, a BOM.
export function parseCsv(text: string, maxRows = 200_000): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',' || ch === ';') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
      if (rows.length > maxRows) throw new RangeError(`CSV has more than ${maxRows} rows`);
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

/** Column index of the e-mail address: a header named like "email", else the first column holding an @. */
export function emailColumn(rows: string[][]): { index: number; hasHeader: boolean } {
  const header = rows[0] ?? [];
  const named = header.findIndex((h) => /^\s*(e-?mail|email_?address|email1)\s*$/i.test(h));
  if (named >= 0) return { index: named, hasHeader: true };
  const guess = header.findIndex((h) => h.includes('@'));
  return { index: Math.max(guess, 0), hasHeader: false };
}
