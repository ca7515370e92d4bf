// Record create/read/update/delete with Sugar's rules (sugar-platform.md §3, §6, §7; fact-check rows 6, 7, 9-11).
import { coerceWrite, createDefaults } from './coerce.js';
import type { SimCore } from './core.js';
import { notFound, SugarError } from './errors.js';
import type { SimRecord } from './record-store.js';
import type { Row } from './rows.js';
import { type Actor, asSeenBy, requireAccess, visibleTo } from './users.js';
import { isPlainObject, newId } from './util.js';
import { ACTIVITY_TYPES, type ModuleDef } from './vardefs.js';

const LEGACY_EMAIL = ['email1', 'email2', 'email_opt_out', 'invalid_email'];
const NAME_FIELDS = new Set(['name', 'first_name', 'last_name', 'tracker_name', 'email_address']);

export const recordNotFound = (module: string, id: string) => notFound(`Could not find record: ${id} in module: ${module}`);

export function loadLive(core: SimCore, module: string, id: string): SimRecord {
  const rec = core.store.live(module, id);
  if (!rec) throw recordNotFound(module, id);
  return rec;
}

export function formatRecord(core: SimCore, module: string, rec: SimRecord, actor: Actor, fields?: string[]): SimRecord {
  return asSeenBy(actor, module, rec, core.store.toApi(module, rec, fields, core.favorites(actor.id, module).has(String(rec.id))));
}

export function retrieveRecord(core: SimCore, module: string, id: string, actor: Actor): SimRecord {
  const rec = loadLive(core, module, id);
  // Team security hides a row the way a missing one is: not found.
  if (!visibleTo(actor, module, rec)) throw recordNotFound(module, id);
  requireAccess(actor, module, 'view');
  return rec;
}

export function createRecord(core: SimCore, module: string, data: Record<string, unknown>, actor: Actor): SimRecord {
  requireAccess(actor, module, 'create');
  if (module === 'EmailAddresses') return createEmailAddress(core, data);
  const m = core.rows.def(module);
  const id = typeof data.id === 'string' && data.id !== '' ? data.id : newId();
  const now = core.now();
  const values: Row = { ...createDefaults(m), ...coerceWrite(m, data) };
  if (module === 'CampaignLog' && !ACTIVITY_TYPES.includes(values.activity_type as (typeof ACTIVITY_TYPES)[number])) {
    throw new SugarError(
      422,
      'invalid_parameter',
      `Invalid value for field activity_type: ${String(data.activity_type ?? '')}. Allowed: ${ACTIVITY_TYPES.join(', ')}`,
    );
  }
  return core.tx(() => {
    const existing = core.rows.get(module, id);
    if (existing && existing.deleted !== 1) {
      throw new SugarError(422, 'invalid_parameter', `Record already exists: ${id} in module: ${module}`);
    }
    if (existing) core.rows.prepare(`DELETE FROM ${m.table} WHERE id = ?`).run(id);
    Object.assign(values, { id, date_modified: now, deleted: false });
    if ('date_entered' in m.fields) Object.assign(values, { date_entered: now, created_by: actor.id, modified_user_id: actor.id });
    if ('assigned_user_id' in m.fields && !values.assigned_user_id) values.assigned_user_id = actor.id;
    for (const [name, fd] of Object.entries(m.fields)) {
      if (fd.autoIncrement) values[name] = core.rows.nextAutoIncrement(module, name);
    }
    core.rows.insert(module, values);
    saveEmails(core, m, id, data, true, now);
    core.store.touch(module, id);
    applyLinkActions(core, module, id, data, actor, now);
    return core.store.get(module, id)!;
  });
}

export function updateRecord(core: SimCore, module: string, id: string, data: Record<string, unknown>, actor: Actor, xTimestamp?: string): SimRecord {
  const rec = loadLive(core, module, id);
  requireAccess(actor, module, 'edit', rec);
  if (xTimestamp && Date.parse(xTimestamp) !== Date.parse(String(rec.date_modified))) {
    throw new SugarError(409, 'edit_conflict', 'Edit conflict, please reload the record data.', { record: formatRecord(core, module, rec, actor) });
  }
  const m = core.rows.def(module);
  // email_address identifies a shared row and cannot change (§3).
  const changes = coerceWrite(m, data, new Set(module === 'EmailAddresses' ? ['email_address'] : []));
  const now = core.now();
  return core.tx(() => {
    const stamp: Row = { date_modified: now };
    if ('modified_user_id' in m.fields) stamp.modified_user_id = actor.id;
    core.rows.update(module, id, { ...changes, ...stamp });
    saveEmails(core, m, id, data, false, now);
    if (module === 'EmailAddresses') touchBeansOf(core, id);
    core.store.changed(
      module,
      id,
      Object.keys(changes).some((k) => NAME_FIELDS.has(k)),
    );
    applyLinkActions(core, module, id, data, actor, now);
    return core.store.get(module, id)!;
  });
}

export function deleteRecord(core: SimCore, module: string, id: string, actor: Actor): void {
  requireAccess(actor, module, 'delete', loadLive(core, module, id));
  const now = core.now();
  core.tx(() => {
    core.rows.update(module, id, { deleted: true, date_modified: now });
    core.links.unlinkAll(module, id, now);
    if (core.rows.def(module).hasEmail) {
      core.rows.prepare('UPDATE email_addr_bean_rel SET deleted = 1 WHERE bean_module = ? AND bean_id = ?').run(module, id);
    }
    if (module === 'EmailAddresses') touchBeansOf(core, id);
    core.store.changed(module, id, true);
  });
}

export function setFavorite(core: SimCore, module: string, id: string, actor: Actor, on: boolean): SimRecord {
  const rec = loadLive(core, module, id);
  requireAccess(actor, module, 'view');
  if (on) core.rows.prepare('INSERT OR IGNORE INTO sugarfavorites (user_id, module, record_id) VALUES (?, ?, ?)').run(actor.id, module, id);
  else core.rows.prepare('DELETE FROM sugarfavorites WHERE user_id = ? AND module = ? AND record_id = ?').run(actor.id, module, id);
  return rec;
}

// POST /EmailAddresses answers with the known row when the address already exists (§3).
function createEmailAddress(core: SimCore, data: Record<string, unknown>): SimRecord {
  if (typeof data.email_address !== 'string' || data.email_address.trim() === '') {
    throw new SugarError(422, 'missing_parameter', 'Missing parameter: email_address');
  }
  const m = core.rows.def('EmailAddresses');
  const flags = coerceWrite(m, { opt_out: data.opt_out, invalid_email: data.invalid_email });
  return core.tx(() => {
    const known = core.emails.findByAddress(data.email_address as string);
    if (known) return core.store.get('EmailAddresses', String(known.id))!;
    const id = core.emails.upsertAddress(data.email_address as string, flags as { opt_out?: boolean; invalid_email?: boolean }, core.now());
    core.store.touch('EmailAddresses', id);
    return core.store.get('EmailAddresses', id)!;
  });
}

function saveEmails(core: SimCore, m: ModuleDef, id: string, data: Record<string, unknown>, isNew: boolean, now: string): void {
  if (!m.hasEmail) return;
  let set: unknown;
  if (data.email !== undefined) set = data.email;
  else if (LEGACY_EMAIL.some((k) => data[k] !== undefined)) set = core.emails.legacyToEmailSet(isNew ? [] : core.emails.forBean(m.name, id), data);
  else return;
  for (const addrId of core.emails.setForBean(m.name, id, set, isNew, now)) touchBeansOf(core, addrId);
}

// A shared address row changed: every record showing it must be re-read.
function touchBeansOf(core: SimCore, addressId: string): void {
  core.store.touch('EmailAddresses', addressId);
  for (const b of core.emails.beansOfAddress(addressId)) core.store.touch(b.module, b.id);
}

// Link actions in a record body: {"prospectlists":{"add":[ids|{id}],"delete":[...],"create":[records]}} (§3).
function applyLinkActions(core: SimCore, module: string, id: string, data: Record<string, unknown>, actor: Actor, now: string): void {
  const m = core.rows.def(module);
  for (const [link, action] of Object.entries(data)) {
    if (!Object.hasOwn(m.links, link) || !isPlainObject(action)) continue;
    const l = m.links[link];
    for (const [verb, list] of Object.entries(action)) {
      if (!Array.isArray(list)) throw new SugarError(422, 'invalid_parameter', `${link}.${verb} must be an array`);
      for (const item of list) {
        if (verb === 'create') {
          if (!isPlainObject(item)) throw new SugarError(422, 'invalid_parameter', `${link}.create items must be records`);
          const created = createRecord(core, l.module, item, actor);
          core.links.add(module, id, link, String(created.id), now);
          continue;
        }
        const rid = typeof item === 'string' ? item : isPlainObject(item) && typeof item.id === 'string' ? item.id : undefined;
        if (!rid) throw new SugarError(422, 'invalid_parameter', `${link}.${verb} items must be ids or {id}`);
        if (verb === 'add') {
          if (!core.store.live(l.module, rid)) throw notFound('Could not find the related bean');
          core.links.add(module, id, link, rid, now);
        } else if (verb === 'delete') {
          core.links.remove(module, id, link, rid, now);
        } else {
          throw new SugarError(422, 'invalid_parameter', `Unknown link action ${verb}; use add, delete or create`);
        }
      }
    }
  }
}
