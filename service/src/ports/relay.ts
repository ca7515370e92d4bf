// The relay's pairing, its one-time code, seen nonces, and per-actor test-send allowance.

/** The Sugar relay's pairing, its one-time code, seen nonces, and test sends per actor (docs/relay.md). */
export interface RelayRepo {
  pairing(): { secretSealed: string; sugarUrl: string | null; pairedAt: string } | undefined;
  /** Replaces any earlier pairing. */
  pair(secretSealed: string, sugarUrl: string | undefined, atIso: string): void;
  pairingCode(): { codeHash: string; expiresAt: string; failures: number; usedAt: string | null } | undefined;
  /** Replaces the live code. */
  newPairingCode(codeHash: string, expiresAtIso: string): void;
  pairingCodeFailed(): void;
  /** True once: marks the live code used if it has this hash and was not used. */
  usePairingCode(codeHash: string, atIso: string): boolean;
  /** True the first time a nonce is seen (until it expires); prunes expired ones. */
  seeNonce(nonce: string, expiresAtIso: string, nowIso: string): boolean;
  /** Records a test send unless `actor` already made `max` since `sinceIso`; false when over the limit. */
  takeTestSend(actor: string, sinceIso: string, max: number, nowIso: string): boolean;
}
