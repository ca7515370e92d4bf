// LeadFWD lists: lists of Sugar records kept in the service, built from a Sugar filter or imported
// from CSV and matched to Sugar records by address. Rows that match nothing are reported, never dropped silently.
import { addressKey } from '../domain/address.js';
import { emailColumn, parseCsv } from '../domain/csv.js';
import type { TargetModule } from '../domain/types.js';
import type { Store } from '../store/ports.js';
import { UseCaseError } from './campaigns.js';

export interface ListSugarClient {
  filterPages(module: string, opts?: { filter?: unknown[]; fields?: string[]; pageSize?: number }): AsyncGenerator<Record<string, unknown>[]>;
}

const PERSON_MODULES: TargetModule[] = ['Contacts', 'Leads', 'Prospects'];
const ALL_MODULES = new Set<string>([...PERSON_MODULES, 'Accounts', 'Users']);
const MATCH_CHUNK = 500;

const nameOf = (v: unknown) => {
  if (typeof v !== 'string' || !v.trim() || v.length > 200) throw new UseCaseError(422, 'invalid_list', 'name is required (at most 200 characters)');
  return v.trim();
};

export function createLeadfwdLists(deps: { store: Store; sugar: ListSugarClient }) {
  const { store, sugar } = deps;

  async function fromFilter(body: { name?: unknown; module?: unknown; filter?: unknown }) {
    const name = nameOf(body.name);
    const module = String(body.module ?? '');
    if (!ALL_MODULES.has(module)) throw new UseCaseError(422, 'invalid_list', `module must be one of ${[...ALL_MODULES].join(', ')}`);
    if (body.filter !== undefined && !Array.isArray(body.filter)) throw new UseCaseError(422, 'invalid_list', 'filter must be a Sugar filter array');
    const members: Array<{ module: TargetModule; recordId: string; email?: string }> = [];
    for await (const page of sugar.filterPages(module, { filter: (body.filter as unknown[]) ?? [], fields: ['id', 'email1'], pageSize: 1000 })) {
      for (const r of page) members.push({ module: module as TargetModule, recordId: String(r.id), email: typeof r.email1 === 'string' ? r.email1 : undefined });
    }
    return store.transaction(() => {
      const list = store.lists.create(name, 'filter');
      store.lists.addMembers(list.id, members);
      return { ...list, memberCount: members.length };
    });
  }

  async function fromCsv(body: { name?: unknown; csv?: unknown }) {
    const name = nameOf(body.name);
    if (typeof body.csv !== 'string' || !body.csv.trim()) throw new UseCaseError(422, 'invalid_list', 'csv is required');
    let rows: string[][];
    try { rows = parseCsv(body.csv); } catch (e) { throw new UseCaseError(422, 'invalid_list', (e as Error).message); }
    const { index, hasHeader } = emailColumn(rows);
    const wanted = new Map<string, { row: number; email: string }>();
    const unmatched: Array<{ row: number; value: string; reason: string }> = [];
    rows.forEach((cells, i) => {
      if (hasHeader && i === 0) return;
      const value = (cells[index] ?? '').trim();
      const key = addressKey(value);
      if (!key) unmatched.push({ row: i + 1, value: value.slice(0, 100), reason: 'not an e-mail address' });
      else if (!wanted.has(key)) wanted.set(key, { row: i + 1, email: value });
    });
    const found = new Map<string, { module: TargetModule; recordId: string; email: string }>();
    const keys = [...wanted.keys()];
    for (const module of PERSON_MODULES) {
      const missing = keys.filter((k) => !found.has(k));
      for (let i = 0; i < missing.length; i += MATCH_CHUNK) {
        const chunk = missing.slice(i, i + MATCH_CHUNK).map((k) => wanted.get(k)!.email);
        for await (const page of sugar.filterPages(module, { filter: [{ 'email_addresses.email_address': { $in: chunk } }], fields: ['id', 'email'], pageSize: 1000 })) {
          for (const r of page) {
            for (const e of (r.email as Array<{ email_address?: string }> | undefined) ?? []) {
              const k = e.email_address ? addressKey(e.email_address) : null;
              if (k && wanted.has(k) && !found.has(k)) found.set(k, { module, recordId: String(r.id), email: wanted.get(k)!.email });
            }
          }
        }
      }
    }
    for (const [k, w] of wanted) if (!found.has(k)) unmatched.push({ row: w.row, value: w.email, reason: 'no Contact, Lead or Target in Sugar has this address' });
    unmatched.sort((a, b) => a.row - b.row);
    return store.transaction(() => {
      const list = store.lists.create(name, 'csv');
      store.lists.addMembers(list.id, [...found.values()]);
      return { ...list, memberCount: found.size, unmatched };
    });
  }

  return {
    fromFilter,
    fromCsv,
    list: () => store.lists.list(),
    get: (id: string) => {
      const l = store.lists.get(id);
      if (!l) throw new UseCaseError(404, 'not_found', `No LeadFWD list ${id}`);
      return { ...l, members: store.lists.members(id) };
    },
  };
}
