import { describe, expect, it } from 'vitest';
import { emailColumn, parseCsv } from '../../service/src/lists/csv.js';

describe('CSV import reader', () => {
  it('reads quotes, doubled quotes, CRLF, semicolons and a BOM', () => {
    const rows = parseCsv('\ufeffEmail,Name\r\n"a@x.com","Doe, ""Jo"""\r\nb@y.com;Bo\n\n');
    expect(rows).toEqual([['Email', 'Name'], ['a@x.com', 'Doe, "Jo"'], ['b@y.com', 'Bo']]);
  });

  it('finds the address column by header or by content', () => {
    expect(emailColumn([['Name', 'E-mail'], ['x', 'a@x.com']])).toEqual({ index: 1, hasHeader: true });
    expect(emailColumn([['Jo', 'a@x.com']])).toEqual({ index: 1, hasHeader: false });
  });

  it('refuses files with more rows than allowed', () => {
    expect(() => parseCsv('a\nb\nc\n', 2)).toThrow(/more than 2 rows/);
  });
});
