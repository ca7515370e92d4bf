// The operator's choice for messages whose hand-off ended uncertain (the connection was lost after DATA, so the relay
// may or may not have them; they are never resent on their own): "mark as accepted" (the relay had it: Sugar gets its
// `targeted` row, nobody gets it twice) or "send again now" (queued again; a sent campaign sends once more). Each
// decision is recorded per message with who and when, and written in the campaign's history, in one transaction.
import type { Actor } from '../access/actor.js';
import { creatorOf } from '../access/actor.js';
import { AppError } from '../domain/errors.js';
import { parseInput, z } from '../domain/input.js';
import { outboxItem, outboxKey } from '../domain/outbox.js';
import type { Campaign } from '../domain/types.js';
import { ANSWER_GRACE_MS } from '../domain/uncertain.js';
import type { StorePart, UncertainAction, UnitOfWork } from '../ports/index.js';

export type UncertainStore = UnitOfWork &
  StorePart<{
    campaigns: 'get' | 'transition' | 'note';
    recipients: 'resolveUncertain' | 'arrivedUncertain' | 'getMany' | 'counts';
    outbox: 'enqueue' | 'states';
  }>;

export const UncertainBody = z
  .object({
    action: z
      .enum(['accepted', 'resend'], { error: 'action must be "accepted" or "resend"' })
      .describe('accepted: the relay had it, never resend; resend: send it again now'),
    rowIds: z
      .array(z.number({ error: 'rowIds must be an array of row ids' }).int('rowIds must be an array of row ids'), {
        error: 'rowIds must be an array of row ids',
      })
      .min(1, 'rowIds must name at least one row')
      .max(10_000, 'at most 10000 rowIds at once')
      .optional()
      .describe('The uncertain messages (ledger rows) to decide'),
    all: z.literal(true, { error: 'all must be true' }).optional().describe('true: every message of the campaign still uncertain'),
  })
  .refine((v) => (v.rowIds !== undefined) !== (v.all !== undefined), { message: 'give either rowIds or all: true', when: () => true });

export interface UncertainDeps {
  store: UncertainStore;
  /** The campaign if the actor may change it (Sugar's rights on its Sugar Campaign, or its creator's). */
  campaigns: { allowed(id: string, actor: Actor, action: 'view' | 'edit'): Promise<Campaign> };
  now?: () => Date;
  /** LEADFWD_ANSWER_GRACE_MS, named in the refusal (default 10 minutes). */
  answerGraceMs?: number;
}

const WHAT: Record<UncertainAction, string> = { accepted: 'marked as accepted (not resent)', resend: 'sent again' };

export async function resolveUncertain(
  deps: UncertainDeps,
  id: string,
  body: unknown,
  actor: Actor,
): Promise<{ action: UncertainAction; changed: number; stillAnswerable?: number; arrived?: number }> {
  await deps.campaigns.allowed(id, actor, 'edit');
  const v = parseInput(UncertainBody, body, 'invalid_input');
  const now = deps.now?.() ?? new Date();
  const by = creatorOf(actor);
  const { store } = deps;
  return await store.transaction(async (tx) => {
    // Under the campaign's lock, held to the end: a send loop ending the campaign now decides before this (and this
    // sees 'sent' and reopens it) or after (and sees the row queued); a cancel cannot land between check and change.
    const current = (await tx.campaigns.get(id, { lock: true }))?.status;
    if (v.action === 'resend' && (current === 'cancelled' || current === 'failed'))
      throw new AppError('invalid_transition', `Campaign ${id} is ${current}: it sends nothing more`);
    const which = v.all ? 'all' : v.rowIds!;
    // A row of another campaign (or none) changed nothing and said nothing: the operator chose the wrong rows.
    const mine = v.all ? undefined : new Set((await tx.recipients.getMany(v.rowIds!)).filter((r) => r.campaignId === id).map((r) => r.rowId));
    const foreign = mine ? [...new Set(v.rowIds!)].filter((rowId) => !mine.has(rowId)) : [];
    if (foreign.length)
      throw new AppError('invalid_input', `Not messages of campaign ${id}: ${foreign.slice(0, 20).join(', ')}${foreign.length > 20 ? ', …' : ''}`, {
        rowIds: foreign.slice(0, 100),
      });
    // An open or a click proves the relay had it: "send again" would mail a second copy to someone who read the first.
    const arrived = v.action === 'resend' ? await tx.recipients.arrivedUncertain(id, which) : [];
    const accepted = arrived.length ? await accept(tx, id, arrived, by, now) : [];
    const changed = await tx.recipients.resolveUncertain(id, which, v.action, by, now.toISOString());
    // A resend leaves a row its sender may still answer (a process whose lease ran out, still running): said, not hidden.
    const left =
      v.action !== 'resend'
        ? 0
        : v.all
          ? (await tx.recipients.counts(id)).uncertain
          : (await tx.recipients.getMany(v.rowIds!)).filter((r) => r.state === 'uncertain').length;
    const grace = duration(deps.answerGraceMs ?? ANSWER_GRACE_MS);
    if (changed.length === 0 && left > 0 && accepted.length === 0)
      throw new AppError(
        'sender_still_running',
        `${left} of these messages may still be answered by the process that sent them (it still runs, or was last seen less than ${grace} ago): nothing was sent again; mark them accepted, or try again once it has answered, stopped cleanly or been silent for ${grace}`,
      );
    const extra = { ...(left ? { stillAnswerable: left } : {}), ...(accepted.length ? { arrived: accepted.length } : {}) };
    if (changed.length === 0) return { action: v.action, changed: 0, ...extra };
    const reason = `${changed.length} uncertain message${changed.length === 1 ? '' : 's'} ${WHAT[v.action]} by ${who(by)}`;
    if (v.action === 'accepted') await tellSugar(tx, id, changed, now);
    if (v.action === 'resend' && current === 'sent') await tx.campaigns.transition(id, ['sent'], 'sending', reason);
    else await tx.campaigns.note(id, reason);
    return { action: v.action, changed: changed.length, ...extra };
  });
}

const duration = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}` : `${Math.ceil(ms / 1000)} s`);

const who = (by: ReturnType<typeof creatorOf>) => (by ? by.userName : 'the API');

/** As the send loop does for an acceptance: Sugar learns it once the campaign's setup is under way. */
async function tellSugar(tx: UncertainStore, id: string, rowIds: number[], now: Date) {
  const setup = outboxKey.campaign(id);
  if ((await tx.outbox.states([setup])).has(setup)) for (const rowId of rowIds) await tx.outbox.enqueue(outboxItem.sent(id, rowId, now));
}

/** Rows a resend finds opened or clicked are accepted instead, said in the campaign's history. */
async function accept(tx: UncertainStore, id: string, rowIds: number[], by: ReturnType<typeof creatorOf>, now: Date) {
  const accepted = await tx.recipients.resolveUncertain(id, rowIds, 'accepted', by, now.toISOString());
  if (!accepted.length) return accepted;
  await tellSugar(tx, id, accepted, now);
  const n = accepted.length;
  await tx.campaigns.note(id, `${n} uncertain message${n === 1 ? ' was' : 's were'} opened or clicked: marked as accepted, not sent again, by ${who(by)}`);
  return accepted;
}
