// Retry timing for Sugar calls: full-jitter exponential backoff, and the server's Retry-After when it gives one.
import { backoffMs } from '../domain/backoff.js';

/** Random wait in [0, min(maxMs, baseMs * 2^attempt)], attempt counting from 0. */
export function fullJitter(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return backoffMs(attempt, { baseMs, maxMs, jitter: 'full', random });
}

/** Retry-After as delta-seconds or an HTTP-date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = String(raw).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names its weekday and month; bare numbers like "-5" are not dates.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
