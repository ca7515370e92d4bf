-- 0007: the Sugar relay (docs/relay.md) and who created what.
-- The relay secret Sugar and the service share, sealed with LEADFWD_SECRET; one pairing at a time.
CREATE TABLE relay_pairing (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  secret_sealed TEXT NOT NULL,
  sugar_url     TEXT,
  paired_at     TEXT NOT NULL
);
-- The live pairing code (only its hash); a new code replaces the old one.
CREATE TABLE relay_pairing_code (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  code_hash  TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  failures   INTEGER NOT NULL DEFAULT 0,
  used_at    TEXT
);
-- Nonces of relay calls seen within the replay window.
CREATE TABLE relay_nonces (
  nonce      TEXT PRIMARY KEY,
  expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX relay_nonces_expiry ON relay_nonces (expires_at);
-- Test sends per actor (a Sugar user id, or the API key), for the hourly limit.
CREATE TABLE test_sends (
  id    INTEGER PRIMARY KEY,
  actor TEXT NOT NULL,
  at    TEXT NOT NULL
);
CREATE INDEX test_sends_actor ON test_sends (actor, at);
-- The Sugar user who created a campaign, list or automation (null: the API key).
ALTER TABLE campaigns ADD COLUMN created_by_id TEXT;
ALTER TABLE campaigns ADD COLUMN created_by_name TEXT;
ALTER TABLE leadfwd_lists ADD COLUMN created_by_id TEXT;
ALTER TABLE leadfwd_lists ADD COLUMN created_by_name TEXT;
ALTER TABLE automations ADD COLUMN created_by_id TEXT;
ALTER TABLE automations ADD COLUMN created_by_name TEXT;
