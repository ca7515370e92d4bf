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

/**
 * Replaces each `{{ … }}` and `{% … %}` (first closer wins, as /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g did) in one
 * pass. The regular expression rescanned the rest of the input from every unclosed '{{' (quadratic).
 */
function replaceLiquidTags(html: string, fn: (tag: string) => string): string {
  let out = '';
  let cursor = 0;
  let noCloseOutput = false; // no '}}' after some point: no later '{{' can close either
  let noCloseTag = false;
  for (let i = html.indexOf('{', cursor); i >= 0 && i < html.length - 1; i = html.indexOf('{', i + 1)) {
    const next = html[i + 1];
    if (next !== '{' && next !== '%') continue;
    if ((next === '{' && noCloseOutput) || (next === '%' && noCloseTag)) continue;
    const close = html.indexOf(next === '{' ? '}}' : '%}', i + 2);
    if (close < 0) {
      if (next === '{') noCloseOutput = true;
      else noCloseTag = true;
      if (noCloseOutput && noCloseTag) break;
      continue;
    }
    out += html.slice(cursor, i) + fn(html.slice(i, close + 2));
    cursor = close + 2;
    i = close + 1;
  }
  return out + html.slice(cursor);
}
const PLACEHOLDER = /lfq(\d+)x|lfslot(\d+)x/g;

/**
 * @param parts HTML split at href slots (as from extractLinks), merge tags still in it
 * @returns Liquid source for the text part, slot i rendered as `{{ __lf.s[i] }}`
 */
export function buildTextSource(parts: string[]): string {
  const html = parts.reduce((acc, part, i) => acc + (i === 0 ? '' : `lfslot${i - 1}x`) + part, '');
  const tags: string[] = [];
  const shielded = replaceLiquidTags(html, (tag) => `lfq${tags.push(tag) - 1}x`);
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
