// Where the delivery control keeps which mailbox providers are slowed or paused for an identity: this process's
// memory (one process, SQLite), or the database shared by every process (coordination/shared-throttles.ts). The
// rules are the domain's (provider-throttle.ts); a book only keeps their state, with the strike epoch that stops
// answers to rows handed over before a strike from striking again.
import { afterAccepted, afterPushback, atTime, NORMAL, type ProviderThrottle } from '../domain/provider-throttle.js';
import type { Awaitable, SharedThrottle } from '../ports/index.js';

export interface ThrottleView {
  throttle: ProviderThrottle;
  epoch: number;
}

export interface ThrottleBook {
  /** The provider's throttle at `at` and its strike epoch; undefined while a shared book reads it for the first time. */
  read(identityId: string, provider: string, at: Date): ThrottleView | undefined;
  /** A pushback: strikes unless the provider was struck since `epoch` (undefined: strikes anyway). Returns the throttle when it struck. */
  strike(identityId: string, provider: string, epoch: number | undefined, at: Date, reason: string): ProviderThrottle | undefined;
  /** One more message accepted: counts towards a slowed provider's recovery. */
  accepted(identityId: string, provider: string, at: Date): void;
  /** The identity's providers that are not normal at `at` (a shared book reads them afresh when its copy is old). */
  list(identityId: string, at: Date): Awaitable<Array<{ provider: string; throttle: ProviderThrottle }>>;
  /** An administrator resumed the identity: every provider back to full speed. */
  reset(identityId: string): Awaitable<void>;
}

/** A strike on `current` at `at`: what both books write. */
export function struck(current: SharedThrottle, at: Date, reason: string): SharedThrottle {
  return { ...current, throttle: afterPushback(atTime(current.throttle, at), at, reason), epoch: current.epoch + 1, accepted: 0 };
}

/** `n` more accepted on `current` at `at`: undefined when that changes nothing worth keeping (not slowed). */
export function recovered(current: SharedThrottle, at: Date, n: number): SharedThrottle | undefined {
  const now = atTime(current.throttle, at);
  if (now.level !== 'slowed') return undefined;
  return { ...current, ...afterAccepted(now, current.accepted, n) };
}

export function createLocalThrottleBook(): ThrottleBook {
  const state = new Map<string, Map<string, SharedThrottle>>();
  const of = (identityId: string, provider: string): SharedThrottle => {
    let m = state.get(identityId);
    if (!m) state.set(identityId, (m = new Map()));
    let t = m.get(provider);
    if (!t) m.set(provider, (t = { provider, throttle: NORMAL, epoch: 0, accepted: 0 }));
    return t;
  };
  const put = (identityId: string, t: SharedThrottle) => state.get(identityId)!.set(t.provider, t);
  return {
    read(identityId, provider, at) {
      const t = of(identityId, provider);
      return { throttle: atTime(t.throttle, at), epoch: t.epoch };
    },
    strike(identityId, provider, epoch, at, reason) {
      const t = of(identityId, provider);
      if (epoch !== undefined && epoch !== t.epoch) return undefined; // already on the wire when the last strike came
      const next = struck(t, at, reason);
      put(identityId, next);
      return next.throttle;
    },
    accepted(identityId, provider, at) {
      const next = recovered(of(identityId, provider), at, 1);
      if (next) put(identityId, next);
    },
    list(identityId, at) {
      return [...(state.get(identityId)?.values() ?? [])]
        .map((t) => ({ provider: t.provider, throttle: atTime(t.throttle, at) }))
        .filter((t) => t.throttle.level !== 'normal');
    },
    reset(identityId) {
      for (const t of state.get(identityId)?.values() ?? []) put(identityId, { ...t, throttle: NORMAL, accepted: 0 });
    },
  };
}
