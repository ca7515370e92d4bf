-- 0023 (SQLite's 0021): a mailbox provider's concurrency for an identity, shared by every process (issue 15). Each
-- process leases a few of the provider's connections ("slots") at a time, renewed on a heartbeat; a dead process's
-- lease expires and the others may take its slots. Rows of one (identity, provider) change under one advisory lock.
CREATE TABLE provider_slots (
  identity_id TEXT NOT NULL,
  provider    TEXT NOT NULL,
  owner       TEXT NOT NULL,
  held        INTEGER NOT NULL,
  wanted      INTEGER NOT NULL,
  expires_at  BIGINT NOT NULL,
  PRIMARY KEY (identity_id, provider, owner)
);
CREATE INDEX provider_slots_owner ON provider_slots (owner);
