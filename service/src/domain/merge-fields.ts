// Which Sugar fields a message merges: the campaign's custom fields, and the record fields every extraction reads
// (names, title, account) that its subject or content names. A user must be able to read each in Sugar, or a
// preview, a test send or the mail itself would show them what Sugar hides.

/** Read from every target at extraction and merged by name: what `{{ first_name }}` and the like can name. */
export const BASE_MERGE_FIELDS = ['first_name', 'last_name', 'name', 'full_name', 'salutation', 'title', 'account_name'] as const;

const BASE = new Set<string>(BASE_MERGE_FIELDS);
const TAG = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
const LITERAL = /"[^"]*"|'[^']*'/g;
const NAME = /[A-Za-z_]\w*/g;
// A lookup by a name made at render time (`{{ ["ti" | append: "tle"] }}`, `{{ [k] }}`): it may name any field.
// Only an internal index (`__lf.s[0]`) is a bracket that names none.
const DYNAMIC = /\[(?!\s*\d+\s*\])/;

export interface MergedContent {
  subject?: string;
  html?: string;
  mjml?: string;
  customFields?: readonly string[];
}

/**
 * The base fields a template's tags name (outside string literals): a name that is a field's is taken as read, and a
 * lookup by a computed name as reading them all.
 */
export function baseFieldsNamed(template: string): string[] {
  const found = new Set<string>();
  for (const m of template.matchAll(TAG)) {
    const tag = (m[1] ?? m[2]).replace(LITERAL, ' ');
    if (DYNAMIC.test(tag)) return [...BASE_MERGE_FIELDS];
    for (const n of tag.matchAll(NAME)) if (BASE.has(n[0])) found.add(n[0]);
  }
  return [...found];
}

/** Every field the message merges: its custom fields and the base fields its subject and content name. */
export function mergedFields(c: MergedContent): string[] {
  const named = [c.subject, c.html, c.mjml].flatMap((t) => (typeof t === 'string' ? baseFieldsNamed(t) : []));
  return [...new Set([...(c.customFields ?? []), ...named])];
}
