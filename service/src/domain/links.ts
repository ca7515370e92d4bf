// Finds the links of an HTML template once per campaign and turns each href into a slot, so
// per-recipient work is string joining instead of HTML parsing. A small tag scanner (not a
// regex over the whole document) so comments, Outlook conditional blocks, <script>/<style>
// bodies and <link href> stylesheets are never touched.

export interface LinkSlotTemplate {
  /** HTML around the slots: parts[i] ends with `href="`, parts[i + 1] starts with `"`. */
  parts: string[];
  /** Unique tracked http(s) links; index = link index in click tokens. */
  links: string[];
  /** Per slot: index into links, or -1 for an untracked slot (an href holding merge tags). */
  slotLinkIndex: number[];
  /** Per slot: the href as written (entities decoded), merge tags still in it. */
  slotHrefs: string[];
}

export const NO_TRACK_ATTRIBUTE = 'data-leadfwd-notrack';
const RAW_TEXT_TAGS = new Set(['script', 'style', 'textarea', 'title', 'xmp']);
const LINK_TAGS = new Set(['a', 'area']);
const MERGE = /\{\{|\{%/;
const TRACKABLE = /^https?:\/\/[^\s]/i;
const DANGEROUS = /^(?:javascript|data|vbscript):/i;

interface Attr { name: string; start: number; end: number; valueStart: number; valueEnd: number; value: string | null }
interface Edit { start: number; end: number; text: string; slot?: { href: string } }

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the entities that matter in URLs; unterminated ones stay literal as in HTML attributes. */
export function decodeAttributeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ent.toLowerCase()] ?? whole;
  });
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f';
}

/** Parses attributes from just after the tag name; returns them and the index after '>'. */
function scanAttributes(html: string, from: number): { attrs: Attr[]; end: number } {
  const attrs: Attr[] = [];
  let i = from;
  const n = html.length;
  while (i < n) {
    while (i < n && (isSpace(html[i]) || html[i] === '/')) i++;
    if (i >= n) break;
    if (html[i] === '>') return { attrs, end: i + 1 };
    const start = i;
    while (i < n && !isSpace(html[i]) && html[i] !== '>' && html[i] !== '=' && !(html[i] === '/' && html[i + 1] === '>')) i++;
    const name = html.slice(start, i).toLowerCase();
    let j = i;
    while (j < n && isSpace(html[j])) j++;
    if (html[j] !== '=') {
      attrs.push({ name, start, end: i, valueStart: i, valueEnd: i, value: null });
      continue;
    }
    j++;
    while (j < n && isSpace(html[j])) j++;
    const q = html[j];
    if (q === '"' || q === "'") {
      const close = html.indexOf(q, j + 1);
      const stop = close < 0 ? n : close;
      attrs.push({ name, start, end: Math.min(stop + 1, n), valueStart: j, valueEnd: Math.min(stop + 1, n), value: html.slice(j + 1, stop) });
      i = stop + 1;
    } else {
      let k = j;
      while (k < n && !isSpace(html[k]) && html[k] !== '>') k++;
      attrs.push({ name, start, end: k, valueStart: j, valueEnd: k, value: html.slice(j, k) });
      i = k;
    }
  }
  return { attrs, end: n };
}

function linkEdits(attrs: Attr[]): Edit[] {
  const edits: Edit[] = [];
  const marker = attrs.find((a) => a.name === NO_TRACK_ATTRIBUTE);
  const href = attrs.find((a) => a.name === 'href');
  if (marker) edits.push({ start: marker.start, end: marker.end, text: '' });
  if (href && href.value !== null) {
    const decoded = decodeAttributeEntities(href.value).trim();
    const span = { start: href.valueStart, end: href.valueEnd };
    if (MERGE.test(decoded)) edits.push({ ...span, text: '', slot: { href: decoded } });
    else if (DANGEROUS.test(decoded)) edits.push({ ...span, text: '"#"' });
    else if (!marker && TRACKABLE.test(decoded)) edits.push({ ...span, text: '', slot: { href: decoded } });
  }
  return edits.sort((a, b) => a.start - b.start);
}

function collectEdits(html: string): Edit[] {
  const edits: Edit[] = [];
  const n = html.length;
  const lower = html.toLowerCase();
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? n : close + 3;
      continue;
    }
    const next = html[lt + 1] ?? '';
    if (next === '!' || next === '?' || next === '/') {
      const close = html.indexOf('>', lt + 2);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(next)) {
      i = lt + 1;
      continue;
    }
    let j = lt + 1;
    while (j < n && /[A-Za-z0-9:-]/.test(html[j])) j++;
    const tag = html.slice(lt + 1, j).toLowerCase();
    const { attrs, end } = scanAttributes(html, j);
    if (LINK_TAGS.has(tag)) edits.push(...linkEdits(attrs));
    i = end;
    if (RAW_TEXT_TAGS.has(tag)) {
      const close = lower.indexOf(`</${tag}`, i);
      i = close < 0 ? n : close;
    }
  }
  return edits;
}

export function extractLinks(html: string): LinkSlotTemplate {
  const parts: string[] = [];
  const links: string[] = [];
  const linkIndex = new Map<string, number>();
  const slotLinkIndex: number[] = [];
  const slotHrefs: string[] = [];
  let cursor = 0;
  let current = '';
  for (const edit of collectEdits(html)) {
    current += html.slice(cursor, edit.start);
    cursor = edit.end;
    if (!edit.slot) {
      current += edit.text;
      continue;
    }
    parts.push(current + '"');
    current = '"';
    const href = edit.slot.href;
    let index = -1;
    if (!MERGE.test(href)) {
      index = linkIndex.get(href) ?? -1;
      if (index < 0) {
        index = links.push(href) - 1;
        linkIndex.set(href, index);
      }
    }
    slotLinkIndex.push(index);
    slotHrefs.push(href);
  }
  parts.push(current + html.slice(cursor));
  return { parts, links, slotLinkIndex, slotHrefs };
}
