// The checks and values of the recipient ledger that do not depend on the database, and a ledger row as both
// adapters' SQL returns it, one copy for both (store/sqlite-recipient-repo.ts, store/pg/recipient-repo.ts), so the two
// cannot drift apart. RecipientRow is a type, not an interface, so PostgreSQL's untyped rows convert with a plain `as`.
import type { Creator, RecipientState, Target, TargetModule } from '../domain/types.js';
import type { LedgerRecipient, Outcome, UncertainAction } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { isoTime, opt, toJson } from './values.js';

export type RecipientRow = {
  row_id: number | string;
  campaign_id: string;
  address_key: string;
  module: TargetModule;
  record_id: string;
  list_id: string;
  email: string;
  email_address_id: string | null;
  fields: string;
  tracking_consent: number;
  state: RecipientState;
  attempts: number;
  retry_at: string;
  message_id: string | null;
  last_error: string | null;
  accepted_at: string | null;
  provider: string | null;
  sender: string | null;
};

export const COLUMNS = `row_id, campaign_id, address_key, module, record_id, list_id, email, email_address_id, fields,
  tracking_consent, state, attempts, retry_at, message_id, last_error, accepted_at, provider, sender`;

export function toRecipient(r: RecipientRow): LedgerRecipient {
  return {
    rowId: Number(r.row_id),
    campaignId: r.campaign_id,
    addressKey: r.address_key,
    module: r.module,
    id: r.record_id,
    listId: r.list_id,
    email: r.email,
    emailAddressId: opt(r.email_address_id),
    fields: JSON.parse(r.fields),
    trackingConsent: r.tracking_consent === 1,
    state: r.state,
    attempts: r.attempts,
    retryAt: r.retry_at === '' ? undefined : r.retry_at,
    messageId: opt(r.message_id),
    lastError: opt(r.last_error),
    acceptedAt: opt(r.accepted_at),
    ...(r.provider !== null ? { provider: r.provider } : {}),
    ...(r.sender !== null ? { sender: JSON.parse(r.sender) } : {}),
  };
}

const STATES: RecipientState[] = ['queued', 'sending', 'accepted', 'failed', 'uncertain'];
const OUTCOME_STATES = new Set(['accepted', 'failed', 'uncertain', 'queued']);

/** For /metrics: ledger rows by state, a cancelled or failed campaign's queued rows apart ('dropped': never sent). */
export const RECIPIENTS_BY_STATE = `SELECT CASE WHEN r.state = 'queued' AND c.status IN ('cancelled', 'failed') THEN 'dropped' ELSE r.state END AS k,
  count(*) AS n FROM recipients r JOIN campaigns c ON c.id = r.campaign_id GROUP BY 1`;

/**
 * SQL in both dialects: the process that claimed the `recipients` row `row` (the table or its alias) still holds its
 * lease at `nowMs` (a parameter; a cut-off time before now asks whether it was still seen then): a dead one's rows are
 * recovered, and a live one may still answer for them.
 */
export const claimerAlive = (row: string, nowMs: string) =>
  `EXISTS (SELECT 1 FROM leases WHERE leases.name = 'process:' || coalesce(${row}.claimed_by, '') AND leases.expires_at > ${nowMs})`;

// Kept on rows found mid-send after a crash, so the operator sees why they were not resent.
export const INTERRUPTED = 'interrupted during hand-off to SMTP; the relay may or may not have the message, so it is not resent';

/**
 * An uncertain row's process answered late, but only "try again" or "uncertain": it has nothing more to say, so the
 * row stops counting as one its process may still answer (an operator may send it again at once).
 */
export const answeredLate = (error: string | undefined) => `still uncertain: its sender answered after the recovery, "${(error ?? '').slice(0, 400)}"`;

// Kept on rows found mid-send after a crash whose final dot never left: the server dropped them, so they go again.
export const NOT_FINISHED = 'interrupted before the end of DATA; the relay dropped the transaction, so it is sent again';

export type LedgerTarget = Target & { addressKey: string; provider?: string };

/** A target's stored values, in the column order address_key, module, record_id, list_id, email, email_address_id,
 * fields, tracking_consent, provider, sender, retry_at. */
export function ledgerValues(t: LedgerTarget): unknown[] {
  // Empty, it would hold the campaign's one place for every other row without a key.
  if (typeof t.addressKey !== 'string' || t.addressKey === '') throw new StoreInputError('a ledger row needs an address key');
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
