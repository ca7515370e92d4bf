-- 0026: 0008's trigger once per statement instead of once per row. The open pixel upserts a batch of about fifty
-- counters in one statement, and the row trigger ran its own UPDATE of the write-back log for each of them, almost
-- always to find nothing. The statement's old and new rows (transition tables) give the same rows to mark at once.
-- PostgreSQL refuses transition tables on a trigger limited to a column (UPDATE OF human_hits), so the join keeps
-- only the rows whose human count moved, as the row trigger's WHEN did.
DROP TRIGGER engagement_hits_moved ON engagement;
DROP FUNCTION engagement_hits_moved();

CREATE FUNCTION engagement_hits_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Most statements have nothing to mark (the counter's row not written yet, or stale already): then a probe per
  -- row is all they cost, where the locking statement below is planned and run each time (measured: more than the
  -- row trigger it replaces).
  IF NOT EXISTS (SELECT FROM moved_new n JOIN writeback_log l ON l.recipient_row_id = n.recipient_row_id
      AND l.link_idx = n.link_idx AND l.activity_type = CASE n.kind WHEN 'open' THEN 'viewed' ELSE 'link' END
      WHERE l.hits_stale = 0 AND l.hits_written IS NOT NULL AND l.hits_written <> n.human_hits) THEN
    RETURN NULL;
  END IF;
  -- Locked in key order, the order the row trigger (following the counters' upsert) and the write-back's own
  -- statements take them in, so a pixel batch and the write-back wait for each other instead of deadlocking.
  WITH moved AS (
    SELECT l.recipient_row_id, l.activity_type, l.link_idx
      FROM moved_new n
      JOIN moved_old o ON o.recipient_row_id = n.recipient_row_id AND o.kind = n.kind AND o.link_idx = n.link_idx
      JOIN writeback_log l ON l.recipient_row_id = n.recipient_row_id AND l.link_idx = n.link_idx
        AND l.activity_type = CASE n.kind WHEN 'open' THEN 'viewed' ELSE 'link' END
      WHERE n.human_hits <> o.human_hits
        AND l.hits_stale = 0 AND l.hits_written IS NOT NULL AND l.hits_written <> n.human_hits
      ORDER BY l.recipient_row_id, l.activity_type, l.link_idx
      FOR UPDATE OF l
  )
  UPDATE writeback_log w SET hits_stale = 1 FROM moved m
    WHERE w.recipient_row_id = m.recipient_row_id AND w.activity_type = m.activity_type AND w.link_idx = m.link_idx;
  RETURN NULL;
END $$;

CREATE TRIGGER engagement_hits_moved AFTER UPDATE ON engagement
  REFERENCING OLD TABLE AS moved_old NEW TABLE AS moved_new
  FOR EACH STATEMENT EXECUTE FUNCTION engagement_hits_moved();
