// What Sugar lets a user do, read from the ACL Sugar itself computed for that user (/me for modules, a record's
// `_acl` for the record: sugar-platform.md §9, §13). Sugar lists only what is denied, so anything absent is allowed.
// A few fields never leave Sugar for anyone, whatever the roles say.

export interface FieldAcl {
  read?: unknown;
  write?: unknown;
}
export interface ModuleAcl {
  fields?: Record<string, FieldAcl | undefined>;
  [action: string]: unknown;
}
export type SugarAcl = Record<string, ModuleAcl | undefined>;

/** Who is asking, as Sugar described them. */
export interface SugarRights {
  isAdmin: boolean;
  acl: SugarAcl;
}

export type ModuleAction = 'access' | 'view' | 'list' | 'edit' | 'create' | 'delete' | 'export';

/** Modules a LeadFWD list may hold: people and companies Sugar campaigns mail, never Users or anything else. */
export const LIST_MODULES = ['Contacts', 'Leads', 'Prospects', 'Accounts'] as const;
export type ListModule = (typeof LIST_MODULES)[number];
export const isListModule = (m: unknown): m is ListModule => (LIST_MODULES as readonly unknown[]).includes(m);

const denied = (v: unknown) => v === 'no' || v === false;

export function moduleAllows(who: SugarRights, module: string, action: ModuleAction): boolean {
  if (who.isAdmin) return true;
  const m = who.acl[module];
  if (!m) return true;
  return !denied(m.access) && !denied(m[action]) && (action !== 'list' || !denied(m.view));
}

export function fieldReadable(who: SugarRights, module: string, field: string): boolean {
  if (isSecretField(field)) return false;
  if (who.isAdmin) return true;
  const f = who.acl[module]?.fields?.[field];
  return !f || !denied(f.read);
}

/** A record's own `_acl` (the rights on it that differ from the module's): absent means the module's rights. */
export function recordAllows(recordAcl: unknown, action: ModuleAction): boolean {
  if (typeof recordAcl !== 'object' || recordAcl === null) return true;
  const a = recordAcl as Record<string, unknown>;
  return !denied(a.access) && !denied(a[action]);
}

// Password and hash fields, Sugar's own user hash and keys: merging or filtering on them would let mail or a
// member count reveal them.
const SECRET_FIELD = /(^|_)(password|passwd|pwd|hash|secret|token|api_?key|private_?key)(_|$)|^user_hash$|^authenticate_id$|^system_generated_password$/i;
export const isSecretField = (name: string) => SECRET_FIELD.test(name);

/** Every field name a Sugar filter refers to ($and/$or nested; `link.field` gives the link's name). */
export function filterFields(filter: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(filter)) {
    for (const f of filter) filterFields(f, out);
  } else if (typeof filter === 'object' && filter !== null) {
    for (const [k, v] of Object.entries(filter)) {
      if (k === '$or' || k === '$and') filterFields(v, out);
      else if (!k.startsWith('$')) out.add(k);
    }
  }
  return out;
}
