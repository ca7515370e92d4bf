// Merge templates are written by marketers, not developers, so they run in a LiquidJS
// instance with no file system, no partials or layouts, no loops and only string-ish filters.
import { Liquid, type Template, Tokenizer, TokenKind } from 'liquidjs';

// Tags that could reach files (include/render/layout) or run unbounded (for/tablerow) are gone.
const ALLOWED_TAGS = new Set(['if', 'unless', 'case', 'comment', 'raw', 'assign', 'capture', 'echo', '#']);
const ALLOWED_FILTERS = new Set([
  'default',
  'upcase',
  'downcase',
  'capitalize',
  'strip',
  'lstrip',
  'rstrip',
  'strip_newlines',
  'squish',
  'normalize_whitespace',
  'truncate',
  'truncatewords',
  'replace',
  'replace_first',
  'replace_last',
  'remove',
  'remove_first',
  'remove_last',
  'append',
  'prepend',
  'slice',
  'size',
  'split',
  'join',
  'first',
  'last',
  'url_encode',
  'url_decode',
  'strip_html',
  'newline_to_br',
  'date',
  'abs',
  'plus',
  'minus',
  'times',
  'divided_by',
  'modulo',
  'round',
  'ceil',
  'floor',
  'at_least',
  'at_most',
  'slugify',
  'number_of_words',
]);
// Output is escaped (or not) by the sandbox itself; a user's own "| escape" must not double it.
const IDENTITY_FILTERS = ['escape', 'escape_once', 'xml_escape'];

const denied = (): never => {
  throw new Error('file access is disabled');
};
const NO_FILES = {
  readFileSync: denied,
  readFile: async () => denied(),
  existsSync: () => false,
  exists: async () => false,
  contains: async () => false,
  containsSync: () => false,
  resolve: denied,
  sep: '/',
};

export type Sandbox = Liquid;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** Same output as Liquid's escape filter, so the fast render path matches the engine. */
export function escapeHtml(s: string): string {
  return /[&<>"']/.test(s) ? s.replace(/[&<>"']/g, (c) => ESCAPES[c]) : s;
}

/** HTML made by our own code (open pixel, footer); only these pass the lf_raw filter unescaped. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export function createSandbox(context: 'html' | 'text'): Sandbox {
  const liquid = new Liquid({
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    jsTruthy: false,
    outputEscape: context === 'html' ? 'escape' : undefined,
    parseLimit: 2_000_000,
    memoryLimit: 20_000_000,
    globals: {},
  });
  for (const name of Object.keys(liquid.tags)) if (!ALLOWED_TAGS.has(name)) delete liquid.tags[name];
  for (const name of Object.keys(liquid.filters)) if (!ALLOWED_FILTERS.has(name)) liquid.unregisterFilter(name);
  for (const name of IDENTITY_FILTERS) liquid.registerFilter(name, (v: unknown) => v);
  liquid.registerFilter('lf_raw', {
    raw: true,
    handler: (v: unknown) => (v instanceof SafeHtml ? v.html : context === 'html' ? escapeHtml(String(v ?? '')) : String(v ?? '')),
  });
  return liquid;
}

export interface LiquidProblem {
  line?: number;
  message: string;
  tagName?: string;
}

/** Parses or explains why not, in words a template author can act on. */
export function parseTemplate(liquid: Sandbox, source: string, where: string): { tpl?: Template[]; problem?: LiquidProblem } {
  try {
    return { tpl: liquid.parse(source) };
  } catch (err) {
    const e = err as { message?: string; token?: { getPosition?: () => [number, number] } };
    const message = String(e.message ?? err)
      .replace(/^\w*Error: /, '')
      .replace(/tag "?(\w+)"? not found/, 'tag "$1" is not allowed')
      .replace(/undefined filter: (\w+)/, 'filter "$1" is not allowed');
    const line = e.token?.getPosition?.()[0];
    return { problem: { ...(line !== undefined ? { line } : {}), message: `${where}: ${message}` } };
  }
}

/** A tag or output where the engine reads one: its place in the source and its inside. */
export interface TagToken {
  output: boolean;
  begin: number;
  end: number;
  content: string;
  /** Outside every block (if, unless, case, for, capture, comment, raw…): in every render of the template. */
  topLevel: boolean;
}

const BLOCKS = new Set(['if', 'unless', 'case', 'for', 'tablerow', 'capture', 'comment', 'raw']);

/** A link's slot as the compiled HTML names it: `{{ __lf.s[N] }}`, N its index. */
export const SLOT_OUTPUT = /^\s*__lf\.s\[(\d+)\]\s*$/;

/** Every token of the source as the engine's own tokenizer reads it; throws where it does not tokenize. */
const tokensOf = (liquid: Sandbox, source: string) => new Tokenizer(source, liquid.options.operators).readTopLevelTokens(liquid.options);

/** The template's tags and outputs as the engine reads them (a tag ends at its first `%}`, a raw block is text). */
export function tagTokens(liquid: Sandbox, source: string): TagToken[] {
  let depth = 0;
  return tokensOf(liquid, source).flatMap((t) => {
    if (t.kind !== TokenKind.Tag && t.kind !== TokenKind.Output) return [];
    const topLevel = depth === 0;
    if (t.kind === TokenKind.Tag) {
      const name = (t as unknown as { name: string }).name;
      if (BLOCKS.has(name)) depth++;
      else if (name.startsWith('end') && BLOCKS.has(name.slice(3)) && depth > 0) depth--;
    }
    return [{ output: t.kind === TokenKind.Output, begin: t.begin, end: t.end, content: (t as unknown as { content: string }).content, topLevel }];
  });
}

/**
 * Where the engine writes the source out as it is: the content of each `{% raw %}` block, as its own tokenizer finds
 * it (a regex disagreed with it on `{% raw x %}`, `{% endraw x %}` and raw tags inside strings). Undefined when the
 * source does not tokenize.
 */
export function rawRanges(liquid: Sandbox, source: string): Array<[number, number]> | undefined {
  try {
    const tokens = tokensOf(liquid, source);
    return tokens.flatMap((t, i) => {
      const next = tokens[i + 1];
      return t.kind === TokenKind.Tag && (t as unknown as { name: string }).name === 'raw' && next?.kind === TokenKind.HTML
        ? [[next.begin, next.end] as [number, number]]
        : [];
    });
  } catch {
    return undefined;
  }
}

// Only our own link slots look up by index; a bracket anywhere else may name a variable made at render time, and a
// range (the only use of parentheses) as the root of a lookup hides its bounds from the analysis (`(1..title.size).last`).
const UNSURE = (c: string) => c.includes('(') || (c.includes('[') && !SLOT_OUTPUT.test(c));

/**
 * The variables a template reads, as the engine's own analysis finds them on the parsed template; `'any'` when it
 * cannot tell: a lookup with brackets (`{{ [k] }}`, `{{ ["ti" | append: "tle"] }}`), a range, or a source it does
 * not parse whole (a link's stray `{{`, merged piece by piece). `read`: the source's tokens, when already read.
 */
export function variablesRead(liquid: Sandbox, source: string, read?: readonly TagToken[]): string[] | 'any' {
  try {
    const tags = read ?? tagTokens(liquid, source);
    if (tags.some((t) => UNSURE(t.content))) return 'any';
    // Only the tags, in order, parse to the same tree: the analysis places each variable by scanning the source
    // from its start, which over a 336 KB newsletter's HTML held the loop 100 ms.
    const tagsOnly = tags.map((t) => source.slice(t.begin, t.end)).join('');
    // Every variable, its own assigns included: one in a branch not taken leaves the field of that name read.
    return liquid.variableSegmentsSync(liquid.parse(tagsOnly)).flatMap((segments) => (typeof segments[0] === 'string' ? [segments[0]] : []));
  } catch {
    return 'any';
  }
}

export function renderSync(liquid: Sandbox, tpl: Template[], scope: object): string {
  return String(liquid.renderSync(tpl, scope));
}
