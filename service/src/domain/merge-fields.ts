// Which record fields a message merges beyond its custom fields: those every extraction reads (names, title, account)
// that the tags of the templates it compiles to name. A user must be able to read each in Sugar, or a preview or the mail itself
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

/**
 * The base fields that tags name (outside strings): a name that is a field's is taken as read, and a lookup by a
 * computed name as reading them all. `tags`: the inside of every tag and output of what is compiled (MJML's output,
 * links decoded), as the template engine reads them.
 */
export function baseFieldsNamed(tags: Iterable<string>): string[] {
  const found = new Set<string>();
  for (const inside of tags) {
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
