// The relay's pairing, its one-time code, seen nonces, and per-actor test-send allowance.
import type { Awaitable } from './unit-of-work.js';

/** The Sugar relay's pairing, its one-time code, seen nonces, and test sends per actor (docs/relay.md). */
export interface RelayRepo {
  pairing(): Awaitable<{ secretSealed: string; sugarUrl: string | null; pairedAt: string } | undefined>;
  /** Replaces any earlier pairing. */
  pair(secretSealed: string, sugarUrl: string | undefined, atIso: string): Awaitable<void>;
  pairingCode(): Awaitable<{ codeHash: string; expiresAt: string; failures: number; usedAt: string | null } | undefined>;
  /** Replaces the live code. */
  newPairingCode(codeHash: string, expiresAtIso: string): Awaitable<void>;
  pairingCodeFailed(): Awaitable<void>;
  /**
   * True once: marks the live code used if it has this hash, was not used, has not expired and has had fewer than
   * `maxFailures` wrong guesses, all decided in the one statement (guesses sent in parallel each saw the count before).
   */
  usePairingCode(codeHash: string, atIso: string, maxFailures: number): Awaitable<boolean>;
  /** True the first time a nonce is seen (until it expires); prunes expired ones. */
  seeNonce(nonce: string, expiresAtIso: string, nowIso: string): Awaitable<boolean>;
  /** Records a test send unless `actor` already made `max` since `sinceIso`; false when over the limit. */
  takeTestSend(actor: string, sinceIso: string, max: number, nowIso: string): Awaitable<boolean>;
}
