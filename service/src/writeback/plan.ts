// Turns one claimed activity row into the Sugar writes it needs, reading the ledger and counters at
// drain time (so hits are current and the list id is known), through the pure mapping in domain/.
import { sugarIds } from '../domain/writeback-ids.js';
import {
  addressIdOf, flagOps, logOps, logSpecFor, logId, optOutAddressIds,
  type Fact, type OptOutScope, type SugarEmailEntry, type SugarOp, type TargetRef,
} from '../domain/writeback.js';
import type { OutboxClaim, Store, StoredCampaign, WrittenLogRow } from '../store/ports.js';

export const ACTIVITY_KINDS = new Set(['sent', 'open', 'click', 'optout', 'bounce']);
const MODULES = new Set(['Contacts', 'Leads', 'Prospects', 'Accounts', 'Users']);
const SUPPRESSED_AT_HAND_OFF = 'suppressed before hand-off';

export interface RowPlan {
  claim: OutboxClaim;
  ops: SugarOp[];
  written: WrittenLogRow[];
  /** The target's `email` array is needed first (opt-out of all addresses, or a missing address id). */
  read?: { module: string; recordId: string };
  /** Ops that depend on the read; `readError` when the record could not be read (deleted, no rights). */
  afterRead?: (emails: SugarEmailEntry[] | undefined, readError?: string) => { ops: SugarOp[]; note?: string };
  note?: string;
}

export type Prepared =
  | { plan: RowPlan }
  | { done: true; note?: string }
  | { dead: string };

interface Payload {
  rowId?: unknown; module?: unknown; recordId?: unknown; email?: unknown; emailAddressId?: unknown;
  at?: unknown; linkIndex?: unknown; reason?: unknown;
}

const isIso = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** The Sugar Target List a ledger row's list stands for: LeadFWD lists travel as their Sugar copy. */
export function sugarListIdFor(store: Store, campaign: StoredCampaign, listId: string): string {
  if (!campaign.leadfwdListIds.includes(listId)) return listId;
  return store.lists.get(listId)?.sugarListId ?? sugarIds.list(listId);
}

export const sugarCampaignIdOf = (c: StoredCampaign) => c.sugarCampaignId ?? sugarIds.campaign(c.id);

export function prepareActivity(store: Store, campaign: StoredCampaign, claim: OutboxClaim, scope: OptOutScope): Prepared {
  const p = (claim.payload ?? {}) as Payload;
  const rowId = p.rowId;
  if (!Number.isInteger(rowId)) return { dead: `malformed outbox payload for ${claim.key}: no recipient row id` };
  const r = store.recipients.get(rowId as number);
  let target: TargetRef;
  if (r) {
    target = {
      campaignId: campaign.id, rowId: r.rowId, sugarCampaignId: sugarCampaignIdOf(campaign), module: r.module, recordId: r.id,
      email: r.email, emailAddressId: r.emailAddressId, sugarListId: sugarListIdFor(store, campaign, r.listId),
    };
  } else if (typeof p.module === 'string' && MODULES.has(p.module) && typeof p.recordId === 'string' && p.recordId && typeof p.email === 'string') {
    // The ledger row is gone; the payload still names the target.
    target = {
      campaignId: campaign.id, rowId: rowId as number, sugarCampaignId: sugarCampaignIdOf(campaign), module: p.module, recordId: p.recordId,
      email: p.email, emailAddressId: typeof p.emailAddressId === 'string' ? p.emailAddressId : undefined,
    };
  } else {
    return { dead: `recipient row ${String(rowId)} of ${claim.key} no longer exists and the payload does not name the target` };
  }

  const fact = factFor(store, claim, p, r);
  if (typeof fact === 'string') return { dead: fact };
  if ('skip' in fact) return { done: true, note: fact.skip };
  const spec = logSpecFor(fact);
  if (!spec) return { done: true, note: 'the failure is written back by its bounce row' };
  const id = logId(target, spec);
  const plan: RowPlan = {
    claim, ops: logOps(target, spec),
    written: [{ logId: id, campaignId: campaign.id, recipientRowId: target.rowId, activityType: spec.activity, targetId: target.recordId, linkIndex: spec.linkIndex, hits: spec.hits }],
  };
  if (fact.kind === 'optout' && scope !== 'none') addFlags(plan, target, 'opt_out', scope);
  if (fact.kind === 'bounce' && fact.reason === 'hard') addFlags(plan, target, 'invalid_email', 'address');
  return { plan };
}

function addFlags(plan: RowPlan, t: TargetRef, flag: 'opt_out' | 'invalid_email', scope: 'address' | 'all'): void {
  if (scope === 'address' && t.emailAddressId) {
    plan.ops.push(...flagOps([t.emailAddressId], flag));
    return;
  }
  plan.read = { module: t.module, recordId: t.recordId };
  plan.afterRead = (emails, readError) => {
    const ids = scope === 'all' ? optOutAddressIds('all', t, emails) : [t.emailAddressId ?? addressIdOf(t.email, emails)].filter((x): x is string => !!x);
    let note: string | undefined;
    if (readError) note = `${readError}; flagged ${ids.length ? 'only the address that was mailed' : 'no address'}`;
    else if (ids.length === 0) note = `${t.email} is no longer on ${t.module}/${t.recordId}; no address flagged`;
    return { ops: flagOps(ids, flag), note };
  };
}

type FactOrSkip = Fact | { skip: string };

function factFor(store: Store, claim: OutboxClaim, p: Payload, r: ReturnType<Store['recipients']['get']>): FactOrSkip | string {
  const at = isIso(p.at) ? p.at : undefined;
  switch (claim.kind) {
    case 'sent': {
      if (!r) return `recipient row ${String(p.rowId)} is gone; its delivery cannot be written back`;
      if (r.state === 'accepted') return { kind: 'sent', state: 'accepted', at: r.acceptedAt ?? at ?? new Date().toISOString() };
      if (r.state !== 'failed') return { skip: `ledger row is ${r.state}; nothing to write` };
      const when = at ?? new Date().toISOString();
      if (r.lastError === SUPPRESSED_AT_HAND_OFF) {
        const reason = store.suppressions.get(r.addressKey)?.reason ?? 'suppressed';
        return { kind: 'sent', state: 'failed', at: when, error: r.lastError, suppressedReason: reason, coveredByBounce: false };
      }
      const covered = store.outbox.states([`bounce:${r.rowId}`]).has(`bounce:${r.rowId}`);
      return { kind: 'sent', state: 'failed', at: when, error: r.lastError, coveredByBounce: covered };
    }
    case 'open': {
      if (!at) return `malformed outbox payload for ${claim.key}: no time`;
      const c = store.engagement.forRecipient(p.rowId as number).find((k) => k.kind === 'open');
      return { kind: 'open', at: c?.firstHumanAt ?? at, hits: c?.humanHits ?? 1 };
    }
    case 'click': {
      if (!at || !Number.isInteger(p.linkIndex) || (p.linkIndex as number) < 0) return `malformed outbox payload for ${claim.key}: needs a time and a link index`;
      const c = store.engagement.forRecipient(p.rowId as number).find((k) => k.kind === 'click' && k.linkIndex === p.linkIndex);
      return { kind: 'click', at: c?.firstHumanAt ?? at, hits: c?.humanHits ?? 1, linkIndex: p.linkIndex as number };
    }
    case 'optout':
      if (!at) return `malformed outbox payload for ${claim.key}: no time`;
      return { kind: 'optout', at, reason: typeof p.reason === 'string' ? p.reason : undefined };
    case 'bounce':
      if (!at || (p.reason !== 'hard' && p.reason !== 'soft')) return `malformed outbox payload for ${claim.key}: needs a time and reason hard or soft`;
      return { kind: 'bounce', at, reason: p.reason };
    default:
      return `unknown outbox kind "${claim.kind}"`;
  }
}
