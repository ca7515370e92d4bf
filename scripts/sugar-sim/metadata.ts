// A small slice of GET /metadata: module field definitions, enough for a client choosing merge fields.
import { createHash } from 'node:crypto';
import type { Actor } from './users.js';
import { can } from './users.js';
import { MODULES } from './vardefs.js';

const csv = (v: unknown): string[] | undefined =>
  v === undefined || v === '' ? undefined : (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((s) => s.trim()).filter(Boolean);

export function metadataBody(actor: Actor, query: Record<string, unknown>): Record<string, unknown> {
  const types = csv(query.type_filter);
  const wanted = csv(query.module_filter);
  const out: Record<string, unknown> = {};
  if (!types || types.includes('modules')) {
    const modules: Record<string, unknown> = {};
    for (const m of MODULES.values()) {
      if ((wanted && !wanted.includes(m.name)) || !can(actor, m.name, 'access')) continue;
      const fields: Record<string, unknown> = {};
      for (const [name, fd] of Object.entries(m.fields)) {
        fields[name] = {
          name,
          type: fd.computed?.kind === 'fullname' ? 'fullname' : fd.type,
          vname: `LBL_${name.replace(/_c$/, '').toUpperCase()}`,
          ...(fd.computed ? { source: 'non-db' } : name.endsWith('_c') ? { source: 'custom_fields' } : {}),
          ...(fd.len ? { len: fd.len } : {}),
          ...(fd.options ? { options: `${name}_dom` } : {}),
        };
      }
      for (const [name, l] of Object.entries(m.links)) fields[name] = { name, type: 'link', module: l.module, source: 'non-db' };
      modules[m.name] = { fields };
    }
    out.modules = modules;
  }
  out._hash = createHash('md5').update(JSON.stringify(out)).digest('hex');
  return out;
}
