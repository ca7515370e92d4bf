-- 0008: the CampaignLog rows the write-back confirmed in Sugar (SQLite's 0003), one per deterministic Sugar id,
-- and the trigger that marks a written viewed/link row stale when the local human count moves past its hits.
CREATE TABLE writeback_log (
  log_id           TEXT PRIMARY KEY,            -- the UUIDv5 the row carries in Sugar
  campaign_id      TEXT NOT NULL,
  recipient_row_id BIGINT NOT NULL REFERENCES recipients (row_id) ON DELETE CASCADE,
  activity_type    TEXT NOT NULL,               -- Sugar's campainglog_activity_type_dom key
  target_id        TEXT NOT NULL,
  link_idx         INTEGER NOT NULL DEFAULT -1, -- the click's link for 'link' rows, else -1
  hits_written     INTEGER,                     -- viewed/link rows: the hits value Sugar holds
  hits_stale       INTEGER NOT NULL DEFAULT 0,  -- 1 when the local human count moved past hits_written
  written_at       TEXT NOT NULL
);
CREATE INDEX writeback_log_campaign ON writeback_log (campaign_id, activity_type);
CREATE INDEX writeback_log_counter ON writeback_log (recipient_row_id, activity_type, link_idx);
CREATE INDEX writeback_log_stale ON writeback_log (campaign_id) WHERE hits_stale = 1;

-- A repeated human open or click marks the written row stale; the worker then sets Sugar's hits to the new count
-- (set, never incremented, so a replay cannot over-count). Machine hits leave human_hits alone.
CREATE FUNCTION engagement_hits_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE writeback_log SET hits_stale = 1
  WHERE recipient_row_id = NEW.recipient_row_id AND link_idx = NEW.link_idx
    AND activity_type = CASE NEW.kind WHEN 'open' THEN 'viewed' ELSE 'link' END
    AND hits_stale = 0 AND hits_written IS NOT NULL AND hits_written <> NEW.human_hits;
  RETURN NULL;
END $$;
CREATE TRIGGER engagement_hits_moved AFTER UPDATE OF human_hits ON engagement
  FOR EACH ROW WHEN (NEW.human_hits <> OLD.human_hits) EXECUTE FUNCTION engagement_hits_moved();
