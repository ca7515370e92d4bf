// Token buckets for a sender's messages per second and per hour. The clock is injected so
// callers (and tests) decide what time is; take() never sleeps, it says how long to wait.

export interface TokenBucketOptions {
  perSecond: number; // 0 = unlimited
  perHour?: number; // 0 or absent = unlimited
  now?: () => number; // milliseconds
}

const EPSILON = 1e-9;

interface Bucket {
  capacity: number;
  perMs: number;
  tokens: number;
}

function makeBucket(rate: number, windowMs: number): Bucket | null {
  if (!Number.isFinite(rate) || rate < 0) throw new Error(`rate must be a non-negative number, got ${rate}`);
  if (rate === 0) return null;
  // A fractional rate (0.5/s) still has to let one message through now and then.
  const capacity = Math.max(1, rate);
  return { capacity, perMs: rate / windowMs, tokens: capacity };
}

export function createTokenBucket(opts: TokenBucketOptions): { take(n?: number): number; refund(n?: number): void } {
  const now = opts.now ?? Date.now;
  const buckets = [makeBucket(opts.perSecond, 1000), makeBucket(opts.perHour ?? 0, 3_600_000)].filter((b): b is Bucket => b !== null);
  let last = now();
  return {
    /** Takes n tokens from every bucket and returns 0, or takes none and returns ms to wait. */
    take(n = 1): number {
      if (!(n > 0)) return 0;
      const t = now();
      const elapsed = Math.max(0, t - last); // a clock stepping back must not mint tokens
      last = Math.max(last, t);
      let wait = 0;
      for (const b of buckets) {
        b.tokens = Math.min(b.capacity, b.tokens + elapsed * b.perMs);
        // More than a full bucket can never be granted at once; treat it as a full bucket.
        const need = Math.min(n, b.capacity);
        // The epsilon absorbs float drift so a token due in exactly 1 ms is not reported as 2 ms.
        if (b.tokens < need - EPSILON) wait = Math.max(wait, Math.ceil((need - b.tokens) / b.perMs - EPSILON));
      }
      if (wait > 0) return wait;
      for (const b of buckets) b.tokens = Math.max(0, b.tokens - Math.min(n, b.capacity));
      return 0;
    },
    /** Gives back n tokens taken for something that then did not go (never past a full bucket). */
    refund(n = 1): void {
      for (const b of buckets) b.tokens = Math.min(b.capacity, b.tokens + n);
    },
  };
}
