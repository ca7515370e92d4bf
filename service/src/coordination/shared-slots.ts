// A mailbox provider's concurrency (an identity's connections to it at once) held across every process on one
// database. Each process leases "slots" of an (identity, provider) from the database and spends them here without
// asking again: it asks when it has none left to spend (as many as it could use, up to the limit), and a heartbeat
// renews what it holds every third of the lease's life, giving back what it did not use since the last one. A process
// that dies stops renewing, and its slots go to the others once its lease expires. So a process alone keeps the whole
// concurrency after one round trip, and the database sees a round trip per heartbeat, not per message.
//
// Fail closed: a lease is counted from before the round trip that took it; from two thirds of its life on (the
// database is away and the heartbeats fail), nothing more goes to that provider until it is renewed, so what is on the
// wire is answered before the lease may expire in the database and its slots go to others.
import type { ProviderSlotRepo } from '../ports/index.js';
import { turnFailures } from '../ports/log.js';
import { type BookOptions, roundTrip } from './books.js';

export interface SlotBook {
  /** 0 when one more message to `provider` may go on the wire (`inUse` there now, `limit` for every process), else ms to wait. */
  room(identityId: string, provider: string, inUse: number, limit: number): number;
  /** How many messages to `provider` this process has on the wire now (after each hand-over and answer). */
  inUse(identityId: string, provider: string, n: number): void;
  /** Slots of `provider` this process holds now (0 once its lease may have expired). */
  held(identityId: string, provider: string): number;
  /** What it holds, uses and wants of each provider, and its failed round trips, for /metrics. */
  stats(): SlotStats;
  /** Gives every slot back (the process stops, its messages answered): the others may take them at once. */
  close(): Promise<void>;
}

export interface SlotStats {
  leases: Array<{ identityId: string; provider: string; limit: number; held: number; inUse: number; wanted: number }>;
  /** Asks and renewals that did not reach the database since the process started. */
  failedRounds: number;
}

export interface SharedSlotsOptions extends BookOptions {
  repo: ProviderSlotRepo;
  /** This process (its leases' holder). */
  owner: string;
  /** How long a lease outlives its last renewal (default 15 s, LEADFWD_LEASE_TTL_MS). */
  ttlMs?: number;
}

interface Lease {
  identityId: string;
  provider: string;
  limit: number;
  held: number;
  /** Monotonic ms the lease surely lives until (counted from before the round trip that took it). */
  validUntil: number;
  inUse: number;
  /** The most on the wire since the last heartbeat: what is kept at the next one. */
  peak: number;
  /** Wanted more than it held since the last heartbeat. */
  hungry: boolean;
  /** What the last ask said is on the wire: nothing more goes while an ask is on its way. */
  floor: number;
  asking?: Promise<void>;
  /** Told to shrink below what it had on the wire: the database hears when it has, so another process gets them. */
  over: boolean;
  notBefore: number;
  retryMs: number;
  lastWant: number;
}

/**
 * Wait after an ask that brought nothing new (the others hold them) before asking again, doubled at each such ask up
 * to a second: processes that all hold their fair share of a busy provider ask about once a second each, not ten times.
 */
const RETRY_MS = 100;
const RETRY_MAX_MS = 1000;

export function createSharedSlots(o: SharedSlotsOptions): SlotBook {
  const ttlMs = o.ttlMs ?? 15_000;
  const mono = o.monotonic ?? (() => performance.now());
  const leases = new Map<string, Lease>();
  let failedRounds = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  const unreachable = turnFailures(o.logger, 'provider_slots.unreachable', { owner: o.owner });
  const keyOf = (identityId: string, provider: string) => `${identityId}\u0000${provider}`;

  function ask(l: Lease, want: number): Promise<void> {
    l.floor = l.inUse;
    l.lastWant = want;
    const at = mono();
    l.asking = roundTrip(
      unreachable,
      mono,
      async () => {
        const before = l.held;
        l.held = await o.repo.hold(o.owner, l.identityId, l.provider, { want, inUse: l.floor, limit: l.limit, ttlMs });
        // Its last third is for the messages already on the wire to be answered before the database may give their
        // slots to others (renewals come every third, so a live process never reaches it).
        l.validUntil = at + (ttlMs * 2) / 3;
        l.over = l.held < l.floor;
        l.retryMs = l.held > before ? RETRY_MS : Math.min(RETRY_MAX_MS, l.retryMs * 2);
        if (l.held <= l.inUse) l.notBefore = mono() + l.retryMs;
      },
      (until) => {
        l.notBefore = until;
        failedRounds++;
      },
    ).finally(() => {
      l.asking = undefined;
    });
    return l.asking;
  }

  function beat() {
    for (const [key, l] of leases) {
      if (l.asking) continue;
      const want = l.hungry ? l.limit : Math.max(l.inUse, l.peak);
      l.peak = l.inUse;
      l.hungry = false;
      // Idle and already given back: forgotten, until a message to the provider asks again.
      if (want === 0 && l.held === 0 && l.lastWant === 0) leases.delete(key);
      else void ask(l, want);
    }
    if (!leases.size && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  }

  const heldNow = (l: Lease) => (mono() < l.validUntil ? l.held : 0);

  return {
    room(identityId, provider, inUse, limit) {
      const key = keyOf(identityId, provider);
      let l = leases.get(key);
      if (!l) {
        l = {
          identityId,
          provider,
          limit,
          held: 0,
          validUntil: 0,
          inUse,
          peak: inUse,
          hungry: false,
          floor: 0,
          over: false,
          notBefore: 0,
          retryMs: RETRY_MS / 2,
          lastWant: 0,
        };
        leases.set(key, l);
        heartbeat ??= setInterval(beat, Math.max(50, Math.floor(ttlMs / 3))).unref();
      }
      l.limit = limit;
      l.inUse = inUse;
      const valid = mono() < l.validUntil;
      const allowed = valid ? (l.asking ? Math.min(l.held, l.floor) : l.held) : 0;
      if (inUse < allowed) return 0;
      if (l.asking) return 2;
      if (valid && l.held >= limit) return 5; // every slot is here already: one frees when an answer comes
      l.hungry = true;
      const wait = l.notBefore - mono();
      // The back-off is for asking for more; a slot held here frees when an answer comes, long before it ends (the
      // caller parks the row for what this says: 1 s per message at a campaign's tail, 20 msg/s down to 3).
      if (wait > 0) return valid && l.held > 0 ? Math.min(5, Math.ceil(wait)) : Math.ceil(wait);
      void ask(l, limit);
      return 2; // the slots are on their way
    },

    inUse(identityId, provider, n) {
      const l = leases.get(keyOf(identityId, provider));
      if (!l) return;
      l.inUse = n;
      if (n > l.peak) l.peak = n;
      if (l.over && n <= l.held && !l.asking) void ask(l, l.lastWant);
    },

    held(identityId, provider) {
      const l = leases.get(keyOf(identityId, provider));
      return l ? heldNow(l) : 0;
    },

    stats() {
      return {
        leases: [...leases.values()].map((l) => ({
          identityId: l.identityId,
          provider: l.provider,
          limit: l.limit,
          held: heldNow(l),
          inUse: l.inUse,
          wanted: l.lastWant,
        })),
        failedRounds,
      };
    },

    async close() {
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = undefined;
      await Promise.all([...leases.values()].map((l) => l.asking));
      leases.clear();
      try {
        await o.repo.release(o.owner);
      } catch (err) {
        unreachable.failed(err); // they expire on their own after the lease's ttl
      }
    },
  };
}
