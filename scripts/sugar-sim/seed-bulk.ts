// Fast bulk seeding for extraction benchmarks: plain prepared inserts in one transaction, then a cache reset.
import type { SimCore } from './core.js';
import { getMeta, setMeta } from './db.js';
import { bulkId } from './seed-ids.js';
import { isPlainObject, newId } from './util.js';

export interface BulkSeedOptions {
  lists: number;
  perList: number;
  overlap?: number; // fraction of members shared with the previous list, default 0.05
  modules?: Array<'Contacts' | 'Leads' | 'Prospects'>;
  optedOutFraction?: number;
  invalidFraction?: number;
  missingFraction?: number;
  /** Domains the addresses are spread over, round robin (default: bulk.example.com alone). */
  domains?: string[];
}

const TARGETS = ['Contacts', 'Leads', 'Prospects'] as const;

function check(raw: unknown): Required<BulkSeedOptions> {
  if (!isPlainObject(raw)) throw new TypeError('seedBulk needs an object like {"lists":3,"perList":7000}');
  const int = (k: string, max: number) => {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new TypeError(`${k} must be an integer from 0 to ${max}`);
    return v;
  };
  const frac = (k: string, dflt: number) => {
    const v = raw[k] ?? dflt;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new TypeError(`${k} must be a number from 0 to 1`);
    return v;
  };
  const modules = raw.modules ?? [...TARGETS];
  if (!Array.isArray(modules) || modules.length === 0 || !modules.every((m) => (TARGETS as readonly unknown[]).includes(m))) {
    throw new TypeError('modules must be a non-empty array of Contacts, Leads, Prospects');
  }
  const domains = raw.domains ?? ['bulk.example.com'];
  if (!Array.isArray(domains) || domains.length === 0 || !domains.every((d) => typeof d === 'string' && /^[a-z0-9.-]+$/.test(d))) {
    throw new TypeError('domains must be a non-empty array of domain names');
  }
  const opts = {
    domains: domains as string[],
    lists: int('lists', 1000),
    perList: int('perList', 1_000_000),
    overlap: frac('overlap', 0.05),
    modules: modules as Array<(typeof TARGETS)[number]>,
    optedOutFraction: frac('optedOutFraction', 0),
    invalidFraction: frac('invalidFraction', 0),
    missingFraction: frac('missingFraction', 0),
  };
  if (opts.optedOutFraction + opts.invalidFraction + opts.missingFraction > 1) throw new TypeError('the fractions add up to more than 1');
  return opts;
}

export function seedBulk(core: SimCore, raw: unknown): { listIds: string[] } {
  const o = check(raw);
  const batch = Number(getMeta(core.db, 'bulk_batches') ?? 0) + 1;
  const now = core.now();
  const listIds: string[] = [];
  let serial = 0;
  // What Sugar stamps on a record the admin user creates and owns.
  const byAdmin = { date_entered: now, date_modified: now, created_by: '1', modified_user_id: '1', assigned_user_id: '1', deleted: false };
  const insAddr = core.rows.prepare(`INSERT INTO email_addresses (id, email_address, email_address_caps, invalid_email, opt_out,
    date_created, date_modified, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, 0)`);
  const insRel = core.rows.prepare(`INSERT INTO email_addr_bean_rel (id, email_address_id, bean_id, bean_module, primary_address,
    reply_to_address, date_created, date_modified, deleted) VALUES (?, ?, ?, ?, 1, 0, ?, ?, 0)`);
  const insMember = core.rows.prepare(`INSERT INTO prospect_lists_prospects (id, prospect_list_id, related_id, related_type,
    date_modified, deleted) VALUES (?, ?, ?, ?, ?, 0)`);

  const newMember = (): [string, string] => {
    const n = ++serial;
    const module = o.modules[n % o.modules.length];
    const id = bulkId(batch, n);
    core.rows.insert(module, {
      id,
      first_name: `Bulk${n}`,
      last_name: `Target${batch}`,
      ...byAdmin,
      do_not_call: false,
      industry_c: ['Technology', 'Retail', 'Finance'][n % 3],
      region_c: ['EMEA', 'NA', 'APAC'][n % 3],
      loyalty_tier_c: 'Silver',
      ...(module === 'Leads' ? { status: 'New' } : {}),
    });
    // A fixed spread (not random) keeps runs comparable.
    const r = ((n * 7919) % 1000) / 1000;
    if (r >= o.missingFraction) {
      const optedOut = r < o.missingFraction + o.optedOutFraction;
      const invalid = !optedOut && r < o.missingFraction + o.optedOutFraction + o.invalidFraction;
      const address = `bulk${batch}.target${n}@${o.domains[n % o.domains.length]}`;
      const addrId = newId();
      insAddr.run(addrId, address, address.toUpperCase(), invalid ? 1 : 0, optedOut ? 1 : 0, now, now);
      insRel.run(newId(), addrId, id, module, now, now);
    }
    return [id, module];
  };

  core.tx(() => {
    let previous: Array<[string, string]> = [];
    for (let i = 0; i < o.lists; i++) {
      const listId = bulkId(batch, 0x80000000 + i);
      listIds.push(listId);
      core.rows.insert('ProspectLists', { id: listId, name: `Bulk list ${batch}-${i + 1}`, list_type: 'default', ...byAdmin });
      const shared = i === 0 ? 0 : Math.min(previous.length, Math.round(o.perList * o.overlap));
      const members = previous.slice(0, shared);
      while (members.length < o.perList) members.push(newMember());
      for (const [id, module] of members) insMember.run(newId(), listId, id, module, now);
      previous = members;
    }
    setMeta(core.db, 'bulk_batches', String(batch));
  });
  core.store.invalidate();
  return { listIds };
}
