-- 0024 (SQLite's 0022): when a campaign's links were saved (saveLinks: before its first message is built, even when
-- it has none). A tracking process holds a campaign's rows only once they are, so never its rows without its links
-- (store/tracked-links.ts). A campaign from before counts as saved once it has links or a row that left the queue.
ALTER TABLE campaigns ADD COLUMN links_saved_at TEXT;
UPDATE campaigns SET links_saved_at = updated_at
  WHERE EXISTS (SELECT 1 FROM campaign_links l WHERE l.campaign_id = campaigns.id)
     OR EXISTS (SELECT 1 FROM recipients r WHERE r.campaign_id = campaigns.id AND r.state <> 'queued');
