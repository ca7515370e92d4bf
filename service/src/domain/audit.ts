// The extraction audit's arithmetic: every candidate ends up either queued or in exactly one skip bucket.
import type { Audit, SkipReason } from './types.js';

export const SKIP_REASONS: readonly SkipReason[] = ['opted_out', 'invalid', 'duplicate', 'no_address', 'suppressed', 'exempt', 'malformed'];

export function emptyAudit(): Audit {
  const skipped = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>;
  return { candidates: 0, queued: 0, skipped };
}

/** Adds one to the reason's bucket; the caller counts the candidate itself. */
export function countSkip(a: Audit, reason: SkipReason): void {
  if (!SKIP_REASONS.includes(reason)) throw new TypeError(`unknown skip reason: ${String(reason)}`);
  a.skipped[reason] = (a.skipped[reason] ?? 0) + 1;
}

export function skippedTotal(a: Audit): number {
  return SKIP_REASONS.reduce((sum, r) => sum + (a.skipped[r] ?? 0), 0);
}

export function isBalanced(a: Audit): boolean {
  return a.candidates === a.queued + skippedTotal(a);
}
