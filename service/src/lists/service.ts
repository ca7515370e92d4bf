// LeadFWD lists: lists of Sugar records kept in the service, built from a Sugar filter or imported
// from CSV and matched to Sugar records by address. Rows that match nothing are reported, never dropped silently.

import { type Actor, creatorOf, isPrivileged } from '../access/actor.js';
import { allowsModule, requireModule, requireReadableFields } from '../access/policy.js';
import { addressKey } from '../domain/address.js';
import { AppError } from '../domain/errors.js';
import { parseInput } from '../domain/input.js';
import { filterFields, isListModule, LIST_MODULES } from '../domain/rights.js';
import type { TargetModule } from '../domain/types.js';
import type { LeadfwdList, StorePart, UnitOfWork } from '../ports/index.js';
import { emailColumn, parseCsv } from './csv.js';
import { CsvListBody, FilterListBody, ListPageQuery } from './schemas.js';

// CSV rows are matched to people by address; Accounts are reached through filters only.
const PERSON_MODULES: TargetModule[] = ['Contacts', 'Leads', 'Prospects'];
const MATCH_CHUNK = 500;

/** What LeadFWD list use cases read and change. */
export type ListStore = UnitOfWork & StorePart<{ lists: 'create' | 'addMembers' | 'remove' | 'list' | 'get' | 'membersPage' | 'memberCount' | 'modules' }>;

/**
 * A LeadFWD list is its creator's, as a saved filter is its owner's in Sugar: its members are the records their
 * teams showed them, which another user's may hide. To anyone else another's list does not exist, as a record Sugar
 * hides. Administrators and the API key reach every list; one without a creator (built with the API key, by the
 * operator's integration for whoever may list its modules, or before creators were kept) is everyone's, as before.
 */
export const ownsList = (actor: Actor, list: LeadfwdList): boolean =>
  isPrivileged(actor) || !list.createdBy || (actor.kind === 'user' && list.createdBy.id === actor.id);

/** The modules of the list's members that Sugar does not let the actor list (whose records they may not see). */
export const hiddenModulesOf = async (store: StorePart<{ lists: 'modules' }>, actor: Actor, listId: string): Promise<TargetModule[]> =>
  isPrivileged(actor) ? [] : (await store.lists.modules(listId)).filter((m) => !allowsModule(actor, m, 'list'));

/** `maxMembers`: the most members a list may get from a filter or a CSV (LEADFWD_LIST_MAX_MEMBERS); more is a 422. */
export function createLeadfwdLists(deps: { store: ListStore; maxMembers?: number }) {
  const { store } = deps;
  const maxMembers = deps.maxMembers ?? 200_000;
  const tooMany = (what: string) =>
    new AppError(
      'list_too_large',
      `${what} more than ${maxMembers} records; a LeadFWD list holds at most ${maxMembers} (LEADFWD_LIST_MAX_MEMBERS): narrow the filter`,
      { maxMembers },
    );

  /**
   * The filter runs in Sugar as the user, so the list holds exactly the records Sugar shows them; streamed page by
   * page into the new list (never a whole module in memory); refused, or failed, it leaves nothing.
   */
  async function fromFilter(body: { name?: unknown; module?: unknown; filter?: unknown }, actor: Actor) {
    const { name, filter = [] } = parseInput(FilterListBody, body, 'invalid_list');
    const module = typeof body.module === 'string' ? body.module : '';
    if (!isListModule(module)) throw new AppError('module_not_allowed', `module must be one of ${LIST_MODULES.join(', ')}`);
    requireModule(actor, module, 'list');
    requireReadableFields(actor, [...filterFields(filter)], [module]);
    const list = await store.lists.create(name, 'filter', undefined, creatorOf(actor));
    let count = 0;
    try {
      for await (const page of actor.sugar.filterPages(module, { filter, fields: ['id', 'email1'], pageSize: 1000 })) {
        count += await store.lists.addMembers(
          list.id,
          page.map((r) => ({ module: module as TargetModule, recordId: String(r.id), email: typeof r.email1 === 'string' ? r.email1 : undefined })),
        );
        if (count > maxMembers) throw tooMany('this filter matches');
      }
    } catch (e) {
      await store.lists.remove(list.id);
      // Sugar refusing the filter itself is the caller's mistake, not an outage (it was answered 502).
      // ('invalid': Sugar's 4xx other than rights, not-found and a refused login, which is 'auth').
      if ((e as { kind?: string }).kind === 'invalid') throw new AppError('invalid_list', `Sugar refused the filter: ${(e as Error).message}`);
      throw e;
    }
    return { ...list, memberCount: count };
  }

  /** Addresses are matched in Sugar as the user, in the person modules Sugar lets them list. */
  async function fromCsv(body: { name?: unknown; csv?: unknown }, actor: Actor) {
    const modules = PERSON_MODULES.filter((m) => allowsModule(actor, m, 'list'));
    if (!modules.length) throw new AppError('sugar_rights', 'Your Sugar role does not let you list Contacts, Leads or Targets');
    const { name, csv } = parseInput(CsvListBody, body, 'invalid_list');
    const sugar = actor.sugar;
    let rows: string[][];
    try {
      rows = await parseCsv(csv);
    } catch (e) {
      throw new AppError('invalid_list', (e as Error).message);
    }
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
    if (wanted.size > maxMembers) throw tooMany('this file names');
    // Nothing to look up: an empty list made from it would only be one more to delete.
    if (wanted.size === 0)
      throw new AppError('invalid_list', 'The file holds no e-mail address (one column of addresses, a header row optional)', {
        unmatched: unmatched.slice(0, 20),
      });
    const found = new Map<string, { module: TargetModule; recordId: string; email: string }>();
    const keys = [...wanted.keys()];
    for (const module of modules) {
      const missing = keys.filter((k) => !found.has(k));
      for (let i = 0; i < missing.length; i += MATCH_CHUNK) {
        const chunk = missing.slice(i, i + MATCH_CHUNK).map((k) => wanted.get(k)!.email);
        for await (const page of sugar.filterPages(module, {
          filter: [{ 'email_addresses.email_address': { $in: chunk } }],
          fields: ['id', 'email'],
          pageSize: 1000,
        })) {
          for (const r of page) {
            for (const e of (r.email as Array<{ email_address?: string }> | undefined) ?? []) {
              const k = e.email_address ? addressKey(e.email_address) : null;
              if (k && wanted.has(k) && !found.has(k)) found.set(k, { module, recordId: String(r.id), email: wanted.get(k)!.email });
            }
          }
        }
      }
    }
    for (const [k, w] of wanted)
      if (!found.has(k)) unmatched.push({ row: w.row, value: w.email, reason: 'no Contact, Lead or Target you can see in Sugar has this address' });
    unmatched.sort((a, b) => a.row - b.row);
    return await store.transaction(async (tx) => {
      const list = await tx.lists.create(name, 'csv', undefined, creatorOf(actor));
      await tx.lists.addMembers(list.id, [...found.values()]);
      return { ...list, memberCount: found.size, unmatched };
    });
  }

  return {
    fromFilter,
    fromCsv,
    list: async (actor: Actor) => {
      const all = (await store.lists.list()).filter((l) => ownsList(actor, l));
      const hidden = await Promise.all(all.map(async (l) => (await hiddenModulesOf(store, actor, l.id)).length > 0));
      return all.filter((_, i) => !hidden[i]);
    },
    /** A page of members (`limit` after the cursor `after`, from the previous page's `nextAfter`), never the whole list. */
    get: async (id: string, actor: Actor, page: { after?: unknown; limit?: unknown } = {}) => {
      const l = await store.lists.get(id);
      if (!l || !ownsList(actor, l)) throw new AppError('not_found', `No LeadFWD list ${id}`);
      if ((await hiddenModulesOf(store, actor, id)).length)
        throw new AppError('sugar_rights', `Your Sugar role does not let you list the records of LeadFWD list "${l.name}"`);
      const { limit = 1000, after = -1 } = parseInput(ListPageQuery, page, 'invalid_input');
      const { members, next } = await store.lists.membersPage(id, after, limit);
      return { ...l, memberCount: await store.lists.memberCount(id), members, ...(next !== undefined ? { nextAfter: next } : {}) };
    },
  };
}
