import { describe, expect, it } from 'vitest';
import { encodeUnstructured, formatMailbox, qpEncode, rfc5322Date, sanitizeHeaderText } from '../../service/src/mail/mime.js';
import { qpDecode } from './helpers.js';

describe('qpEncode', () => {
  it.each<[string, string]>([
    ['plain ASCII', 'Hello world'],
    ['equals signs', 'a=b&c==d'],
    ['UTF-8 of every width', 'Grüße, €100, 日本語, emoji 🎉 done'],
    ['blank runs and tabs', 'a  b\t\tc   d'],
    ['trailing blanks on lines', 'line one   \nline two \t\nlast '],
    ['CRLF and LF mixed', 'a\r\nb\nc\r\n'],
    ['a 5,000 character line', 'x'.repeat(4999) + '='],
    ['long line of multi-byte characters', 'ü'.repeat(300)],
    ['dots starting lines, hard and soft', '.mj-column { }\n..\n.\n' + `${'y'.repeat(75)}.after a soft break`],
  ])('round-trips %s', (_name, input) => {
    expect(qpDecode(qpEncode(input))).toBe(input.replace(/\r\n/g, '\n'));
  });

  it('keeps every line within 76 characters, CRLF-terminated, with no bare LF', () => {
    const out = qpEncode(('Lorem ipsum ünd dolor = sit amet ' + 'y'.repeat(90) + '\n').repeat(20));
    for (const line of out.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('is already in DKIM relaxed body form: no blank runs, no trailing blanks', () => {
    const out = qpEncode('a    b \t c   \nnext\t\n  indented');
    for (const line of out.split('\r\n')) {
      expect(line).not.toMatch(/[ \t]$/);
      expect(line).not.toMatch(/[ \t]{2}|\t/);
    }
  });

  it('starts no line with a dot, so SMTP has nothing to stuff (clean-data.ts)', () => {
    const out = qpEncode(`.a\n..b\nc.\n${'x'.repeat(75)}.d ${'.'.repeat(200)}`);
    expect(out).not.toMatch(/(^|\r\n)\./);
    expect(out.startsWith('=2Ea\r\n=2E.b\r\nc.\r\n')).toBe(true);
  });

  it('encodes a lone surrogate as U+FFFD instead of invalid UTF-8', () => {
    expect(qpDecode(qpEncode('a\ud800b'))).toBe('a\ufffdb');
  });
});

describe('header helpers', () => {
  it.each<[string, string]>([
    ['CRLF injection', 'Hello\r\nBcc: victim@example.com'],
    ['LF only', 'Hello\nX-Evil: 1'],
    ['Unicode line separator', 'Hello\u2028Bcc: x@y.z'],
    ['NUL and other controls', 'Hel\u0000lo\u0007'],
  ])('sanitizeHeaderText neutralises %s', (_name, input) => {
    const out = sanitizeHeaderText(input);
    expect(out).not.toMatch(/[\r\n\u0000-\u001f\u2028]/);
    expect(out.startsWith('Hel')).toBe(true);
  });

  it('leaves short ASCII subjects alone and folds long ones on spaces', () => {
    expect(encodeUnstructured('Hello there', 7)).toBe('Hello there');
    const long = encodeUnstructured(Array.from({ length: 30 }, (_, i) => `word${i}`).join(' '), 7);
    expect(long).toContain('\r\n ');
    for (const line of long.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(long.replace(/\r\n /g, ' ')).toBe(Array.from({ length: 30 }, (_, i) => `word${i}`).join(' '));
  });

  it('writes non-ASCII subjects as RFC 2047 words of at most 75 characters', () => {
    const text = 'Grüße aus München — 日本語 '.repeat(5);
    const out = encodeUnstructured(text, 7);
    const words = out.split('\r\n ');
    for (const w of words) {
      expect(w).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(w.length).toBeLessThanOrEqual(75);
    }
    const decoded = words.map((w) => Buffer.from(w.slice(10, -2), 'base64').toString('utf8')).join('');
    expect(decoded).toBe(text);
  });

  it.each<[string | undefined, string, string]>([
    ['ACME News', 'news@acme.example', '"ACME News" <news@acme.example>'],
    ['Quote " and \\ backslash', 'a@b.example', '"Quote \\" and \\\\ backslash" <a@b.example>'],
    ['Evil\r\nBcc: x@y.z', 'a@b.example', '"Evil Bcc: x@y.z" <a@b.example>'],
    [undefined, 'a@bücher.de', '<a@xn--bcher-kva.de>'],
    ['', 'a@b.example>\r\nBcc: x@y.z', '<a@b.exampleBcc:x@y.z>'],
  ])('formatMailbox(%j, %j)', (name, email, expected) => {
    expect(formatMailbox(name, email)).toBe(expected);
  });

  it('encodes a non-ASCII display name', () => {
    expect(formatMailbox('Müller GmbH', 'a@b.example')).toMatch(/^=\?UTF-8\?B\?[^ ]+\?= <a@b\.example>$/);
  });

  it('formats dates with a numeric zone', () => {
    expect(rfc5322Date(Date.UTC(2026, 10, 26, 17, 5, 9))).toBe('Thu, 26 Nov 2026 17:05:09 +0000');
  });
});
