-- 0011: audiences that follow Sugar (saved filters, reports), read at extraction as the campaign's creator.
-- JSON array of {kind, id, module, name}; NULL for campaigns without one.
ALTER TABLE campaigns ADD COLUMN audiences TEXT;
-- A follow-up (resend to non-openers): JSON {campaignId, name, sugarCampaignId, criterion, mppOnly}; NULL otherwise.
ALTER TABLE campaigns ADD COLUMN follow_up_of TEXT;
-- An A/B test's part: JSON {testId, group (variant index or "rest"), share, variants}; NULL for other campaigns.
ALTER TABLE campaigns ADD COLUMN ab_part TEXT;

-- A/B tests: each variant is a campaign of its own (ab_part.group = its index), the rest of the audience a campaign
-- made when the winner is chosen (automatically after decide_at, or by hand).
CREATE TABLE ab_tests (
  id                   TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  metric               TEXT NOT NULL CHECK (metric IN ('opens','clicks')),
  test_share           REAL NOT NULL,
  decide_at            TEXT NOT NULL,
  variant_campaign_ids TEXT NOT NULL,            -- JSON array, index = variant
  winner               INTEGER,
  decided_by           TEXT,                     -- 'auto', or the Sugar user name who chose (or 'the API')
  decided_at           TEXT,
  rest_campaign_id     TEXT,
  undecided_reason     TEXT,                     -- why the automatic choice could not be made yet
  created_at           TEXT NOT NULL
);
CREATE INDEX ab_tests_due ON ab_tests (decide_at) WHERE winner IS NULL;

-- A person's engagement score reads every campaign they were sent, by Sugar record id.
CREATE INDEX recipients_record ON recipients (record_id);

-- Local-time sending: JSON {at: "HH:MM", timeZone}; NULL for campaigns sent at once.
ALTER TABLE campaigns ADD COLUMN local_time TEXT;
