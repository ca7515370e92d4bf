// Seeded users and the ACL facts the service needs (sugar-platform.md §9): chris may not touch Campaigns.
import { createHash } from 'node:crypto';
import { SugarError } from './errors.js';
import { MODULES } from './vardefs.js';

export const ACL_ACTIONS = ['admin', 'developer', 'access', 'view', 'list', 'edit', 'delete', 'import', 'export', 'massupdate', 'create'] as const;
export type AclAction = (typeof ACL_ACTIONS)[number];

export interface SeedUser {
  id: string; user_name: string; password: string; first_name: string; last_name: string; email: string;
  isAdmin: boolean; denied: Record<string, readonly AclAction[]>;
}

export const SEED_USERS: readonly SeedUser[] = [
  { id: '1', user_name: 'admin', password: 'admin', first_name: 'Ada', last_name: 'Admin', email: 'admin@example.com', isAdmin: true, denied: {} },
  { id: 'seed_sally_id', user_name: 'sally', password: 'sally', first_name: 'Sally', last_name: 'Bronsen', email: 'sally@example.com', isAdmin: false, denied: {} },
  { id: 'seed_max_id', user_name: 'max', password: 'max', first_name: 'Max', last_name: 'Jensen', email: 'max@example.com', isAdmin: false, denied: {} },
  { id: 'seed_chris_id', user_name: 'chris', password: 'chris', first_name: 'Chris', last_name: 'Olliver', email: 'chris@example.com', isAdmin: false, denied: { Campaigns: ACL_ACTIONS } },
];

export const hashPassword = (user: string, password: string) => createHash('sha256').update(`${user}:${password}`).digest('hex');

export interface Actor { id: string; userName: string; isAdmin: boolean; denied: Record<string, readonly AclAction[]> }

export function actorFor(row: { id: unknown; user_name: unknown; is_admin: unknown }): Actor {
  const seed = SEED_USERS.find((u) => u.id === row.id);
  return { id: String(row.id), userName: String(row.user_name), isAdmin: row.is_admin === 1 || row.is_admin === true, denied: seed?.denied ?? {} };
}

export function deniedActions(actor: Actor, module: string): AclAction[] {
  const out = new Set<AclAction>(actor.denied[module] ?? []);
  if (!actor.isAdmin) {
    out.add('admin');
    out.add('developer');
    // Only admins manage user records in this simulator.
    if (module === 'Users') for (const a of ['create', 'edit', 'delete', 'import', 'massupdate'] as const) out.add(a);
  }
  return ACL_ACTIONS.filter((a) => out.has(a));
}

export function can(actor: Actor, module: string, action: AclAction): boolean {
  const denied = deniedActions(actor, module);
  return !denied.includes('access') && !denied.includes(action);
}

export function requireAccess(actor: Actor, module: string, action: AclAction): void {
  if (can(actor, module, action)) return;
  const msg = action === 'list'
    ? `No access to view records for module: ${module}`
    : action === 'create'
      ? `You are not authorized to create ${module}. Contact your administrator if you need access.`
      : `Not allowed to perform action "${action}" on this record`;
  throw new SugarError(403, 'not_authorized', msg);
}

const hash = (v: unknown) => createHash('md5').update(JSON.stringify(v)).digest('hex');

export function meBody(actor: Actor, user: Record<string, unknown>): Record<string, unknown> {
  const acl: Record<string, unknown> = {};
  const moduleList: Record<string, string> = {};
  for (const m of MODULES.keys()) {
    const entry: Record<string, unknown> = { fields: {} };
    for (const a of deniedActions(actor, m)) entry[a] = 'no';
    entry._hash = hash(entry);
    acl[m] = entry;
    if (can(actor, m, 'access')) moduleList[m] = m;
  }
  const currentUser = {
    type: actor.isAdmin ? 'admin' : 'user',
    id: actor.id,
    user_name: actor.userName,
    full_name: user.full_name,
    first_name: user.first_name,
    last_name: user.last_name,
    email: user.email,
    preferences: { timezone: 'UTC', tz_offset: '+00:00', tz_offset_sec: 0, datepref: 'Y-m-d', timepref: 'H:i', currency_id: '-99', language: 'en_us', default_locale_name_format: 's f l' },
    module_list: moduleList,
    roles: [],
    my_teams: [{ id: '1', name: 'Global' }],
    is_manager: false,
    acl,
  };
  return { current_user: { ...currentUser, _hash: hash(currentUser) } };
}
