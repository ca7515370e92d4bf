// What the delivery control of several processes on one database shares besides rates: which mailbox providers an
// identity's mail is slowed or paused for (a strike seen by any process holds for all, a recovery step is taken once),
// and how much of a day's limit (an identity's messages a day, its warm-up allowance per provider group) the processes
// have taken between them, and how many of a provider's connections (its concurrency) each process holds. SQLite (one
// process per file) keeps the same contract.
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

/** A process's ask for slots of one (identity, provider); see domain/provider-slots.ts. */
export interface SlotLease {
  want: number;
  inUse: number;
  limit: number;
  /** How long the lease lives without being asked again (a dead process's slots free up after it). */
  ttlMs: number;
}

export interface ProviderSlotRepo {
  /**
   * Sets, atomically among every process, how many of (identity, provider)'s `limit` connections `owner` holds
   * (domain/provider-slots.ts slotsToHold, from the other owners' unexpired leases) until now + ttl, and returns how
   * many it may have on the wire (fewer than `inUse` when it must shrink to a fair share). Idle (nothing wanted, none
   * held): the owner's lease is removed.
   */
  hold(owner: string, identityId: string, provider: string, ask: SlotLease): Awaitable<number>;
  /** Every slot `owner` holds is given up (a process stopping): the others may take them at once. */
  release(owner: string): Awaitable<void>;
}
