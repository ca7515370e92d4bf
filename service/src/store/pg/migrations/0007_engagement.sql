-- 0007: per-recipient engagement counters (link_idx -1 is the open pixel), soft-bounce counts per address and
-- per-recipient facts (SQLite's 0001 engagement and soft_bounces, 0002 engagement_facts). Counters are bumped by
-- one upsert each, so processes answering the pixel and click redirect at once add up instead of overwriting.
CREATE TABLE engagement (
  recipient_row_id BIGINT NOT NULL REFERENCES recipients (row_id) ON DELETE CASCADE,
  kind             TEXT NOT NULL CHECK (kind IN ('open','click')),
  link_idx         INTEGER NOT NULL DEFAULT -1,
  campaign_id      TEXT NOT NULL,
  human_hits       INTEGER NOT NULL DEFAULT 0,
  machine_hits     INTEGER NOT NULL DEFAULT 0,
  first_human_at   TEXT,
  last_human_at    TEXT,
  last_machine_at  TEXT,
  PRIMARY KEY (recipient_row_id, kind, link_idx)
);
CREATE INDEX engagement_campaign ON engagement (campaign_id, kind, link_idx);

CREATE TABLE soft_bounces (
  address_key TEXT PRIMARY KEY,
  count       INTEGER NOT NULL,
  last_at     TEXT NOT NULL
);

CREATE TABLE engagement_facts (
  recipient_row_id BIGINT NOT NULL REFERENCES recipients (row_id) ON DELETE CASCADE,
  fact             TEXT NOT NULL CHECK (fact IN ('hard_bounce','soft_bounce','block','complaint','opt_out')),
  campaign_id      TEXT NOT NULL,
  at               TEXT NOT NULL,
  detail           TEXT,
  PRIMARY KEY (recipient_row_id, fact)
);
CREATE INDEX engagement_facts_campaign ON engagement_facts (campaign_id, fact);
