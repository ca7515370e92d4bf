// What the send flow shows of the customer's Sugar, asked as the user: target lists with member counts (one /bulk
// call for all counts rather than one call per list and module) and the fields they may read and merge.

import { type Actor, rightsOf } from '../access/actor.js';
import { AppError } from '../domain/errors.js';
import { fieldReadable, isSecretField, LIST_MODULES } from '../domain/rights.js';
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

type FieldDefs = Record<string, { name?: string; type?: string; vname?: string; source?: string }>;

/** Each module's field definitions, as the actor's Sugar describes them (one call for all). */
async function fieldDefs(actor: Actor, modules: readonly string[]): Promise<Record<string, FieldDefs>> {
  const meta = await actor.sugar.get<{ modules?: Record<string, { fields?: FieldDefs }> }>('/metadata', {
    type_filter: 'modules',
    module_filter: modules.join(','),
  });
  return Object.fromEntries(modules.map((m) => [m, meta.modules?.[m]?.fields ?? {}]));
}

const mergeable = (name: string, d: FieldDefs[string]) =>
  d && typeof d === 'object' && !NEVER_MERGE.has(name) && !isSecretField(name) && MERGEABLE_TYPES.has(String(d.type)) && d.source !== 'non-db';

export async function mergeFields(actor: Actor, module: string) {
  const defs = (await fieldDefs(actor, [module]))[module];
  const rights = rightsOf(actor);
  return Object.entries(defs)
    .filter(([name, d]) => mergeable(name, d))
    .filter(([name]) => fieldReadable(rights, module, name))
    .map(([name, d]) => ({ name, type: d.type, label: d.vname ?? name, custom: name.endsWith('_c') }))
    .sort((a, b) => Number(b.custom) - Number(a.custom) || a.name.localeCompare(b.name));
}

// Fields a record never gives as text (links, collections of related records, encrypted values) or that are not the
// person's to merge: their merge tags came out empty, or loaded related records for every record read.
const NEVER_TEXT = new Set(['link', 'collection', 'encrypt', 'tag', 'teamset', 'password']);

/**
 * Refuses fields to merge that no module a list can hold has as text: a misspelt name was read from no record, and
 * its merge tag came out empty for everyone. Other fields Sugar has pass (the send flow offers fewer: a relate name,
 * say, is read by the filter API though its definition is not stored).
 */
export async function requireKnownFields(actor: Actor, fields: string[]): Promise<void> {
  if (!fields.length) return;
  const defs = Object.values(await fieldDefs(actor, LIST_MODULES));
  const text = (f: string, d: FieldDefs) => Object.hasOwn(d, f) && !NEVER_MERGE.has(f) && !NEVER_TEXT.has(String(d[f]?.type));
  const missing = fields.filter((f) => !defs.some((d) => text(f, d)));
  if (missing.length)
    throw new AppError('invalid_campaign', `Sugar has no field to merge called ${missing.join(', ')}`, {
      problems: missing.map((f) => `customFields: Sugar has no field ${f} to merge on ${LIST_MODULES.join(', ')}`),
    });
}
