// Resend to non-openers: from a sent campaign, a follow-up with a new subject to its recipients who did not open it
// (no human open; a human click counts as one) or did not click, read when the follow-up goes. Recipients whose only
// opens were Apple Mail Privacy Protection prefetches are neither openers nor non-openers: the person chooses.
// The follow-up is a campaign of its own (own ledger, report and Sugar Campaign, which names the first one).

import { type Actor, creatorOf } from '../access/actor.js';
import { requireModule, requireReadableFields } from '../access/policy.js';
import { AppError } from '../domain/errors.js';
import { parseInput } from '../domain/input.js';
import { mergedFields } from '../domain/merge-fields.js';
import type { Campaign, ContentSpec } from '../domain/types.js';
import { sugarIds } from '../domain/writeback-ids.js';
import type { CompiledCampaign, FollowUpCounts, StorePart } from '../ports/index.js';
import { FollowUpBody } from './schemas.js';
import type { CampaignSenders } from './service.js';

export type FollowUpStore = StorePart<{ campaigns: 'create'; followUps: 'counts' }>;

export interface FollowUpDeps {
  store: FollowUpStore;
  /** The first campaign, if the actor may view it (campaigns.allowed). */
  allowed: (id: string, actor: Actor, action: 'view' | 'edit') => Promise<Campaign>;
  compile: (spec: ContentSpec) => Promise<CompiledCampaign>;
  senders: CampaignSenders;
  now?: () => Date;
}

const DAY_MS = 86_400_000;

export function createFollowUps(deps: FollowUpDeps) {
  const now = () => (deps.now ? deps.now() : new Date());

  /** Who a follow-up of `id` could reach now: what the send flow shows before the person chooses about MPP-only openers. */
  async function audience(id: string, actor: Actor): Promise<FollowUpCounts & { campaignId: string; status: string }> {
    const c = await deps.allowed(id, actor, 'view');
    return { campaignId: c.id, status: c.status, ...(await deps.store.followUps.counts(c.id)) };
  }

  async function create(id: string, body: unknown, actor: Actor): Promise<Campaign> {
    requireModule(actor, 'Campaigns', 'create');
    // Mailing the first one's recipients again, with their merge fields, is a change to it (as a test send is), and
    // those fields must be readable by the caller as in a campaign of their own.
    const first = await deps.allowed(id, actor, 'edit');
    const v = parseInput(FollowUpBody, body, 'invalid_campaign');
    if (first.status !== 'sent')
      throw new AppError('invalid_transition', `Campaign ${id} is ${first.status}: a follow-up goes to the recipients of a sent campaign`);
    const identity = await deps.senders.forSending(first.senderIdentityId, first.fromEmail, actor);
    const content = v.mjml || v.html ? { mjml: v.mjml, html: v.html } : { mjml: first.mjml, html: first.html };
    const at = now();
    const wanted = v.afterDays !== undefined ? new Date(Date.parse(first.sendAt) + v.afterDays * DAY_MS) : v.sendAt ? new Date(v.sendAt) : at;
    const spec = {
      name: v.name ?? `${first.name} – follow-up`,
      subject: v.subject,
      fromName: first.fromName,
      fromEmail: first.fromEmail,
      ...(first.replyTo ? { replyTo: first.replyTo } : {}),
      ...content,
    };
    // Content that does not compile never becomes a campaign.
    requireReadableFields(actor, mergedFields(first.customFields, await deps.compile({ campaignId: 'validation', ...spec })));
    return await deps.store.campaigns.create({
      ...spec,
      targetListIds: [],
      leadfwdListIds: [],
      customFields: first.customFields,
      sendAt: new Date(Math.max(wanted.getTime(), at.getTime())).toISOString(),
      held: v.hold === true,
      senderIdentityId: identity.id,
      ...(first.sendAsAssignedUser ? { sendAsAssignedUser: true } : {}),
      followUpOf: {
        campaignId: first.id,
        name: first.name,
        sugarCampaignId: first.sugarCampaignId ?? sugarIds.campaign(first.id),
        criterion: v.criterion ?? 'not_opened',
        mppOnly: v.mppOnly ?? 'exclude',
      },
      createdBy: creatorOf(actor),
    });
  }

  return { audience, create };
}

export type FollowUps = ReturnType<typeof createFollowUps>;
