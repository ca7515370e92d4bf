-- 0009: A/B tests (SQLite's 0011): each variant is a campaign of its own (ab_part.group = its index), the rest of
-- the audience a campaign made when the winner is chosen. The follow-ups and scores ports read tables of 0006–0007.
CREATE TABLE ab_tests (
  id                   TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  metric               TEXT NOT NULL CHECK (metric IN ('opens','clicks')),
  test_share           DOUBLE PRECISION NOT NULL,
  decide_at            TEXT NOT NULL,
  variant_campaign_ids JSONB NOT NULL,           -- array, index = variant
  winner               INTEGER,
  decided_by           TEXT,                     -- 'auto', or the Sugar user name who chose (or 'the API')
  decided_at           TEXT,
  rest_campaign_id     TEXT,
  undecided_reason     TEXT,
  created_at           TEXT NOT NULL
);
CREATE INDEX ab_tests_due ON ab_tests (decide_at) WHERE winner IS NULL;
