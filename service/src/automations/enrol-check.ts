// Targets enrolled through the API are checked with Sugar as the caller, since the write-back later writes each
// person's own actions (an opt-out, a hard bounce) onto the record named, with the service's account: the record
// must be one the caller may see, the address must be that record's, and its address id is Sugar's, never the body's.
import type { Actor } from '../access/actor.js';
import { addressKey } from '../domain/address.js';
import type { SugarEmailEntry } from '../domain/extraction.js';
import type { EnrolTarget } from './engine.js';

const IDS_PER_READ = 200;

export interface EnrolCheck {
  proven: EnrolTarget[];
  skipped: Array<{ id: string; reason: 'not_found' | 'address_not_on_record' | 'opted_out' | 'invalid_email' }>;
}

/** The targets as Sugar knows them to the caller; the others skipped with why. */
export async function provenTargets(actor: Actor, targets: EnrolTarget[]): Promise<EnrolCheck> {
  const keys = targets.map((t) => addressKey(t.email));
  const addresses = await addressesOf(
    actor,
    targets.filter((_, i) => keys[i] !== null),
  );
  const out: EnrolCheck = { proven: [], skipped: [] };
  for (const [i, t] of targets.entries()) {
    const known = addresses.get(`${t.module}:${t.id}`);
    const key = keys[i];
    const entry = known?.find((e) => addressKey(e.email_address ?? '') === key);
    if (key === null) out.skipped.push({ id: t.id, reason: 'invalid_email' });
    else if (!known) out.skipped.push({ id: t.id, reason: 'not_found' });
    else if (!entry) out.skipped.push({ id: t.id, reason: 'address_not_on_record' });
    else if (entry.opt_out === true) out.skipped.push({ id: t.id, reason: 'opted_out' });
    else if (entry.invalid_email === true) out.skipped.push({ id: t.id, reason: 'invalid_email' });
    else {
      const { emailAddressId: _given, ...rest } = t;
      out.proven.push({ ...rest, ...(entry.email_address_id ? { emailAddressId: entry.email_address_id } : {}) });
    }
  }
  return out;
}

/** `module:id` → the record's addresses, for the records the caller may see (a filter on ids, a few hundred a read). */
async function addressesOf(actor: Actor, targets: EnrolTarget[]): Promise<Map<string, SugarEmailEntry[]>> {
  const ids = new Map<string, Set<string>>();
  for (const t of targets) ids.set(t.module, (ids.get(t.module) ?? new Set()).add(t.id));
  const out = new Map<string, SugarEmailEntry[]>();
  for (const [module, set] of ids) {
    const all = [...set];
    for (let i = 0; i < all.length; i += IDS_PER_READ) {
      const filter = [{ id: { $in: all.slice(i, i + IDS_PER_READ) } }];
      for await (const page of actor.sugar.filterPages(module, { filter, fields: ['id', 'email'], pageSize: IDS_PER_READ }))
        for (const r of page) out.set(`${module}:${String(r.id)}`, Array.isArray(r.email) ? (r.email as SugarEmailEntry[]) : []);
    }
  }
  return out;
}
