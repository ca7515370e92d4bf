// What the send flow shows of the customer's Sugar, asked as the user: target lists with member counts (one /bulk
// call for all counts rather than one call per list and module) and the fields they may read and merge.

import { type Actor, rightsOf } from '../access/actor.js';
import { fieldReadable, isSecretField } from '../domain/rights.js';
import { MEMBER_LINKS } from './extraction.js';

export interface TargetListSummary {
  id: string;
  name: string;
  list_type: string;
  memberCount: number | null;
}

const MERGEABLE_TYPES = new Set([
  'varchar',
  'name',
  'text',
  'enum',
  'int',
  'decimal',
  'date',
  'datetime',
  'phone',
  'url',
  'relate',
  'fullname',
  'bool',
  'currency',
]);
const NEVER_MERGE = new Set(['id', 'deleted', 'email', 'email_addresses']);

/** Counts come from the same user's view: a module they cannot list leaves the count unknown (null). */
export async function targetLists(actor: Actor): Promise<TargetListSummary[]> {
  const sugar = actor.sugar;
  const lists: Array<{ id: string; name: string; list_type: string }> = [];
  for await (const page of sugar.filterPages('ProspectLists', { fields: ['id', 'name', 'list_type'], pageSize: 1000 })) {
    lists.push(...(page as Array<{ id: string; name: string; list_type: string }>));
  }
  const items = lists.flatMap((l) => MEMBER_LINKS.map(([link]) => ({ method: 'GET' as const, path: `/ProspectLists/${l.id}/link/${link}/count` })));
  const counts = items.length ? await sugar.bulk(items, { chunkSize: 100 }) : [];
  return lists
    .map((l, i) => {
      const mine = counts.slice(i * MEMBER_LINKS.length, (i + 1) * MEMBER_LINKS.length);
      const ok = mine.every((c) => c.status === 200);
      const memberCount = ok ? mine.reduce((n, c) => n + Number((c.contents as { record_count?: number })?.record_count ?? 0), 0) : null;
      return { id: l.id, name: l.name, list_type: l.list_type, memberCount };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function mergeFields(actor: Actor, module: string) {
  const meta = await actor.sugar.get<{
    modules?: Record<string, { fields?: Record<string, { name?: string; type?: string; vname?: string; source?: string }> }>;
  }>('/metadata', { type_filter: 'modules', module_filter: module });
  const defs = meta.modules?.[module]?.fields ?? {};
  const rights = rightsOf(actor);
  return Object.entries(defs)
    .filter(
      ([name, d]) =>
        d && typeof d === 'object' && !NEVER_MERGE.has(name) && !isSecretField(name) && MERGEABLE_TYPES.has(String(d.type)) && d.source !== 'non-db',
    )
    .filter(([name]) => fieldReadable(rights, module, name))
    .map(([name, d]) => ({ name, type: d.type, label: d.vname ?? name, custom: name.endsWith('_c') }))
    .sort((a, b) => Number(b.custom) - Number(a.custom) || a.name.localeCompare(b.name));
}
