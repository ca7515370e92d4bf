// Keeps `hits` on Sugar's viewed and link rows equal to the local human counts. Sugar's own tracker
// does hits+1 per open; we set the value instead, so a replayed call can never count twice.
import { hitsOp } from '../domain/writeback.js';
import type { HitsStore } from './ports.js';
import { callErrorMessage, isTransientCallError, type Send, type WritebackLogger } from './send.js';

/** Returns how many rows were brought up to date, or 'outage' when Sugar could not be reached. */
export async function syncHits(store: HitsStore, send: Send, limit: number, logger?: WritebackLogger): Promise<number | 'outage'> {
  const stale = await store.writeback.staleHits(limit);
  if (stale.length === 0) return 0;
  const ops = stale.map((s) => hitsOp(s.logId, s.current, s.activityType));
  let results: Awaited<ReturnType<Send>>;
  try {
    results = await send(ops);
  } catch (e) {
    if (isTransientCallError(e)) return 'outage';
    logger?.error({ event: 'writeback.hits_failed', err: callErrorMessage(e) }, 'writeback.hits_failed');
    await store.transaction(async (tx) => {
      for (const s of stale) await tx.writeback.dropStale(s);
    });
    return 0;
  }
  let synced = 0;
  await store.transaction(async (tx) => {
    for (const [i, r] of results.entries()) {
      const s = stale[i];
      if (r.verdict.ok) {
        await tx.writeback.hitsWritten(s, s.current);
        synced++;
      } else if (r.verdict.permanent) {
        // The row was deleted in Sugar or may not be edited: stop trying until the count moves again.
        await tx.writeback.dropStale(s);
        logger?.warn({ event: 'writeback.hits_refused', logId: s.logId, campaignId: s.campaignId, err: r.verdict.message }, 'writeback.hits_refused');
      }
    }
  });
  return synced;
}
