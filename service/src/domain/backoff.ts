// The one backoff formula: the step doubles from `baseMs` with each attempt (0 = the first retry) up to `maxMs`,
// and `jitter` says how much of it is random: none (the send loop's SMTP retries, spaced on purpose), half (the
// write-back's rows: half fixed, half random, so a crowd of rows spreads out), or full (Sugar calls, AWS's
// "full jitter": anywhere in [0, step)).
export type Jitter = 'none' | 'half' | 'full';

export function backoffMs(attempt: number, o: { baseMs: number; maxMs: number; jitter: Jitter; random?: () => number }): number {
  const step = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const random = o.random ?? Math.random;
  if (o.jitter === 'none') return step;
  if (o.jitter === 'full') return Math.floor(random() * step);
  return Math.round(step / 2 + (random() * step) / 2);
}
