// A day's limit shared by every process on one database: an identity's messages a day, and its warm-up allowance
// per provider group. Each process takes a few of the day's messages at a time from the database (one atomic
// statement) and spends them here, so together they never send more than the day allows. One taken for a row that
// did not go, or was not accepted, is spent here again; those a process holds when it stops or the day ends are
// lost for that day (the limit is at worst undershot by a batch per process, never exceeded).
import type { DayAllowanceRepo } from '../ports/index.js';
import { turnFailures } from '../ports/log.js';
import { type BookOptions, roundTrip } from './books.js';

export interface SharedAllowancesOptions extends BookOptions {
  repo: Pick<DayAllowanceRepo, 'take'>;
}

interface Held {
  day: string;
  limit: number;
  held: number;
  /** The database had none left for this limit. */
  usedUp: boolean;
  taking?: Promise<void>;
  notBefore: number;
}

export function createSharedAllowances(o: SharedAllowancesOptions) {
  const mono = o.monotonic ?? (() => performance.now());
  const held = new Map<string, Held>();
  const unreachable = turnFailures(o.logger, 'allowance.unreachable');
  const of = (identityId: string, key: string, day: string): Held => {
    const k = `${identityId}\u0000${key}`;
    let h = held.get(k);
    if (!h || h.day !== day) held.set(k, (h = { day, limit: 0, held: 0, usedUp: false, notBefore: 0 }));
    return h;
  };

  return {
    /**
     * Takes one of the day's `limit` for `key` (a provider group, or '*' for all): 0 when taken, the ms to wait while
     * more are asked of the database, or 'used' when the day's are gone. `batch`: how many to ask for at once.
     */
    take(identityId: string, day: string, key: string, limit: number, batch: number): number | 'used' {
      const h = of(identityId, key, day);
      if (h.limit !== limit) {
        h.limit = limit; // the settings changed: a larger limit may have more
        h.usedUp = false;
      }
      if (h.held > 0) {
        h.held--;
        return 0;
      }
      if (h.usedUp) return 'used';
      const wait = h.notBefore - mono();
      if (wait > 0) return Math.ceil(wait);
      h.taking ??= roundTrip(
        unreachable,
        mono,
        async () => {
          const got = await o.repo.take(identityId, day, key, Math.max(1, batch), limit);
          h.held += got;
          if (got === 0) h.usedUp = true;
        },
        (until) => (h.notBefore = until),
      ).finally(() => (h.taking = undefined));
      return 2; // the next few are on their way
    },

    /** One taken for a row that did not go or was not accepted: spent here again (the same day only). */
    giveBack(identityId: string, day: string, key: string): void {
      const h = held.get(`${identityId}\u0000${key}`);
      if (h && h.day === day) h.held++;
    },
  };
}

export type SharedAllowances = ReturnType<typeof createSharedAllowances>;
