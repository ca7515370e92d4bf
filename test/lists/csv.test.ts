import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectSeparator, emailColumn, parseCsv } from '../../service/src/lists/csv.js';

describe('CSV import reader', () => {
  it('reads quotes, doubled quotes, CRLF, semicolons and a BOM', async () => {
    const rows = await parseCsv('\ufeffEmail,Name\r\n"a@x.com","Doe, ""Jo"""\r\nb@y.com;Bo\n\n');
    expect(rows).toEqual([
      ['Email', 'Name'],
      ['a@x.com', 'Doe, "Jo"'],
      ['b@y.com', 'Bo'],
    ]);
  });

  it('finds the address column by header or by content', () => {
    expect(
      emailColumn([
        ['Name', 'E-mail'],
        ['x', 'a@x.com'],
      ]),
    ).toEqual({ index: 1, hasHeader: true });
    expect(emailColumn([['Jo', 'a@x.com']])).toEqual({ index: 1, hasHeader: false });
  });

  it('refuses files with more rows than allowed', async () => {
    await expect(parseCsv('a\nb\nc\n', 2)).rejects.toThrow(/more than 2 rows/);
  });
});

describe('real exports', () => {
  const fixture = (name: string) => readFileSync(new URL(`../fixtures/csv/${name}`, import.meta.url), 'utf8');

  it("reads Excel's semicolon export (German locale): BOM, CRLF, commas in names, a quoted semicolon", async () => {
    const rows = await parseCsv(fixture('excel-de-semicolon.csv'));
    expect(rows).toEqual([
      ['E-Mail', 'Vorname', 'Nachname', 'Firma'],
      ['anna.mueller@example.de', 'Anna', 'Müller, geb. Schmidt', 'Müller & Söhne GmbH'],
      ['j.weber@example.at', 'Jürgen', 'Weber', 'Weber; Partner OG'],
      ['FRANZ@EXAMPLE.CH', 'Franz', 'Keller', 'Keller AG'],
    ]);
    expect(emailColumn(rows)).toEqual({ index: 0, hasHeader: true });
  });

  it("reads Excel's comma export (US locale) with quoted commas and doubled quotes", async () => {
    const rows = await parseCsv(fixture('excel-us-comma.csv'));
    expect(rows[1]).toEqual(['sam@example.com', 'Sam Lee', 'Acme, Inc.', 'Met at the "Spring" fair']);
    expect(rows[2]).toEqual(['pat@example.org', 'Pat Kim', 'Globex', '']);
    expect(emailColumn(rows)).toEqual({ index: 0, hasHeader: true });
  });

  it('reads Sugar\'s Contacts export: every field quoted, line breaks inside fields, "Email Address" as the header', async () => {
    const rows = await parseCsv(fixture('sugar-contacts-export.csv'));
    expect(rows).toHaveLength(4);
    expect(rows[1][8]).toBe("12 St James's Square\nLondon");
    expect(rows[1][9]).toBe('Prefers "plain text" mail.\nCall before noon.');
    expect(emailColumn(rows)).toEqual({ index: 6, hasHeader: true });
    expect(rows.slice(1).map((r) => r[6])).toEqual(['ada@example.co.uk', 'grace@example.com', '']);
  });

  it('detects the separator from the header line, outside quotes', () => {
    expect(detectSeparator('a;b;c\n1,2;3')).toBe(';');
    expect(detectSeparator('"x;y",b\n')).toBe(',');
    expect(detectSeparator('email\n')).toBe(',');
  });

  it('finds the address column by content under a header it does not know', () => {
    expect(
      emailColumn([
        ['Kontakt', 'Adresse'],
        ['Jo', 'jo@example.test'],
      ]),
    ).toEqual({ index: 1, hasHeader: true });
  });

  it('reads lines of the other separator alike, split or (with quotes) read again, however many', async () => {
    const mixed = 'email;name\nann@example.com;Ann\nbob@example.com,Bob\n"cy@example.com","Cy, Jr."\n';
    expect(await parseCsv(mixed)).toEqual([
      ['email', 'name'],
      ['ann@example.com', 'Ann'],
      ['bob@example.com', 'Bob'],
      ['cy@example.com', 'Cy, Jr.'],
    ]);
    // 199,999 such lines, each once read again by a reader of its own (5.5 s on the main thread), now split as it would.
    const many = await parseCsv(`email;name\n${'dee@example.com,Dee\n'.repeat(199_999)}`);
    expect(many).toHaveLength(200_000);
    expect(many[199_999]).toEqual(['dee@example.com', 'Dee']);
    // Rows pasted from Sugar's export (every field quoted) under a header typed in German Excel: all read.
    const pasted = await parseCsv(`E-Mail;Name\n${'"hans@example.de","Müller, Hans"\n'.repeat(1500)}`);
    expect(pasted).toHaveLength(1501);
    expect(pasted[1500]).toEqual(['hans@example.de', 'Müller, Hans']);
  });

  it('keeps a line of the other separator whose quote never closes as it was read, and reads the lines around it', async () => {
    const rows = await parseCsv('email;name\n"eve@example.com","Eve"\nbad@example.com,"Bad\nfay@example.com,Fay\n');
    expect(rows).toEqual([['email', 'name'], ['eve@example.com', 'Eve'], ['bad@example.com,"Bad'], ['fay@example.com', 'Fay']]);
    // Among 1,500 pasted rows, one bad line: it alone stays as read, every other row is read.
    const many = await parseCsv(`email;name\nbad@example.com,"Bad\n${'"hans@example.de","Müller, Hans"\n'.repeat(1500)}`);
    expect(many).toHaveLength(1502);
    expect(many[1]).toEqual(['bad@example.com,"Bad']);
    expect(many.slice(2).every((r) => r.length === 2 && r[1] === 'Müller, Hans')).toBe(true);
    // One that opens a quoted field no line closes is no CSV: refused, naming where.
    await expect(parseCsv('email;name\n"bad@example.com;Bad\n')).rejects.toThrow(/Quote Not Closed/);
  });
});
