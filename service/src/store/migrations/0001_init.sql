-- 0001: campaigns, the send ledger, suppressions, LeadFWD lists, engagement and the write-back outbox.
-- Append-only: never edit a migration once it has shipped; add the next number instead.
-- Times are ISO-8601 UTC strings from Date.toISOString(), so text order is time order.

CREATE TABLE campaigns (
  id                TEXT PRIMARY KEY,
  name              TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN
                      ('draft','extracting','pending','sending','sent','paused','cancelled','failed')),
  subject           TEXT NOT NULL,
  from_name         TEXT NOT NULL,
  from_email        TEXT NOT NULL,
  reply_to          TEXT,
  mjml              TEXT,
  html              TEXT,
  target_list_ids   TEXT NOT NULL DEFAULT '[]',  -- JSON arrays
  leadfwd_list_ids  TEXT NOT NULL DEFAULT '[]',
  custom_fields     TEXT NOT NULL DEFAULT '[]',
  test_addresses    TEXT,
  send_at           TEXT NOT NULL,
  sugar_campaign_id TEXT,
  audit             TEXT,                        -- JSON Audit, rewritten while extraction runs
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);
CREATE INDEX campaigns_status_send_at ON campaigns (status, send_at);
CREATE INDEX campaigns_created ON campaigns (created_at, id);

CREATE TABLE campaign_history (
  id          INTEGER PRIMARY KEY,
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  status      TEXT NOT NULL,
  at          TEXT NOT NULL,
  reason      TEXT
);
CREATE INDEX campaign_history_campaign ON campaign_history (campaign_id, id);

-- Tracked links: the click token carries (campaign, idx), so an index must never change meaning.
CREATE TABLE campaign_links (
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  url         TEXT NOT NULL,
  PRIMARY KEY (campaign_id, idx)
) WITHOUT ROWID;

-- The send ledger: one row per (campaign, normalised address), so nobody is mailed twice per campaign.
CREATE TABLE recipients (
  row_id           INTEGER PRIMARY KEY,
  campaign_id      TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  address_key      TEXT NOT NULL,
  module           TEXT NOT NULL,
  record_id        TEXT NOT NULL,
  list_id          TEXT NOT NULL,
  email            TEXT NOT NULL,
  email_address_id TEXT,
  fields           TEXT NOT NULL DEFAULT '{}',
  tracking_consent INTEGER NOT NULL DEFAULT 0,
  state            TEXT NOT NULL DEFAULT 'queued' CHECK (state IN
                     ('queued','sending','accepted','failed','uncertain')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  retry_at         TEXT NOT NULL DEFAULT '',     -- '' = due now; sorts before every ISO time
  message_id       TEXT,
  last_error       TEXT,
  accepted_at      TEXT,
  updated_at       TEXT,
  UNIQUE (campaign_id, address_key)
);
-- Claims read only this partial index (row_id is implied), and rows leave it as soon as they are claimed.
CREATE INDEX recipients_claim ON recipients (campaign_id, retry_at) WHERE state = 'queued';
CREATE INDEX recipients_state ON recipients (campaign_id, state);
CREATE INDEX recipients_in_flight ON recipients (state) WHERE state = 'sending';

CREATE TABLE suppressions (
  address_key TEXT PRIMARY KEY,
  email       TEXT NOT NULL,
  reason      TEXT NOT NULL CHECK (reason IN
                ('unsubscribe','hard_bounce','complaint','soft_bounce_limit','manual')),
  source      TEXT,
  at          TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE leadfwd_lists (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  source        TEXT NOT NULL CHECK (source IN ('filter','csv','api')),
  sugar_list_id TEXT,
  created_at    TEXT NOT NULL
);

CREATE TABLE leadfwd_list_members (
  list_id   TEXT NOT NULL REFERENCES leadfwd_lists (id) ON DELETE CASCADE,
  module    TEXT NOT NULL,
  record_id TEXT NOT NULL,
  email     TEXT,
  position  INTEGER NOT NULL,
  PRIMARY KEY (list_id, module, record_id)
) WITHOUT ROWID;
CREATE INDEX leadfwd_list_members_order ON leadfwd_list_members (list_id, position);

-- Raw engagement events (opens, clicks, bounces, unsubscribes), pruned after the retention period.
CREATE TABLE events (
  id               INTEGER PRIMARY KEY,
  recipient_row_id INTEGER NOT NULL,  -- no foreign key: events may outlive a deleted campaign until pruned
  campaign_id      TEXT NOT NULL,
  type             TEXT NOT NULL,
  at               TEXT NOT NULL,
  data             TEXT
);
CREATE INDEX events_at ON events (at);
CREATE INDEX events_campaign ON events (campaign_id, type, id);

-- Per-recipient counters that outlive raw-event retention; link_idx -1 is the open pixel.
CREATE TABLE engagement (
  recipient_row_id INTEGER NOT NULL REFERENCES recipients (row_id) ON DELETE CASCADE,
  kind             TEXT NOT NULL CHECK (kind IN ('open','click')),
  link_idx         INTEGER NOT NULL DEFAULT -1,
  campaign_id      TEXT NOT NULL,
  human_hits       INTEGER NOT NULL DEFAULT 0,
  machine_hits     INTEGER NOT NULL DEFAULT 0,
  first_human_at   TEXT,
  last_human_at    TEXT,
  last_machine_at  TEXT,
  PRIMARY KEY (recipient_row_id, kind, link_idx)
) WITHOUT ROWID;
CREATE INDEX engagement_campaign ON engagement (campaign_id, kind, link_idx);

CREATE TABLE soft_bounces (
  address_key TEXT PRIMARY KEY,
  count       INTEGER NOT NULL,
  last_at     TEXT NOT NULL
) WITHOUT ROWID;

-- Write-back to Sugar (graphile-worker style): a unique key makes each fact go out once.
CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY,
  key         TEXT NOT NULL UNIQUE,
  kind        TEXT NOT NULL,
  campaign_id TEXT,
  payload     TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','done','dead')),
  run_at      TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT,
  locked_at   TEXT,
  locked_by   TEXT,
  created_at  TEXT NOT NULL,
  done_at     TEXT
);
CREATE INDEX outbox_due ON outbox (run_at, id) WHERE state = 'pending';
CREATE INDEX outbox_campaign ON outbox (campaign_id, state);
CREATE INDEX outbox_state ON outbox (state, id);
