// Shared token buckets: a rate (a sender identity's messages per second, Sugar's requests per second) that holds for
// every process on one database together. A process takes a few tokens at a time and spends them locally, so the
// database sees a round trip per batch, not per message; tokens a process took and never spent are simply lost
// (the shared rate is never exceeded, at worst briefly undershot).
import type { Awaitable } from './unit-of-work.js';

export interface BucketRate {
  /** Tokens added per second (> 0). */
  perSecond: number;
  /** Most tokens the bucket holds (the largest burst); at least 1. */
  burst: number;
}

export interface RateRepo {
  /**
   * Refills bucket `name` for the time since it was last touched (at `rate`), then takes up to `want` whole tokens in
   * one atomic step. Returns how many it took and the tokens left (a fraction below 1 when none could be taken).
   */
  take(name: string, want: number, rate: BucketRate): Awaitable<{ granted: number; tokens: number }>;
}
