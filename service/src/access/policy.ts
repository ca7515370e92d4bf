// The access rules every use case applies before it acts (README "Inside Sugar" → who may do what). Sugar is
// asked as the user wherever a record decides (its `_acl`), so roles, teams and owner-only rights are Sugar's own.

import { AppError } from '../domain/errors.js';
import { fieldReadable, isSecretField, LIST_MODULES, type ModuleAction, moduleAllows, recordAllows } from '../domain/rights.js';
import type { Creator, TargetModule } from '../domain/types.js';
import { type Actor, isPrivileged, rightsOf } from './actor.js';

const VERB: Record<ModuleAction, string> = { access: 'use', view: 'view', list: 'list', edit: 'change', create: 'create', delete: 'delete', export: 'export' };

export function allowsModule(actor: Actor, module: string, action: ModuleAction): boolean {
  return moduleAllows(rightsOf(actor), module, action);
}

const TARGET_MODULES: readonly TargetModule[] = ['Contacts', 'Leads', 'Prospects', 'Accounts', 'Users'];

/** The modules of targets whose records Sugar lets `actor` view: a campaign's people of the others are counted, never shown. */
export const viewableModules = (actor: Actor): TargetModule[] => TARGET_MODULES.filter((m) => allowsModule(actor, m, 'view'));

const EMAIL_FIELDS = ['email', 'email1'];
const NAME_FIELDS = ['first_name', 'last_name', 'name', 'full_name'];

/**
 * A person as the reader may see them: their address and name blanked where the reader's role hides those fields of
 * the person's module (lists of people, the export, the recipient preview show what Sugar would).
 */
export function personShown(actor: Actor): <P extends { module: string; email: string; name?: string }>(p: P) => P {
  const rights = rightsOf(actor);
  const readable = (module: string, fields: string[]) => fields.every((f) => fieldReadable(rights, module, f));
  return (p) => {
    const email = readable(p.module, EMAIL_FIELDS) ? p.email : '';
    const name = p.name === undefined || readable(p.module, NAME_FIELDS) ? p.name : '';
    return email === p.email && name === p.name ? p : { ...p, email, name };
  };
}

export function requireModule(actor: Actor, module: string, action: ModuleAction): void {
  if (!allowsModule(actor, module, action)) {
    throw new AppError('sugar_rights', `Your Sugar role does not let you ${VERB[action]} ${module}`, { module, action });
  }
}

/**
 * Fields a user merges into mail or filters on must be readable by them in every module a campaign may reach;
 * secret fields (passwords, hashes, keys) are refused for everyone.
 */
export function requireReadableFields(actor: Actor, fields: string[], modules: readonly string[] = LIST_MODULES): void {
  const secret = fields.filter((f) => f.split('.').some(isSecretField));
  if (secret.length) throw new AppError('secret_field', `These fields never leave Sugar: ${secret.join(', ')}`, { fields: secret });
  const rights = rightsOf(actor);
  const hidden = fields.filter((f) => modules.some((m) => !fieldReadable(rights, m, f.split('.')[0])));
  if (hidden.length) throw new AppError('field_not_readable', `Your Sugar role does not let you read: ${hidden.join(', ')}`, { fields: hidden });
}

/** Something LeadFWD keeps that belongs to its creator until Sugar has a record that says otherwise. */
export interface Owned {
  id: string;
  name: string;
  createdBy?: Creator;
  sugarCampaignId?: string;
}

/**
 * What Sugar's `_acl` on the item's Sugar Campaign allows `action`; undefined when Sugar shows no such record: hidden
 * from the user (404; or 403 under an owner-only view right, as Sugar's filter then leaves it out) or deleted.
 */
async function askSugarCampaign(actor: Actor, sugarCampaignId: string, action: ModuleAction): Promise<boolean | undefined> {
  try {
    const rec = await actor.sugar.get<{ _acl?: unknown }>(`/Campaigns/${encodeURIComponent(sugarCampaignId)}`, { fields: 'id' });
    return recordAllows(rec?._acl, action);
  } catch (e) {
    const kind = (e as { kind?: string }).kind;
    if (kind === 'not_found' || kind === 'forbidden') return undefined;
    throw e;
  }
}

const createdByActor = (actor: Actor, item: Owned) => actor.kind === 'user' && item.createdBy?.id === actor.id;

/**
 * The one rule, for one campaign as for a list of them: a Sugar Campaign Sugar shows decides by its `_acl` (`acl`),
 * for the creator too. Without one to ask about (not made yet: a review, a scheduled send, one whose setup in Sugar
 * failed; or hidden from the user, another team's or someone else's under owner-only view; or deleted), the campaign
 * is its creator's alone, as a record not yet saved in Sugar is: its audience was read with the creator's rights.
 */
const campaignAllows = (acl: boolean | undefined, mine: boolean) => acl ?? mine;

/** View or change a campaign (or an automation's step): the right Sugar gives the user on its Sugar Campaign. */
export async function requireCampaignRight(actor: Actor, item: Owned, action: 'view' | 'edit', what = 'campaign'): Promise<void> {
  if (isPrivileged(actor)) return;
  requireModule(actor, 'Campaigns', action);
  const acl = item.sugarCampaignId ? await askSugarCampaign(actor, item.sugarCampaignId, action) : undefined;
  if (campaignAllows(acl, createdByActor(actor, item))) return;
  const who = item.createdBy ? ` (created by ${item.createdBy.userName})` : '';
  throw new AppError('not_your_campaign', `Sugar does not let you ${action === 'view' ? 'see' : 'change'} the ${what} "${item.name}"${who}`, { id: item.id });
}

/** Starting from a Sugar Campaign writes to it: it must exist for the actor, and Sugar must let them edit it. */
export async function requireSugarCampaignEdit(actor: Actor, sugarCampaignId: string): Promise<void> {
  let rec: { _acl?: unknown; name?: unknown };
  try {
    rec = await actor.sugar.get(`/Campaigns/${encodeURIComponent(sugarCampaignId)}`, { fields: 'id,name' });
  } catch (e) {
    const kind = (e as { kind?: string }).kind;
    if (kind === 'not_found' || kind === 'forbidden') throw new AppError('unknown_sugar_campaign', `Sugar has no Campaign ${sugarCampaignId} that you can see`);
    throw e;
  }
  if (isPrivileged(actor)) return;
  requireModule(actor, 'Campaigns', 'edit');
  if (!recordAllows(rec?._acl, 'edit'))
    throw new AppError('not_your_campaign', `Sugar does not let you change the Campaign "${String(rec?.name ?? sugarCampaignId)}"`, { sugarCampaignId });
}

/** Of the Sugar Campaigns `ids`, those Sugar shows the user, and whether their `_acl` lets them change each (one call). */
async function sugarCampaignRights(actor: Actor, ids: string[]): Promise<Map<string, boolean>> {
  const seen = new Map<string, boolean>();
  if (ids.length === 0) return seen;
  for await (const page of actor.sugar.filterPages('Campaigns', { filter: [{ id: { $in: ids } }], fields: ['id'], pageSize: 1000 }))
    for (const r of page) seen.set(String(r.id), recordAllows(r._acl, 'edit'));
  return seen;
}

/**
 * Lists and items LeadFWD keeps: those the user may see, and the ids of those they may change, each as
 * requireCampaignRight decides it for one (a creator keeps theirs when Sugar shows no record), with one Sugar call for
 * all: a list offers only the actions that will work.
 */
export async function ownedRights<T extends Owned>(actor: Actor, items: T[]): Promise<{ visible: T[]; editable: Set<string> }> {
  if (isPrivileged(actor)) return { visible: items, editable: new Set(items.map((i) => i.id)) };
  if (!allowsModule(actor, 'Campaigns', 'list')) return { visible: [], editable: new Set() };
  const rights = await sugarCampaignRights(
    actor,
    items.filter((i) => i.sugarCampaignId).map((i) => i.sugarCampaignId!),
  );
  // Sugar's filter returns the records the user may see, each with whether its `_acl` lets them change it.
  const editAcl = (i: T) => (i.sugarCampaignId === undefined ? undefined : rights.get(i.sugarCampaignId));
  const visible = items.filter((i) => campaignAllows(editAcl(i) === undefined ? undefined : true, createdByActor(actor, i)));
  const mayEditAny = allowsModule(actor, 'Campaigns', 'edit');
  const editable = visible.filter((i) => mayEditAny && campaignAllows(editAcl(i), createdByActor(actor, i)));
  return { visible, editable: new Set(editable.map((i) => i.id)) };
}

export const visibleOwned = async <T extends Owned>(actor: Actor, items: T[]): Promise<T[]> => (await ownedRights(actor, items)).visible;
