-- 0009: sender identities (issue 16). An identity is who a campaign sends as: From domains and addresses, the DKIM
-- key (sealed with LEADFWD_SECRET), the relay (its password sealed likewise), the bounce domain, rates and warm-up.
-- On the first start after this migration the service makes the default identity from the LEADFWD_SMTP_* and
-- LEADFWD_DKIM_* settings, so nothing changes for a deployment that never configures another.
CREATE TABLE sender_identities (
  id                TEXT PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  is_default        INTEGER NOT NULL DEFAULT 0,
  settings          TEXT NOT NULL,               -- JSON: domains, addresses, dkim (public part), relay (no password), rates, warm-up, users
  dkim_key_sealed   TEXT,
  relay_pass_sealed TEXT,
  approval          TEXT,                        -- JSON IdentityApproval, null until readiness passed or an admin forced it
  paused            TEXT,                        -- JSON IdentityPause, null while sending
  readiness         TEXT,                        -- JSON Readiness, the last check
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);
-- At most one default.
CREATE UNIQUE INDEX sender_identities_default ON sender_identities (is_default) WHERE is_default = 1;

CREATE TABLE sender_identity_audit (
  id          INTEGER PRIMARY KEY,
  identity_id TEXT NOT NULL,
  at          TEXT NOT NULL,
  by          TEXT NOT NULL,
  action      TEXT NOT NULL,
  detail      TEXT
);
CREATE INDEX sender_identity_audit_identity ON sender_identity_audit (identity_id, id);

-- Which identity a campaign sends as (null: the default) and whether it sends as each target's assigned user.
ALTER TABLE campaigns ADD COLUMN sender_identity_id TEXT;
ALTER TABLE campaigns ADD COLUMN send_as_assigned_user INTEGER NOT NULL DEFAULT 0;
CREATE INDEX campaigns_identity ON campaigns (sender_identity_id, status);

-- The recipient's mailbox provider (from MX at extraction) and, when sending as the assigned user, that user.
ALTER TABLE recipients ADD COLUMN provider TEXT;
ALTER TABLE recipients ADD COLUMN sender TEXT;     -- JSON {name, email}
-- Counting queued rows per provider (the schedule) reads the index alone; state counts still use its prefix.
DROP INDEX recipients_state;
CREATE INDEX recipients_state ON recipients (campaign_id, state, provider);

-- Volume per identity, campaign, provider group and UTC day: the deliverability view, warm-up counts, guard rails.
CREATE TABLE delivery_volume (
  identity_id  TEXT NOT NULL,
  campaign_id  TEXT NOT NULL,
  provider     TEXT NOT NULL,
  day          TEXT NOT NULL,
  accepted     INTEGER NOT NULL DEFAULT 0,
  deferred     INTEGER NOT NULL DEFAULT 0,
  failed       INTEGER NOT NULL DEFAULT 0,
  hard_bounces INTEGER NOT NULL DEFAULT 0,
  soft_bounces INTEGER NOT NULL DEFAULT 0,
  blocks       INTEGER NOT NULL DEFAULT 0,
  complaints   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (identity_id, day, provider, campaign_id)
) WITHOUT ROWID;
CREATE INDEX delivery_volume_campaign ON delivery_volume (campaign_id);
