// A/B tests: up to four variants of subject and/or content go to an even split of a test share of the audience;
// after a set time the variant with the best people's open or click rate wins and the rest of the audience gets it.
// Machine opens and bot clicks never count; an Apple Mail Privacy Protection open tells nothing (counted as unknown).
// The split is a hash of campaign and address, so a restart or a re-extraction puts everyone in the same group.
import { createHash } from 'node:crypto';

export const MAX_VARIANTS = 4;
export type WinnerMetric = 'opens' | 'clicks';

/** The group of one address: a test variant (0-based), or 'rest' (waits for the winner). */
export function abGroup(campaignId: string, addressKey: string, testShare: number, variants: number): number | 'rest' {
  const h = createHash('sha256').update(`${campaignId}\u0000${addressKey}`).digest();
  const u = h.readUInt32BE(0) / 2 ** 32; // uniform in [0, 1)
  if (u >= testShare) return 'rest';
  return Math.min(variants - 1, Math.floor((u / testShare) * variants));
}

export interface VariantResult {
  variant: number;
  /** Test messages the relay accepted. */
  accepted: number;
  /** People who opened (human opens, implied by a human click included). */
  humanOpeners: number;
  /** Recipients whose only opens were Apple MPP prefetches: not known to have opened or not. */
  mppOnly: number;
  /** People who clicked (bot clicks excluded). */
  humanClickers: number;
}

export type WinnerDecision = { winner: number; rate: number; rates: Record<number, number> } | { undecided: string; rates: Record<number, number> };

/**
 * The winner by people's rate. For opens the denominator leaves out MPP-only recipients (their opens are unknown,
 * not "not opened"). Undecided when no variant has data yet or two top rates tie: a person then picks by hand.
 */
export function chooseWinner(results: VariantResult[], metric: WinnerMetric): WinnerDecision {
  const rates: Record<number, number> = {};
  for (const r of results) {
    const base = metric === 'opens' ? r.accepted - r.mppOnly : r.accepted;
    rates[r.variant] = base > 0 ? (metric === 'opens' ? r.humanOpeners : r.humanClickers) / base : 0;
  }
  const events = results.reduce((n, r) => n + (metric === 'opens' ? r.humanOpeners : r.humanClickers), 0);
  if (events === 0) return { undecided: `no variant has any ${metric === 'opens' ? 'human opens' : 'human clicks'} yet`, rates };
  const ranked = [...results].sort((a, b) => rates[b.variant] - rates[a.variant]);
  if (ranked.length > 1 && rates[ranked[0].variant] === rates[ranked[1].variant]) {
    return { undecided: `variants ${ranked[0].variant + 1} and ${ranked[1].variant + 1} are tied`, rates };
  }
  return { winner: ranked[0].variant, rate: rates[ranked[0].variant], rates };
}
