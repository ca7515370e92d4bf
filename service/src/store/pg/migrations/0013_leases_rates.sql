-- 0013: several processes on one database (issue 15; SQLite's 0013). Leases for campaign-level work (extraction, the
-- scheduler's tick, the automation runner, the write-back lane), shared token buckets for rates that hold across
-- processes, and the process that claimed each ledger row, so only a dead process's rows turn 'uncertain'.
CREATE TABLE leases (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  expires_at BIGINT NOT NULL             -- epoch ms
);
CREATE TABLE rate_buckets (
  name         TEXT PRIMARY KEY,
  tokens       DOUBLE PRECISION NOT NULL,
  at_ms        BIGINT NOT NULL,          -- when tokens was right (epoch ms)
  last_granted INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE recipients ADD COLUMN claimed_by TEXT;
CREATE INDEX recipients_sending ON recipients (claimed_by) WHERE state = 'sending';
