// What a lease's ttl and a bucket's take may be, for both adapters alike.
import type { BucketRate } from '../ports/index.js';
import { StoreInputError } from './errors.js';

export function leaseTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new StoreInputError(`a lease's ttl must be a positive whole number of ms, got ${ttlMs}`);
  return ttlMs;
}

export function checkTake(want: number, rate: BucketRate): void {
  if (!Number.isSafeInteger(want) || want < 1) throw new StoreInputError(`tokens wanted must be a whole number ≥ 1, got ${want}`);
  if (!(rate.perSecond > 0) || !Number.isFinite(rate.perSecond)) throw new StoreInputError(`a bucket's rate must be positive, got ${rate.perSecond}`);
  if (!(rate.burst >= 1) || !Number.isFinite(rate.burst)) throw new StoreInputError(`a bucket's burst must be at least 1, got ${rate.burst}`);
}

/** The lease a live process holds while it runs: ledger rows it claimed are its own until this lease expires. */
export const processLease = (owner: string) => `process:${owner}`;
