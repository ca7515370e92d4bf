// Which record fields a message merges beyond its custom fields: those every extraction reads (names, title, account)
// that the templates it compiles to name. A user must be able to read each in Sugar, or a preview or the mail itself
// (a link or image whose address carries the value) would show them what Sugar hides.

/** Read from every target at extraction and merged by name: what `{{ first_name }}` and the like can name. */
export const BASE_MERGE_FIELDS = ['first_name', 'last_name', 'name', 'full_name', 'salutation', 'title', 'account_name'] as const;

const BASE = new Set<string>(BASE_MERGE_FIELDS);
// A string as Liquid reads one: a backslash keeps the quote after it inside.
const LITERAL = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;
const NAME = /[A-Za-z_]\w*/g;
// A lookup by a name made at render time (`{{ ["ti" | append: "tle"] }}`, `{{ [k] }}`): it may name any field.
// Only an internal index (`__lf.s[0]`) is a bracket that names none.
const DYNAMIC = /\[(?!\s*\d+\s*\])/;

/** The inside of each `{{ … }}` and `{% … %}`, read as Liquid reads it: an end inside a string does not end it. */
export function* tagsOf(template: string): Generator<string> {
  for (let i = template.indexOf('{'); i !== -1 && i < template.length - 1; i = template.indexOf('{', i + 1)) {
    const open = template[i + 1];
    if (open !== '{' && open !== '%') continue;
    const close = open === '{' ? '}}' : '%}';
    let j = i + 2;
    let quote = '';
    for (; j < template.length; j++) {
      const c = template[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (template.startsWith(close, j)) break;
    }
    yield template.slice(i + 2, j);
    i = j;
  }
}

/**
 * The base fields the templates' tags name (outside strings): a name that is a field's is taken as read, and a lookup
 * by a computed name as reading them all. Give it what is compiled (MJML's output, links decoded), not the source.
 */
export function baseFieldsNamed(templates: readonly string[]): string[] {
  const found = new Set<string>();
  for (const template of templates)
    for (const inside of tagsOf(template)) {
      const tag = inside.replace(LITERAL, ' ');
      if (DYNAMIC.test(tag)) return [...BASE_MERGE_FIELDS];
      for (const n of tag.matchAll(NAME)) if (BASE.has(n[0])) found.add(n[0]);
    }
  return [...found];
}

/** Every field a message merges: its custom fields and the base fields its compiled templates name. */
export function mergedFields(customFields: readonly string[] | undefined, compiled: { baseFieldsRead: readonly string[] }): string[] {
  return [...new Set([...(customFields ?? []), ...compiled.baseFieldsRead])];
}
