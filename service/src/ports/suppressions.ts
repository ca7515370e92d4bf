// The local suppression list: the source of truth checked before every hand-off.
import type { Awaitable } from './unit-of-work.js';

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
  add(addressKey: string, email: string, reason: SuppressionReason, source?: string): Awaitable<boolean>;
  get(addressKey: string): Awaitable<{ reason: SuppressionReason; at: string; email: string; source?: string } | undefined>;
  filterSuppressed(keys: string[]): Awaitable<Set<string>>;
  remove(addressKey: string): Awaitable<boolean>;
}
