// The local suppression list: the source of truth checked before every hand-off.

export type SuppressionReason = 'unsubscribe' | 'hard_bounce' | 'complaint' | 'soft_bounce_limit' | 'manual';
export interface Suppression {
  addressKey: string;
  email: string;
  reason: SuppressionReason;
  source?: string;
  at: string;
}

export interface SuppressionRepo {
  /** Idempotent: the first reason recorded for a key is kept. True if the key was new. */
  add(addressKey: string, email: string, reason: SuppressionReason, source?: string): boolean;
  get(addressKey: string): { reason: SuppressionReason; at: string; email: string; source?: string } | undefined;
  filterSuppressed(keys: string[]): Set<string>;
  remove(addressKey: string): boolean;
}
