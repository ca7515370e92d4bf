// Reading list imports with csv-parse (RFC 4180 and what spreadsheets really write: a BOM, CRLF or LF, quoted
// fields with doubled quotes and line breaks inside). The separator is detected from the header line: Excel in
// many European locales writes `;` and leaves commas in names unquoted ("Müller, Hans"), Sugar and most others
// write `,`. A line written with the other separator in a file of several columns (people paste rows from
// another sheet) is read again with that one, as the hand-written reader this replaces did.
import { parse } from 'csv-parse/sync';

type Separator = ',' | ';';

/** The separator of the first line outside quotes: `;` when it has more of them than commas, else `,`. */
export function detectSeparator(text: string): Separator {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of text.slice(0, 64 * 1024)) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

const OPTIONS = { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'] };

export function parseCsv(text: string, maxRows = 200_000): string[][] {
  const delimiter = detectSeparator(text.replace(/^\ufeff/, ''));
  const other: Separator = delimiter === ',' ? ';' : ',';
  let columns = 0;
  const rows = (parse(text, { ...OPTIONS, delimiter, to: maxRows + 1 }) as string[][])
    .map((row, i) => {
      if (i === 0) columns = row.length;
      if (columns > 1 && row.length === 1 && row[0].includes(other)) return (parse(row[0], { ...OPTIONS, delimiter: other }) as string[][])[0] ?? row;
      return row;
    })
    .filter((row) => row.some((f) => f.trim() !== ''));
  if (rows.length > maxRows) throw new RangeError(`CSV has more than ${maxRows} rows`);
  return rows;
}

// Header names spreadsheets and Sugar use for the address column ("Email Address" is Sugar's export label).
const EMAIL_HEADER = /^\s*(e-?mail|e-?mail[ _-]?address(es)?|e-?mail[ _-]?adresse|adresse e-?mail|courriel|email1)\s*$/i;

/** Column index of the e-mail address: a header named like "email", else the first column holding an @. */
export function emailColumn(rows: string[][]): { index: number; hasHeader: boolean } {
  const header = rows[0] ?? [];
  const named = header.findIndex((h) => EMAIL_HEADER.test(h));
  if (named >= 0) return { index: named, hasHeader: true };
  const guess = header.findIndex((h) => h.includes('@'));
  if (guess >= 0) return { index: guess, hasHeader: false };
  // A header row we do not recognise: the first column whose values in the next rows hold addresses.
  const sample = rows.slice(1, 6);
  const byContent = header.findIndex((_, i) => sample.some((r) => (r[i] ?? '').includes('@')));
  return { index: Math.max(byContent, 0), hasHeader: byContent >= 0 };
}
