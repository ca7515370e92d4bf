// What the write-back confirmed in Sugar, and the hit counters it keeps equal to the local counts.
import type { Awaitable } from './unit-of-work.js';

/** A CampaignLog row confirmed in Sugar. `hits` for viewed/link rows: the value written. */
export interface WrittenLogRow {
  logId: string;
  campaignId: string;
  recipientRowId: number;
  activityType: string;
  targetId: string;
  linkIndex?: number;
  hits?: number;
}

/** One CampaignLog row: a target's ledger row, the activity, and the link for clicks (-1 for others). */
export interface LogRowKey {
  recipientRowId: number;
  activityType: string;
  linkIndex: number;
}

export interface StaleHits {
  logId: string;
  campaignId: string;
  recipientRowId: number;
  activityType: string;
  linkIndex: number;
  written: number;
  current: number;
}

/** What the write-back wrote to Sugar, and the hit counters it keeps equal to the local human counts. */
export interface WritebackRepo {
  /** Idempotent per row (its logId names the same row). A viewed/link row is marked stale at once if the local count already moved on. */
  recordWritten(rows: WrittenLogRow[]): Awaitable<void>;
  /** Written viewed/link rows whose local human count differs from what Sugar holds. */
  staleHits(limit: number): Awaitable<StaleHits[]>;
  /** After Sugar confirmed `hits`; stays stale if the local count moved again meanwhile. */
  hitsWritten(row: LogRowKey, hits: number): Awaitable<void>;
  /** Gives up on a row's hits (deleted in Sugar): no longer stale. */
  dropStale(row: LogRowKey): Awaitable<void>;
  /** Confirmed CampaignLog rows per activity type. */
  counts(campaignId: string): Awaitable<Record<string, number>>;
  rows(campaignId: string): Awaitable<Array<{ logId: string; activityType: string; targetId: string }>>;
  staleCount(campaignId: string): Awaitable<number>;
}
