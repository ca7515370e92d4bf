// What a mailbox provider's refusal means for sending to it from one identity. A deferral or a policy answer
// (421 and 4.7.x, Microsoft's 451 4.7.650 and 550 5.7.515, Gmail's 4.7.28 and 5.7.26 …) says "slow down" or
// "not like this" about the sender, not the recipient: that provider is slowed or paused for that identity, with
// backoff, and resumes by itself; other providers go on. Pure: the caller keeps the state and the clock.
import type { SmtpClassification } from './smtp-reply.js';

export type ThrottleLevel = 'normal' | 'slowed' | 'paused';

export interface ProviderThrottle {
  level: ThrottleLevel;
  /** Fraction of the identity's rate this provider gets now (1 = full). */
  rateFactor: number;
  /** Paused until then (ISO); absent when not paused. */
  resumeAt?: string;
  /** Consecutive refusals, for the backoff. */
  strikes: number;
  /** The provider's own words, shown to the operator. */
  reason?: string;
}

export const NORMAL: ProviderThrottle = { level: 'normal', rateFactor: 1, strikes: 0 };

const BASE_PAUSE_MS = 60_000;
const MAX_PAUSE_MS = 60 * 60_000;
const MIN_FACTOR = 1 / 16;
/** Accepted messages after which a slowed provider gets back half of what it lost. */
export const RECOVERY_STEP = 50;

/** True when the answer speaks about the sender (rate, reputation, authentication): throttle the provider. */
export function isProviderPushback(c: Pick<SmtpClassification, 'outcome' | 'code' | 'enhanced' | 'policy' | 'text'>): boolean {
  if (c.outcome === 'accepted' || c.outcome === 'uncertain') return false;
  if (c.policy) return true;
  if (c.code === 421) return true;
  return /\b(try again later|too many|rate|throttl|temporarily deferred|exceeded)/i.test(c.text) && c.outcome === 'retryable';
}

/** After a pushback: slowed at once, paused with a growing pause from the second strike in a row. */
export function afterPushback(t: ProviderThrottle, now: Date, reason: string): ProviderThrottle {
  const strikes = t.strikes + 1;
  const rateFactor = Math.max(MIN_FACTOR, t.rateFactor / 2);
  if (strikes < 2) return { level: 'slowed', rateFactor, strikes, reason };
  const pauseMs = Math.min(MAX_PAUSE_MS, BASE_PAUSE_MS * 2 ** (strikes - 2));
  return { level: 'paused', rateFactor, strikes, reason, resumeAt: new Date(now.getTime() + pauseMs).toISOString() };
}

/** Time passing: a pause that is over becomes slowed (sending resumes carefully). */
export function atTime(t: ProviderThrottle, now: Date): ProviderThrottle {
  if (t.level === 'paused' && t.resumeAt && t.resumeAt <= now.toISOString()) {
    const { resumeAt: _done, ...rest } = t;
    return { ...rest, level: 'slowed' };
  }
  return t;
}

/** After RECOVERY_STEP more messages went through: half the lost rate comes back; near full, the episode ends. */
export function afterRecoveryStep(t: ProviderThrottle): ProviderThrottle {
  if (t.level !== 'slowed') return t;
  const rateFactor = t.rateFactor + (1 - t.rateFactor) / 2;
  return rateFactor >= 0.95 ? NORMAL : { ...t, rateFactor, strikes: 0 };
}

/**
 * `n` more messages accepted, `accepted` counted since the last strike or step: every RECOVERY_STEP of them while
 * slowed takes one recovery step. Returns the throttle and the count left over (0 when not slowed).
 */
export function afterAccepted(t: ProviderThrottle, accepted: number, n: number): { throttle: ProviderThrottle; accepted: number } {
  let throttle = t;
  let left = accepted + n;
  while (throttle.level === 'slowed' && left >= RECOVERY_STEP) {
    left -= RECOVERY_STEP;
    throttle = afterRecoveryStep(throttle);
  }
  return { throttle, accepted: throttle.level === 'slowed' ? left : 0 };
}
