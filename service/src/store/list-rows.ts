// A LeadFWD list's row as both adapters' SQL returns it, its one mapping to the port's LeadfwdList, and the checks
// both adapters make before writing one (store/sqlite-list-repo.ts, store/pg/list-repo.ts).
import type { TargetModule } from '../domain/types.js';
import type { LeadfwdList, ListMember, ListSource } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { opt } from './values.js';

export type ListRow = {
  id: string;
  name: string;
  source: ListSource;
  sugar_list_id: string | null;
  created_by_id: string | null;
  created_by_name: string | null;
  created_at: string;
};

const SOURCES = new Set<ListSource>(['filter', 'csv', 'api']);
const MODULES = new Set<TargetModule>(['Contacts', 'Leads', 'Prospects', 'Accounts', 'Users']);

export function checkSource(source: ListSource): void {
  if (!SOURCES.has(source)) throw new StoreInputError(`list source must be filter, csv or api, got ${String(source)}`);
}

export function checkMembers(members: ListMember[]): void {
  for (const m of members) {
    if (!MODULES.has(m.module)) throw new StoreInputError(`unknown module for a list member: ${String(m.module)}`);
  }
}

export function toList(r: ListRow): LeadfwdList {
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    createdAt: r.created_at,
    sugarListId: opt(r.sugar_list_id),
    createdBy: r.created_by_id ? { id: r.created_by_id, userName: r.created_by_name ?? '' } : undefined,
  };
}
