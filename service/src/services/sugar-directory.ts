// What the send flow shows of the customer's Sugar: target lists with member counts (one /bulk call
// for all counts rather than one call per list and module) and the fields a user may merge.
import { MEMBER_LINKS } from './extract-targets.js';

export interface SugarDirectoryClient {
  filterPages(module: string, opts?: { filter?: unknown[]; fields?: string[]; pageSize?: number }): AsyncGenerator<Record<string, unknown>[]>;
  bulk(items: Array<{ method: 'GET'; path: string }>, opts?: { chunkSize?: number }): Promise<Array<{ status: number; contents: unknown }>>;
  get<T>(path: string, query?: Record<string, unknown>): Promise<T>;
}

export interface TargetListSummary { id: string; name: string; list_type: string; memberCount: number | null }

const MERGEABLE_TYPES = new Set(['varchar', 'name', 'text', 'enum', 'int', 'decimal', 'date', 'datetime', 'phone', 'url', 'relate', 'fullname', 'bool', 'currency']);
const NEVER_MERGE = new Set(['id', 'deleted', 'password', 'user_hash', 'pwd_last_changed', 'email', 'email_addresses']);

export function createSugarDirectory(sugar: SugarDirectoryClient) {
  async function targetLists(): Promise<TargetListSummary[]> {
    const lists: Array<{ id: string; name: string; list_type: string }> = [];
    for await (const page of sugar.filterPages('ProspectLists', { fields: ['id', 'name', 'list_type'], pageSize: 1000 })) {
      lists.push(...(page as Array<{ id: string; name: string; list_type: string }>));
    }
    const items = lists.flatMap((l) => MEMBER_LINKS.map(([link]) => ({ method: 'GET' as const, path: `/ProspectLists/${l.id}/link/${link}/count` })));
    const counts = items.length ? await sugar.bulk(items, { chunkSize: 100 }) : [];
    return lists.map((l, i) => {
      const mine = counts.slice(i * MEMBER_LINKS.length, (i + 1) * MEMBER_LINKS.length);
      const ok = mine.every((c) => c.status === 200);
      const memberCount = ok ? mine.reduce((n, c) => n + Number((c.contents as { record_count?: number })?.record_count ?? 0), 0) : null;
      return { id: l.id, name: l.name, list_type: l.list_type, memberCount };
    }).sort((a, b) => a.name.localeCompare(b.name));
  }

  async function fields(module: string) {
    const meta = await sugar.get<{ modules?: Record<string, { fields?: Record<string, { name?: string; type?: string; vname?: string; source?: string }> }> }>(
      '/metadata', { type_filter: 'modules', module_filter: module },
    );
    const defs = meta.modules?.[module]?.fields ?? {};
    return Object.entries(defs)
      .filter(([name, d]) => d && typeof d === 'object' && !NEVER_MERGE.has(name) && MERGEABLE_TYPES.has(String(d.type)) && d.source !== 'non-db')
      .map(([name, d]) => ({ name, type: d.type, label: d.vname ?? name, custom: name.endsWith('_c') }))
      .sort((a, b) => Number(b.custom) - Number(a.custom) || a.name.localeCompare(b.name));
  }

  return { targetLists, fields };
}
