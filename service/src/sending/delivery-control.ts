// Delivery control: the one place that keeps the state of sending per sender identity and mailbox provider — token
// buckets, messages on the wire, providers slowed or paused by their own answers, and what each provider group got
// today for the warm-up ramp. With several processes on one database they share the rates (the identity's, and each
// provider's limit or throttled rate, as shared buckets), which providers are slowed or paused (a shared throttle
// book), what the day's limits have left (shared allowances) and each provider's connections at once (its
// concurrency, as slots leased from the database). Every send loop (one per campaign) asks it before handing a row
// over and tells it each answer.
//
// Rates are real time (token buckets on a monotonic clock); calendar decisions (a pause's end, the warm-up day, the
// next UTC midnight) follow the service clock, which tests replace.
import type { SenderIdentity } from '../domain/identity.js';
import { type MailboxProvider, providerOfDomain, reportGroup } from '../domain/mailbox-provider.js';
import { isProviderPushback, type ProviderThrottle } from '../domain/provider-throttle.js';
import { createTokenBucket } from '../domain/rate-limit.js';
import { dailyAllowance, planDay } from '../domain/warmup.js';
import type { ProviderGroup, SendResult } from '../ports/index.js';
import { createLocalThrottleBook, type ThrottleBook } from './throttle-book.js';

/** A provider's concurrency shared by every process (coordination/shared-slots.ts). */
export interface ConcurrencyBook {
  room(identityId: string, provider: string, inUse: number, limit: number): number;
  inUse(identityId: string, provider: string, n: number): void;
  held(identityId: string, provider: string): number;
}

type Bucket = ReturnType<typeof createTokenBucket>;

export type Admission =
  | { ok: true }
  /**
   * Wait this long in memory (a bucket or the provider's concurrency); the identity's own bucket is `identityWide`,
   * the provider's concurrency `slot`, and `slotless` when the processes sharing it hold every slot, none here.
   */
  | { ok: false; waitMs: number; identityWide?: boolean; slot?: boolean; slotless?: boolean }
  /** Not before this time (a paused provider, the day's warm-up allowance or daily limit used up): leave it queued until then. */
  | { ok: false; until: Date; why: string; group?: ProviderGroup; provider?: string };

interface ProviderState {
  inFlight: number;
  bucket?: Bucket;
  bucketRate: number;
}

interface IdentityState {
  bucket: Bucket;
  rateKey: string;
  inFlight: number;
  providers: Map<string, ProviderState>;
  /** UTC day the counts below are for. */
  day: string;
  acceptedToday: Map<ProviderGroup, number>;
  inFlightByGroup: Map<ProviderGroup, number>;
}

export interface ProviderStatus {
  provider: string;
  level: ProviderThrottle['level'];
  rateFactor: number;
  resumeAt?: string;
  reason?: string;
  /** Messages to it on the wire from this process (the provider's concurrency holds for every process together). */
  inFlight: number;
}

/** A day's limit taken a few at a time from what every process shares (coordination/shared-allowances.ts). */
export interface DayAllowanceBook {
  /** One of the day's `limit` for `key` (a provider group, '*' for all): 0 taken, ms to wait, or 'used' up. */
  take(identityId: string, day: string, key: string, limit: number, batch: number): number | 'used';
  /** One taken for a row that did not go or was not accepted. */
  giveBack(identityId: string, day: string, key: string): void;
}

export interface DeliveryControlDeps {
  /** The service clock (calendar decisions); real time for rates is the monotonic clock. */
  now?: () => Date;
  /** What an identity's provider groups accepted on a UTC day (read once per identity and day, then counted here). */
  acceptedOn: (identityId: string, day: string) => Partial<Record<ProviderGroup, number>>;
  monotonic?: () => number;
  /**
   * Several processes on one database: an identity's rate, and each of its providers' rates, as buckets they share
   * (absent: this process's own).
   */
  sharedBucket?: (name: string, rate: { perSecond: number; perHour?: number }) => Bucket;
  /** Which providers are slowed or paused (absent: kept in this process's memory). */
  throttles?: ThrottleBook;
  /** The day's limit and warm-up allowances, taken from what every process shares (absent: counted here). */
  allowances?: DayAllowanceBook;
  /** Each provider's concurrency, held for every process together (absent: this process's own). */
  slots?: ConcurrencyBook;
}

const DAY_MS = 86_400_000;
const utcDay = (d: Date) => d.toISOString().slice(0, 10);
const nextMidnight = (d: Date) => new Date(Date.parse(`${utcDay(d)}T00:00:00Z`) + DAY_MS);

/** The provider of a ledger row: from MX at extraction, else by its domain (older rows, automation steps). */
export function providerOfRow(r: { provider?: string; email: string }): MailboxProvider {
  if (r.provider) return r.provider as MailboxProvider;
  return providerOfDomain(r.email.slice(r.email.lastIndexOf('@') + 1));
}

export function createDeliveryControl(deps: DeliveryControlDeps) {
  const now = deps.now ?? (() => new Date());
  const mono = deps.monotonic ?? (() => performance.now());
  const identities = new Map<string, IdentityState>();
  const book = deps.throttles ?? createLocalThrottleBook();
  const shares = deps.allowances;
  const slots = deps.slots;

  function identityState(identity: SenderIdentity, at: Date): IdentityState {
    const rateKey = `${identity.rate.perSecond}/${identity.rate.perHour}`;
    let s = identities.get(identity.id);
    if (!s || s.rateKey !== rateKey) {
      const rate = { perSecond: identity.rate.perSecond, perHour: identity.rate.perHour || undefined };
      const bucket = deps.sharedBucket && rate.perSecond > 0 ? deps.sharedBucket(`identity:${identity.id}`, rate) : createTokenBucket({ ...rate, now: mono });
      s = s ? { ...s, bucket, rateKey } : { bucket, rateKey, inFlight: 0, providers: new Map(), day: '', acceptedToday: new Map(), inFlightByGroup: new Map() };
      identities.set(identity.id, s);
    }
    const day = utcDay(at);
    if (s.day !== day) {
      s.day = day;
      s.acceptedToday = new Map(Object.entries(deps.acceptedOn(identity.id, day)) as Array<[ProviderGroup, number]>);
    }
    return s;
  }

  function providerState(s: IdentityState, provider: string): ProviderState {
    let p = s.providers.get(provider);
    if (!p) {
      p = { inFlight: 0, bucketRate: 0 };
      s.providers.set(provider, p);
    }
    return p;
  }

  const limitOf = (identity: SenderIdentity, provider: string) => ({ ...identity.providerLimits['*'], ...identity.providerLimits[provider] });

  /** The rate (per second) and concurrency a provider gets now: its limits, times the throttle's factor. */
  function providerRate(identity: SenderIdentity, provider: string, throttle: ProviderThrottle) {
    const limit = limitOf(identity, provider);
    const factor = throttle.rateFactor;
    const baseRate = limit.perSecond || identity.rate.perSecond;
    const rate = limit.perSecond || factor < 1 ? Math.max(0.2, baseRate * factor) : 0;
    const baseConcurrency = limit.concurrency || Infinity;
    const concurrency =
      factor < 1 ? Math.max(1, Math.floor((Number.isFinite(baseConcurrency) ? baseConcurrency : identity.relay.maxConnections * 2) * factor)) : baseConcurrency;
    return { rate, concurrency };
  }

  const sum = (m: Map<ProviderGroup, number>) => [...m.values()].reduce((a, b) => a + b, 0);

  /** The day's limits a row to `group` counts against: '*' the identity's messages a day, the group its warm-up allowance. */
  function dayLimits(identity: SenderIdentity, group: ProviderGroup, at: Date): Array<{ key: string; limit: number; why: string; group?: ProviderGroup }> {
    const out: Array<{ key: string; limit: number; why: string; group?: ProviderGroup }> = [];
    if (identity.rate.perDay) out.push({ key: '*', limit: identity.rate.perDay, why: `the identity's ${identity.rate.perDay} messages for today are used up` });
    const allowance = identity.warmup ? dailyAllowance(identity.warmup, planDay(identity.warmup, at)) : Infinity;
    // Infinity: the ramp reached its target, and the plan limits nothing any more.
    if (Number.isFinite(allowance)) {
      out.push({ key: group, limit: allowance, why: `warm-up: ${group} had its ${allowance} messages for today`, group });
    }
    return out;
  }

  /**
   * Shared: takes one of each day's limit from the allowances every process shares (given back when a later check
   * holds the row). Else counts what this process knows was accepted today and is on the wire.
   */
  function withinDay(identity: SenderIdentity, s: IdentityState, group: ProviderGroup, at: Date): Admission | undefined {
    const limits = dayLimits(identity, group, at);
    const usedUp = (l: (typeof limits)[number]): Admission => ({ ok: false, until: nextMidnight(at), why: l.why, ...(l.group ? { group: l.group } : {}) });
    if (!shares) {
      for (const l of limits) {
        const doneAndGoing = l.key === '*' ? sum(s.acceptedToday) + s.inFlight : (s.acceptedToday.get(group) ?? 0) + (s.inFlightByGroup.get(group) ?? 0);
        if (doneAndGoing >= l.limit) return usedUp(l);
      }
      return undefined;
    }
    const batch = Math.max(1, Math.min(20, Math.ceil(identity.rate.perSecond / 10) || 1));
    const taken: string[] = [];
    for (const l of limits) {
      const r = shares.take(identity.id, s.day, l.key, l.limit, Math.min(batch, Math.ceil(l.limit / 20)));
      if (r === 0) {
        taken.push(l.key);
        continue;
      }
      for (const k of taken) shares.giveBack(identity.id, s.day, k);
      return r === 'used' ? usedUp(l) : { ok: false, waitMs: r };
    }
    return undefined;
  }

  /** Gives back the day's allowance a row took when it does not go, or goes and is not accepted (shared only). */
  function giveBackDay(identity: SenderIdentity, s: IdentityState, group: ProviderGroup, at: Date) {
    if (shares) for (const l of dayLimits(identity, group, at)) shares.giveBack(identity.id, s.day, l.key);
  }

  return {
    /** May a row to `provider` be handed over now? Takes its tokens when it may. */
    admit(identity: SenderIdentity, provider: string): Admission {
      const at = now();
      const s = identityState(identity, at);
      const p = providerState(s, provider);
      const view = book.read(identity.id, provider, at);
      if (!view) return { ok: false, waitMs: 2 }; // the providers' throttles shared by the processes are being read
      const throttle = view.throttle;
      if (throttle.level === 'paused' && throttle.resumeAt)
        return { ok: false, until: new Date(throttle.resumeAt), why: `${provider} paused: ${throttle.reason ?? ''}`.trim(), provider };
      const group = reportGroup(provider as MailboxProvider);
      const day = withinDay(identity, s, group, at);
      if (day) return day;
      const { rate, concurrency } = providerRate(identity, provider, throttle);
      const shared = slots && Number.isFinite(concurrency) ? slots : undefined;
      const busy = p.inFlight >= concurrency ? 5 : shared ? shared.room(identity.id, provider, p.inFlight, concurrency) : 0;
      if (busy > 0) {
        giveBackDay(identity, s, group, at);
        return { ok: false, waitMs: busy, slot: true, ...(shared && shared.held(identity.id, provider) === 0 ? { slotless: true } : {}) };
      }
      if (rate > 0) {
        if (!p.bucket || p.bucketRate !== rate) {
          p.bucket = deps.sharedBucket
            ? deps.sharedBucket(`identity:${identity.id}:provider:${provider}`, { perSecond: rate })
            : createTokenBucket({ perSecond: rate, now: mono });
          p.bucketRate = rate;
        }
        const wait = p.bucket.take();
        if (wait > 0) {
          giveBackDay(identity, s, group, at);
          return { ok: false, waitMs: wait };
        }
      } else p.bucket = undefined;
      const wait = s.bucket.take();
      if (wait > 0) {
        // The row waits for the identity: the provider's token it took goes back, or a limited provider is under-sent.
        p.bucket?.refund();
        giveBackDay(identity, s, group, at);
        return { ok: false, waitMs: wait, identityWide: true };
      }
      return { ok: true };
    },

    /**
     * Whether one more message to `provider` could have a slot of its shared concurrency now, without taking anything:
     * asked while this process keeps that provider's rows out of its hands, so it still waits for a slot and takes
     * them again once it has one.
     */
    slotFree(identity: SenderIdentity, provider: string): boolean {
      const at = now();
      const p = providerState(identityState(identity, at), provider);
      const view = book.read(identity.id, provider, at);
      if (!slots) return true;
      if (!view) return false;
      const { concurrency } = providerRate(identity, provider, view.throttle);
      return !Number.isFinite(concurrency) || (p.inFlight < concurrency && slots.room(identity.id, provider, p.inFlight, concurrency) === 0);
    },

    /** A row was handed over; returns the strike epoch its answer will be judged by. */
    started(identity: SenderIdentity, provider: string): number {
      const at = now();
      const s = identityState(identity, at);
      const p = providerState(s, provider);
      const group = reportGroup(provider as MailboxProvider);
      s.inFlight++;
      p.inFlight++;
      s.inFlightByGroup.set(group, (s.inFlightByGroup.get(group) ?? 0) + 1);
      slots?.inUse(identity.id, provider, p.inFlight);
      return book.read(identity.id, provider, at)?.epoch ?? 0;
    },

    /**
     * A row's answer. A pushback (deferral or policy answer about us) slows, then pauses, that provider for that
     * identity; only answers to rows handed over after the last strike strike again. Returns the throttle when the
     * answer changed it, so the caller can hold that provider's queued rows back.
     */
    finished(identity: SenderIdentity, provider: string, epoch: number, result: SendResult): ProviderThrottle | undefined {
      const at = now();
      const s = identityState(identity, at);
      const p = providerState(s, provider);
      const group = reportGroup(provider as MailboxProvider);
      s.inFlight = Math.max(0, s.inFlight - 1);
      p.inFlight = Math.max(0, p.inFlight - 1);
      s.inFlightByGroup.set(group, Math.max(0, (s.inFlightByGroup.get(group) ?? 0) - 1));
      slots?.inUse(identity.id, provider, p.inFlight);
      if (result.outcome === 'accepted') {
        s.acceptedToday.set(group, (s.acceptedToday.get(group) ?? 0) + 1);
        book.accepted(identity.id, provider, at);
        return undefined;
      }
      giveBackDay(identity, s, group, at);
      if (result.internal || result.relayProblem || !isProviderPushback(result)) return undefined;
      // The provider's own words; the reply text usually begins with its codes already.
      const words =
        result.code && !result.text.startsWith(String(result.code)) ? [result.code, result.enhanced, result.text].filter(Boolean).join(' ') : result.text;
      return book.strike(identity.id, provider, epoch, at, words.slice(0, 300));
    },

    /** A pushback reported after the fact (a DSN or webhook block): strikes the provider as an answer at send time would. */
    pushback(identityId: string, provider: string, reason: string): ProviderThrottle {
      const at = now();
      return book.strike(identityId, provider, undefined, at, reason.slice(0, 300))!;
    },

    /** Providers of an identity that are slowed or paused now, as every process sees them (for the campaign and identity views). */
    async status(identityId: string): Promise<ProviderStatus[]> {
      const at = now();
      const mine = identities.get(identityId)?.providers;
      return (await book.list(identityId, at))
        .map(({ provider, throttle }) => ({
          provider,
          level: throttle.level,
          rateFactor: throttle.rateFactor,
          ...(throttle.resumeAt ? { resumeAt: throttle.resumeAt } : {}),
          ...(throttle.reason ? { reason: throttle.reason } : {}),
          inFlight: mine?.get(provider)?.inFlight ?? 0,
        }))
        .sort((a, b) => a.provider.localeCompare(b.provider));
    },

    /** What each provider group got today (accepted), for the schedule. */
    acceptedToday(identity: SenderIdentity): Partial<Record<ProviderGroup, number>> {
      return Object.fromEntries(identityState(identity, now()).acceptedToday);
    },

    /** An administrator resumed the identity: its providers start over at full speed. */
    async reset(identityId: string): Promise<void> {
      await book.reset(identityId);
    },
  };
}

export type DeliveryControl = ReturnType<typeof createDeliveryControl>;
