-- 0002: per-recipient bounce, block, complaint and opt-out facts. One row per (recipient, fact), so a
-- replayed report changes nothing, and the campaign report survives the raw-event retention period.

CREATE TABLE engagement_facts (
  recipient_row_id INTEGER NOT NULL REFERENCES recipients (row_id) ON DELETE CASCADE,
  fact             TEXT NOT NULL CHECK (fact IN ('hard_bounce','soft_bounce','block','complaint','opt_out')),
  campaign_id      TEXT NOT NULL,
  at               TEXT NOT NULL,
  detail           TEXT,
  PRIMARY KEY (recipient_row_id, fact)
) WITHOUT ROWID;
CREATE INDEX engagement_facts_campaign ON engagement_facts (campaign_id, fact);
