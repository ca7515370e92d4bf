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

/** A token this close to its expiry is renewed, so a long extraction never starts a page with a token about to die. */
export const EARLY_MS = 60_000;

export interface SessionTokens {
  access: string;
  refresh?: string;
  /** Epoch ms; sudo tokens only (they come without a refresh token). */
  expiresAt?: number;
}

/**
 * Where the processes on one database keep one session per Sugar user and platform (coordination/shared-sessions.ts):
 * Sugar ends a user's other sessions on a platform at each login, so processes logging in on their own would end
 * each other's.
 */
export interface SessionShare {
  /**
   * Replaces the session whose access token `failed` Sugar refused (undefined: there is none yet). A kept session
   * other than `failed`, and not within EARLY_MS of its expiry, is adopted; else one process at a time runs `grant`
   * with the latest kept tokens and keeps its result, and the others adopt that.
   */
  renew(failed: string | undefined, grant: (latest: SessionTokens | undefined) => Promise<SessionTokens>): Promise<SessionTokens>;
}
