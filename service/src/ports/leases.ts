// Leases: campaign-level work (an extraction, the scheduler's tick, the automation runner, the write-back lane) that
// exactly one process may do at a time, among any number sharing one database. A lease has a holder and an expiry;
// the holder renews it on a heartbeat, and a process that dies simply stops renewing, so another takes over once
// it expires. Times are the store's clock (every host's clock is assumed NTP-close; a TTL of seconds dwarfs the skew).
import type { Awaitable } from './unit-of-work.js';

export interface LeaseHolder {
  owner: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface LeaseRepo {
  /** Takes the lease when it is free or expired, or extends it when `owner` holds it already. True when `owner` holds it now. */
  acquire(name: string, owner: string, ttlMs: number): Awaitable<boolean>;
  /** Extends the lease while `owner` still holds it (even just expired, if nobody took it); false when it was taken over. */
  renew(name: string, owner: string, ttlMs: number): Awaitable<boolean>;
  /** Gives the lease up (only `owner`'s); another may take it at once. */
  release(name: string, owner: string): Awaitable<void>;
  /** Who holds the lease now (undefined when free or expired). */
  holder(name: string): Awaitable<LeaseHolder | undefined>;
}
