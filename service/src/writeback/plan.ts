// Turns one claimed activity row into the Sugar writes it needs, reading the ledger and counters at
// drain time (so hits are current and the list id is known), through the pure mapping in domain/.
import { type ActivityItem, outboxKey } from '../domain/outbox.js';
import {
  addressIdOf,
  type Fact,
  flagOps,
  logId,
  logOps,
  logSpecFor,
  type OptOutScope,
  optOutAddressIds,
  type SugarEmailEntry,
  type SugarOp,
  type TargetRef,
} from '../domain/writeback.js';
import { sugarIds } from '../domain/writeback-ids.js';
import type { LedgerRecipient, OutboxClaim, StoredCampaign, WrittenLogRow } from '../ports/index.js';
import type { PlanStore } from './ports.js';

const MODULES = new Set(['Contacts', 'Leads', 'Prospects', 'Accounts', 'Users']);

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

export type Prepared = { plan: RowPlan } | { done: true; note?: string } | { dead: string };

/**
 * The Sugar Target List a ledger row's list stands for: LeadFWD lists travel as their Sugar copy; a row from a saved
 * filter, a report or a follow-up (`saved_filter:<id>`, `report:<id>`, `follow_up:<campaign id>`) has none, and its CampaignLog rows carry no list.
 */
export async function sugarListIdFor(store: Pick<PlanStore, 'lists'>, campaign: StoredCampaign, listId: string): Promise<string | undefined> {
  if (/^(saved_filter|report|follow_up):/.test(listId)) return undefined;
  if (!campaign.leadfwdListIds.includes(listId)) return listId;
  return (await store.lists.get(listId))?.sugarListId ?? sugarIds.list(listId);
}

export const sugarCampaignIdOf = (c: StoredCampaign) => c.sugarCampaignId ?? sugarIds.campaign(c.id);

export async function prepareActivity(
  store: PlanStore,
  campaign: StoredCampaign,
  claim: OutboxClaim,
  item: ActivityItem,
  scope: OptOutScope,
): Promise<Prepared> {
  const p = item.payload;
  const r = await store.recipients.get(p.rowId);
  let target: TargetRef;
  if (r) {
    target = {
      campaignId: campaign.id,
      rowId: r.rowId,
      sugarCampaignId: sugarCampaignIdOf(campaign),
      module: r.module,
      recordId: r.id,
      email: r.email,
      emailAddressId: r.emailAddressId,
      sugarListId: await sugarListIdFor(store, campaign, r.listId),
    };
  } else if (
    item.kind !== 'sent' &&
    MODULES.has(item.payload.module) &&
    typeof item.payload.recordId === 'string' &&
    item.payload.recordId &&
    typeof item.payload.email === 'string'
  ) {
    // The ledger row is gone; the payload still names the target.
    const t = item.payload;
    target = {
      campaignId: campaign.id,
      rowId: t.rowId,
      sugarCampaignId: sugarCampaignIdOf(campaign),
      module: t.module,
      recordId: t.recordId,
      email: t.email,
      emailAddressId: typeof t.emailAddressId === 'string' ? t.emailAddressId : undefined,
    };
  } else {
    return { dead: `recipient row ${String(p.rowId)} of ${claim.key} no longer exists and the payload does not name the target` };
  }

  const fact = await factFor(store, item, r);
  if (typeof fact === 'string') return { dead: fact };
  if ('skip' in fact) return { done: true, note: fact.skip };
  const spec = logSpecFor(fact);
  if (!spec) return { done: true, note: 'the failure is written back by its bounce row' };
  const id = logId(target, spec);
  const plan: RowPlan = {
    claim,
    ops: logOps(target, spec),
    written: [
      {
        logId: id,
        campaignId: campaign.id,
        recipientRowId: target.rowId,
        activityType: spec.activity,
        targetId: target.recordId,
        linkIndex: spec.linkIndex,
        hits: spec.hits,
      },
    ],
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

async function factFor(store: PlanStore, item: ActivityItem, r: LedgerRecipient | undefined): Promise<FactOrSkip | string> {
  switch (item.kind) {
    case 'sent': {
      const { rowId, at, suppressed } = item.payload;
      if (!r) return `recipient row ${rowId} is gone; its delivery cannot be written back`;
      if (r.state === 'accepted') return { kind: 'sent', state: 'accepted', at: r.acceptedAt ?? (at || new Date().toISOString()) };
      if (r.state !== 'failed') return { skip: `ledger row is ${r.state}; nothing to write` };
      const when = at || new Date().toISOString();
      // The send loop's verdict travels in the payload: the suppression list stopped it at hand-off.
      if (suppressed) {
        const reason = (await store.suppressions.get(r.addressKey))?.reason ?? 'suppressed';
        return { kind: 'sent', state: 'failed', at: when, error: r.lastError, suppressedReason: reason, coveredByBounce: false };
      }
      const bounceKey = outboxKey.bounce(r.rowId);
      return { kind: 'sent', state: 'failed', at: when, error: r.lastError, coveredByBounce: (await store.outbox.states([bounceKey])).has(bounceKey) };
    }
    case 'open': {
      const c = (await store.engagement.forRecipient(item.payload.rowId)).find((k) => k.kind === 'open');
      return { kind: 'open', at: c?.firstHumanAt ?? item.payload.at, hits: c?.humanHits ?? 1 };
    }
    case 'click': {
      const { rowId, linkIndex, at } = item.payload;
      const c = (await store.engagement.forRecipient(rowId)).find((k) => k.kind === 'click' && k.linkIndex === linkIndex);
      return { kind: 'click', at: c?.firstHumanAt ?? at, hits: c?.humanHits ?? 1, linkIndex };
    }
    case 'optout':
      return { kind: 'optout', at: item.payload.at, reason: item.payload.reason };
    case 'bounce':
      return { kind: 'bounce', at: item.payload.at, reason: item.payload.reason };
  }
}
