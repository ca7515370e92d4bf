// Who is asking: the operator's integration (API key) or a Sugar user, with the Sugar reads that user may make.
// A user's reads go to Sugar with the user's own token, so Sugar applies their roles, teams and field rights.
import type { SugarRights } from '../domain/rights.js';
import type { Creator } from '../domain/types.js';

type Row = Record<string, unknown>;

/** The Sugar reads user-facing work needs, asked as someone. */
export interface SugarAs {
  get<T>(path: string, query?: Record<string, unknown>): Promise<T>;
  filterPages(module: string, opts?: { filter?: unknown[]; fields?: string[]; pageSize?: number }): AsyncGenerator<Row[]>;
  linkPages(module: string, id: string, link: string, opts?: { fields?: string[]; pageSize?: number }): AsyncGenerator<Row[]>;
  bulk(items: Array<{ method: 'GET'; path: string }>, opts?: { chunkSize?: number }): Promise<Array<{ status: number; contents: unknown }>>;
}

export type Actor =
  | { kind: 'operator'; sugar: SugarAs }
  | { kind: 'user'; id: string; userName: string; isAdmin: boolean; acl: SugarRights['acl']; sugar: SugarAs };

export const creatorOf = (a: Actor): Creator | undefined => (a.kind === 'user' ? { id: a.id, userName: a.userName } : undefined);

export const rightsOf = (a: Actor): SugarRights => (a.kind === 'operator' ? { isAdmin: true, acl: {} } : { isAdmin: a.isAdmin, acl: a.acl });

/** Operators and Sugar administrators: every LeadFWD action, as Sugar lets an administrator do everything. */
export const isPrivileged = (a: Actor) => a.kind === 'operator' || a.isAdmin;

/** Key for per-actor limits (test sends). */
export const actorKey = (a: Actor) => (a.kind === 'user' ? `user:${a.id}` : 'api_key');
