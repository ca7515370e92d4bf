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
 * Characters read per turn of the event loop. The reader makes an error object for every line whose fields differ
 * in number from the first line's (kept, as the options allow): 13 µs each, so 800 KB of such lines held the loop
 * 4.5 s when read at once.
 */
const CHUNK = 4 * 1024;
/** The reader's records, a chunk per event-loop turn, stopping after `to`. */
async function readRecords(text: string, options: Record<string, unknown>, to: number): Promise<string[][]> {
  const records: string[][] = [];
  const p = parser({ ...options, to });
  p.on('data', (r: string[]) => records.push(r));
  let failed = false;
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', (err) => {
      failed = true;
      reject(err);
    });
  });
  done.catch(() => undefined); // awaited below; an error between two chunks must not go unhandled meanwhile
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

/** One line read alone with `delimiter`; as it was read when it cannot be (an unclosed quote). */
function readLine(line: string, delimiter: Separator): string[] {
  try {
    return (parse(line, { ...OPTIONS, delimiter }) as string[][])[0] ?? [line];
  } catch {
    return [line];
  }
}

/**
 * Lines of the other separator holding quotes, each read again with it: a reader per line (25 µs), so the loop is
 * given back every 256 lines (200,000 such lines read at once held it 5.5 s).
 */
async function rereadQuoted(rows: string[][], at: number[], other: Separator): Promise<void> {
  for (const [n, i] of at.entries()) {
    rows[i] = readLine(rows[i][0], other);
    if (n % 256 === 255) await new Promise((r) => setImmediate(r));
  }
}

export async function parseCsv(text: string, maxRows = 200_000): Promise<string[][]> {
  const delimiter = detectSeparator(text.replace(/^\ufeff/, ''));
  const other: Separator = delimiter === ',' ? ';' : ',';
  const records = await readRecords(text, { ...OPTIONS, delimiter }, maxRows + 1);
  const columns = records[0]?.length ?? 0;
  const quoted: number[] = [];
  const rows = records.map((row, i) => {
    if (columns < 2 || row.length !== 1 || !row[0].includes(other)) return row;
    if (!/["\r\n]/.test(row[0])) return row[0].split(other);
    quoted.push(i);
    return row;
  });
  await rereadQuoted(rows, quoted, other);
  const kept = rows.filter((row) => row.some((f) => f.trim() !== ''));
  if (kept.length > maxRows) throw new RangeError(`CSV has more than ${maxRows} rows`);
  return kept;
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
