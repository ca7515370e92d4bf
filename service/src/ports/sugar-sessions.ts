// Sugar keeps one session per user and platform, so processes that each logged in on their own would end each
// other's sessions. They share one instead: its tokens, sealed, kept here under a name per Sugar, user and platform
// (renewals are serialised by a lease, so a plain upsert is enough).
import type { Awaitable } from './unit-of-work.js';

export interface SugarSessionRepo {
  /** The sealed tokens kept under `name`, if any. */
  get(name: string): Awaitable<string | undefined>;
  /** Keeps `sealed` under `name`, replacing what was there. */
  put(name: string, sealed: string): Awaitable<void>;
}
