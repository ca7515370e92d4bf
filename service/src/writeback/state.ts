// What the campaign view shows about the write-back: rows pending, written back and dead, the lag,
// the CampaignLog rows Sugar holds by activity, and the errors an operator needs to act on.
import type { StateStore } from './ports.js';

export interface WritebackState {
  pending: number;
  done: number;
  dead: number;
  oldestPendingAt?: string;
  /** Seconds since the oldest row not yet written back was created (0 when none). */
  lagSeconds: number;
  sugarCampaignId?: string;
  /** CampaignLog rows confirmed in Sugar, by activity_type. */
  activity: Record<string, number>;
  /** viewed/link rows whose hits wait to be brought up to the local count. */
  hitsPending: number;
  errors: Array<{ id: number; key: string; kind: string; error: string; attempts: number; dead: boolean }>;
  /** Rows written back with something left undone (a deleted record's flag, list members gone from Sugar). */
  notes: Array<{ id: number; key: string; kind: string; note: string }>;
}

export async function writebackState(store: StateStore, campaignId: string, now = new Date()): Promise<WritebackState> {
  const stats = await store.outbox.stats(campaignId);
  const state: WritebackState = {
    pending: stats.pending,
    done: stats.done,
    dead: stats.dead,
    lagSeconds: stats.oldestPendingAt ? Math.max(0, Math.round((now.getTime() - Date.parse(stats.oldestPendingAt)) / 1000)) : 0,
    activity: await store.writeback.counts(campaignId),
    hitsPending: await store.writeback.staleCount(campaignId),
    errors: [
      ...(await store.outbox.dead(5, campaignId)).map((d) => ({ id: d.id, key: d.key, kind: d.kind, error: d.lastError, attempts: d.attempts, dead: true })),
      ...(await store.outbox.retrying(5, campaignId)).map((r) => ({
        id: r.id,
        key: r.key,
        kind: r.kind,
        error: r.lastError,
        attempts: r.attempts,
        dead: false,
      })),
    ],
    notes: await store.outbox.notes(5, campaignId),
  };
  if (stats.oldestPendingAt) state.oldestPendingAt = stats.oldestPendingAt;
  const sugarCampaignId = (await store.campaigns.get(campaignId))?.sugarCampaignId;
  if (sugarCampaignId) state.sugarCampaignId = sugarCampaignId;
  return state;
}
