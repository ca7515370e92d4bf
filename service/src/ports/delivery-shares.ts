// What the delivery control of several processes on one database shares besides rates: which mailbox providers an
// identity's mail is slowed or paused for (a strike seen by any process holds for all, a recovery step is taken once),
// and how much of a day's limit (an identity's messages a day, its warm-up allowance per provider group) the processes
// have taken between them. SQLite (one process per file) keeps the same contract.
import type { ProviderThrottle } from '../domain/provider-throttle.js';
import type { Awaitable } from './unit-of-work.js';

export interface SharedThrottle {
  provider: string;
  throttle: ProviderThrottle;
  /** Incremented at every strike: answers to rows handed over before it do not strike again. */
  epoch: number;
  /** Accepted since the last strike or recovery step, by every process. */
  accepted: number;
}

export interface ProviderThrottleRepo {
  /** An identity's providers ever struck (the others are normal at epoch 0). */
  list(identityId: string): Awaitable<SharedThrottle[]>;
  /**
   * Reads one provider's throttle with no other process changing it meanwhile (normal at epoch 0 when never struck),
   * writes what `change` makes of it (nothing when it answers undefined), and returns the throttle as it is now.
   */
  change(identityId: string, provider: string, change: (current: SharedThrottle) => SharedThrottle | undefined): Awaitable<SharedThrottle>;
  /** Every provider of the identity back to normal (an administrator resumed it); epochs are kept. */
  reset(identityId: string): Awaitable<void>;
}

export interface DayAllowanceRepo {
  /**
   * Takes up to `want` of the day's `limit` for an identity, atomically: `group` is a provider group (warm-up) or
   * '*' (the identity's daily limit). The count starts, the first time it is asked that day, from what
   * delivery_volume says was accepted (for that group, or in all). Returns how many it took (0: the day's are used up).
   */
  take(identityId: string, day: string, group: string, want: number, limit: number): Awaitable<number>;
}
