// A provider_throttles row and the SharedThrottle it stores, the same for both adapters.
import type { ProviderThrottle } from '../domain/provider-throttle.js';
import type { SharedThrottle } from '../ports/index.js';

export interface ThrottleRow {
  provider: string;
  level: string;
  rate_factor: number;
  resume_at: string | null;
  strikes: number;
  reason: string | null;
  epoch: number;
  accepted: number;
}

export const THROTTLE_COLUMNS = 'provider, level, rate_factor, resume_at, strikes, reason, epoch, accepted';

export function throttleOfRow(r: ThrottleRow): SharedThrottle {
  const throttle: ProviderThrottle = {
    level: r.level as ProviderThrottle['level'],
    rateFactor: Number(r.rate_factor),
    strikes: Number(r.strikes),
    ...(r.resume_at ? { resumeAt: r.resume_at } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
  };
  return { provider: r.provider, throttle, epoch: Number(r.epoch), accepted: Number(r.accepted) };
}

/** The row's values after identity_id and provider, in THROTTLE_COLUMNS order. */
export const throttleValues = (s: SharedThrottle) => [
  s.throttle.level,
  s.throttle.rateFactor,
  s.throttle.resumeAt ?? null,
  s.throttle.strikes,
  s.throttle.reason ?? null,
  s.epoch,
  s.accepted,
];

export const neverStruck = (provider: string): SharedThrottle => ({
  provider,
  throttle: { level: 'normal', rateFactor: 1, strikes: 0 },
  epoch: 0,
  accepted: 0,
});
