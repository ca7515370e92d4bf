// Finds the links of an HTML template once per campaign and turns each href into a slot, so
// per-recipient work is string joining instead of HTML parsing. htmlparser2's tokenizer reads the tags (not a
// regex over the whole document), so comments, Outlook conditional blocks, <script>/<style> bodies and
// <link href> stylesheets are never touched; entities decode with the entities package.
import { decodeHTMLAttribute } from 'entities';
import { QuoteType, Tokenizer } from 'htmlparser2';

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
const LINK_TAGS = new Set(['a', 'area']);
const MERGE = /\{\{|\{%/;
const TRACKABLE = /^https?:\/\/[^\s]/i;
const DANGEROUS = /^(?:javascript|data|vbscript):/i;

/** An attribute's place in the source: the whole of it, and its value with the quotes around it. */
interface Attr {
  name: string;
  start: number;
  end: number;
  valueStart: number;
  valueEnd: number;
  value: string | null;
}
interface Edit {
  start: number;
  end: number;
  text: string;
  slot?: { href: string };
}

function linkEdits(attrs: Attr[]): Edit[] {
  const edits: Edit[] = [];
  const marker = attrs.find((a) => a.name === NO_TRACK_ATTRIBUTE);
  const href = attrs.find((a) => a.name === 'href');
  if (marker) edits.push({ start: marker.start, end: marker.end, text: '' });
  if (href && href.value !== null) {
    // As a browser reads an attribute: `&amp;` and `&#38;` decode, a legacy `&copy` before `=` stays literal.
    const decoded = decodeHTMLAttribute(href.value).trim();
    const span = { start: href.valueStart, end: href.valueEnd };
    if (MERGE.test(decoded)) edits.push({ ...span, text: '', slot: { href: decoded } });
    else if (DANGEROUS.test(decoded)) edits.push({ ...span, text: '"#"' });
    else if (!marker && TRACKABLE.test(decoded)) edits.push({ ...span, text: '', slot: { href: decoded } });
  }
  return edits.sort((a, b) => a.start - b.start);
}

/**
 * The edits every <a>/<area> needs, from htmlparser2's tokenizer (offsets into the source, entities left as
 * written): comments and Outlook's conditional blocks, and the bodies of <script>, <style>, <title> and
 * <textarea>, are never read as tags.
 */
function collectEdits(html: string): Edit[] {
  const edits: Edit[] = [];
  let tag = '';
  let attrs: Attr[] = [];
  let attr: Attr | undefined;
  const tokenizer = new Tokenizer(
    { decodeEntities: false },
    {
      onopentagname(start, end) {
        tag = html.slice(start, end).toLowerCase();
        attrs = [];
      },
      onattribname(start, end) {
        attr = { name: html.slice(start, end).toLowerCase(), start, end, valueStart: end, valueEnd: end, value: null };
      },
      onattribdata(start, end) {
        if (!attr) return;
        if (attr.value === null) {
          attr.valueStart = start;
          attr.value = '';
        }
        attr.value += html.slice(start, end);
        attr.valueEnd = end;
      },
      onattribend(quote, end) {
        if (!attr) return;
        attr.end = end;
        if (quote === QuoteType.Double || quote === QuoteType.Single) {
          if (attr.value === null) {
            attr.value = '';
            attr.valueStart = end - 1;
          }
          attr.valueStart -= 1; // the opening quote
          attr.valueEnd = end; // past the closing quote
        }
        attrs.push(attr);
        attr = undefined;
      },
      onopentagend() {
        if (LINK_TAGS.has(tag)) edits.push(...linkEdits(attrs));
      },
      onselfclosingtag() {
        if (LINK_TAGS.has(tag)) edits.push(...linkEdits(attrs));
      },
      onattribentity() {},
      oncdata() {},
      onclosetag() {},
      oncomment() {},
      ondeclaration() {},
      onend() {},
      onprocessinginstruction() {},
      ontext() {},
      ontextentity() {},
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  return edits;
}

/**
 * `literal`: source ranges the template engine writes out as they are (Liquid's raw blocks). A link there stays as
 * written: made a slot, it went out as the slot's own tag.
 */
export function extractLinks(html: string, literal: ReadonlyArray<readonly [number, number]> = []): LinkSlotTemplate {
  const parts: string[] = [];
  const links: string[] = [];
  const linkIndex = new Map<string, number>();
  const slotLinkIndex: number[] = [];
  const slotHrefs: string[] = [];
  let cursor = 0;
  let current = '';
  // Wholly inside: an href that runs out of a raw block is made a slot, and the template then fails to compile.
  const inRaw = (e: Edit) => literal.some(([start, end]) => e.start >= start && e.end <= end);
  for (const edit of collectEdits(html)) {
    current += html.slice(cursor, edit.start);
    cursor = edit.end;
    if (!edit.slot || inRaw(edit)) {
      current += edit.slot ? html.slice(edit.start, edit.end) : edit.text;
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
