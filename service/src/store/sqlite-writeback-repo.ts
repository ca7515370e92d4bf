import type { LogRowKey, StaleHits, WritebackRepo, WrittenLogRow } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { SqliteRepo } from './sqlite-repo.js';

interface StaleRow {
  log_id: string;
  campaign_id: string;
  recipient_row_id: number;
  activity_type: string;
  link_idx: number;
  hits_written: number;
  current: number;
}

// The local count is read in the same statement, so a hit landing while Sugar was being written
// leaves the row stale instead of being lost.
const CURRENT = `(SELECT human_hits FROM engagement e WHERE e.recipient_row_id = @rowId AND e.link_idx = @linkIdx
  AND e.kind = CASE @activity WHEN 'viewed' THEN 'open' ELSE 'click' END)`;

const BY_ROW = 'recipient_row_id = @rowId AND activity_type = @activity AND link_idx = @linkIdx';
const keyOf = (r: LogRowKey) => ({ rowId: r.recipientRowId, activity: r.activityType, linkIdx: r.linkIndex });

export class SqliteWritebackRepo extends SqliteRepo implements WritebackRepo {
  private readonly q = {
    insert: this.db.prepare(`INSERT INTO writeback_log (log_id, campaign_id, recipient_row_id, activity_type, target_id, link_idx,
        hits_written, hits_stale, written_at)
      VALUES (@logId, @campaignId, @rowId, @activity, @targetId, @linkIdx, @hits,
        CASE WHEN @hits IS NULL THEN 0 ELSE coalesce(${CURRENT} <> @hits, 0) END, @now)
      ON CONFLICT (recipient_row_id, activity_type, link_idx) DO UPDATE SET hits_written = excluded.hits_written, hits_stale = excluded.hits_stale
        WHERE excluded.hits_written IS NOT NULL`),
    stale: this.db.prepare(`SELECT w.log_id, w.campaign_id, w.recipient_row_id, w.activity_type, w.link_idx, w.hits_written,
        e.human_hits AS current
      FROM writeback_log w INDEXED BY writeback_log_stale
      JOIN engagement e ON e.recipient_row_id = w.recipient_row_id AND e.link_idx = w.link_idx
        AND e.kind = CASE w.activity_type WHEN 'viewed' THEN 'open' ELSE 'click' END
      WHERE w.hits_stale = 1 LIMIT ?`),
    written: this.db.prepare(`UPDATE writeback_log SET hits_written = @hits,
        hits_stale = coalesce(${CURRENT.replaceAll('@activity', 'activity_type')} <> @hits, 0)
      WHERE ${BY_ROW}`),
    drop: this.db.prepare(`UPDATE writeback_log SET hits_stale = 0 WHERE ${BY_ROW}`),
    counts: this.db.prepare('SELECT activity_type, count(*) AS n FROM writeback_log WHERE campaign_id = ? GROUP BY activity_type'),
    rows: this.db.prepare('SELECT log_id, activity_type, target_id FROM writeback_log WHERE campaign_id = ? ORDER BY log_id'),
    staleCount: this.db.prepare('SELECT count(*) FROM writeback_log WHERE campaign_id = ? AND hits_stale = 1').pluck(),
  };

  recordWritten(rows: WrittenLogRow[]): void {
    const now = this.now();
    this.db.transaction(() => {
      for (const r of rows) {
        if (!r.logId || !r.campaignId || !Number.isInteger(r.recipientRowId))
          throw new StoreInputError('a written log row needs logId, campaignId and recipientRowId');
        this.q.insert.run({
          logId: r.logId,
          campaignId: r.campaignId,
          rowId: r.recipientRowId,
          activity: r.activityType,
          targetId: r.targetId,
          linkIdx: r.linkIndex ?? -1,
          hits: r.hits ?? null,
          now,
        });
      }
    })();
  }

  staleHits(limit: number): StaleHits[] {
    return (this.q.stale.all(limit) as StaleRow[]).map((r) => ({
      logId: r.log_id,
      campaignId: r.campaign_id,
      recipientRowId: r.recipient_row_id,
      activityType: r.activity_type,
      linkIndex: r.link_idx,
      written: r.hits_written,
      current: r.current,
    }));
  }

  hitsWritten(row: LogRowKey, hits: number): void {
    this.q.written.run({ ...keyOf(row), hits });
  }

  dropStale(row: LogRowKey): void {
    this.q.drop.run(keyOf(row));
  }

  counts(campaignId: string): Record<string, number> {
    const rows = this.q.counts.all(campaignId) as Array<{ activity_type: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.activity_type, r.n]));
  }

  rows(campaignId: string): Array<{ logId: string; activityType: string; targetId: string }> {
    return (this.q.rows.all(campaignId) as Array<{ log_id: string; activity_type: string; target_id: string }>).map((r) => ({
      logId: r.log_id,
      activityType: r.activity_type,
      targetId: r.target_id,
    }));
  }

  staleCount(campaignId: string): number {
    return this.q.staleCount.get(campaignId) as number;
  }
}
