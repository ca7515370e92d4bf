// Merge fields in the send flow: which Sugar fields a message uses (so LeadFWD reads them at extraction), how a field
// is named to a person (Sugar's own label, not its API name), and the tag the insert helper puts in. No DOM.
import type { MergeField } from '../shared/service-types.js';

/** Read for every target at extraction whatever the message uses (service/src/services/extract-targets.ts). */
export const ALWAYS_READ = new Set(['id', 'email', 'first_name', 'last_name', 'name', 'full_name', 'salutation', 'title', 'account_name']);
/** Names the message can use that are not Sugar fields. */
const RESERVED = new Set(['unsubscribe_url', 'forloop', 'tablerowloop', 'empty', 'blank', 'nil', 'null', 'true', 'false']);

/** Every name a Liquid output or tag reads: {{ region_c }}, {{ region_c | default: "x" }}, {% if region_c %}. */
export function namesUsed(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\{\{-?\s*([A-Za-z_]\w*)/g)) out.add(m[1]);
  for (const m of text.matchAll(/\{%-?\s*(?:if|unless|elsif|case|when)\s+([A-Za-z_]\w*)/g)) out.add(m[1]);
  return [...out].filter((n) => !RESERVED.has(n));
}

/**
 * The fields LeadFWD must read beyond the ones it always reads: every name the subject or content uses that is a
 * mergeable field of a module we know, or looks like a Sugar custom field (`*_c`).
 */
export function fieldsToRead(texts: string[], known: Iterable<string>): string[] {
  const knownSet = new Set(known);
  return namesUsed(texts.join('\n'))
    .filter((n) => !ALWAYS_READ.has(n) && (knownSet.has(n) || n.endsWith('_c')))
    .sort();
}

const humanize = (name: string) => {
  const words = name.replace(/_c$/, '').split('_').filter(Boolean).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Sugar's label for a field (`translate(vname, module)`, without the trailing colon Sugar drops too), else its name in words. */
export function fieldLabel(f: Pick<MergeField, 'name' | 'label'>, translate: (key: string) => string): string {
  const text = f.label ? translate(f.label) : '';
  return text && text !== f.label ? text.replace(/:\s*$/, '') : humanize(f.name);
}

/** The tag the insert helper writes: with a default when one is given (quotes in it are dropped). */
export function mergeTag(name: string, fallback = ''): string {
  const d = fallback.replace(/["{}%]/g, '').trim();
  return d ? `{{ ${name} | default: "${d}" }}` : `{{ ${name} }}`;
}

/** Puts `tag` in `value` in place of the selection [start, end); returns the new value and where the caret goes. */
export function insertAt(value: string, start: number, end: number, tag: string): { value: string; caret: number } {
  const s = Math.max(0, Math.min(start, value.length));
  const e = Math.max(s, Math.min(end, value.length));
  return { value: value.slice(0, s) + tag + value.slice(e), caret: s + tag.length };
}

/** HTML content wrapped as MJML: one text block holding the HTML (the inside of <body> when it is a whole page). */
export function htmlToMjml(html: string): string {
  const body = /<body\b[^>]*>([\s\S]*)<\/body>/i.exec(html);
  const inner = (body ? body[1] : html).trim();
  return `<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n        <mj-text>\n${inner}\n        </mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>\n`;
}

export const looksLikeMjml = (content: string) => /^\s*(<!--[\s\S]*?-->\s*)*<mjml[\s>]/i.test(content);
