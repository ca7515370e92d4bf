// Filter API and link listing (sugar-platform.md §4, §5): cached records, the filter engine, sort, page.
import type { SimCore } from './core.js';
import { compileFilter, compileOrderBy, type FieldDefs, type FilterContext } from './filter.js';
import type { ListArgs } from './filter-args.js';
import { pageRecords } from './filter-args.js';
import type { SimRecord } from './record-store.js';
import { retrieveRecord } from './records.js';
import { type Actor, asSeenBy, requireAccess, visibleTo } from './users.js';
import { MODULES } from './vardefs.js';

const filterFields = new Map<string, FieldDefs>();

function fieldDefs(module: string): FieldDefs {
  let defs = filterFields.get(module);
  if (!defs) {
    const m = MODULES.get(module)!;
    defs = {};
    for (const [name, fd] of Object.entries(m.fields)) defs[name] = { type: fd.type };
    for (const link of Object.keys(m.links)) if (!(link in defs)) defs[link] = { type: 'link' };
    if (m.hasEmail) defs.email_addresses = { type: 'link' };
    filterFields.set(module, defs);
  }
  return defs;
}

// Sugar's basic search: name-like fields starting with q.
function quickSearch(module: string, q: string): (rec: SimRecord) => boolean {
  const names = ['name', 'first_name', 'last_name', 'email1', 'user_name', 'email_address', 'tracker_name'].filter((n) => n in MODULES.get(module)!.fields);
  const needle = q.toLowerCase();
  return (rec) => names.some((n) => typeof rec[n] === 'string' && (rec[n] as string).toLowerCase().startsWith(needle));
}

/** The saved filter's definition, loaded as the user (not visible or missing: 404, as FilterApi's loadBean). */
function savedFilter(core: SimCore, filterId: string, actor: Actor): unknown[] {
  const rec = retrieveRecord(core, 'Filters', filterId, actor);
  try {
    const def = JSON.parse(String(rec.filter_definition ?? '[]'));
    return Array.isArray(def) ? def : [];
  } catch {
    return [];
  }
}

function select(core: SimCore, module: string, args: ListArgs, actor: Actor, ids?: string[]): SimRecord[] {
  requireAccess(actor, module, 'list');
  if (args.filterId) args = { ...args, filter: [...savedFilter(core, args.filterId, actor), ...args.filter], filterId: undefined };
  const ctx: FilterContext = {
    module,
    fields: fieldDefs(module),
    userId: actor.id,
    now: new Date(),
    favorites: core.favorites(actor.id, module),
    hidden: actor.isAdmin ? undefined : new Set(actor.hiddenFields?.[module] ?? []),
  };
  const pred = compileFilter(args.filter, ctx);
  const order = compileOrderBy(args.orderBy, ctx);
  const search = args.q ? quickSearch(module, args.q) : () => true;
  const cache = core.store.all(module);
  const source = ids ? ids.map((id) => cache.get(id)).filter((r): r is SimRecord => r !== undefined) : cache.values();
  const out: SimRecord[] = [];
  const seen = new Set<unknown>();
  for (const rec of source) {
    if ((rec.deleted && !args.deleted) || seen.has(rec.id)) continue;
    seen.add(rec.id);
    if (pred(rec) && search(rec) && visibleTo(actor, module, rec)) out.push(rec);
  }
  return out.sort(order);
}

export function listRecords(core: SimCore, module: string, args: ListArgs, actor: Actor, ids?: string[]) {
  const page = pageRecords(select(core, module, args, actor, ids), args);
  const favorites = core.favorites(actor.id, module);
  return {
    next_offset: page.next_offset,
    records: page.records.map((r) => asSeenBy(actor, module, r, core.store.toApi(module, r, args.fields, favorites.has(String(r.id))))),
  };
}

export function countRecords(core: SimCore, module: string, args: ListArgs, actor: Actor, ids?: string[]): { record_count: number } {
  return { record_count: select(core, module, args, actor, ids).length };
}
