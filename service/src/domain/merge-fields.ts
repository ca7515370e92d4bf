// Which Sugar fields a message merges: the campaign's custom fields, and the record fields every extraction reads
// (names, title, account) that its subject or content names. A user must be able to read each in Sugar, or a
// preview, a test send or the mail itself would show them what Sugar hides.

/** Read from every target at extraction and merged by name: what `{{ first_name }}` and the like can name. */
export const BASE_MERGE_FIELDS = ['first_name', 'last_name', 'name', 'full_name', 'salutation', 'title', 'account_name'] as const;

const BASE = new Set<string>(BASE_MERGE_FIELDS);
const TAG = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
const LITERAL = /"[^"]*"|'[^']*'/g;
const NAME = /[A-Za-z_]\w*/g;

export interface MergedContent {
  subject?: string;
  html?: string;
  mjml?: string;
  customFields?: readonly string[];
}

/** The base fields a template's tags name (outside string literals): a name that is a field's is taken as read. */
export function baseFieldsNamed(template: string): string[] {
  const found = new Set<string>();
  for (const m of template.matchAll(TAG)) {
    for (const n of (m[1] ?? m[2]).replace(LITERAL, ' ').matchAll(NAME)) if (BASE.has(n[0])) found.add(n[0]);
  }
  return [...found];
}

/** Every field the message merges: its custom fields and the base fields its subject and content name. */
export function mergedFields(c: MergedContent): string[] {
  const named = [c.subject, c.html, c.mjml].flatMap((t) => (typeof t === 'string' ? baseFieldsNamed(t) : []));
  return [...new Set([...(c.customFields ?? []), ...named])];
}
