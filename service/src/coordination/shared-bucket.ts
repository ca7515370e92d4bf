// A token bucket that holds across every process on one database: tokens are taken from a shared bucket row a small
// batch at a time (about `batchMs` of the rate), and spent here without asking again, so the database sees a round
// trip per batch, not per message. `take()` never waits, like the local bucket: it says how long to wait.
import type { RateRepo } from '../ports/index.js';
import { type Log, turnFailures } from '../ports/log.js';
import { roundTrip } from './books.js';

export interface SharedBucketOptions {
  rates: Pick<RateRepo, 'take'>;
  /** The bucket's name in the database: what it limits (an identity, a Sugar instance). */
  name: string;
  perSecond: number;
  /** 0 or absent: no hourly limit. */
  perHour?: number;
  /** How much of the rate one round trip takes (default 100 ms worth, at least one token). */
  batchMs?: number;
  /** Monotonic ms. */
  now?: () => number;
  /** In [0, 1): spreads the wait after a short batch (tests pass a seeded one). */
  random?: () => number;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

export function createSharedBucket(o: SharedBucketOptions): { take(n?: number): number; refund(n?: number): void } {
  if (!(o.perSecond > 0)) throw new Error(`a shared bucket needs a positive rate, got ${o.perSecond}`);
  const now = o.now ?? (() => performance.now());
  const random = o.random ?? Math.random;
  const burst = Math.max(1, o.perSecond);
  const batch = Math.max(1, Math.min(Math.floor(burst), Math.ceil((o.perSecond * (o.batchMs ?? 100)) / 1000)));
  let local = 0;
  let notBefore = 0;
  let refilling: Promise<void> | undefined;
  const unreachable = turnFailures(o.logger, 'rate.unreachable', { bucket: o.name });

  const refill = () =>
    roundTrip(
      unreachable,
      now,
      async () => {
        const s = await o.rates.take(o.name, batch, { perSecond: o.perSecond, burst });
        let granted = s.granted;
        if (granted > 0 && o.perHour)
          granted = (await o.rates.take(`${o.name}:hour`, granted, { perSecond: o.perHour / 3600, burst: Math.max(1, o.perHour) })).granted;
        local += granted;
        // Short of a batch: the bucket is being drained (by others too); ask again about when a whole batch could be
        // there, not every few ms for a token at a time. Spread (half to one and a half times): processes that all
        // waited exactly that long would ask in the same order every time, and the last to ask would find nothing left
        // each time (a simulation of two, 3 ms apart, split 1,000 tokens 1,000 to 0).
        if (granted < batch) {
          const full = ((batch - Math.min(batch, s.tokens)) * 1000) / o.perSecond;
          notBefore = now() + Math.max(1, Math.ceil(full * (0.5 + random())));
        }
      },
      (until) => (notBefore = until),
    );

  return {
    take(n = 1): number {
      if (local >= n) {
        local -= n;
        return 0;
      }
      const wait = notBefore - now();
      if (wait > 0) return Math.ceil(wait);
      refilling ??= refill().finally(() => (refilling = undefined));
      return 2; // the next batch is on its way
    },
    /** Gives back n tokens taken for something that then did not go: spent here later, never lent to the database. */
    refund(n = 1): void {
      local += n;
    },
  };
}
