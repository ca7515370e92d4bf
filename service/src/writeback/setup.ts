// The Sugar side of a campaign that starts sending: the Campaign itself (unless the user started
// from one) with a CampaignTracker per tracked link, and every selected list linked through
// `prospectlists`, a LeadFWD list first copied to a Sugar Target List with its members.

import { readOutboxItem } from '../domain/outbox.js';
import { campaignBody, leadfwdListBody, type SugarOp, trackerOp } from '../domain/writeback.js';
import { sugarIds } from '../domain/writeback-ids.js';
import type { OpVerdict } from '../domain/writeback-results.js';
import type { OutboxClaim, StoredCampaign } from '../ports/index.js';
import type { RowOutcome } from './activity-batch.js';
import { sugarCampaignIdOf } from './plan.js';
import type { SetupStore } from './ports.js';
import { callErrorMessage, isTransientCallError, type OpResult, type Send } from './send.js';

export interface SetupDeps {
  store: SetupStore;
  send: Send;
  /** The campaign's tracked URLs, index = link index in click tokens. */
  links: (c: StoredCampaign) => Promise<string[]>;
}

/** `after` runs inside the transaction that completes the outbox row, on that transaction's repositories. */
export type SetupOutcome = RowOutcome & { outage?: boolean; after?: (tx: SetupStore) => Promise<unknown> };

const LINK_OF: Record<string, string> = { Contacts: 'contacts', Leads: 'leads', Prospects: 'prospects', Accounts: 'accounts', Users: 'users' };
const MEMBER_CHUNK = 500;
const enc = encodeURIComponent;

type Failed = Extract<OpVerdict, { ok: false }>;
/** Sugar answered 404 Not Found (the status Sugar gave, never read from a message): a record the op names is gone. */
const gone = (a: OpResult) => !a.verdict.ok && a.status === 404;

function verdictOutcome(id: number, answers: OpResult[]): SetupOutcome | undefined {
  const failed = answers.map((a) => a.verdict).filter((v): v is Failed => !v.ok);
  const permanent = failed.filter((v) => v.permanent);
  if (permanent.length) return { id, kind: 'dead', error: permanent.map((v) => v.message).join('; ') };
  if (failed.length) return { id, kind: 'retry', error: failed.map((v) => v.message).join('; ') };
  return undefined;
}

async function call(id: number, send: Send, ops: SugarOp[]): Promise<OpResult[] | SetupOutcome> {
  try {
    return await send(ops);
  } catch (e) {
    const transient = isTransientCallError(e);
    return { id, kind: transient ? 'retry' : 'dead', error: callErrorMessage(e), outage: transient };
  }
}

export async function runCampaignSetup(deps: SetupDeps, claim: OutboxClaim, c: StoredCampaign): Promise<SetupOutcome> {
  let links: string[];
  try {
    links = await deps.links(c);
  } catch (e) {
    return { id: claim.id, kind: 'retry', error: `could not compile the campaign to list its links: ${callErrorMessage(e)}` };
  }
  const sid = sugarCampaignIdOf(c);
  let head: SugarOp;
  try {
    head = c.sugarCampaignId
      ? { method: 'GET', path: `/Campaigns/${enc(sid)}?fields=id,name`, what: `the Sugar Campaign ${sid} the campaign started from` }
      : { method: 'POST', path: '/Campaigns', data: campaignBody(c, links.length), create: true, what: 'Sugar Campaign' };
  } catch (e) {
    // A campaign stored before its values were checked as they are now (a send time Sugar's dates cannot hold): it
    // will never map, and trying again would fail its whole batch, the other campaigns' rows with it.
    return { id: claim.id, kind: 'dead', error: `could not describe the campaign to Sugar: ${callErrorMessage(e)}` };
  }
  const ops = [head, ...links.map((url, i) => trackerOp(c.id, sid, i, url))];
  const res = await call(claim.id, deps.send, ops);
  if (!Array.isArray(res)) return res;
  const bad = verdictOutcome(claim.id, res);
  if (bad) return bad;
  return { id: claim.id, kind: 'done', written: [], after: c.sugarCampaignId ? undefined : async (tx) => await tx.campaigns.setSugarCampaignId(c.id, sid) };
}

/** `item`: the claim read as an outbox item (the worker has it already). */
export async function runListSetup(deps: SetupDeps, claim: OutboxClaim, c: StoredCampaign, item = readOutboxItem(claim)): Promise<SetupOutcome> {
  if ('malformed' in item || item.kind !== 'list')
    return { id: claim.id, kind: 'dead', error: 'malformed' in item ? item.malformed : `${claim.key} is not a list row` };
  const p = item.payload;
  const sid = sugarCampaignIdOf(c);
  const linkOp = (listId: string, name: string): SugarOp => ({
    method: 'POST',
    path: `/Campaigns/${enc(sid)}/link/prospectlists/${enc(listId)}`,
    what: `link ${name} to the Sugar Campaign`,
  });
  if (p.source === 'sugar') {
    const res = await call(claim.id, deps.send, [linkOp(p.listId, `Target List ${p.listId}`)]);
    if (!Array.isArray(res)) return res;
    return verdictOutcome(claim.id, res) ?? { id: claim.id, kind: 'done', written: [] };
  }
  return copyLeadfwdList(deps, claim, p.listId, linkOp);
}

async function copyLeadfwdList(deps: SetupDeps, claim: OutboxClaim, listId: string, linkOp: (id: string, name: string) => SugarOp): Promise<SetupOutcome> {
  const list = await deps.store.lists.get(listId);
  if (!list) return { id: claim.id, kind: 'dead', error: `LeadFWD list ${listId} no longer exists` };
  const members = await deps.store.lists.members(listId);
  const slid = list.sugarListId ?? sugarIds.list(listId);
  const byLink = new Map<string, string[]>();
  for (const m of members) {
    // push, never a copy per member (that was quadratic)
    const ids = byLink.get(LINK_OF[m.module]);
    if (ids) ids.push(m.recordId);
    else byLink.set(LINK_OF[m.module], [m.recordId]);
  }
  const chunks: Array<{ link: string; ids: string[] }> = [];
  for (const [link, ids] of byLink) for (let i = 0; i < ids.length; i += MEMBER_CHUNK) chunks.push({ link, ids: ids.slice(i, i + MEMBER_CHUNK) });

  const create: SugarOp = {
    method: 'POST',
    path: '/ProspectLists',
    data: leadfwdListBody(list, members.length),
    create: true,
    what: `Target List for LeadFWD list ${listId}`,
  };
  const memberOps: SugarOp[] = chunks.map((ch) => ({
    method: 'POST',
    path: `/ProspectLists/${enc(slid)}/link`,
    data: { link_name: ch.link, ids: ch.ids },
    what: `add ${ch.ids.length} ${ch.link} to the Target List`,
  }));
  const res = await call(claim.id, deps.send, [create, ...memberOps, linkOp(slid, `the Target List copied from ${listId}`)]);
  if (!Array.isArray(res)) return res;
  const bad = verdictOutcome(claim.id, [res[0], res[res.length - 1]]);
  if (bad) return bad;

  // A chunk naming a record deleted in Sugar is refused whole (404): add its members one by one.
  const memberResults = res.slice(1, -1);
  const retryChunks = chunks.filter((_, i) => gone(memberResults[i]));
  const other = verdictOutcome(
    claim.id,
    memberResults.filter((_, i) => !retryChunks.includes(chunks[i])),
  );
  if (other) return other;
  let missing = 0;
  if (retryChunks.length) {
    const singles: SugarOp[] = retryChunks.flatMap((ch) =>
      ch.ids.map((rid) => ({
        method: 'POST' as const,
        path: `/ProspectLists/${enc(slid)}/link/${ch.link}/${enc(rid)}`,
        what: `add ${ch.link} ${rid} to the Target List`,
      })),
    );
    const one = await call(claim.id, deps.send, singles);
    if (!Array.isArray(one)) return one;
    missing = one.filter(gone).length;
    const rest = verdictOutcome(
      claim.id,
      one.filter((a) => !gone(a)),
    );
    if (rest) return rest;
  }
  return {
    id: claim.id,
    kind: 'done',
    written: [],
    note: missing ? `${missing} of ${members.length} members are no longer in Sugar and were left out of the Target List` : undefined,
    after: list.sugarListId ? undefined : async (tx) => await tx.lists.setSugarListId(listId, slid),
  };
}
