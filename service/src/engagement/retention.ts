// Raw engagement events (with truncated IPs and user agents) are personal data: keep them only for
// the configured retention. Counters and facts stay, so reports keep their totals. The keys of replayed spooled
// hits go too once no spool can replay their hits any more (a spool drops hits past the same retention), with a
// day to spare for clocks that disagree between hosts.
import type { EngagementRepo, EventRepo } from '../ports/index.js';
import type { Log } from '../ports/log.js';

const DAY_MS = 86_400_000;

export function startRetention(o: {
  store: { events: Pick<EventRepo, 'pruneOlderThan'>; engagement: Pick<EngagementRepo, 'pruneSpooled'> };
  days: number;
  intervalMs?: number;
  clock?: () => Date;
  logger?: Pick<Log, 'info' | 'warn'>;
}): { runOnce(): Promise<number>; stop(): void } {
  const clock = o.clock ?? (() => new Date());
  /** Answers the raw events pruned. */
  const runOnce = async () => {
    const cutoff = new Date(clock().getTime() - o.days * DAY_MS).toISOString();
    const pruned = await o.store.events.pruneOlderThan(cutoff);
    if (pruned) o.logger?.info({ event: 'events.pruned', pruned, cutoff }, 'events.pruned');
    const keysCutoff = new Date(clock().getTime() - (o.days + 1) * DAY_MS).toISOString();
    const keys = await o.store.engagement.pruneSpooled(keysCutoff);
    if (keys) o.logger?.info({ event: 'spooled_hits.pruned', pruned: keys, cutoff: keysCutoff }, 'spooled_hits.pruned');
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
