// Campaign use cases: create (validate, compile, check lists), lifecycle commands and the view the API shows.

import { type Actor, creatorOf } from '../access/actor.js';
import { ownedRights, requireCampaignRight, requireModule, requireReadableFields, requireSugarCampaignEdit } from '../access/policy.js';
import { AppError } from '../domain/errors.js';
import type { SenderIdentity } from '../domain/identity.js';
import { parseInput } from '../domain/input.js';
import { canTransition, resumeTarget } from '../domain/lifecycle.js';
import { mergedFields } from '../domain/merge-fields.js';
import type { Campaign, CampaignStatus, ContentSpec } from '../domain/types.js';
import { hiddenModulesOf, ownsList } from '../lists/service.js';
import type { CampaignFilter, CompiledCampaign, NewCampaign, StorePart, UnitOfWork } from '../ports/index.js';
import { resolveAudiences } from './audiences.js';
import { loadTargetLists, type SugarReader } from './extraction.js';
import { cancelIfHeld } from './scheduler.js';
import { CampaignListQuery, ConfirmCampaignBody, CreateCampaignBody } from './schemas.js';
import { requireKnownFields } from './sugar-directory.js';

/** The Sugar target lists must exist: ids Sugar does not know are the caller's mistake, a 422 naming them. */
export async function requireTargetLists(sugar: SugarReader, ids: string[]): Promise<void> {
  try {
    await loadTargetLists(sugar, ids);
  } catch (e) {
    const unknownIds = (e as { unknownIds?: string[] }).unknownIds;
    if (unknownIds?.length) throw new AppError('unknown_lists', (e as Error).message, { unknownTargetListIds: unknownIds });
    throw e;
  }
}

export interface CreateCampaignInput {
  name?: unknown;
  subject?: unknown;
  fromName?: unknown;
  fromEmail?: unknown;
  replyTo?: unknown;
  mjml?: unknown;
  html?: unknown;
  targetListIds?: unknown;
  leadfwdListIds?: unknown;
  savedFilterIds?: unknown;
  reportIds?: unknown;
  customFields?: unknown;
  sendAt?: unknown;
  sugarCampaignId?: unknown;
  hold?: unknown;
  senderIdentityId?: unknown;
  sendAsAssignedUser?: unknown;
  localTime?: unknown;
}

/** What campaigns need of sender identities: the one a campaign may send as, and how its sending goes. */
export interface CampaignSenders {
  /** The identity named (absent: the default) if the actor may use it, it allows `fromEmail` and it may send; else an AppError. */
  forSending(identityId: string | undefined, fromEmail: string, actor: Actor): Promise<SenderIdentity>;
  /** The view's `sender` (identity, its pause, providers it slowed or paused) and `schedule` (days, fits). */
  sendingOf?(campaign: Campaign): Promise<{ sender: unknown; schedule: { fits: boolean } | null; problem?: string }>;
}

/** What the campaign use cases read and change. */
export type CampaignStore = UnitOfWork &
  StorePart<{
    campaigns: 'get' | 'create' | 'find' | 'transition' | 'release' | 'history' | 'getAudit';
    recipients: 'counts';
    lists: 'get' | 'modules';
    automations: 'stepOf';
  }>;

export interface CampaignDeps {
  store: CampaignStore;
  compile: (spec: ContentSpec) => Promise<CompiledCampaign>;
  /** Renders compiled content for one set of merge fields, without tracking (the send flow's preview). */
  renderPreview?(compiled: CompiledCampaign, fields: Record<string, string>): unknown;
  /** The write-back's state of a campaign, shown on its view. */
  writebackState?: (campaignId: string, now: Date) => unknown;
  /** Sender identities: the campaign's From must be one its identity allows. */
  senders: CampaignSenders;
  now?: () => Date;
}

/** LeadFWD lists the actor may use: theirs (another's does not exist for them), and Sugar lets the actor list every module their members are in. */
export async function requireLeadfwdLists(store: Pick<CampaignStore, 'lists'>, actor: Actor, ids: string[]): Promise<void> {
  const lists = await Promise.all(ids.map(async (id) => await store.lists.get(id)));
  const unknown = ids.filter((_, i) => !lists[i] || !ownsList(actor, lists[i]));
  if (unknown.length) throw new AppError('unknown_lists', `Unknown LeadFWD list ids: ${unknown.join(', ')}`, { unknownLeadfwdListIds: unknown });
  for (const id of ids) {
    const hidden = await hiddenModulesOf(store, actor, id);
    if (hidden.length)
      throw new AppError('sugar_rights', `Your Sugar role does not let you list ${hidden.join(', ')}, which LeadFWD list ${id} holds`, {
        listId: id,
        modules: hidden,
      });
  }
}

export function createCampaignService(deps: CampaignDeps) {
  const now = () => (deps.now ? deps.now() : new Date());

  async function validate(input: CreateCampaignInput, actor: Actor) {
    const v = parseInput(CreateCampaignBody, input, 'invalid_campaign');
    const identity = await deps.senders.forSending(v.senderIdentityId, v.fromEmail, actor);
    requireReadableFields(actor, v.customFields);
    await requireKnownFields(actor, v.customFields);
    const { hold, sendAt, sendAsAssignedUser, savedFilterIds: _f, reportIds: _r, ...rest } = v;
    return {
      ...rest,
      senderIdentityId: identity.id,
      ...(sendAsAssignedUser ? { sendAsAssignedUser: true } : {}),
      sendAt: sendTime(sendAt),
      held: hold === true,
    };
  }

  /** Saved filters and reports named, checked with the caller's own token (they exist, the caller may read them). */
  async function audiencesOf(input: CreateCampaignInput, actor: Actor) {
    const v = parseInput(CreateCampaignBody, input, 'invalid_campaign');
    return resolveAudiences(actor.sugar, v.savedFilterIds, v.reportIds);
  }

  /** An ISO time, or now when absent or past (a time in the past means "now"). */
  function sendTime(v: string | undefined): string {
    const at = now();
    if (v === undefined) return at.toISOString();
    const t = new Date(v);
    return (t > at ? t : at).toISOString();
  }

  /** Lets a held campaign go, at `sendAt` (absent or past: now), with the audit it was reviewed with. */
  async function confirm(id: string, body: { sendAt?: unknown }, actor: Actor): Promise<Campaign> {
    const c = await allowed(id, actor, 'edit');
    const asked = parseInput(ConfirmCampaignBody, body, 'invalid_campaign').sendAt;
    if (!c.held) throw new AppError('not_held', `Campaign ${id} is not waiting for confirmation`);
    // Each recipient's time was worked out from the send time when the list was read (the review shows that plan):
    // another time would be answered 200 and not be kept, so only the planned one is accepted.
    if (c.localTime && asked !== undefined && Date.parse(asked) !== Date.parse(c.sendAt))
      throw new AppError(
        'invalid_campaign',
        `Campaign ${id} goes at ${c.localTime.at} in each recipient's time zone, planned from ${c.sendAt} when its recipients were read: ` +
          'confirm it without sendAt (or with that one), or cancel it and create it again for another day',
      );
    const sendAt = sendTime(c.localTime ? c.sendAt : asked);
    // Nothing leaves through an identity that lost its approval or its right to this From since the review.
    await deps.senders.forSending(c.senderIdentityId, c.fromEmail, actor);
    const sending = await deps.senders.sendingOf?.(c);
    if (sending?.schedule && !sending.schedule.fits)
      throw new AppError('schedule_does_not_fit', `Campaign ${id} cannot be sent: ${sending.problem ?? 'its schedule does not fit'}`, {
        schedule: sending.schedule,
      });
    if (!(await deps.store.campaigns.release(id, sendAt))) throw new AppError('invalid_transition', `Campaign ${id} is ${c.status} and cannot be confirmed`);
    return await get(id);
  }

  /** `extra`: what other use cases add to the campaign a person described (an A/B test's part). */
  async function create(input: CreateCampaignInput, actor: Actor, extra: Pick<NewCampaign, 'abPart'> = {}): Promise<Campaign> {
    requireModule(actor, 'Campaigns', 'create');
    const v = await validate(input, actor);
    await requireLeadfwdLists(deps.store, actor, v.leadfwdListIds);
    await requireTargetLists(actor.sugar, v.targetListIds);
    if (v.sugarCampaignId) await requireSugarCampaignEdit(actor, v.sugarCampaignId);
    const audiences = await audiencesOf(input, actor);
    // Compile before storing so broken MJML never leaves a half-made campaign behind.
    requireReadableFields(actor, mergedFields(v.customFields, await deps.compile({ campaignId: 'validation', ...v })));
    return await deps.store.campaigns.create({ ...v, ...(audiences.length ? { audiences } : {}), ...extra, createdBy: creatorOf(actor) });
  }

  /** The campaign, if the actor may `action` it (Sugar's rights on its Sugar Campaign, or its creator's). */
  async function allowed(id: string, actor: Actor, action: 'view' | 'edit'): Promise<Campaign> {
    const c = await get(id);
    await requireCampaignRight(actor, c, action);
    return c;
  }

  async function get(id: string): Promise<Campaign> {
    const c = await deps.store.campaigns.get(id);
    if (!c) throw new AppError('not_found', `No campaign ${id}`);
    return c;
  }

  async function move(id: string, to: CampaignStatus, reason: string, actor: Actor): Promise<Campaign> {
    const c = await allowed(id, actor, 'edit');
    const step = await deps.store.automations.stepOf(id);
    // The engine keeps adding targets to a running automation's step campaign; pausing or cancelling it alone
    // would strand them. Resuming is always allowed, and once the automation is stopped the campaign is ordinary.
    if (step && step.automationStatus !== 'stopped' && (to === 'paused' || to === 'cancelled'))
      throw new AppError(
        'automation_step',
        `Campaign ${id} sends step "${step.stepKey}" of automation "${step.automationName}"; pause or stop the automation instead`,
        { automationId: step.automationId },
      );
    if (!canTransition(c.status, to) || !(await deps.store.campaigns.transition(id, [c.status], to, reason))) {
      throw new AppError('invalid_transition', `Campaign ${id} is ${c.status} and cannot become ${to}`);
    }
    return await get(id);
  }

  /**
   * Sets a review aside: the campaign is cancelled only while it is still held, under its lock, so a Confirm that
   * landed meanwhile (its answer lost on the way) stands, and the caller is told (409 not_held) instead of stopping it.
   */
  async function discard(id: string, actor: Actor): Promise<Campaign> {
    await allowed(id, actor, 'edit');
    if (!(await cancelIfHeld(deps.store, id, by(actor, 'set aside after review'))))
      throw new AppError('not_held', `Campaign ${id} is not waiting for confirmation: it was confirmed, or has ended`);
    return await get(id);
  }

  const by = (actor: Actor, what: string) => (actor.kind === 'user' ? `${what} by ${actor.userName}` : `${what} by the API`);

  /** The send flow's preview: the offered content compiled (held to the size limit) and rendered with `fields`. */
  async function preview(input: Record<string, unknown>) {
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    // Lenient by design: the send flow previews while the user types, so half-filled fields still render.
    const compiled = await deps.compile({
      campaignId: 'preview',
      subject: text(input.subject) ?? '',
      fromName: text(input.fromName) ?? '',
      fromEmail: text(input.fromEmail) ?? 'preview@example.com',
      mjml: text(input.mjml),
      html: text(input.html),
    });
    if (!deps.renderPreview) throw new Error('campaign service built without a preview renderer');
    const fields = input.fields !== null && typeof input.fields === 'object' && !Array.isArray(input.fields) ? input.fields : {};
    // Only text reaches the template, as from Sugar: an object here could carry a toString of its own.
    return deps.renderPreview(compiled, Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string')) as Record<string, string>);
  }

  /**
   * A page of the campaigns the filter lets through that the actor may see, newest first, and how many there are in
   * all: Sugar's rights are applied to every match before the page is cut, so pages and the total agree.
   */
  /** A page of the campaigns the actor may see, and which of them they may change (`editable`). */
  async function find(query: unknown, actor: Actor): Promise<{ campaigns: Campaign[]; editable: Set<string>; total: number; limit: number; offset: number }> {
    const q = parseInput(CampaignListQuery, query, 'invalid_input');
    const limit = Math.min(Math.max(Number(q.limit ?? 50) || 50, 1), 500);
    const offset = Number(q.offset ?? 0);
    const filter: CampaignFilter = {
      ...(q.status ? { statuses: q.status.split(',').map((s) => s.trim()) as CampaignStatus[] } : {}),
      ...(q.q?.trim() ? { text: q.q.trim() } : {}),
      ...(q.fromEmail?.trim() ? { fromEmail: q.fromEmail.trim() } : {}),
      ...(q.sentAfter ? { sendFrom: q.sentAfter } : {}),
      ...(q.sentBefore ? { sendTo: q.sentBefore } : {}),
      ...(q.held ? { held: q.held === 'true' } : {}),
      ...(q.automation ? { automation: q.automation === 'none' ? ('none' as const) : { id: q.automation } } : {}),
      ...(q.sugarCampaignId ? { sugarCampaignId: q.sugarCampaignId } : {}),
      ...(q.targetListId ? { targetListId: q.targetListId } : {}),
    };
    const { visible, editable } = await ownedRights(actor, await deps.store.campaigns.find(filter));
    const page = visible.slice(offset, offset + limit);
    return { campaigns: await Promise.all(page.map(async (r) => await get(r.id))), editable, total: visible.length, limit, offset };
  }

  return {
    create,
    preview,
    find,
    get,
    allowed,
    pause: (id: string, actor: Actor) => move(id, 'paused', by(actor, 'paused'), actor),
    cancel: (id: string, actor: Actor) => move(id, 'cancelled', by(actor, 'cancelled'), actor),
    discard,
    confirm,
    resume: async (id: string, actor: Actor) => {
      const c = await allowed(id, actor, 'edit');
      if (c.status !== 'paused') throw new AppError('invalid_transition', `Campaign ${id} is ${c.status}, not paused`);
      return move(id, resumeTarget(await deps.store.campaigns.history(id)), by(actor, 'resumed'), actor);
    },
    view: async (id: string) => {
      const c = await get(id);
      const { mjml: _m, html: _h, ...rest } = c;
      return {
        ...rest,
        audit: (await deps.store.campaigns.getAudit(id)) ?? null,
        progress: await deps.store.recipients.counts(id),
        history: await deps.store.campaigns.history(id),
        writeback: (await deps.writebackState?.(id, now())) ?? null,
        automation: (await deps.store.automations.stepOf(id)) ?? null,
        ...(deps.senders.sendingOf ? (({ sender, schedule }) => ({ sender, schedule }))(await deps.senders.sendingOf(c)) : {}),
      };
    },
  };
}

export type CampaignService = ReturnType<typeof createCampaignService>;
