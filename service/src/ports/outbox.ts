// The outbox: a durable queue of facts for Sugar (domain/outbox.ts types what goes in it). Keys are unique
// for ever, claims are leases that expire, failures back off, dead rows wait for an operator.
import type { Awaitable } from './unit-of-work.js';

export interface NewOutboxItem {
  key: string;
  kind: string;
  campaignId?: string;
  payload: unknown;
  runAt?: string;
}
export interface OutboxClaim {
  id: number;
  key: string;
  kind: string;
  campaignId?: string;
  payload: unknown;
  attempts: number;
}
export interface OutboxStats {
  pending: number;
  done: number;
  dead: number;
  oldestPendingAt?: string;
}

export interface OutboxRepo {
  /** False when an item with the same key exists (pending, done or dead): facts are written back once. */
  enqueue(item: NewOutboxItem): Awaitable<boolean>;
  /** Several items as one statement (a batch of deliveries' `sent` rows); answers how many were new. */
  enqueueMany(items: NewOutboxItem[]): Awaitable<number>;
  /** Due pending rows not locked, or locked before the stale limit; `attempts` counts this claim. */
  claim(limit: number, workerId: string, nowIso: string): Awaitable<OutboxClaim[]>;
  complete(ids: number[]): Awaitable<void>;
  /** retryAt null: the row is dead (kept with its error for the API). */
  fail(id: number, error: string, retryAt: string | null): Awaitable<void>;
  /** Unlocks pending rows locked before `olderThanIso`; returns the count. */
  sweepStale(olderThanIso: string): Awaitable<number>;
  stats(campaignId?: string): Awaitable<OutboxStats>;
  dead(
    limit: number,
    campaignId?: string,
  ): Awaitable<Array<{ id: number; key: string; kind: string; campaignId?: string; lastError: string; attempts: number }>>;
  /** Operator action once the cause is fixed: dead rows become pending again with attempts reset. */
  revive(ids: number[], runAtIso: string): Awaitable<number>;
  /** Claimed rows put back unattempted (waiting on another row): unlocked, the claim not counted, due at `runAtIso`. */
  defer(ids: number[], runAtIso: string): Awaitable<void>;
  /** A done row keeps a note (what could not be done, e.g. a deleted record's flag) in place of an error. */
  note(id: number, text: string): Awaitable<void>;
  /** Done rows that carry a note, newest first. */
  notes(limit: number, campaignId: string): Awaitable<Array<{ id: number; key: string; kind: string; note: string }>>;
  /**
   * When a pending row runs next and, while a worker holds it (its claim not yet stale), since when it was claimed;
   * undefined unless the key is pending.
   */
  pendingTime(key: string): Awaitable<{ runAt: string; claimedAt?: string } | undefined>;
  /**
   * A campaign's rows of these kinds that were put off unattempted (pending, not claimed, no attempt counted, due later: a revived row too)
   * become due at `nowIso`: what they waited for (the campaign's setup) is done. Answers how many.
   */
  hasten(campaignId: string, kinds: readonly string[], nowIso: string): Awaitable<number>;
  /** State of each known key; unknown keys are absent. */
  states(keys: string[]): Awaitable<Map<string, 'pending' | 'done' | 'dead'>>;
  /** Rows of a campaign still pending that failed at least once, newest first, with their last error. */
  retrying(limit: number, campaignId?: string): Awaitable<Array<{ id: number; key: string; kind: string; lastError: string; attempts: number; runAt: string }>>;
}
