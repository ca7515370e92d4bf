-- 0023: the write-back log is keyed by the row it stands for (ledger row, activity, link) instead of its Sugar id.
-- The id is a UUIDv5, so each confirmed row landed at a random place in the table's b-tree: a batch of 150 dirtied
-- about as many pages (28 µs of the main thread per row and a WAL growing by megabytes, against under 5 µs and a
-- few pages appended at the end while a campaign sends, since its ledger rows are numbered in order). The key says
-- the same thing: the id is derived from it, and a ledger row belongs to one campaign.
DROP TRIGGER engagement_hits_moved;

CREATE TABLE writeback_log_by_row (
  recipient_row_id INTEGER NOT NULL REFERENCES recipients (row_id) ON DELETE CASCADE,
  activity_type    TEXT NOT NULL,               -- Sugar's campainglog_activity_type_dom key
  link_idx         INTEGER NOT NULL DEFAULT -1, -- the click's link for 'link' rows, else -1
  log_id           TEXT NOT NULL,               -- the UUIDv5 the row carries in Sugar
  campaign_id      TEXT NOT NULL,
  target_id        TEXT NOT NULL,
  hits_written     INTEGER,                     -- viewed/link rows: the hits value Sugar holds
  hits_stale       INTEGER NOT NULL DEFAULT 0,  -- 1 when the local human count moved past hits_written
  written_at       TEXT NOT NULL,
  PRIMARY KEY (recipient_row_id, activity_type, link_idx)
) WITHOUT ROWID;
INSERT INTO writeback_log_by_row (recipient_row_id, activity_type, link_idx, log_id, campaign_id, target_id, hits_written, hits_stale, written_at)
  SELECT recipient_row_id, activity_type, link_idx, log_id, campaign_id, target_id, hits_written, hits_stale, written_at FROM writeback_log;
DROP TABLE writeback_log;
ALTER TABLE writeback_log_by_row RENAME TO writeback_log;
CREATE INDEX writeback_log_campaign ON writeback_log (campaign_id, activity_type);
CREATE INDEX writeback_log_stale ON writeback_log (campaign_id) WHERE hits_stale = 1;

-- As in 0003: a repeated human open or click marks the written row stale.
CREATE TRIGGER engagement_hits_moved AFTER UPDATE OF human_hits ON engagement
WHEN NEW.human_hits <> OLD.human_hits
BEGIN
  UPDATE writeback_log SET hits_stale = 1
  WHERE recipient_row_id = NEW.recipient_row_id AND link_idx = NEW.link_idx
    AND activity_type = CASE NEW.kind WHEN 'open' THEN 'viewed' ELSE 'link' END
    AND hits_stale = 0 AND hits_written IS NOT NULL AND hits_written <> NEW.human_hits;
END;
