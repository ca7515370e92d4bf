-- 0004: the campaign view lists a campaign's rows that carry an error or a note (retrying, dead, or written back
-- with something left undone); those are few, so a partial index spares scanning every row written back.
CREATE INDEX outbox_with_error ON outbox (campaign_id, id) WHERE last_error IS NOT NULL;
