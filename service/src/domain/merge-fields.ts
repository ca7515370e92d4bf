// Which record fields a message merges beyond its custom fields: those every extraction reads (names, title, account)
// that the templates it compiles to read. A user must be able to read each in Sugar, or a preview or the mail itself
// (a link or image whose address carries the value) would show them what Sugar hides.

/** Read from every target at extraction and merged by name: what `{{ first_name }}` and the like can name. */
export const BASE_MERGE_FIELDS = ['first_name', 'last_name', 'name', 'full_name', 'salutation', 'title', 'account_name'] as const;

const BASE = new Set<string>(BASE_MERGE_FIELDS);

/**
 * The base fields among the variables each compiled template reads (the template engine's analysis, or `'any'` when
 * it cannot tell which: then every one).
 */
export function baseFieldsNamed(reads: Iterable<readonly string[] | 'any'>): string[] {
  const found = new Set<string>();
  for (const read of reads) {
    if (read === 'any') return [...BASE_MERGE_FIELDS];
    for (const name of read) if (BASE.has(name)) found.add(name);
  }
  return [...found];
}

/** Every field a message merges: its custom fields and the base fields its compiled templates read. */
export function mergedFields(customFields: readonly string[] | undefined, compiled: { baseFieldsRead: readonly string[] }): string[] {
  return [...new Set([...(customFields ?? []), ...compiled.baseFieldsRead])];
}
