// The write-back log on PostgreSQL: the same port and behaviour as store/sqlite-writeback-repo.ts. The local count
// is read in the statement that records what Sugar holds, so a hit landing (in any process) while Sugar was being
// written leaves the row stale instead of being lost; the trigger of migration 0026 (0008's, per statement) marks
// later hits.
import type { LogRowKey, StaleHits, WritebackRepo, WrittenLogRow } from '../../ports/index.js';
import { StoreInputError } from '../errors.js';
import type { Query } from './repos.js';

/** The engagement kind a log row's activity counts. */
const kindOf = (activity: string) => `CASE ${activity} WHEN 'viewed' THEN 'open' ELSE 'click' END`;

/** The human count of the engagement counter a log row stands for (`w`: the row's columns). */
const current = (rowId: string, linkIdx: string, activity: string) => `(SELECT human_hits FROM engagement e WHERE e.recipient_row_id = ${rowId}
  AND e.link_idx = ${linkIdx} AND e.kind = ${kindOf(activity)})`;

const BY_ROW = 'recipient_row_id = $1 AND activity_type = $2 AND link_idx = $3';
const keyOf = (r: LogRowKey) => [r.recipientRowId, r.activityType, r.linkIndex];

export class PgWritebackRepo implements WritebackRepo {
  constructor(
    private readonly q: Query,
    private readonly now: () => string,
  ) {}

  /**
   * One INSERT … SELECT over unnest(); a row twice in a batch counts as in SQLite (the later hits win). Rows are taken
   * in key order, the order the engagement trigger (0026) locks them in, so the two cannot deadlock.
   * The counters are locked (FOR SHARE) before their counts are compared: a pixel batch that has counted a hit but not
   * committed ran its trigger before this row existed, so this waits for it and reads the count it leaves (a lock
   * returns a row's newest version), and a batch starting later waits for this one and its trigger sees the row.
   */
  async recordWritten(rows: WrittenLogRow[]): Promise<void> {
    const byId = new Map<string, WrittenLogRow>();
    for (const r of rows) {
      if (!r.logId || !r.campaignId || !Number.isInteger(r.recipientRowId))
        throw new StoreInputError('a written log row needs logId, campaignId and recipientRowId');
      const first = byId.get(r.logId);
      if (!first) byId.set(r.logId, r);
      else if (r.hits !== undefined && r.hits !== null) byId.set(r.logId, { ...first, hits: r.hits });
    }
    if (byId.size === 0) return;
    const list = [...byId.values()];
    await this.q(
      `WITH w AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::int[], $7::int[]) AS w(l, c, r, a, t, i, h)),
        counted AS (SELECT e.recipient_row_id, e.kind, e.link_idx, e.human_hits FROM engagement e
          JOIN w ON w.h IS NOT NULL AND e.recipient_row_id = w.r AND e.link_idx = w.i AND e.kind = ${kindOf('w.a')}
          ORDER BY e.recipient_row_id, e.kind, e.link_idx FOR SHARE OF e)
      INSERT INTO writeback_log (log_id, campaign_id, recipient_row_id, activity_type, target_id, link_idx, hits_written, hits_stale, written_at)
        SELECT l, c, r, a, t, i, h, CASE WHEN h IS NULL THEN 0 ELSE coalesce((n.human_hits <> h)::int, 0) END, $8
        FROM w LEFT JOIN counted n ON n.recipient_row_id = w.r AND n.link_idx = w.i AND n.kind = ${kindOf('w.a')}
        ORDER BY r, a, i
        ON CONFLICT (recipient_row_id, activity_type, link_idx) DO UPDATE SET hits_written = excluded.hits_written, hits_stale = excluded.hits_stale
          WHERE excluded.hits_written IS NOT NULL`,
      [
        list.map((r) => r.logId),
        list.map((r) => r.campaignId),
        list.map((r) => r.recipientRowId),
        list.map((r) => r.activityType),
        list.map((r) => r.targetId),
        list.map((r) => r.linkIndex ?? -1),
        list.map((r) => r.hits ?? null),
        this.now(),
      ],
    );
  }

  /**
   * In key order, sorted by the server as the trigger's lock is: the write-back marks them written one statement each
   * in one transaction, and a pixel batch's trigger locks them in that order too, so the two wait for each other
   * instead of deadlocking.
   */
  async staleHits(limit: number): Promise<StaleHits[]> {
    const { rows } = await this.q(
      `SELECT log_id, campaign_id, recipient_row_id, activity_type, link_idx, hits_written, current
        FROM (SELECT w.log_id, w.campaign_id, w.recipient_row_id, w.activity_type, w.link_idx, w.hits_written, e.human_hits AS current
          FROM writeback_log w
          JOIN engagement e ON e.recipient_row_id = w.recipient_row_id AND e.link_idx = w.link_idx
            AND e.kind = ${kindOf('w.activity_type')}
          WHERE w.hits_stale = 1 LIMIT $1) s
        ORDER BY recipient_row_id, activity_type, link_idx`,
      [limit],
    );
    return rows.map((r) => ({
      logId: r.log_id as string,
      campaignId: r.campaign_id as string,
      recipientRowId: Number(r.recipient_row_id),
      activityType: r.activity_type as string,
      linkIndex: r.link_idx as number,
      written: r.hits_written as number,
      current: r.current as number,
    }));
  }

  /**
   * Two statements: the lock waits for a pixel batch that holds the row (its trigger, migration 0026), and only then
   * is the count read, so a hit that batch committed is seen and the row stays stale; read first, the count would
   * miss it and the mark be cleared.
   */
  async hitsWritten(row: LogRowKey, hits: number): Promise<void> {
    await this.q(`SELECT FROM writeback_log WHERE ${BY_ROW} FOR UPDATE`, keyOf(row));
    await this.q(
      `UPDATE writeback_log w SET hits_written = $4,
          hits_stale = coalesce((${current('w.recipient_row_id', 'w.link_idx', 'w.activity_type')} <> $4)::int, 0)
        WHERE ${BY_ROW}`,
      [...keyOf(row), hits],
    );
  }

  async dropStale(row: LogRowKey): Promise<void> {
    await this.q(`UPDATE writeback_log SET hits_stale = 0 WHERE ${BY_ROW}`, keyOf(row));
  }

  async counts(campaignId: string): Promise<Record<string, number>> {
    const { rows } = await this.q('SELECT activity_type, count(*)::int AS n FROM writeback_log WHERE campaign_id = $1 GROUP BY activity_type', [campaignId]);
    return Object.fromEntries(rows.map((r) => [r.activity_type as string, r.n as number]));
  }

  async rows(campaignId: string): Promise<Array<{ logId: string; activityType: string; targetId: string }>> {
    const { rows } = await this.q('SELECT log_id, activity_type, target_id FROM writeback_log WHERE campaign_id = $1 ORDER BY log_id', [campaignId]);
    return rows.map((r) => ({ logId: r.log_id as string, activityType: r.activity_type as string, targetId: r.target_id as string }));
  }

  async staleCount(campaignId: string): Promise<number> {
    const { rows } = await this.q('SELECT count(*)::int AS n FROM writeback_log WHERE campaign_id = $1 AND hits_stale = 1', [campaignId]);
    return rows[0].n as number;
  }
}
