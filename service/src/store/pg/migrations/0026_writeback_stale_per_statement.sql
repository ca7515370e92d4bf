-- 0026: 0008's trigger once per statement instead of once per row. The open pixel upserts a batch of about fifty
-- counters in one statement, and the row trigger ran its own UPDATE of the write-back log for each of them, almost
-- always to find nothing. The statement's old and new rows (transition tables) give the same rows to mark at once.
-- PostgreSQL refuses transition tables on a trigger limited to a column (UPDATE OF human_hits), so the join keeps
-- only the rows whose human count moved, as the row trigger's WHEN did.
DROP TRIGGER engagement_hits_moved ON engagement;
DROP FUNCTION engagement_hits_moved();

CREATE FUNCTION engagement_hits_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Most statements touch no counter that was ever written to Sugar: then this probe is all they cost.
  IF NOT EXISTS (SELECT FROM moved_new n JOIN writeback_log l ON l.recipient_row_id = n.recipient_row_id
      AND l.link_idx = n.link_idx AND l.activity_type = CASE n.kind WHEN 'open' THEN 'viewed' ELSE 'link' END) THEN
    RETURN NULL;
  END IF;
  -- Lock first, by key alone, in key order (the write-back's order too, so the two wait instead of deadlocking); only
  -- the next statement, with a snapshot taken after any write-back that held them committed, decides what is stale.
  -- Deciding on this statement's snapshot would skip a row the write-back was just confirming: it reads the count
  -- before this batch commits and clears the mark, and the batch's hit would never reach Sugar.
  PERFORM FROM moved_new n
      JOIN moved_old o ON o.recipient_row_id = n.recipient_row_id AND o.kind = n.kind AND o.link_idx = n.link_idx
      JOIN writeback_log l ON l.recipient_row_id = n.recipient_row_id AND l.link_idx = n.link_idx
        AND l.activity_type = CASE n.kind WHEN 'open' THEN 'viewed' ELSE 'link' END
      WHERE n.human_hits <> o.human_hits
      ORDER BY l.recipient_row_id, l.activity_type, l.link_idx
      FOR UPDATE OF l;
  UPDATE writeback_log w SET hits_stale = 1
    FROM moved_new n JOIN moved_old o ON o.recipient_row_id = n.recipient_row_id AND o.kind = n.kind AND o.link_idx = n.link_idx
    WHERE w.recipient_row_id = n.recipient_row_id AND w.link_idx = n.link_idx
      AND w.activity_type = CASE n.kind WHEN 'open' THEN 'viewed' ELSE 'link' END
      AND n.human_hits <> o.human_hits
      AND w.hits_stale = 0 AND w.hits_written IS NOT NULL AND w.hits_written <> n.human_hits;
  RETURN NULL;
END $$;

CREATE TRIGGER engagement_hits_moved AFTER UPDATE ON engagement
  REFERENCING OLD TABLE AS moved_old NEW TABLE AS moved_new
  FOR EACH STATEMENT EXECUTE FUNCTION engagement_hits_moved();
