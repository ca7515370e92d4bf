// Raw engagement events (with truncated IPs and user agents) are personal data: keep them only for
// the configured retention. Counters and facts stay, so reports keep their totals.
import type { EventRepo } from '../ports/index.js';
import type { Log } from '../ports/log.js';

export function startRetention(o: {
  store: { events: Pick<EventRepo, 'pruneOlderThan'> };
  days: number;
  intervalMs?: number;
  clock?: () => Date;
  logger?: Pick<Log, 'info' | 'warn'>;
}): { runOnce(): Promise<number>; stop(): void } {
  const clock = o.clock ?? (() => new Date());
  const runOnce = async () => {
    const cutoff = new Date(clock().getTime() - o.days * 86_400_000).toISOString();
    const pruned = await o.store.events.pruneOlderThan(cutoff);
    if (pruned) o.logger?.info({ event: 'events.pruned', pruned, cutoff }, 'events.pruned');
    return pruned;
  };
  const timer = setInterval(async () => {
    try {
      await runOnce();
    } catch (err) {
      o.logger?.warn({ err }, 'events.prune_failed');
    }
  }, o.intervalMs ?? 3_600_000);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
