// Delivery control: the one place that keeps the state of sending per sender identity and mailbox provider — token
// buckets, messages on the wire, providers slowed or paused by their own answers, and what each provider group got
// today for the warm-up ramp. With several processes on one database the rates (the identity's, and each provider's
// limit or throttled rate) are buckets they share; the rest is still this process's own. Every send loop (one per campaign) asks it before handing a row over and tells it each answer.
//
// Rates are real time (token buckets on a monotonic clock); calendar decisions (a pause's end, the warm-up day, the
// next UTC midnight) follow the service clock, which tests replace.
import type { SenderIdentity } from '../domain/identity.js';
import { type MailboxProvider, providerOfDomain, reportGroup } from '../domain/mailbox-provider.js';
import { afterPushback, afterRecoveryStep, atTime, isProviderPushback, NORMAL, type ProviderThrottle, RECOVERY_STEP } from '../domain/provider-throttle.js';
import { createTokenBucket } from '../domain/rate-limit.js';
import { dailyAllowance, planDay } from '../domain/warmup.js';
import type { ProviderGroup, SendResult } from '../ports/index.js';

type Bucket = ReturnType<typeof createTokenBucket>;

export type Admission =
  | { ok: true }
  /** Wait this long in memory (a bucket or the provider's concurrency); the identity's own bucket is `identityWide`. */
  | { ok: false; waitMs: number; identityWide?: boolean }
  /** Not before this time (a paused provider, the day's warm-up allowance or daily limit used up): leave it queued until then. */
  | { ok: false; until: Date; why: string; group?: ProviderGroup; provider?: string };

interface ProviderState {
  throttle: ProviderThrottle;
  /** Incremented at every strike: answers to rows handed over before it do not strike again. */
  epoch: number;
  inFlight: number;
  acceptedSinceStrike: number;
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
  inFlight: number;
}

export interface DeliveryControlDeps {
  /** The service clock (calendar decisions); real time for rates is the monotonic clock. */
  now?: () => Date;
  /** What an identity's provider groups accepted on a UTC day (read once per identity and day, then counted here). */
  acceptedOn: (identityId: string, day: string) => Partial<Record<ProviderGroup, number>>;
  monotonic?: () => number;
  /**
   * Several processes on one database: an identity's rate, and each of its providers' rates, as buckets they share
   * (absent: this process's own). Which providers are slowed or paused, and concurrency, stay per process.
   */
  sharedBucket?: (name: string, rate: { perSecond: number; perHour?: number }) => Bucket;
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
      p = { throttle: NORMAL, epoch: 0, inFlight: 0, acceptedSinceStrike: 0, bucketRate: 0 };
      s.providers.set(provider, p);
    }
    return p;
  }

  const limitOf = (identity: SenderIdentity, provider: string) => ({ ...identity.providerLimits['*'], ...identity.providerLimits[provider] });

  /** The rate (per second) and concurrency a provider gets now: its limits, times the throttle's factor. */
  function providerRate(identity: SenderIdentity, provider: string, p: ProviderState) {
    const limit = limitOf(identity, provider);
    const factor = p.throttle.rateFactor;
    const baseRate = limit.perSecond || identity.rate.perSecond;
    const rate = limit.perSecond || factor < 1 ? Math.max(0.2, baseRate * factor) : 0;
    const baseConcurrency = limit.concurrency || Infinity;
    const concurrency =
      factor < 1 ? Math.max(1, Math.floor((Number.isFinite(baseConcurrency) ? baseConcurrency : identity.relay.maxConnections * 2) * factor)) : baseConcurrency;
    return { rate, concurrency };
  }

  const sum = (m: Map<ProviderGroup, number>) => [...m.values()].reduce((a, b) => a + b, 0);

  return {
    /** May a row to `provider` be handed over now? Takes its tokens when it may. */
    admit(identity: SenderIdentity, provider: string): Admission {
      const at = now();
      const s = identityState(identity, at);
      const p = providerState(s, provider);
      p.throttle = atTime(p.throttle, at);
      if (p.throttle.level === 'paused' && p.throttle.resumeAt)
        return { ok: false, until: new Date(p.throttle.resumeAt), why: `${provider} paused: ${p.throttle.reason ?? ''}`.trim(), provider };
      const group = reportGroup(provider as MailboxProvider);
      const doneAndGoing = (g?: ProviderGroup) =>
        g === undefined ? sum(s.acceptedToday) + s.inFlight : (s.acceptedToday.get(g) ?? 0) + (s.inFlightByGroup.get(g) ?? 0);
      if (identity.rate.perDay && doneAndGoing() >= identity.rate.perDay)
        return { ok: false, until: nextMidnight(at), why: `the identity's ${identity.rate.perDay} messages for today are used up` };
      if (identity.warmup) {
        const allowance = dailyAllowance(identity.warmup, planDay(identity.warmup, at));
        if (doneAndGoing(group) >= allowance)
          return { ok: false, until: nextMidnight(at), why: `warm-up: ${group} had its ${allowance} messages for today`, group };
      }
      const { rate, concurrency } = providerRate(identity, provider, p);
      if (p.inFlight >= concurrency) return { ok: false, waitMs: 5 };
      if (rate > 0) {
        if (!p.bucket || p.bucketRate !== rate) {
          p.bucket = deps.sharedBucket
            ? deps.sharedBucket(`identity:${identity.id}:provider:${provider}`, { perSecond: rate })
            : createTokenBucket({ perSecond: rate, now: mono });
          p.bucketRate = rate;
        }
        const wait = p.bucket.take();
        if (wait > 0) return { ok: false, waitMs: wait };
      } else p.bucket = undefined;
      const wait = s.bucket.take();
      if (wait > 0) {
        // The row waits for the identity: the provider's token it took goes back, or a limited provider is under-sent.
        p.bucket?.refund();
        return { ok: false, waitMs: wait, identityWide: true };
      }
      return { ok: true };
    },

    /** A row was handed over; returns the strike epoch its answer will be judged by. */
    started(identity: SenderIdentity, provider: string): number {
      const s = identityState(identity, now());
      const p = providerState(s, provider);
      const group = reportGroup(provider as MailboxProvider);
      s.inFlight++;
      p.inFlight++;
      s.inFlightByGroup.set(group, (s.inFlightByGroup.get(group) ?? 0) + 1);
      return p.epoch;
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
      if (result.outcome === 'accepted') {
        s.acceptedToday.set(group, (s.acceptedToday.get(group) ?? 0) + 1);
        if (p.throttle.level === 'slowed' && ++p.acceptedSinceStrike >= RECOVERY_STEP) {
          p.acceptedSinceStrike = 0;
          p.throttle = afterRecoveryStep(p.throttle);
        }
        return undefined;
      }
      if (result.internal || result.relayProblem || !isProviderPushback(result)) return undefined;
      if (epoch !== p.epoch) return undefined; // already on the wire when the last strike came
      p.epoch++;
      p.acceptedSinceStrike = 0;
      // The provider's own words; the reply text usually begins with its codes already.
      const words =
        result.code && !result.text.startsWith(String(result.code)) ? [result.code, result.enhanced, result.text].filter(Boolean).join(' ') : result.text;
      p.throttle = afterPushback(atTime(p.throttle, at), at, words.slice(0, 300));
      return p.throttle;
    },

    /** A pushback reported after the fact (a DSN or webhook block): strikes the provider as an answer at send time would. */
    pushback(identityId: string, provider: string, reason: string): ProviderThrottle {
      const at = now();
      let s = identities.get(identityId);
      if (!s) {
        // Rates come with the first admit(); an empty rate key makes it build the real bucket then.
        s = {
          bucket: createTokenBucket({ perSecond: 0 }),
          rateKey: '',
          inFlight: 0,
          providers: new Map(),
          day: '',
          acceptedToday: new Map(),
          inFlightByGroup: new Map(),
        };
        identities.set(identityId, s);
      }
      const p = providerState(s, provider);
      p.epoch++;
      p.acceptedSinceStrike = 0;
      p.throttle = afterPushback(atTime(p.throttle, at), at, reason.slice(0, 300));
      return p.throttle;
    },

    /** Providers of an identity that are slowed or paused now (for the campaign and identity views). */
    status(identityId: string): ProviderStatus[] {
      const s = identities.get(identityId);
      if (!s) return [];
      const at = now();
      const out: ProviderStatus[] = [];
      for (const [provider, p] of s.providers) {
        p.throttle = atTime(p.throttle, at);
        if (p.throttle.level === 'normal') continue;
        out.push({
          provider,
          level: p.throttle.level,
          rateFactor: p.throttle.rateFactor,
          ...(p.throttle.resumeAt ? { resumeAt: p.throttle.resumeAt } : {}),
          ...(p.throttle.reason ? { reason: p.throttle.reason } : {}),
          inFlight: p.inFlight,
        });
      }
      return out.sort((a, b) => a.provider.localeCompare(b.provider));
    },

    /** What each provider group got today (accepted), for the schedule. */
    acceptedToday(identity: SenderIdentity): Partial<Record<ProviderGroup, number>> {
      return Object.fromEntries(identityState(identity, now()).acceptedToday);
    },

    /** An administrator resumed the identity: its providers start over at full speed. */
    reset(identityId: string): void {
      const s = identities.get(identityId);
      if (s) for (const p of s.providers.values()) p.throttle = NORMAL;
    },
  };
}

export type DeliveryControl = ReturnType<typeof createDeliveryControl>;
