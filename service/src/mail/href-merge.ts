// Hrefs that hold merge tags are personalised, not tracked (the click endpoint only redirects
// to stored campaign URLs). Values after the start of a URL are percent-encoded; a value that
// is the whole URL (href="{{website}}") is kept but must end up with a safe scheme.
import type { Template } from 'liquidjs';
import { parseTemplate, renderSync, type Sandbox } from './liquid-sandbox.js';
import type { TemplateProblem } from './template-error.js';

export type HrefRenderer = (scope: object) => string;

const OUTPUT_TAG = /\{\{[\s\S]*?\}\}/g;
const SAFE_SCHEME = /^(?:https?:\/\/|mailto:|tel:|#)/i;
const BARE_HOST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#:]|$)/i;

export function safeHref(url: string): string {
  const u = url.trim();
  if (SAFE_SCHEME.test(u)) return u;
  if (BARE_HOST.test(u)) return 'https://' + u; // CRM website fields are often "www.example.com"
  return '#';
}

// With the u flag a surrogate pair is one code point: only a half of one matches.
const LONE_SURROGATE = /\p{Cs}/gu;
/** encodeURIComponent throws on half a surrogate pair (a merge value can hold one): it becomes U+FFFD. */
const wellFormed = (s: string) => s.replace(LONE_SURROGATE, '\uFFFD');

export function compileHref(href: string, sandbox: Sandbox): { render?: HrefRenderer; problem?: TemplateProblem } {
  if (href.includes('{%')) {
    // Logic inside a URL: render as a whole; no way to tell values from the URL's own text.
    const { tpl, problem } = parseTemplate(sandbox, href, `link "${href}"`);
    return problem ? { problem } : { render: (scope) => safeHref(renderSync(sandbox, tpl!, scope)) };
  }
  const pieces: Array<string | { tpl: Template[]; encode: boolean }> = [];
  let cursor = 0;
  for (const m of href.matchAll(OUTPUT_TAG)) {
    const at = m.index ?? 0;
    if (at > cursor) pieces.push(href.slice(cursor, at));
    const { tpl, problem } = parseTemplate(sandbox, m[0], `link "${href}"`);
    if (problem) return { problem };
    pieces.push({ tpl: tpl!, encode: at > 0 });
    cursor = at + m[0].length;
  }
  if (cursor < href.length) pieces.push(href.slice(cursor));
  return {
    render: (scope) => {
      let out = '';
      for (const p of pieces) {
        if (typeof p === 'string') out += p;
        else {
          const value = renderSync(sandbox, p.tpl, scope);
          out += p.encode ? encodeURIComponent(wellFormed(value)) : value.trim();
        }
      }
      return safeHref(out);
    },
  };
}
