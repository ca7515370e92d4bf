// Just enough MIME to write one campaign message fast: header encoding (RFC 2047), address
// formatting and a quoted-printable encoder whose output is already in DKIM "relaxed" body
// form (no runs of blanks, no trailing blanks), so signing never has to rewrite the body.
import { domainToASCII } from 'node:url';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => '=' + i.toString(16).toUpperCase().padStart(2, '0'));
const MAX_QP_LINE = 75; // plus the soft-break "=" makes 76
const DOT = 46;

/** Control characters (and Unicode line separators) become spaces: no header can be smuggled in. */
export function sanitizeHeaderText(value: string, maxLength = 500): string {
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, maxLength);
}

function utf8Bytes(cp: number, out: string[]): void {
  if (cp < 0x80) out.push(HEX[cp]);
  else if (cp < 0x800) out.push(HEX[0xc0 | (cp >> 6)], HEX[0x80 | (cp & 63)]);
  else if (cp < 0x10000) out.push(HEX[0xe0 | (cp >> 12)], HEX[0x80 | ((cp >> 6) & 63)], HEX[0x80 | (cp & 63)]);
  else out.push(HEX[0xf0 | (cp >> 18)], HEX[0x80 | ((cp >> 12) & 63)], HEX[0x80 | ((cp >> 6) & 63)], HEX[0x80 | (cp & 63)]);
}

const isLiteral = (c: number) => c > 32 && c < 127 && c !== 61;

/** Quoted-printable (RFC 2045 §6.7) with CRLF line ends; input may use LF or CRLF. */
export function qpEncode(s: string): string {
  let out = '';
  let col = 0;
  let prevBlank = false;
  const n = s.length;
  const tokens: string[] = [];
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isLiteral(c)) {
      let j = i + 1;
      while (j < n && isLiteral(s.charCodeAt(j))) j++;
      while (i < j) {
        if (col >= MAX_QP_LINE) {
          out += '=\r\n';
          col = 0;
        }
        if (col === 0 && s.charCodeAt(i) === DOT) {
          // No line starts with a dot, so the SMTP data stream has nothing to stuff (RFC 5321 §4.5.2; clean-data.ts).
          out += '=2E';
          col = 3;
          i++;
          continue;
        }
        const take = Math.min(MAX_QP_LINE - col, j - i);
        out += s.slice(i, i + take);
        col += take;
        i += take;
      }
      prevBlank = false;
      continue;
    }
    if (c === 10 || c === 13) {
      if (c === 13 && s.charCodeAt(i + 1) === 10) i++;
      out += '\r\n';
      col = 0;
      prevBlank = false;
      i++;
      continue;
    }
    tokens.length = 0;
    if (c === 32) {
      const next = s.charCodeAt(i + 1);
      tokens.push(prevBlank || i + 1 >= n || next === 10 || next === 13 ? '=20' : ' ');
    } else if (c < 128) {
      tokens.push(HEX[c]);
    } else {
      const cp = s.codePointAt(i) ?? 0xfffd;
      if (cp > 0xffff) i++;
      // A lone surrogate cannot be UTF-8; send U+FFFD rather than invalid bytes.
      utf8Bytes(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp, tokens);
    }
    for (const t of tokens) {
      if (col + t.length > MAX_QP_LINE) {
        out += '=\r\n';
        col = 0;
      }
      out += t;
      col += t.length;
    }
    prevBlank = c === 32 && tokens[0] === ' ';
    i++;
  }
  return out;
}

/** RFC 2047 encoded words (base64), each at most 75 characters, never splitting a character. */
function encodedWords(text: string): string[] {
  const words: string[] = [];
  const maxBytes = 45; // 60 base64 chars + "=?UTF-8?B?" + "?=" = 72
  let chunk = '';
  let bytes = 0;
  for (const ch of text) {
    const len = Buffer.byteLength(ch);
    if (bytes + len > maxBytes) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += ch;
    bytes += len;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`);
}

/** An unstructured header value (Subject): folded ASCII, or encoded words when needed. */
export function encodeUnstructured(text: string, nameLength: number): string {
  if (/^[\x20-\x7e]*$/.test(text) && !/=\?/.test(text)) return fold(text, nameLength);
  return encodedWords(text).join('\r\n ');
}

function fold(text: string, nameLength: number): string {
  if (nameLength + 2 + text.length <= 78) return text;
  const words = text.split(' ');
  let out = '';
  let col = nameLength + 2;
  for (const [i, w] of words.entries()) {
    if (i > 0 && col + 1 + w.length > 78) {
      out += '\r\n ' + w;
      col = 1 + w.length;
    } else {
      out += (i > 0 ? ' ' : '') + w;
      col += (i > 0 ? 1 : 0) + w.length;
    }
  }
  return out;
}

/** The address with an IDN domain in ASCII form; the local part is left exactly as given. */
export function asciiAddress(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return email;
  const domain = email.slice(at + 1);
  return /^[\x20-\x7e]*$/.test(domain) ? email : email.slice(0, at + 1) + (domainToASCII(domain) || domain);
}

/** `Name <addr>` with the display name quoted or encoded; header-safe whatever the input. */
export function formatMailbox(name: string | undefined, email: string): string {
  const addr = `<${asciiAddress(sanitizeHeaderText(email, 254).replace(/[<>\s]/g, ''))}>`;
  const display = sanitizeHeaderText(name ?? '', 200);
  if (!display) return addr;
  if (/^[\x20-\x7e]*$/.test(display) && !/=\?/.test(display)) {
    return `"${display.replace(/[\\"]/g, (m) => '\\' + m)}" ${addr}`;
  }
  return `${encodedWords(display).join(' ')} ${addr}`;
}

/** RFC 5322 date with a numeric zone; cached per second because every message needs one. */
let cachedSecond = -1;
let cachedDate = '';
export function rfc5322Date(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(second * 1000).toUTCString().replace(/GMT$/, '+0000');
  }
  return cachedDate;
}
