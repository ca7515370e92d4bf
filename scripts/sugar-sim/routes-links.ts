// Link API routes (sugar-platform.md §5, fact-check rows 16-18, 24).
import type { Call } from './call.js';
import { missingParameter, notFound, SugarError } from './errors.js';
import { parseListArgs } from './filter-args.js';
import { countRecords, listRecords } from './lists.js';
import type { SimRecord } from './record-store.js';
import { createRecord, formatRecord } from './records.js';
import type { Route } from './routes.js';
import { requireAccess } from './users.js';
import { isPlainObject } from './util.js';

// Reading a missing parent is 404; writing through one is 403, because Sugar loads it with action 'save' (row 16).
function parent(c: Call, forWrite: boolean): SimRecord {
  const { module, id } = c.params;
  const rec = c.core.store.live(module, id);
  if (!rec) {
    if (forWrite) throw new SugarError(403, 'not_authorized', 'Not allowed to perform action "save" on this record');
    throw notFound(`Could not find parent record ${id} in module: ${module}`);
  }
  requireAccess(c.actor, module, forWrite ? 'edit' : 'view');
  return rec;
}

function related(c: Call, link: string, rid: string): { module: string; rec: SimRecord } {
  const module = c.core.links.def(c.params.module, link).module;
  const rec = c.core.store.live(module, rid);
  if (!rec) throw notFound('Could not find the related bean');
  return { module, rec };
}

function linked(c: Call) {
  parent(c, false);
  const link = c.params.link;
  const module = c.core.links.def(c.params.module, link).module;
  const ids = c.core.links.relatedIds(c.params.module, c.params.id, link);
  return { module, ids, args: parseListArgs(c.query, c.body) };
}

const list = (c: Call) => {
  const l = linked(c);
  return listRecords(c.core, l.module, l.args, c.actor, l.ids);
};
const count = (c: Call) => {
  const l = linked(c);
  return countRecords(c.core, l.module, l.args, c.actor, l.ids);
};

const both = (c: Call, relModule: string, rel: SimRecord) => ({
  record: formatRecord(c.core, c.params.module, c.core.store.get(c.params.module, c.params.id)!, c.actor),
  related_record: formatRecord(c.core, relModule, c.core.store.get(relModule, String(rel.id))!, c.actor),
});

const r = (methods: string | string[], path: string, run: Route['run']): Route => ({
  methods: Array.isArray(methods) ? methods : [methods],
  pattern: path.split('/').filter(Boolean),
  auth: true,
  run,
});

export const LINK_ROUTES: Route[] = [
  r('POST', ':module/:id/link', (c) => {
    parent(c, true);
    const { link_name: linkName, ids } = c.args;
    if (linkName === undefined || linkName === '') throw missingParameter('link_name');
    if (ids === undefined) throw missingParameter('ids');
    if (!Array.isArray(ids)) throw new SugarError(422, 'invalid_parameter', 'ids must be an array');
    const link = String(linkName);
    c.core.links.def(c.params.module, link);
    return c.core.tx(() => {
      const out: Record<string, unknown>[] = [];
      for (const item of ids) {
        const rid = typeof item === 'string' ? item : isPlainObject(item) && typeof item.id === 'string' ? item.id : '';
        const rel = related(c, link, rid);
        c.core.links.add(c.params.module, c.params.id, link, rid, c.core.now());
        out.push(formatRecord(c.core, rel.module, c.core.store.get(rel.module, rid)!, c.actor));
      }
      const record = formatRecord(c.core, c.params.module, c.core.store.get(c.params.module, c.params.id)!, c.actor);
      return { record, related_records: out };
    });
  }),
  r(['GET', 'POST'], ':module/:id/link/:link/filter/count', count),
  r(['GET', 'POST'], ':module/:id/link/:link/filter', list),
  r('GET', ':module/:id/link/:link/count', count),
  r('GET', ':module/:id/link/:link', list),
  r('POST', ':module/:id/link/:link', (c) => {
    parent(c, true);
    const relModule = c.core.links.def(c.params.module, c.params.link).module;
    return c.core.tx(() => {
      const created = createRecord(c.core, relModule, { ...c.body }, c.actor);
      c.core.links.add(c.params.module, c.params.id, c.params.link, String(created.id), c.core.now());
      return both(c, relModule, created);
    });
  }),
  r('POST', ':module/:id/link/:link/:rid', (c) => {
    parent(c, true);
    const rel = related(c, c.params.link, c.params.rid);
    c.core.tx(() => c.core.links.add(c.params.module, c.params.id, c.params.link, c.params.rid, c.core.now()));
    return both(c, rel.module, rel.rec);
  }),
  r('DELETE', ':module/:id/link/:link/:rid', (c) => {
    parent(c, true);
    const rel = related(c, c.params.link, c.params.rid);
    c.core.tx(() => c.core.links.remove(c.params.module, c.params.id, c.params.link, c.params.rid, c.core.now()));
    return both(c, rel.module, rel.rec);
  }),
];
