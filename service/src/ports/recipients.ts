// The send ledger: one row per campaign and address key, claimed just in time, outcomes in batches.

import type { Creator, Recipient, RecipientState, Target } from '../domain/types.js';
import type { Awaitable } from './unit-of-work.js';

/** A ledger row: the shared Recipient plus what the ledger itself tracks. */
export type LedgerRecipient = Recipient & {
  addressKey: string;
  /** The recipient's mailbox provider (MailboxProvider), found from MX at extraction; absent for older rows. */
  provider?: string;
  retryAt?: string; // set while a 4xx retry waits
  acceptedAt?: string; // when the relay accepted it (engagement timing uses it)
};

export type OutcomeState = 'accepted' | 'failed' | 'uncertain' | 'queued';
export interface Outcome {
  rowId: number;
  state: OutcomeState;
  messageId?: string;
  error?: string;
  retryAt?: string; // with state 'queued': not claimable before this time
  /** With state 'failed': the suppression list stopped it at hand-off (the write-back says `blocked`). */
  suppressed?: boolean;
}

/** What an operator decided about an uncertain message: the relay had it (never resent), or send it again. */
export type UncertainAction = 'accepted' | 'resend';

export interface RecipientRepo {
  /** Ignores rows whose (campaign, address key) is already in the ledger; returns how many were new. */
  insertMany(campaignId: string, targets: Array<Target & { addressKey: string; provider?: string }>): Awaitable<number>;
  /**
   * After a campaign's rows are all in: the database learns the ledger's new size and spread, so its planner reserves
   * from the claim index at once instead of once its background statistics catch up (PostgreSQL; SQLite has nothing to do).
   */
  refreshStatistics(): Awaitable<void>;
  /** Due queued rows → 'sending', attempts + 1, in one statement: no row is handed out twice. */
  claim(campaignId: string, limit: number, nowIso: string): Awaitable<LedgerRecipient[]>;
  /**
   * Due queued rows are reserved for `holder` until `untilIso`, in one statement: they stay 'queued' (a crash loses
   * nothing; at restart or when the reservation runs out they are due again) and no one else reserves or claims them
   * meanwhile. `attempts` is not counted yet (markSending does). Rows whose stored provider is in `exceptProviders`
   * are left to others (rows with none stored are not).
   */
  reserve(
    campaignId: string,
    limit: number,
    nowIso: string,
    holder: string,
    untilIso: string,
    exceptProviders?: readonly string[],
  ): Awaitable<LedgerRecipient[]>;
  /**
   * Rows still reserved by `holder` → 'sending', attempts + 1, in one statement, right before they are handed to SMTP,
   * while their campaign is 'sending' (a pause or cancel committed before stops every hand-off after it, whatever the
   * loop was waiting for). Returns the ids that changed; the others were taken back (deferred, reserved by another,
   * the campaign stopped) and must not go.
   */
  markSending(rowIds: number[], holder: string, nowIso: string, opts?: { dataEndMark?: boolean }): Awaitable<number[]>;
  /**
   * The end of DATA mark: rows this process handed over with `dataEndMark` (markSending) record, in one statement,
   * that their final dot may go now; marking again keeps the first time. Returns the ids marked; a row no longer this
   * process's 'sending' row (taken for orphaned meanwhile) is not, and its dot must not go. Without the mark a crash
   * queues the row again.
   */
  markDataEnd(rowIds: number[], nowIso: string): Awaitable<number[]>;
  /** Reserved rows not sent after all go back to the queue, due at `retryAtIso` ('' = now); `reason` becomes their last error. */
  unreserve(rowIds: number[], holder: string, retryAtIso: string, reason?: string): Awaitable<number>;
  /**
   * Every row of the campaign still reserved by `holder` goes back to the queue, due now: a loop that ends leaves none,
   * even one whose reservation committed while its answer was lost (the database went away mid-reply).
   */
  releaseHolder(campaignId: string, holder: string): Awaitable<number>;
  /**
   * One transaction; returns the ids of the rows that changed. Only rows this process (the store's `owner`) claimed
   * change: rows still in 'sending', and rows the orphan recovery made 'uncertain' while this process, taken for dead
   * (its lease ran out through a database outage), was still sending them, when the verdict is final (accepted or
   * failed: a 'try again' stays uncertain, since its campaign may have finished meanwhile and nothing would
   * send a queued row again); a late verdict for a row another process has taken since changes nothing.
   */
  applyOutcomes(batch: Outcome[]): Awaitable<number[]>;
  /** applyOutcomes, counted. */
  markOutcomes(batch: Outcome[]): Awaitable<number>;
  /** Claimed rows never handed to SMTP (graceful stop) go back to 'queued' without counting the attempt; only this process's rows in 'sending'. */
  release(rowIds: number[]): Awaitable<number>;
  /** Claimed rows that must wait (their provider is throttled or out of today's warm-up allowance) go back to 'queued' until `retryAtIso`, the attempt not counted; only this process's rows in 'sending'. */
  defer(rowIds: number[], retryAtIso: string, reason?: string): Awaitable<number>;
  /**
   * Queued rows of a campaign due before `untilIso` wait until then (rows reserved by a send loop are left to it): those of one provider, those of none of
   * `notIn` (rows without a provider count as ''), or all; `reason` becomes their last error. Returns the count.
   */
  deferQueued(campaignId: string, which: { provider?: string; notIn?: string[] }, untilIso: string, reason?: string): Awaitable<number>;
  /** Queued rows per provider (rows without one under ''). */
  queuedByProvider(campaignId: string): Awaitable<Record<string, number>>;
  /** The earliest time a queued row of the campaign is due ('' when one is due now; undefined when none is queued). */
  nextDue(campaignId: string): Awaitable<string | undefined>;
  /**
   * After a crash: every 'sending' row whose end of DATA was marked (or never gated: markSending without
   * `dataEndMark`, claim) → 'uncertain', never blindly resent; one without the mark never finished DATA and is queued
   * again, due now, its attempt not counted; reserved rows (never handed to SMTP) are queued and due again. Returns the
   * count made uncertain.
   */
  recoverInFlight(): Awaitable<number>;
  /**
   * Several processes on one database: every 'sending' row whose claiming process (the store's `owner`) no longer
   * holds its live lease `process:<owner>` → 'uncertain', or queued again when its end of DATA was not marked, as in
   * recoverInFlight (a row claimed without an owner counts as orphaned). Rows a
   * live process is sending stay as they are. Rows such a process only reserved are due again at once. Returns the count
   * made uncertain.
   */
  recoverOrphaned(): Awaitable<number>;
  get(rowId: number): Awaitable<LedgerRecipient | undefined>;
  /** The rows of those ids that exist, in one read (the write-back plans a claimed batch at once). */
  getMany(rowIds: number[]): Awaitable<LedgerRecipient[]>;
  counts(campaignId: string): Awaitable<Record<RecipientState, number>>;
  /** Rows per Sugar module (a reader is shown only the modules Sugar lets them view; the others are counted). */
  moduleCounts(campaignId: string): Awaitable<Record<string, number>>;
  /** `modules`: only rows of these modules. */
  list(campaignId: string, opts: { state?: RecipientState; modules?: readonly string[]; limit: number; offset: number }): Awaitable<LedgerRecipient[]>;
  /**
   * The operator's decision on rows of `campaignId` still uncertain (`'all'`, or those of `rowIds`): `accepted` makes
   * them accepted (accepted at their hand-off time), `resend` queues them again, due now, with their attempts counted
   * afresh (an operator's new try, not the retries' last). Each changed row records the
   * decision with who and when. Returns the ids of the rows that changed; rows no longer uncertain are left alone, and
   * so is a resend of a row whose hand-off the process that made it may still answer (it was made uncertain when that
   * process's lease ran out, and the process still renews it or was last seen less than ANSWER_GRACE_MS ago: its late
   * verdict would be lost to the resend).
   */
  resolveUncertain(campaignId: string, rowIds: number[] | 'all', action: UncertainAction, by: Creator | undefined, atIso: string): Awaitable<number[]>;
  /** Rows of `campaignId` still uncertain (`'all'`, or of `rowIds`) with an open or a click recorded: they arrived. */
  arrivedUncertain(campaignId: string, rowIds: number[] | 'all'): Awaitable<number[]>;
}
