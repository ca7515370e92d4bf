// Seeded users and the ACL facts the service needs (sugar-platform.md §9, §13), as Sugar roles would give them:
// chris may not touch Campaigns; dana may only view Campaigns, Target Lists and Email Templates and cannot reach people or users;
// max may change only the Campaigns assigned to him (owner-only) and cannot read mobile phone numbers.
import { createHash } from 'node:crypto';
import { zoneOffsetMs } from '../../service/src/domain/zoned-time.js';
import { SugarError } from './errors.js';
import { MODULES } from './vardefs.js';

export const ACL_ACTIONS = ['admin', 'developer', 'access', 'view', 'list', 'edit', 'delete', 'import', 'export', 'massupdate', 'create'] as const;
export type AclAction = (typeof ACL_ACTIONS)[number];

export interface SeedUser {
  id: string;
  user_name: string;
  password: string;
  first_name: string;
  last_name: string;
  email: string;
  isAdmin: boolean;
  denied: Record<string, readonly AclAction[]>;
  /** Actions allowed only on records assigned to the user (a role's "Owner" level). */
  ownerOnly?: Record<string, readonly AclAction[]>;
  /** Fields the user may neither read nor write, per module. */
  hiddenFields?: Record<string, readonly string[]>;
}

const WRITES = ['create', 'edit', 'delete', 'import', 'export', 'massupdate'] as const;
const PEOPLE = ['Contacts', 'Leads', 'Prospects'];

export const SEED_USERS: readonly SeedUser[] = [
  { id: '1', user_name: 'admin', password: 'admin', first_name: 'Ada', last_name: 'Admin', email: 'admin@example.com', isAdmin: true, denied: {} },
  {
    id: 'seed_sally_id',
    user_name: 'sally',
    password: 'sally',
    first_name: 'Sally',
    last_name: 'Bronsen',
    email: 'sally@example.com',
    isAdmin: false,
    denied: {},
  },
  { id: 'seed_max_id', user_name: 'max', password: 'max', first_name: 'Max', last_name: 'Jensen', email: 'max@example.com', isAdmin: false, denied: {} },
  {
    id: 'seed_chris_id',
    user_name: 'chris',
    password: 'chris',
    first_name: 'Chris',
    last_name: 'Olliver',
    email: 'chris@example.com',
    isAdmin: false,
    denied: { Campaigns: ACL_ACTIONS },
  },
  {
    id: 'seed_dana_id',
    user_name: 'dana',
    password: 'dana',
    first_name: 'Dana',
    last_name: 'Fisher',
    email: 'dana@example.com',
    isAdmin: false,
    denied: {
      Contacts: ACL_ACTIONS,
      Leads: ACL_ACTIONS,
      Prospects: ACL_ACTIONS,
      Users: ACL_ACTIONS,
      Campaigns: WRITES,
      ProspectLists: WRITES,
      EmailTemplates: WRITES,
    },
  },
];

/** Users' time zone preference (Sugar's user profile); UTC for the others. sally works in Berlin. */
export const TIME_ZONES: Record<string, string> = { seed_sally_id: 'Europe/Berlin' };

/** The offset of `zone` at `at` as Sugar writes it in /me ("+01:00") and in seconds. */
function zoneOffset(zone: string, at: Date): { text: string; seconds: number } {
  const seconds = Math.round(zoneOffsetMs(zone, at.getTime()) / 60_000) * 60;
  const abs = Math.abs(seconds);
  return { seconds, text: `${seconds < 0 ? '-' : '+'}${String(Math.floor(abs / 3600)).padStart(2, '0')}:${String((abs % 3600) / 60).padStart(2, '0')}` };
}

// max: the owner-only Campaigns editor, who may not read mobile numbers.
Object.assign(SEED_USERS[2], { ownerOnly: { Campaigns: ['edit', 'delete'] }, hiddenFields: Object.fromEntries(PEOPLE.map((m) => [m, ['phone_mobile']])) });

export const hashPassword = (user: string, password: string) => createHash('sha256').update(`${user}:${password}`).digest('hex');

/** Who a request acts as: a seeded user's rights, under the session's user name. */
export interface Actor extends Role, Pick<SeedUser, 'id' | 'isAdmin'> {
  userName: string;
}

/** A role as the simulator applies it: what is denied, owner-only, and hidden. */
export type Role = Pick<SeedUser, 'denied' | 'ownerOnly' | 'hiddenFields'>;

/** `role` replaces the seeded one (tests change a user's role in Sugar while the service runs). */
export function actorFor(row: { id: unknown; user_name: unknown; is_admin: unknown }, role?: Role): Actor {
  const seed = role ?? SEED_USERS.find((u) => u.id === row.id);
  return {
    id: String(row.id),
    userName: String(row.user_name),
    isAdmin: row.is_admin === 1 || row.is_admin === true,
    denied: seed?.denied ?? {},
    ownerOnly: seed?.ownerOnly,
    hiddenFields: seed?.hiddenFields,
  };
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

/** Owner-only actions the user may not take on this record (someone else's): Sugar's record-level `_acl`. */
export function recordDenied(actor: Actor, module: string, rec: { assigned_user_id?: unknown } | undefined): AclAction[] {
  if (actor.isAdmin || !rec) return [];
  const owner = actor.ownerOnly?.[module] ?? [];
  if (rec.assigned_user_id === actor.id) return [];
  // getBeanAcl copies edit to create: a record one may not edit is one one may not "create" over either.
  return owner.includes('edit') ? [...owner, 'create'] : [...owner];
}

export function fieldHidden(actor: Actor, module: string, field: string): boolean {
  return !actor.isAdmin && (actor.hiddenFields?.[module] ?? []).includes(field);
}

/** The record-level `_acl` Sugar adds to a record for the asking user: owner-only denials, hidden fields. */
export function recordAcl(actor: Actor, module: string, rec: { assigned_user_id?: unknown }): Record<string, unknown> {
  const acl: Record<string, unknown> = { fields: {} };
  for (const a of recordDenied(actor, module, rec)) acl[a] = 'no';
  return acl;
}

/**
 * Row visibility beyond module rights. Sugar applies team security; the simulator models the one case tests need:
 * a saved filter is private to its creator and assigned user (Sugar's own UI lists only the user's filters).
 */
export function visibleTo(actor: Actor, module: string, rec: { created_by?: unknown; assigned_user_id?: unknown }): boolean {
  if (actor.isAdmin || module !== 'Filters') return true;
  return rec.created_by === actor.id || rec.assigned_user_id === actor.id;
}

/** A record as the API answers it to this user: hidden fields left out, the record-level `_acl` filled in. */
export function asSeenBy<T extends Record<string, unknown>>(actor: Actor, module: string, rec: { assigned_user_id?: unknown }, api: T): T {
  if (actor.isAdmin || !('_acl' in api)) return api;
  const out: Record<string, unknown> = { ...api, _acl: recordAcl(actor, module, rec) };
  for (const f of actor.hiddenFields?.[module] ?? []) delete out[f];
  return out as T;
}

export function requireAccess(actor: Actor, module: string, action: AclAction, rec?: { assigned_user_id?: unknown }): void {
  if (can(actor, module, action) && !recordDenied(actor, module, rec).includes(action)) return;
  const msg =
    action === 'list'
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
    const hidden = actor.isAdmin ? [] : (actor.hiddenFields?.[m] ?? []);
    const entry: Record<string, unknown> = { fields: Object.fromEntries(hidden.map((f) => [f, { read: 'no', write: 'no', create: 'no' }])) };
    for (const a of deniedActions(actor, m)) entry[a] = 'no';
    entry._hash = hash(entry);
    acl[m] = entry;
    if (can(actor, m, 'access')) moduleList[m] = m;
  }
  const zone = TIME_ZONES[actor.id] ?? 'UTC';
  const offset = zoneOffset(zone, new Date());
  const currentUser = {
    type: actor.isAdmin ? 'admin' : 'user',
    id: actor.id,
    user_name: actor.userName,
    full_name: user.full_name,
    first_name: user.first_name,
    last_name: user.last_name,
    email: user.email,
    preferences: {
      timezone: zone,
      tz_offset: offset.text,
      tz_offset_sec: offset.seconds,
      datepref: 'Y-m-d',
      timepref: 'H:i',
      currency_id: '-99',
      language: 'en_us',
      default_locale_name_format: 's f l',
    },
    module_list: moduleList,
    roles: [],
    my_teams: [{ id: '1', name: 'Global' }],
    is_manager: false,
    acl,
  };
  return { current_user: { ...currentUser, _hash: hash(currentUser) } };
}
