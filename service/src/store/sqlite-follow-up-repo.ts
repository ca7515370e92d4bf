import type Database from 'better-sqlite3';
import type { FollowUpCounts, FollowUpCriterion, FollowUpRepo, FollowUpRow, MppOnlyChoice } from '../ports/index.js';

// A person opened: a human open or a human click (a click implies the open) on the counters, which outlive raw events.
const HUMAN_OPEN = `EXISTS (SELECT 1 FROM engagement g WHERE g.recipient_row_id = r.row_id AND g.human_hits > 0)`;
const HUMAN_CLICK = `EXISTS (SELECT 1 FROM engagement g WHERE g.recipient_row_id = r.row_id AND g.kind = 'click' AND g.human_hits > 0)`;
// Apple MPP prefetches are machine opens; only the raw events keep their class (kept for the retention period).
const MPP_OPEN = `EXISTS (SELECT 1 FROM events e WHERE e.recipient_row_id = r.row_id AND e.type = 'open'
  AND json_extract(e.data, '$.class') = 'apple_mpp')`;

export class SqliteFollowUpRepo implements FollowUpRepo {
  private readonly q;

  constructor(db: Database.Database) {
    const page = (where: string) =>
      db.prepare(`SELECT row_id AS rowId, module, record_id AS recordId FROM recipients r
        WHERE campaign_id = ? AND state = 'accepted' AND row_id > ? AND ${where} ORDER BY row_id LIMIT ?`);
    this.q = {
      counts: db.prepare(`SELECT count(*) AS accepted,
          coalesce(sum(${HUMAN_OPEN}), 0) AS humanOpeners,
          coalesce(sum(NOT ${HUMAN_OPEN} AND ${MPP_OPEN}), 0) AS mppOnly,
          coalesce(sum(NOT ${HUMAN_OPEN} AND NOT ${MPP_OPEN}), 0) AS noOpen,
          coalesce(sum(${HUMAN_CLICK}), 0) AS humanClickers
        FROM recipients r WHERE campaign_id = ? AND state = 'accepted'`),
      notOpenedWithMpp: page(`NOT ${HUMAN_OPEN}`),
      notOpened: page(`NOT ${HUMAN_OPEN} AND NOT ${MPP_OPEN}`),
      notClicked: page(`NOT ${HUMAN_CLICK}`),
    };
  }

  counts(campaignId: string): Promise<FollowUpCounts> {
    return Promise.resolve(this.q.counts.get(campaignId) as FollowUpCounts);
  }

  page(campaignId: string, which: { criterion: FollowUpCriterion; mppOnly: MppOnlyChoice }, afterRowId: number, limit: number): Promise<FollowUpRow[]> {
    const stmt = which.criterion === 'not_clicked' ? this.q.notClicked : which.mppOnly === 'include' ? this.q.notOpenedWithMpp : this.q.notOpened;
    return Promise.resolve(stmt.all(campaignId, afterRowId, limit) as FollowUpRow[]);
  }
}
