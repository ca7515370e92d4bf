// What an identity's provider groups accepted on a day, for the delivery control, which reads it synchronously
// (once per identity and day, then counts in memory). SQLite answers at once; PostgreSQL answers a promise, so its
// counts are read ahead whenever the send loop picks a campaign's sender, and kept for that day.
import type { ProviderGroup } from '../domain/mailbox-provider.js';
import type { Awaitable } from '../ports/index.js';

type Counts = Partial<Record<ProviderGroup, number>>;

export function createDayCounts(read: (identityId: string, day: string) => Awaitable<Counts>, now: () => Date = () => new Date()) {
  const known = new Map<string, Counts>();
  const key = (id: string, day: string) => `${id}\u0000${day}`;
  return {
    /** Reads ahead today's counts of an identity (a no-op when the store answers synchronously). */
    async prefetch(identityId: string): Promise<void> {
      const day = now().toISOString().slice(0, 10);
      if (known.has(key(identityId, day))) return;
      const v = read(identityId, day);
      if (!(v instanceof Promise)) return;
      known.set(key(identityId, day), await v);
      for (const k of known.keys()) if (!k.endsWith(day)) known.delete(k); // yesterday's are never asked again
    },
    acceptedOn(identityId: string, day: string): Counts {
      const v = known.get(key(identityId, day)) ?? read(identityId, day);
      // Not read ahead: midnight passed mid-batch, so the new day has counted next to nothing yet.
      return v instanceof Promise ? {} : v;
    },
  };
}
