// The text/plain alternative, derived from the HTML once per campaign. Merge tags are
// shielded from html-to-text (which would wrap them across lines) and href slots become
// the same per-recipient URLs as in the HTML, so both parts stay consistent.
import { compile } from 'html-to-text';

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

const toText = compile({
  wordwrap: 78,
  selectors: [
    ...HEADINGS,
    { selector: 'img', format: 'skip' }, // an empty-alt image would print its URL: the open pixel
    { selector: 'table', format: 'block', options: { uppercaseHeaderCells: false } },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
  ],
});

const LIQUID_TAG = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const PLACEHOLDER = /lfq(\d+)x|lfslot(\d+)x/g;

/**
 * @param parts HTML split at href slots (as from extractLinks), merge tags still in it
 * @returns Liquid source for the text part, slot i rendered as `{{ __lf.s[i] }}`
 */
export function buildTextSource(parts: string[]): string {
  const html = parts.reduce((acc, part, i) => acc + (i === 0 ? '' : `lfslot${i - 1}x`) + part, '');
  const tags: string[] = [];
  const shielded = html.replace(LIQUID_TAG, (tag) => `lfq${tags.push(tag) - 1}x`);
  const text = toText(shielded);
  let out = '';
  let cursor = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    out += literal(text.slice(cursor, m.index));
    out += m[1] !== undefined ? tags[Number(m[1])] : `{{ __lf.s[${m[2]}] }}`;
    cursor = (m.index ?? 0) + m[0].length;
  }
  return out + literal(text.slice(cursor));
}

/** Text that html-to-text produced from entities (e.g. &#123;&#123;) must not become Liquid. */
function literal(s: string): string {
  return /\{\{|\{%/.test(s) ? `{% raw %}${s.replace(/\{%\s*endraw/g, '{ %endraw')}{% endraw %}` : s;
}
