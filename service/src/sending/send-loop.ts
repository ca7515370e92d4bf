// Hands one campaign's queued ledger rows to delivery (send threads or in-process). Rows are
// claimed just in time (only as many as delivery can work on), so a crash leaves at most a
// handful of rows 'sending'; those become 'uncertain' at restart and are never resent blindly.
// Only this thread touches the ledger: claims before hand-off, outcomes in short batches.
import { backoffMs } from '../domain/backoff.js';
import { createTokenBucket } from '../domain/rate-limit.js';
import type { Recipient } from '../domain/types.js';
import type { Delivery, LedgerRecipient, Outcome, RowResult, SendResult, StorePart } from '../ports/index.js';
import { type OutcomeStore, recordOutcomes } from './outcomes.js';

/** The send loop's part of the store: claims, the suppression check at hand-off, outcomes with their sent items. */
export type SendLoopStore = OutcomeStore & StorePart<{ campaigns: 'get'; recipients: 'claim' | 'counts'; suppressions: 'filterSuppressed' }>;

export interface SendLoopDeps {
  store: SendLoopStore;
  delivery: Delivery;
  rate: { perSecond: number; perHour?: number };
  maxAttempts?: number;
  retryDelayMs?: (attempt: number) => number;
  flushEvery?: number;
  idlePollMs?: number;
  /** The relay's verdict on a row (not called for our own failures, see SendResult.internal). */
  onOutcome?: (r: Recipient, result: SendResult) => void;
  logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** A 4xx retry waits 1 minute, doubling up to an hour (attempt 1 is the first send). */
const defaultRetryDelay = (attempt: number) => backoffMs(attempt - 1, { baseMs: 60_000, maxMs: 3_600_000, jitter: 'none' });

export function outcomeFor(
  r: Recipient,
  res: SendResult,
  messageId: string | undefined,
  maxAttempts: number,
  retryDelayMs: (a: number) => number,
  now = Date.now(),
): Outcome {
  const detail = [res.code, res.enhanced, res.text].filter(Boolean).join(' ').slice(0, 500);
  switch (res.outcome) {
    case 'accepted':
      return { rowId: r.rowId, state: 'accepted', messageId };
    case 'permanent':
      return { rowId: r.rowId, state: 'failed', messageId, error: detail };
    case 'uncertain':
      return { rowId: r.rowId, state: 'uncertain', messageId, error: detail };
    case 'retryable':
      if (r.attempts >= maxAttempts) return { rowId: r.rowId, state: 'failed', messageId, error: `gave up after ${r.attempts} attempts: ${detail}` };
      return { rowId: r.rowId, state: 'queued', error: detail, retryAt: new Date(now + retryDelayMs(r.attempts)).toISOString() };
  }
  throw new Error(`unknown send outcome ${String(res.outcome)}`);
}

export function createSendLoop(deps: SendLoopDeps) {
  const maxAttempts = deps.maxAttempts ?? 5;
  const retryDelayMs = deps.retryDelayMs ?? defaultRetryDelay;
  const flushEvery = deps.flushEvery ?? 100;
  const capacity = Math.max(1, deps.delivery.capacity);
  const bucket = createTokenBucket({ perSecond: deps.rate.perSecond, perHour: deps.rate.perHour });

  /** Sends until the campaign has nothing left to send or stops being 'sending'. Resolves 'done' or 'stopped'. */
  async function run(campaignId: string, signal?: AbortSignal): Promise<'done' | 'stopped'> {
    const { store } = deps;
    const campaign = store.campaigns.get(campaignId);
    if (!campaign) return 'stopped';

    let outcomes: Outcome[] = [];
    const flush = () => {
      if (outcomes.length === 0) return;
      const batch = outcomes;
      outcomes = [];
      recordOutcomes(store, campaignId, batch);
    };
    const record = (o: Outcome) => {
      outcomes.push(o);
      if (outcomes.length >= flushEvery) flush();
    };

    // Rows handed to delivery and not answered yet; `room` wakes the loop when enough came back.
    const inFlight = new Map<number, LedgerRecipient>();
    let waiter: { below: number; wake(): void } | undefined;
    const room = (below: number) => (inFlight.size < below ? Promise.resolve() : new Promise<void>((wake) => (waiter = { below, wake })));
    const onResults = (results: RowResult[]) => {
      for (const { rowId, messageId, result } of results) {
        const r = inFlight.get(rowId);
        if (!r) continue;
        inFlight.delete(rowId);
        record(outcomeFor(r, result, messageId, maxAttempts, retryDelayMs));
        if (!result.internal && deps.onOutcome) {
          try {
            deps.onOutcome(r, result);
          } catch (err) {
            deps.logger?.warn({ err, rowId }, 'send.on_outcome_failed');
          }
        }
      }
      if (waiter && inFlight.size < waiter.below) {
        const w = waiter;
        waiter = undefined;
        w.wake();
      }
    };

    const session = await deps.delivery.open(campaign, onResults);
    // Outcomes not yet flushed turn into 'uncertain' after a crash, so keep the buffer short-lived.
    const flushTimer = setInterval(flush, 25);
    // Re-reading the campaign for every batch costs more than it tells; a pause is noticed within this.
    let checkedAt = 0;
    let active = true;
    const stillSending = () => {
      if (Date.now() - checkedAt > 200) {
        checkedAt = Date.now();
        active = store.campaigns.get(campaignId)?.status === 'sending';
      }
      return active && !signal?.aborted;
    };
    try {
      for (;;) {
        if (!stillSending()) {
          await room(1);
          return 'stopped';
        }
        // Refill once half the capacity is free: claims stay batched (one statement for many
        // rows) while delivery always has work queued behind the messages on the wire.
        await room(Math.ceil(capacity / 2));
        const batch = store.recipients.claim(campaignId, capacity - inFlight.size, new Date().toISOString());
        if (batch.length === 0) {
          await room(1);
          flush();
          const counts = store.recipients.counts(campaignId);
          if (counts.queued === 0 && counts.sending === 0) return 'done';
          await sleep(deps.idlePollMs ?? 1000); // only retries waiting for their time remain
          continue;
        }
        const suppressed = store.suppressions.filterSuppressed(batch.map((r) => r.addressKey));
        let ready: LedgerRecipient[] = [];
        const handOver = () => {
          if (!ready.length) return;
          session.send(ready.map((r) => ({ rowId: r.rowId, email: r.email, fields: r.fields, trackingConsent: r.trackingConsent })));
          ready = [];
        };
        for (const r of batch) {
          if (suppressed.has(r.addressKey)) {
            record({ rowId: r.rowId, state: 'failed', error: 'suppressed before hand-off', suppressed: true });
            continue;
          }
          let wait = bucket.take();
          if (wait > 0) handOver(); // what the bucket already allowed goes now, not after the wait
          for (; wait > 0; wait = bucket.take()) await sleep(wait);
          inFlight.set(r.rowId, r);
          ready.push(r);
        }
        handOver();
      }
    } finally {
      clearInterval(flushTimer);
      flush();
      session.close();
    }
  }

  return { run };
}
