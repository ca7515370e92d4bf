// Request bodies and response encoding the way Sugar does them (§2, fact-check row 8).
import { invalidParameter } from './errors.js';

const MAX_DEPTH = 32;

// PHP's json_decode(..., 32) refuses deeper nesting; scanning first also keeps hostile input off the stack.
function tooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_DEPTH) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

export function parseJsonText(text: string): unknown {
  if (text.trim() === '') return undefined;
  if (tooDeep(text)) throw invalidParameter();
  try {
    return JSON.parse(text);
  } catch {
    throw invalidParameter();
  }
}

export function parseBody(raw: Buffer | undefined, contentType: string | undefined, parseForm: (s: string) => Record<string, unknown>): unknown {
  if (!raw || raw.length === 0) return undefined;
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) return parseForm(raw.toString('utf8'));
  if (type.startsWith('multipart/')) return undefined;
  return parseJsonText(raw.toString('utf8'));
}

const HEX: Record<string, string> = { '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', "'": '\\u0027', '/': '\\/' };

// JSON_HEX_TAG|AMP|APOS plus PHP's escaped slashes; these characters only occur inside JSON strings.
export function encodeJson(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/[<>&'/]/g, (c) => HEX[c]);
}
