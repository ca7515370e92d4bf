// The checks and values of the recipient ledger that do not depend on the database, one copy for both adapters
// (store/sqlite-recipient-repo.ts, store/pg/recipient-repo.ts), so the two cannot drift apart.
import type { Creator, RecipientState, Target } from '../domain/types.js';
import type { Outcome, UncertainAction } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { isoTime, toJson } from './values.js';

const STATES: RecipientState[] = ['queued', 'sending', 'accepted', 'failed', 'uncertain'];
const OUTCOME_STATES = new Set(['accepted', 'failed', 'uncertain', 'queued']);

// Kept on rows found mid-send after a crash, so the operator sees why they were not resent.
export const INTERRUPTED = 'interrupted during hand-off to SMTP; the relay may or may not have the message, so it is not resent';

export type LedgerTarget = Target & { addressKey: string; provider?: string };

/** A target's stored values, in the column order address_key, module, record_id, list_id, email, email_address_id,
 * fields, tracking_consent, provider, sender, retry_at. */
export function ledgerValues(t: LedgerTarget): unknown[] {
  return [
    t.addressKey,
    t.module,
    t.id,
    t.listId,
    t.email,
    t.emailAddressId ?? null,
    toJson(t.fields ?? {}),
    t.trackingConsent ? 1 : 0,
    t.provider ?? null,
    t.sender ? toJson({ name: t.sender.name, email: t.sender.email }) : null,
    t.notBefore ? isoTime(t.notBefore, 'notBefore') : '',
  ];
}

export function checkLimit(what: 'claim' | 'reserve', limit: number): void {
  if (!Number.isInteger(limit) || limit < 0) throw new StoreInputError(`${what} limit must be a whole number, got ${limit}`);
}

/** A reservation's checked limit, holder and times, as ISO strings the SQL compares. */
export function reservation(limit: number, nowIso: string, holder: string, untilIso: string): { now: string; until: string } {
  checkLimit('reserve', limit);
  if (typeof holder !== 'string' || holder === '') throw new StoreInputError('a reservation needs a holder');
  const now = isoTime(nowIso, 'now');
  const until = isoTime(untilIso, 'until');
  if (until <= now) throw new StoreInputError('a reservation must end after it starts');
  return { now, until };
}

export function checkOutcomes(batch: Outcome[]): void {
  for (const o of batch) {
    if (!OUTCOME_STATES.has(o.state)) throw new StoreInputError(`outcome state must be accepted, failed, uncertain or queued, got ${String(o.state)}`);
  }
}

/** Every state with its count, 0 where the campaign has no row in it. */
export function stateCounts(rows: Array<{ state: RecipientState; n: number }>): Record<RecipientState, number> {
  const out = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<RecipientState, number>;
  for (const r of rows) out[r.state] = r.n;
  return out;
}

/** An operator's decision on uncertain rows, checked: its time, and the reason kept on the rows sent again. */
export function uncertainDecision(rowIds: number[] | 'all', action: UncertainAction, by: Creator | undefined, atIso: string): { at: string; reason: string } {
  if (action !== 'accepted' && action !== 'resend') throw new StoreInputError(`uncertain action must be accepted or resend, got ${String(action)}`);
  if (rowIds !== 'all' && (!Array.isArray(rowIds) || rowIds.some((id) => !Number.isSafeInteger(id)))) {
    throw new StoreInputError('rowIds must be "all" or an array of row ids');
  }
  return { at: isoTime(atIso, 'decision time'), reason: `sent again after an uncertain hand-off${by ? ` (${by.userName})` : ''}` };
}
