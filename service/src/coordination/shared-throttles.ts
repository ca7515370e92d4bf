// Which mailbox providers an identity's mail is slowed or paused for, shared by every process on one database: a 421
// answered to one process slows the provider for all, a recovery step is taken once for the messages all of them got
// through. The send loop asks for every row, so each process keeps a copy of an identity's throttles, read again
// when it is older than `maxAgeMs` (one round trip per identity and second, whatever the rate), and writes only
// what changes: a strike, a pause, a recovery step (with the messages accepted towards it since the last read).
//
// A strike is judged again under the row's lock by the epoch the row was handed over at, so answers to rows handed
// over before another process's strike do not strike twice; this process sees the strike it made at once.
import { atTime } from '../domain/provider-throttle.js';
import type { ProviderThrottleRepo, SharedThrottle } from '../ports/index.js';
import { turnFailures } from '../ports/log.js';
import { recovered, struck, type ThrottleBook } from '../sending/throttle-book.js';
import type { BookOptions } from './books.js';

export interface SharedThrottlesOptions extends BookOptions {
  repo: ProviderThrottleRepo;
  /** How old a copy may be before it is read again (default 1 s). */
  maxAgeMs?: number;
  now?: () => Date;
}

interface Copy {
  providers: Map<string, SharedThrottle>;
  /** When it was last read (monotonic); undefined before the first read. */
  readAt?: number;
  reading?: Promise<void>;
  /** Messages accepted per slowed provider, not yet written. */
  acceptedSince: Map<string, number>;
  /** Writes started: a read that began before one of them does not replace what it wrote. */
  writes: number;
}

const fresh = (provider: string): SharedThrottle => ({ provider, throttle: { level: 'normal', rateFactor: 1, strikes: 0 }, epoch: 0, accepted: 0 });

export function createSharedThrottles(o: SharedThrottlesOptions): ThrottleBook {
  const maxAgeMs = o.maxAgeMs ?? 1000;
  const mono = o.monotonic ?? (() => performance.now());
  const now = o.now ?? (() => new Date());
  const copies = new Map<string, Copy>();
  const copyOf = (identityId: string): Copy => {
    let c = copies.get(identityId);
    if (!c) copies.set(identityId, (c = { providers: new Map(), acceptedSince: new Map(), writes: 0 }));
    return c;
  };
  const unreachable = turnFailures(o.logger, 'provider.throttles_unreachable');

  /** Writes one change and keeps what the database answered (the truth, whoever changed it last). */
  async function write(identityId: string, provider: string, change: (t: SharedThrottle) => SharedThrottle | undefined): Promise<void> {
    const c = copyOf(identityId);
    c.writes++;
    const t = await o.repo.change(identityId, provider, change);
    c.providers.set(provider, t);
  }

  async function reload(identityId: string): Promise<void> {
    const c = copyOf(identityId);
    try {
      const counts = [...c.acceptedSince];
      c.acceptedSince.clear();
      const at = now();
      for (const [provider, n] of counts) await write(identityId, provider, (t) => recovered(t, at, n));
      const writes = c.writes;
      const rows = await o.repo.list(identityId);
      if (c.writes === writes) c.providers = new Map(rows.map((t) => [t.provider, t]));
      unreachable.ok();
    } catch (err) {
      unreachable.failed(err);
    } finally {
      // Also after a failure: sending goes on with the copy it has (the shared rates hold while the database is away).
      c.readAt = mono();
    }
  }

  const refresh = (identityId: string, c: Copy) => (c.reading ??= reload(identityId).finally(() => (c.reading = undefined)));

  return {
    read(identityId, provider, at) {
      const c = copyOf(identityId);
      if (c.readAt === undefined || mono() - c.readAt > maxAgeMs) void refresh(identityId, c);
      if (c.readAt === undefined) return undefined;
      const t = c.providers.get(provider) ?? fresh(provider);
      return { throttle: atTime(t.throttle, at), epoch: t.epoch };
    },

    strike(identityId, provider, epoch, at, reason) {
      const c = copyOf(identityId);
      const t = c.providers.get(provider) ?? fresh(provider);
      if (epoch !== undefined && epoch !== t.epoch) return undefined; // struck since this row was handed over (here, or read from another)
      const next = struck(t, at, reason);
      c.providers.set(provider, next);
      c.acceptedSince.delete(provider);
      write(identityId, provider, (current) => (epoch !== undefined && current.epoch !== epoch ? undefined : struck(current, at, reason))).then(
        unreachable.ok,
        unreachable.failed,
      );
      return next.throttle;
    },

    accepted(identityId, provider, at) {
      const c = copyOf(identityId);
      const t = c.providers.get(provider);
      if (!t || atTime(t.throttle, at).level !== 'slowed') return;
      c.acceptedSince.set(provider, (c.acceptedSince.get(provider) ?? 0) + 1);
    },

    async list(identityId, at) {
      const c = copyOf(identityId);
      if (c.readAt === undefined || mono() - c.readAt > maxAgeMs) await refresh(identityId, c);
      return [...c.providers.values()]
        .map((t) => ({ provider: t.provider, throttle: atTime(t.throttle, at) }))
        .filter((t) => t.throttle.level !== 'normal')
        .sort((a, b) => a.provider.localeCompare(b.provider));
    },

    async reset(identityId) {
      const c = copyOf(identityId);
      c.writes++;
      c.acceptedSince.clear();
      await o.repo.reset(identityId);
      await c.reading; // read before the reset: it would bring the old throttles back
      c.readAt = undefined;
      await refresh(identityId, c);
    },
  };
}
