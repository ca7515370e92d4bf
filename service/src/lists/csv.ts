// Reading list imports with csv-parse (RFC 4180 and what spreadsheets really write: a BOM, CRLF or LF, quoted
// fields with doubled quotes and line breaks inside). The separator is detected from the header line: Excel in
// many European locales writes `;` and leaves commas in names unquoted ("Müller, Hans"), Sugar and most others
// write `,`. A line written with the other separator in a file of several columns (people paste rows from
// another sheet) is read again with that one, as the hand-written reader this replaces did.
import { parse as parser } from 'csv-parse';
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
/**
 * Lines of the other separator that hold quotes, each read again by the CSV reader (about 25 µs a call, on the main
 * thread: 200,000 such lines held it 5.5 s). Any number without quotes are split as the reader would split them.
 */
export const MAX_QUOTED_OTHER_LINES = 1_000;

/**
 * Characters read per turn of the event loop. The reader makes an error object for every line whose fields differ
 * in number from the first line's (kept, as the options allow): 13 µs each, 2.7 s for a 1 MB file held the loop whole.
 */
const CHUNK = 4 * 1024;

/** The reader's records, a chunk per event-loop turn, stopping after `to`. */
async function readRecords(text: string, options: Record<string, unknown>, to: number): Promise<string[][]> {
  const records: string[][] = [];
  const p = parser({ ...options, to });
  p.on('data', (r: string[]) => records.push(r));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  let failed = false;
  p.on('error', () => {
    failed = true;
  });
  for (let i = 0; i < text.length && !failed && records.length < to; ) {
    let end = Math.min(i + CHUNK, text.length);
    if (end < text.length && /[\ud800-\udbff]/.test(text[end - 1])) end++; // never half a surrogate pair
    p.write(text.slice(i, end));
    i = end;
    await new Promise((r) => setImmediate(r));
  }
  p.end();
  await done;
  return records;
}

export async function parseCsv(text: string, maxRows = 200_000): Promise<string[][]> {
  const delimiter = detectSeparator(text.replace(/^\ufeff/, ''));
  const other: Separator = delimiter === ',' ? ';' : ',';
  let columns = 0;
  let quotedOther = 0;
  const reread = (field: string): string[] => {
    if (!/["\r\n]/.test(field)) return field.split(other);
    if (++quotedOther > MAX_QUOTED_OTHER_LINES)
      throw new RangeError(
        `more than ${MAX_QUOTED_OTHER_LINES} lines use "${other}" with quotes in a file separated by "${delimiter}": save it with one separator`,
      );
    return (parse(field, { ...OPTIONS, delimiter: other }) as string[][])[0] ?? [field];
  };
  const rows = (await readRecords(text, { ...OPTIONS, delimiter }, maxRows + 1))
    .map((row, i) => {
      if (i === 0) columns = row.length;
      return columns > 1 && row.length === 1 && row[0].includes(other) ? reread(row[0]) : row;
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
